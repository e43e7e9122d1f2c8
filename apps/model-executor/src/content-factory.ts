import type { ModelDescriptor as ProtoDescriptor } from '@modelserving/contracts';
import {
  Code,
  ServingError,
  modelKey,
  type Model,
  type ModelFactory,
  type ModelFactoryResolver,
  type ModelToServe,
  type ModelType,
} from '@modelserving/model-core';
import type { BuildPriority, BuildQueue } from './build-queue';

/** Fetches a descriptor's content (inline data, blob, file, URL). */
export type ContentFetcher = (descriptor: ProtoDescriptor) => Promise<Uint8Array>;

/**
 * Stands in for the content of a model that has not been fetched yet. The registry hands `content` to the
 * factory unchanged, so the fetch can run inside `registry.deploy()`: the key shows LOADING while the
 * content is fetched, and a fetch failure or an oversized model becomes the key's build error with the
 * previous version still serving, exactly like a parse error; no second error book-keeping is needed.
 */
export class PendingContent extends Uint8Array {
  /** Queue priority of the build; promote() moves a waiting build to the urgent lane. */
  readonly priority: BuildPriority;

  constructor(
    readonly descriptor: ProtoDescriptor,
    readonly urgent: boolean,
  ) {
    super(0);
    this.priority = { urgent };
  }

  promote(): void {
    this.priority.urgent = true;
    this.priority.promote?.();
  }
}

/** The ModelToServe the registry deploys for a store descriptor; its content is fetched by the factory. */
export function modelToServe(descriptor: ProtoDescriptor, urgent: boolean): ModelToServe {
  return {
    key: modelKey(descriptor.dataType, descriptor.name),
    name: descriptor.name,
    description: descriptor.description,
    dataType: descriptor.dataType,
    modelType: descriptor.modelType as number as ModelType,
    content: new PendingContent(descriptor, urgent),
    ...(descriptor.location ? { location: descriptor.location } : {}),
    metadata: descriptor.metadata,
  };
}

class FetchingFactory implements ModelFactory {
  readonly type: ModelType;

  constructor(
    private readonly inner: ModelFactory,
    private readonly fetch: ContentFetcher,
    private readonly queue: BuildQueue,
    private readonly maxModelBytes: number,
  ) {
    this.type = inner.type;
  }

  create(m: ModelToServe): Promise<Model> {
    const pending = m.content;
    if (!(pending instanceof PendingContent)) return this.queue.run(() => this.inner.create(m));
    return this.queue.run(async () => {
      const content = await this.fetch(pending.descriptor);
      if (content.byteLength > this.maxModelBytes) {
        throw new ServingError(
          Code.RESOURCE_EXHAUSTED,
          `model content is ${content.byteLength} bytes, more than the limit of ${this.maxModelBytes} (MAX_MODEL_BYTES)`,
        );
      }
      // Empty content is legitimate for a directory location (a SavedModel, read by its factory from
      // `location`); a factory that needs bytes says so itself.
      return this.inner.create({ ...m, content });
    }, pending.priority);
  }

  restore(bytes: Uint8Array, model: Omit<ModelToServe, 'content'>): Promise<Model> {
    return this.inner.restore(bytes, model);
  }
}

/** Wraps every factory of `inner` so content is fetched (queued, bounded) as part of the build. */
export class FetchingFactoryResolver implements ModelFactoryResolver {
  private readonly wrapped = new Map<number, ModelFactory>();

  constructor(
    private readonly inner: ModelFactoryResolver,
    private readonly fetch: ContentFetcher,
    private readonly queue: BuildQueue,
    private readonly maxModelBytes: number,
  ) {}

  getFactory(type: ModelType): ModelFactory | undefined {
    let f = this.wrapped.get(type);
    if (!f) {
      const inner = this.inner.getFactory(type);
      if (!inner) return undefined;
      f = new FetchingFactory(inner, this.fetch, this.queue, this.maxModelBytes);
      this.wrapped.set(type, f);
    }
    return f;
  }
}
