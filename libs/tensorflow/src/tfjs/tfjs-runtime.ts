import type * as TfType from '@tensorflow/tfjs';
import type * as WasmType from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof TfType;

/** Which tfjs backend runs a model: `tfjs-node` (libtensorflow), `tfjs-wasm` or `tfjs-cpu` (pure JS). */
export type TfjsRuntimeName = 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';

export interface TfjsRuntime {
  readonly tf: Tf;
  readonly name: TfjsRuntimeName;
}

let base: Tf | undefined;
let nodeAvailable: boolean | undefined;

/**
 * @tensorflow/tfjs-node is an optional dependency (it needs a native libtensorflow download, which fails on
 * offline machines), so it is required inside try/catch; pure @tensorflow/tfjs is always there. Loading is
 * lazy: models served by the fast path never pay tfjs's start-up.
 */
function loadBase(): Tf {
  if (base) return base;
  if (nodeAvailable === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      base = require('@tensorflow/tfjs-node') as Tf;
      nodeAvailable = true;
      return base;
    } catch {
      nodeAvailable = false;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  base = require('@tensorflow/tfjs') as Tf;
  return base;
}

/** True when tfjs-node loaded (after the first `loadTfjs`). */
export function tfjsNodeAvailable(): boolean {
  loadBase();
  return nodeAvailable === true;
}

/**
 * Loads tfjs and activates a backend. tfjs backends are process-global, so every tfjs model in a process
 * shares one: `auto` picks tfjs-node when it loaded, else cpu. `wasm` is for benchmarks and explicit
 * requests; it fails with a clear error when the wasm binary cannot initialise.
 */
export async function loadTfjs(prefer: 'auto' | 'cpu' | 'wasm' | 'node' = 'auto'): Promise<TfjsRuntime> {
  const tf = loadBase();
  if (prefer === 'node' && !nodeAvailable)
    throw new Error('@tensorflow/tfjs-node is not installed or failed to load');
  const want =
    prefer === 'auto' ? (nodeAvailable ? 'tensorflow' : 'cpu') : prefer === 'node' ? 'tensorflow' : prefer;
  if (want === 'wasm') await registerWasm(tf);
  if (tf.getBackend() !== want) {
    const ok = await tf.setBackend(want);
    if (!ok) throw new Error(`tfjs backend '${want}' failed to initialise`);
  }
  await tf.ready();
  return { tf, name: want === 'tensorflow' ? 'tfjs-node' : want === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu' };
}

let wasmRegistered = false;

async function registerWasm(tf: Tf): Promise<void> {
  if (wasmRegistered) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof WasmType;
  // In Node the .wasm files are read from the package's dist directory (a path, not a URL).
  const dist = require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/\\]*$/, '');
  wasm.setWasmPaths(dist);
  wasmRegistered = true;
  // Requiring the package registers the backend factory; setBackend('wasm') then initialises it (and
  // reports a failure to load the .wasm binary as `false`).
  void tf;
}
