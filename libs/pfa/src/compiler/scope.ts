import { PfaSemanticError } from '../errors';
import type { AvroType } from '../types/avro-type';
import type { Value } from '../values';

/** Locals of one function body live in a flat array; each symbol gets a slot at compile time. */
export type Frame = Value[];
export type Code = (fr: Frame) => Value;

/** A compiled expression: its static type and the closure that evaluates it. */
export interface Expr {
  readonly t: AvroType;
  readonly f: Code;
  /** Set for constants, so callers can fold them (record field names, regex patterns). */
  readonly literal?: { readonly value: Value };
  /** True for expressions that never return (`error`): they fit any type. */
  readonly never?: boolean;
}

export interface FrameLayout {
  size: number;
}

export interface Symbol {
  readonly slot: number;
  readonly type: AvroType;
}

/** Lexical scope of symbols inside one function body. */
export class Scope {
  private readonly vars = new Map<string, Symbol>();

  constructor(
    readonly layout: FrameLayout,
    private readonly parent?: Scope,
  ) {}

  child(): Scope {
    return new Scope(this.layout, this);
  }

  lookup(name: string): Symbol | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  declare(name: string, type: AvroType): Symbol {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new PfaSemanticError(`"${name}" is not a valid symbol name`);
    // PFA forbids shadowing: a name may be declared once in a function's nested scopes.
    if (this.lookup(name)) throw new PfaSemanticError(`symbol "${name}" is already defined`);
    const s: Symbol = { slot: this.layout.size++, type };
    this.vars.set(name, s);
    return s;
  }
}
