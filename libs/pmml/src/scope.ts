import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from './context';
import type { DataType, OpType } from './values';
import type { XmlParseOptions } from './xml/xml-parser';

/** A field as compiled code sees it: its type and a getter returning a value of that type (or null). */
export interface FieldDef {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly get: Getter;
  /** Valid values in declared order (typed), for categorical and ordinal fields that list them. */
  readonly values?: readonly FeatureValue[];
  /** Display values of the field's values, from DataField Value@displayValue. */
  readonly displayValues?: ReadonlyMap<FeatureValue, string>;
  /**
   * Set only on a data field exactly as the top-level MiningSchema prepares it: how to read it straight
   * from the record (generated fast paths, see fast-path.ts). Absent on derived and re-treated fields.
   */
  readonly input?: InputInfo;
}

/** How a top-level input field turns a record value into its typed value. */
export interface InputInfo {
  /** The record key. */
  readonly name: string;
  /** Record value → typed value (null when missing); throws for returnInvalid treatments. Pure. */
  readonly treat: (raw: unknown) => FeatureValue;
  /** True when a non-NaN number passes treat unchanged (double field without domain restrictions). */
  readonly plainDouble: boolean;
}

/** Options of a build (today: the XML limits). */
export type CompileOptions = XmlParseOptions;

/** A function defined by DefineFunction, compiled once. */
export interface UserFunction {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly paramSlots: readonly number[];
  readonly paramTypes: readonly (DataType | undefined)[];
  /** Filled in after the body compiles (functions may be referenced before they are compiled). */
  body: Getter | undefined;
}

/**
 * Build-wide state: slot numbering for the evaluation context and the functions of the
 * TransformationDictionary.
 */
export class CompileEnv {
  private slotCount = 0;
  readonly functions = new Map<string, UserFunction | (() => UserFunction)>();
  private readonly compilingFunctions = new Set<string>();

  constructor(readonly options: CompileOptions = {}) {}

  allocSlot(): number {
    return this.slotCount++;
  }

  get slots(): number {
    return this.slotCount;
  }

  resolveFunction(name: string): UserFunction | undefined {
    const f = this.functions.get(name);
    if (typeof f !== 'function') return f;
    if (this.compilingFunctions.has(name)) return undefined;
    this.compilingFunctions.add(name);
    try {
      const compiled = f();
      this.functions.set(name, compiled);
      return compiled;
    } finally {
      this.compilingFunctions.delete(name);
    }
  }
}

type Entry = FieldDef | { readonly lazy: () => FieldDef; compiling: boolean };

/**
 * Name resolution for fields, following PMML's field scoping: a model sees its own derived and output
 * fields first, then its parent's (for nested models), then the TransformationDictionary, then the
 * DataDictionary. Derived fields compile lazily on first reference so definition order does not matter;
 * a reference cycle is reported instead of recursing forever.
 */
export class Scope {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly parent?: Scope) {}

  define(def: FieldDef): void {
    this.entries.set(def.name, def);
  }

  defineLazy(name: string, compile: () => FieldDef): void {
    this.entries.set(name, { lazy: compile, compiling: false });
  }

  hasOwn(name: string): boolean {
    return this.entries.has(name);
  }

  ownNames(): string[] {
    return [...this.entries.keys()];
  }

  /** Resolves a name; throws CycleError for a derived field that depends on itself. */
  resolve(name: string): FieldDef | undefined {
    const e = this.entries.get(name);
    if (e === undefined) return this.parent?.resolve(name);
    if (!('lazy' in e)) return e;
    if (e.compiling) throw new FieldCycleError(name);
    e.compiling = true;
    try {
      const def = e.lazy();
      this.entries.set(name, def);
      return def;
    } finally {
      e.compiling = false;
    }
  }

  /** Forces compilation of every lazily defined field of this scope (to surface errors at build time). */
  compileAll(): void {
    for (const name of [...this.entries.keys()]) this.resolve(name);
  }
}

export class FieldCycleError extends Error {
  constructor(readonly field: string) {
    super(`field '${field}' is defined in terms of itself`);
  }
}
