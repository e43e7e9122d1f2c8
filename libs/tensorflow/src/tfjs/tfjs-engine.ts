import { invalidArgument } from '@modelserving/model-core';
import type { GraphModel, Tensor } from '@tensorflow/tfjs';
import type { GraphDef, NodeDef } from '../graph/graph-def';
import { parseInput } from '../graph/graph-def';
import type { Engine } from '../engine';
import { isUnknownShape } from '../graph/prune';
import { toGraphModelArtifacts, type GraphModelArtifacts } from './graph-model-json';
import { loadTfjs, type TfjsRuntime } from './tfjs-runtime';

/**
 * Runs a frozen graph on tfjs (tfjs-node when it loaded, else the pure-JS cpu backend). Execution is
 * synchronous (`execute` + `dataSync`): the graphs served here have no control flow, and Model.score is sync.
 */
export class TfjsEngine implements Engine {
  private constructor(
    private readonly rt: TfjsRuntime,
    private readonly model: GraphModel,
    private readonly inputNames: readonly string[],
    private readonly outputNames: readonly string[],
    readonly inputWidths: readonly number[],
    private widths: number[],
  ) {}

  get runtime(): string {
    return this.rt.name;
  }

  get outputWidths(): readonly number[] {
    return this.widths;
  }

  static async create(
    nodes: readonly NodeDef[],
    versions: GraphDef['versions'],
    inputs: readonly string[],
    outputs: readonly string[],
    inputWidths: readonly number[],
    prefer: 'auto' | 'cpu' | 'wasm' | 'node' = 'auto',
    original?: GraphModelArtifacts,
  ): Promise<TfjsEngine> {
    const rt = await loadTfjs(prefer);
    // tfjs checks feeds against the placeholder's shape attr and takes a missing one as a scalar; frozen
    // Keras graphs often omit it, and old TF1 graphs write an empty shape meaning "unknown" (see
    // isUnknownShape), so declare [-1, width] from what the model knows.
    const inputNodes = new Map(inputs.map((t, i) => [parseInput(t)[0], inputWidths[i]!]));
    const patched = nodes.map((n) => {
      const w = inputNodes.get(n.name);
      if (n.op !== 'Placeholder' || w === undefined || !isUnknownShape(n.attr['shape']?.shape?.dims))
        return n;
      return { ...n, attr: { ...n.attr, shape: { shape: { dims: [-1, w] } } } };
    });
    const artifacts = original ?? toGraphModelArtifacts(patched, versions);

    let model: GraphModel;
    try {
      model = await rt.tf.loadGraphModel(rt.tf.io.fromMemory(artifacts));
    } catch (err) {
      throw tfjsError('load', err, nodes);
    }
    const engine = new TfjsEngine(
      rt,
      model,
      inputs.map(tensorName),
      outputs.map(tensorName),
      inputWidths,
      [],
    );
    // One probe row tells the output widths (and fails the build, not the first request, on a bad graph).
    try {
      engine.widths = engine
        .runShapes(
          inputWidths.map((w) => new Float32Array(w)),
          1,
        )
        .map((o) => o.cols);
    } catch (err) {
      model.dispose();
      throw tfjsError('run', err, nodes);
    }
    return engine;
  }

  run(inputs: readonly Float32Array[], n: number): Float32Array[] {
    return this.runShapes(inputs, n).map((o) => o.data);
  }

  private runShapes(inputs: readonly Float32Array[], n: number): { data: Float32Array; cols: number }[] {
    const tf = this.rt.tf;
    return tf.tidy(() => {
      const feed: Record<string, Tensor> = {};
      this.inputNames.forEach((name, i) => {
        const w = this.inputWidths[i]!;
        feed[name] = tf.tensor2d(inputs[i]!.subarray(0, n * w), [n, w], 'float32');
      });
      const result = this.model.execute(feed, [...this.outputNames]);
      const list = Array.isArray(result) ? result : [result];
      return list.map((t) => {
        const data = t.dataSync();
        const f32 = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
        return { data: f32, cols: n > 0 ? f32.length / n : 0 };
      });
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** tfjs names tensors `node:index`; index 0 may be written bare. */
function tensorName(ref: string): string {
  const [node, idx] = parseInput(ref);
  return idx === 0 ? node : `${node}:${idx}`;
}

/**
 * tfjs reports unknown ops at load ("Tensorflow Op is not supported: X") or at first run ("Unknown op 'X'");
 * either way the build error names the op and the nodes that use it.
 */
function tfjsError(stage: 'load' | 'run', err: unknown, nodes: readonly NodeDef[]): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /Op is not supported: (\S+)|Unknown op '([^']+)'/.exec(msg);
  const op = m?.[1] ?? m?.[2];
  if (op) {
    const where = nodes
      .filter((n) => n.op === op)
      .map((n) => `'${n.name}'`)
      .slice(0, 3)
      .join(', ');
    return invalidArgument(
      `unsupported op ${op} (node ${where}): neither the fast path nor tfjs implements it`,
      err,
    );
  }
  return invalidArgument(`tfjs could not ${stage} the graph: ${msg}`, err);
}
