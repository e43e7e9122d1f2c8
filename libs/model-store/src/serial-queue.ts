/**
 * Runs async tasks one at a time in submission order: publishes must assign positions, write the log and
 * update the state without interleaving.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The chain continues whether the task failed or not; the caller sees the failure through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task submitted so far has finished. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
