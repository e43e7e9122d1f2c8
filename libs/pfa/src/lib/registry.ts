import type { Labels, Sig } from '../compiler/signature';
import { parseSig } from '../compiler/signature';
import type { AvroType, FcnType } from '../types/avro-type';
import type { Value } from '../values';

/** A compiled library call: plain positional arguments, function arguments arrive as JS functions. */
export type Impl = (...args: any[]) => Value; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the type checker settled for one call site; builders pick a specialised implementation from it. */
export interface CallInfo {
  readonly name: string;
  /** Index of the matching signature. */
  readonly sig: number;
  readonly args: readonly (AvroType | FcnType)[];
  readonly ret: AvroType;
  readonly labels: Labels;
  /** The engine's pseudorandom generator (uniform in [0, 1)), for the `rand.*` family and friends. */
  readonly random: () => number;
}

export interface LibFn {
  readonly name: string;
  readonly sigs: readonly Sig[];
  build(info: CallInfo): Impl;
  /**
   * Extra checks the signature notation cannot express (required record fields, a return type read off
   * a record): returns the call's return type, or a reason the signature does not apply.
   */
  refine?(args: readonly (AvroType | FcnType)[], sig: number, ret: AvroType): AvroType | string;
}

/** The function library, filled by the lib/* modules at import time. */
export const LIBRARY = new Map<string, LibFn>();

export function def(
  name: string,
  sigs: string | readonly string[],
  build: (info: CallInfo) => Impl,
  refine?: LibFn['refine'],
): void {
  if (LIBRARY.has(name)) throw new Error(`library function ${name} defined twice`);
  const list = typeof sigs === 'string' ? [sigs] : sigs;
  LIBRARY.set(
    name,
    refine ? { name, sigs: list.map(parseSig), build, refine } : { name, sigs: list.map(parseSig), build },
  );
}

/** A function whose implementation does not depend on the argument types. */
export function fn(name: string, sigs: string | readonly string[], impl: Impl): void {
  def(name, sigs, () => impl);
}
