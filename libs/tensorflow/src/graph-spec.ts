import { invalidArgument } from '@modelserving/model-core';
import type { Engine } from './engine';
import { compileFastPath } from './fast-path/compile-graph';
import { FastPathEngine } from './fast-path/fast-path-engine';
import { parseInput, type GraphDef, type NodeDef } from './graph/graph-def';
import type { GraphModelArtifacts } from './tfjs/graph-model-json';
import { TfjsEngine } from './tfjs/tfjs-engine';

/** One named input or output of a served graph: the signature key and the graph tensor behind it. */
export interface GraphPort {
  readonly key: string;
  /** `node` or `node:index`. */
  readonly tensor: string;
  /** Features per row, when known from a signature or shape. */
  readonly width?: number;
}

/** A pruned, frozen inference graph with its inputs and outputs: what both engines are built from. */
export interface GraphSpec {
  readonly nodes: readonly NodeDef[];
  readonly versions: GraphDef['versions'];
  readonly inputs: readonly GraphPort[];
  readonly outputs: readonly GraphPort[];
  /**
   * The model as tfjs should load it, when it came as a tfjs graph model: tfjs then runs the original
   * (function library, quantised weights and all) rather than a re-serialisation of `nodes`.
   */
  readonly tfjsArtifacts?: GraphModelArtifacts;
}

/**
 * `auto` (default): the fast path when it covers the whole graph, else tfjs. `fast-path`: the fast path or
 * a build error. `tfjs`: tfjs on its best backend (tfjs-node when it loaded, else cpu). `tfjs-cpu`,
 * `tfjs-wasm`, `tfjs-node`: that backend.
 */
export type RuntimeChoice = 'auto' | 'fast-path' | 'tfjs' | 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-node';

export const RUNTIME_CHOICES: readonly RuntimeChoice[] = [
  'auto',
  'fast-path',
  'tfjs',
  'tfjs-cpu',
  'tfjs-wasm',
  'tfjs-node',
];

export function parseRuntimeChoice(value: string | undefined): RuntimeChoice {
  if (value === undefined || value === '') return 'auto';
  if ((RUNTIME_CHOICES as readonly string[]).includes(value)) return value as RuntimeChoice;
  throw invalidArgument(`metadata runtime '${value}' is not one of ${RUNTIME_CHOICES.join(', ')}`);
}

export async function buildEngine(spec: GraphSpec, choice: RuntimeChoice = 'auto'): Promise<Engine> {
  const inputs = spec.inputs.map((p) => p.tensor);
  const outputs = spec.outputs.map((p) => p.tensor);
  const declared = spec.inputs.map((p) => p.width);
  if (choice === 'auto' || choice === 'fast-path') {
    const fast = compileFastPath(spec.nodes, inputs, outputs, declared);
    if (fast.ok) return new FastPathEngine(fast.graph);
    if (choice === 'fast-path') throw invalidArgument(`the fast path cannot run this graph: ${fast.reason}`);
  }
  const widths = spec.inputs.map((p) => p.width ?? inferWidth(spec.nodes, p.tensor));
  return TfjsEngine.create(
    spec.nodes,
    spec.versions,
    inputs,
    outputs,
    widths,
    tfjsBackend(choice),
    spec.tfjsArtifacts,
  );
}

/** The tfjs backend a runtime choice asks for (`auto` for the non-tfjs-specific choices). */
export function tfjsBackend(choice: RuntimeChoice): 'auto' | 'cpu' | 'wasm' | 'node' {
  return choice === 'tfjs-cpu'
    ? 'cpu'
    : choice === 'tfjs-wasm'
      ? 'wasm'
      : choice === 'tfjs-node'
        ? 'node'
        : 'auto';
}

/**
 * The per-row width of an input whose placeholder has no shape (common in frozen Keras graphs): the row
 * count of the first constant weight matrix it feeds, looking through Identity-like nodes.
 */
function inferWidth(nodes: readonly NodeDef[], tensor: string): number {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const start = parseInput(tensor)[0];
  const placeholder = byName.get(start);
  const dims = placeholder?.attr['shape']?.shape?.dims;
  if (dims && dims.length >= 2 && dims.slice(1).every((d) => d > 0))
    return dims.slice(1).reduce((a, b) => a * b, 1);
  let frontier = [start];
  const seen = new Set(frontier);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const n of nodes) {
      const i = n.input.findIndex((x) => frontier.includes(parseInput(x)[0]));
      if (i < 0 || seen.has(n.name)) continue;
      if (n.op === 'MatMul' || n.op === '_FusedMatMul') {
        const w = byName.get(parseInput(n.input[1] ?? '')[0]);
        const shape = w?.attr['value']?.tensor?.shape;
        if (w?.op === 'Const' && shape?.length === 2 && i === 0)
          return n.attr['transpose_b']?.b ? shape[1]! : shape[0]!;
      } else if (['Identity', 'StopGradient', 'Snapshot'].includes(n.op)) {
        seen.add(n.name);
        next.push(n.name);
      }
    }
    frontier = next;
  }
  throw invalidArgument(
    `cannot tell how many features input '${tensor}' takes: give its shape in the graph or list the fields in metadata 'inputs'`,
  );
}
