import type { ModelDescriptor, SnapshotPage, StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';

/** Bounds of one snapshot page: whichever is reached first closes the page. */
export interface PageLimits {
  readonly maxModels: number;
  /** Estimated encoded bytes of the models of a page (one model above it gets a page of its own). */
  readonly maxBytes: number;
}

/** 1,000 models or 4 MiB: far below gRPC's message limit, and small enough to interleave with other work. */
export const DEFAULT_PAGE_LIMITS: PageLimits = Object.freeze({ maxModels: 1_000, maxBytes: 4 * 1024 * 1024 });

/**
 * Splits a snapshot into bounded pages: the first carries the header (position, suspended, policies, model
 * count), every page some models, the last one `last`. A snapshot without models is one page.
 */
export function* snapshotPages(
  snapshot: StoreSnapshot,
  limits: PageLimits = DEFAULT_PAGE_LIMITS,
): Generator<SnapshotPage> {
  const { models } = snapshot;
  let page: SnapshotPage = {
    position: snapshot.position,
    suspended: snapshot.suspended,
    policies: snapshot.policies,
    totalModels: models.length,
    models: [],
    last: false,
  };
  let bytes = 0;
  for (let i = 0; i < models.length; i++) {
    const d = models[i] as ModelDescriptor;
    const size = estimateBytes(d);
    if (
      page.models.length > 0 &&
      (page.models.length >= limits.maxModels || bytes + size > limits.maxBytes)
    ) {
      yield page;
      page = emptyPage();
      bytes = 0;
    }
    page.models.push(d);
    bytes += size;
  }
  page.last = true;
  yield page;
}

function emptyPage(): SnapshotPage {
  return { position: '', suspended: false, policies: [], totalModels: 0, models: [], last: false };
}

/** An upper bound of a descriptor's encoded size without encoding it (strings count 3 bytes a char). */
export function estimateBytes(d: ModelDescriptor): number {
  let chars = d.name.length + d.description.length + d.dataType.length + (d.location?.length ?? 0);
  for (const k in d.metadata) chars += k.length + (d.metadata[k]?.length ?? 0) + 4;
  return (d.data?.length ?? 0) + 3 * chars + 32;
}

/**
 * Reassembles pages into a snapshot, checking that they form one: a header first, then pages up to the
 * one marked last, with exactly the announced number of models. `what` names the source in errors.
 */
export class SnapshotAssembler {
  private header: SnapshotPage | undefined;
  private readonly models: ModelDescriptor[] = [];
  private done = false;

  /** `code`: what an incomplete or inconsistent set of pages is reported as. */
  constructor(
    private readonly what: string,
    private readonly code: Code = Code.DATA_LOSS,
  ) {}

  get complete(): boolean {
    return this.done;
  }

  /** Adds the next page; returns true when it was the last one. */
  add(page: SnapshotPage): boolean {
    if (this.done) throw this.broken('a page after the last one');
    this.header ??= page;
    for (const d of page.models) this.models.push(d);
    if (this.models.length > (this.header.totalModels ?? 0))
      throw this.broken(`more models than the ${this.header.totalModels} announced`);
    this.done = page.last;
    return this.done;
  }

  result(): StoreSnapshot {
    const header = this.header;
    if (!this.done || header === undefined) throw this.broken('it ended before its last page');
    if (this.models.length !== header.totalModels)
      throw this.broken(`${this.models.length} models instead of the ${header.totalModels} announced`);
    return {
      models: this.models,
      policies: header.policies,
      suspended: header.suspended,
      position: header.position,
    };
  }

  private broken(why: string): ServingError {
    return new ServingError(this.code, `incomplete model store snapshot from ${this.what}: ${why}`);
  }
}
