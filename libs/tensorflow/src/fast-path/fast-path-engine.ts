import type { Engine } from '../engine';
import type { FastGraph } from './compile-graph';

/** The compiled Float32Array graph as an Engine. */
export class FastPathEngine implements Engine {
  readonly runtime = 'fast-path';

  constructor(private readonly graph: FastGraph) {}

  get inputWidths(): readonly number[] {
    return this.graph.inputWidths;
  }

  get outputWidths(): readonly number[] {
    return this.graph.outputWidths;
  }

  run(inputs: readonly Float32Array[], n: number): Float32Array[] {
    return this.graph.run(inputs, n);
  }

  dispose(): void {
    // Plain typed arrays: nothing to release.
  }
}
