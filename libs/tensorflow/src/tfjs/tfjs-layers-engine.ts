import { invalidArgument } from '@modelserving/model-core';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Engine } from '../engine';
import type { WeightSpec } from './graph-model-json';
import { loadTfjs } from './tfjs-runtime';

/**
 * Runs a tfjs layers model (`format: layers-model`, e.g. from `model.save` or the Keras converter) with
 * `tf.loadLayersModel` over an in-memory IOHandler. Inputs and outputs must be [batch, features]; the
 * engine interface (row-major float32 batches) is the same as for graphs, so record handling is shared.
 */
export class TfjsLayersEngine implements Engine {
  private constructor(
    private readonly model: LayersModel,
    readonly runtime: string,
    readonly inputWidths: readonly number[],
    readonly outputWidths: readonly number[],
    /** Input and output names, in model order (record tensors and output tensors use them). */
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    private readonly tf: Awaited<ReturnType<typeof loadTfjs>>['tf'],
  ) {}

  static async create(
    modelTopology: Record<string, unknown>,
    weightSpecs: WeightSpec[],
    weightData: ArrayBuffer,
    prefer: 'auto' | 'cpu' | 'wasm' | 'node' = 'auto',
  ): Promise<TfjsLayersEngine> {
    const rt = await loadTfjs(prefer);
    let model: LayersModel;
    try {
      model = await rt.tf.loadLayersModel(rt.tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
    } catch (err) {
      throw invalidArgument(
        `TensorFlow.js: tfjs could not load the layers model: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
    }
    const width = (shape: readonly (number | null)[], what: string): number => {
      const w = shape[1];
      if (shape.length !== 2 || typeof w !== 'number' || w <= 0) {
        model.dispose();
        throw invalidArgument(
          `TensorFlow.js: ${what} has shape [${shape.map((d) => d ?? '?').join(', ')}]; served models take and return [batch, features]`,
        );
      }
      return w;
    };
    const inputWidths = model.inputs.map((t, i) => width(t.shape, `input '${model.inputNames[i]}'`));
    const outputWidths = model.outputs.map((t, i) => width(t.shape, `output '${model.outputNames[i]}'`));
    // Keras names a model's inputs and outputs after their layers (`dense_input`, `dense_1`); a Sequential's
    // own inputNames/outputNames can be empty, so read the layers behind the symbolic tensors.
    const names = (
      own: readonly string[] | undefined,
      tensors: readonly { name: string; sourceLayer?: { name: string } }[],
    ) =>
      own && own.length === tensors.length ? [...own] : tensors.map((t) => t.sourceLayer?.name ?? t.name);
    const inputNames = names(model.inputNames, model.inputs);
    const outputNames = names(model.outputNames, model.outputs);
    return new TfjsLayersEngine(model, rt.name, inputWidths, outputWidths, inputNames, outputNames, rt.tf);
  }

  run(inputs: readonly Float32Array[], n: number): Float32Array[] {
    const tf = this.tf;
    return tf.tidy(() => {
      const xs = this.inputWidths.map((w, i) =>
        tf.tensor2d(inputs[i]!.subarray(0, n * w), [n, w], 'float32'),
      );
      const result = this.model.predict(xs.length === 1 ? xs[0]! : xs) as Tensor | Tensor[];
      const list = Array.isArray(result) ? result : [result];
      return list.map((t) => {
        const d = t.dataSync();
        return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
      });
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}
