import { PfaTimeoutError } from '../errors';
import type { AvroType, FcnType, TypeRegistry } from '../types/avro-type';
import type { PfaMap, Value } from '../values';
import type { Scope } from './scope';

/** Mutable state shared by every closure of one engine instance. */
export interface Runtime {
  readonly cells: Map<string, { readonly type: AvroType; value: Value }>;
  readonly pools: Map<string, { readonly type: AvroType; values: PfaMap }>;
  /** Steps left in the current call (loop iterations and function calls). */
  left: number;
  budget: number;
  /** The engine's pseudorandom generator: uniform in [0, 1), seeded by "randseed" or the engine option. */
  readonly random: () => number;
  emit(v: Value): void;
  log(values: readonly Value[], namespace?: string): void;
}

export function spend(rt: Runtime): void {
  if (--rt.left < 0)
    throw new PfaTimeoutError(
      `PFA: the per-call budget of ${rt.budget} steps (loop iterations and calls) was exhausted`,
    );
}

/** A user function (`fcns` or inline): its declared type, and its body once compiled. */
export interface UserFn {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: AvroType }[];
  readonly ret: AvroType;
  readonly type: FcnType;
  call: (args: Value[]) => Value;
}

export interface CompileContext {
  readonly types: TypeRegistry;
  readonly rt: Runtime;
  readonly fcns: Map<string, UserFn>;
  readonly scope: Scope;
  readonly outputType: AvroType;
  readonly method: 'map' | 'emit' | 'fold';
  /** Where this code runs: cells may not be read in a function used before cells exist, etc. */
  readonly where: 'begin' | 'action' | 'end' | 'fcn' | 'merge';
}

export function withScope(ctx: CompileContext, scope: Scope): CompileContext {
  return { ...ctx, scope };
}
