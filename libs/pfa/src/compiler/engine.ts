import { PfaSemanticError } from '../errors';
import { fromAvroJson, toAvroJson, type BytesEncoding } from '../json/avro-json';
import { plainJson } from '../json/pfa-json';
import { loadDocument, type PfaDocument } from '../document';
import '../lib';
import { TypeRegistry, accepts, describe, type AvroType } from '../types/avro-type';
import { newMap, type PfaMap, type Value } from '../values';
import { compileBody, declareUserFn } from './compile-expr';
import type { CompileContext, Runtime, UserFn } from './context';
import { makeRandom } from './random';
import { Scope, type Code } from './scope';
import { compileUserFnBody } from './user-fn';

export interface PfaEngineOptions {
  /** Steps (loop iterations and function calls) allowed per begin/action/end call. Default 1,000,000. */
  readonly budget?: number;
  /** Receives `log` output; default: discarded (PFA itself does no I/O). */
  readonly log?: (values: readonly Value[], namespace?: string) => void;
  /** Bytes encoding used by the *Json helpers. Default base64. */
  readonly bytes?: BytesEncoding;
  /** Seed of the pseudorandom generator used by `rand.*`; overrides the document's "randseed". */
  readonly seed?: number;
}

type Method = 'map' | 'emit' | 'fold';

/**
 * One compiled PFA scoring engine. Every expression is compiled once into closures when the engine is
 * built; `action` then runs them per record. Not thread-safe by design (cells are per engine).
 */
export class PfaEngine {
  readonly name: string;
  readonly method: Method;
  readonly inputType: AvroType;
  readonly outputType: AvroType;
  readonly types: TypeRegistry;
  readonly options: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, string>>;

  private readonly rt: Runtime;
  private readonly beginCode?: Code;
  private readonly endCode?: Code;
  private readonly actionCode: Code;
  private readonly mergeCode?: { code: Code; one: number; two: number };
  private readonly frameSize: () => number;
  private readonly fold?: { zero: Value; tally: Value };
  private emitted: Value[] = [];
  private actionsStarted = 0;
  private actionsFinished = 0;
  private begun = false;

  static fromDocument(src: string | Uint8Array | object, options: PfaEngineOptions = {}): PfaEngine {
    return new PfaEngine(loadDocument(src), options);
  }

  constructor(doc: PfaDocument, opts: PfaEngineOptions = {}) {
    const method = (doc['method'] ?? 'map') as Method;
    if (method !== 'map' && method !== 'emit' && method !== 'fold')
      throw new PfaSemanticError(`"method" is map, emit or fold, not ${JSON.stringify(method)}`);
    this.method = method;
    this.name = typeof doc['name'] === 'string' ? (doc['name'] as string) : 'Engine_1';
    this.options = (plainJson(doc['options'] ?? {}) as Record<string, unknown>) ?? {};
    this.metadata = (plainJson(doc['metadata'] ?? {}) as Record<string, string>) ?? {};
    const types = new TypeRegistry();
    this.types = types;
    this.inputType = types.parse(plainJson(doc['input']));
    this.outputType = types.parse(plainJson(doc['output']));
    const budget = opts.budget ?? 1_000_000;
    const rt: Runtime = {
      cells: new Map(),
      pools: new Map(),
      budget,
      left: budget,
      emit: (v) => this.emitted.push(v),
      log: opts.log ?? (() => undefined),
      random: makeRandom(
        opts.seed ?? (typeof doc['randseed'] === 'number' ? (doc['randseed'] as number) : undefined),
      ),
    };
    this.rt = rt;

    for (const [name, spec] of entries(doc['cells'], 'cells')) {
      const type = types.parse(plainJson(spec['type']));
      rt.cells.set(name, {
        type,
        value: fromAvroJson(type, plainJson(spec['init']), 'latin1', `cells.${name}`),
      });
    }
    for (const [name, spec] of entries(doc['pools'], 'pools')) {
      const type = types.parse(plainJson(spec['type']));
      const values = newMap();
      const init = plainJson(spec['init'] ?? {});
      if (typeof init !== 'object' || init === null || Array.isArray(init))
        throw new PfaSemanticError(`pool ${name}: "init" is a map`);
      for (const [k, v] of Object.entries(init))
        values[k] = fromAvroJson(type, v, 'latin1', `pools.${name}.${k}`);
      rt.pools.set(name, { type, values });
    }

    const fcns = new Map<string, UserFn>();
    const fcnDocs = entries(doc['fcns'], 'fcns');
    for (const [name, spec] of fcnDocs) fcns.set(`u.${name}`, declareUserFn(`u.${name}`, spec, { types }));
    const base = { types, rt, fcns, outputType: this.outputType, method };
    for (const [name, spec] of fcnDocs) {
      compileUserFnBody(
        fcns.get(`u.${name}`)!,
        spec['do'],
        {
          ...base,
          scope: new Scope({ size: 0 }),
          where: 'fcn',
        },
        compileBody,
      );
    }

    if (method === 'fold') {
      if (!('zero' in doc)) throw new PfaSemanticError('method "fold" needs "zero"');
      const zero = fromAvroJson(this.outputType, plainJson(doc['zero']), 'latin1', 'zero');
      this.fold = { zero, tally: zero };
    }

    const layout = { size: 0 };
    const compileRoot = (body: unknown, where: CompileContext['where'], withInput: boolean): Code => {
      const scope = new Scope(layout);
      if (withInput) scope.declare('input', this.inputType);
      if (withInput && method === 'fold') scope.declare('tally', this.outputType);
      const e = compileBody(body, { ...base, scope, where }, false);
      if (where === 'action' && method === 'map' && !e.never && !accepts(this.outputType, e.t))
        throw new PfaSemanticError(
          `action returns ${describe(e.t)}, but the output type is ${describe(this.outputType)}`,
        );
      if (where === 'action' && method === 'fold' && !e.never && !accepts(this.outputType, e.t))
        throw new PfaSemanticError(
          `fold action returns ${describe(e.t)}, but the tally type is ${describe(this.outputType)}`,
        );
      return e.f;
    };
    // The input is slot 0 of the action frame (declared first).
    this.actionCode = compileRoot(doc['action'] ?? null, 'action', true);
    if (doc['begin'] !== undefined) this.beginCode = compileRoot(doc['begin'], 'begin', false);
    if (doc['end'] !== undefined) this.endCode = compileRoot(doc['end'], 'end', false);
    if (doc['merge'] !== undefined) {
      if (method !== 'fold') throw new PfaSemanticError('"merge" is only allowed with method "fold"');
      const scope = new Scope(layout);
      const one = scope.declare('tallyOne', this.outputType).slot;
      const two = scope.declare('tallyTwo', this.outputType).slot;
      const e = compileBody(doc['merge'], { ...base, scope, where: 'merge' }, false);
      if (!e.never && !accepts(this.outputType, e.t))
        throw new PfaSemanticError(
          `merge returns ${describe(e.t)}, but the tally type is ${describe(this.outputType)}`,
        );
      this.mergeCode = { code: e.f, one, two };
    }
    this.frameSize = () => layout.size;
  }

  /** Runs `begin` (once; `action` calls it implicitly if needed). */
  begin(): void {
    if (this.begun) return;
    this.begun = true;
    if (this.beginCode) this.run(this.beginCode, null);
  }

  /**
   * Scores one input value (runtime representation). For `map` the result is the output; for `emit` the
   * list of emitted values; for `fold` the updated tally.
   */
  action(input: Value): Value {
    if (!this.begun) this.begin();
    this.actionsStarted++;
    if (this.method === 'emit') {
      this.emitted = [];
      this.run(this.actionCode, input);
      this.actionsFinished++;
      return this.emitted;
    }
    if (this.method === 'fold') {
      const fold = this.fold!;
      fold.tally = this.run(this.actionCode, input, fold.tally);
      this.actionsFinished++;
      return fold.tally;
    }
    const out = this.run(this.actionCode, input);
    this.actionsFinished++;
    return out;
  }

  /**
   * Combines two tallies with the document's `merge` (method fold only), e.g. tallies of engines that
   * each folded part of the data. Does not change this engine's own tally.
   */
  merge(a: Value, b: Value): Value {
    const m = this.mergeCode;
    if (!m)
      throw new PfaSemanticError(
        this.method === 'fold' ? 'this document has no "merge"' : '"merge" needs method "fold"',
      );
    this.rt.left = this.rt.budget;
    const fr = new Array<Value>(this.frameSize()).fill(null);
    fr[m.one] = a;
    fr[m.two] = b;
    return m.code(fr);
  }

  /** The current tally (method fold). */
  get tally(): Value | undefined {
    return this.fold?.tally;
  }

  end(): void {
    if (this.endCode) this.run(this.endCode, null);
  }

  /** Decodes Avro-JSON input, scores it and encodes the result (the conformance files' form). */
  actionJson(input: unknown, bytes: BytesEncoding = 'base64'): unknown {
    const out = this.action(fromAvroJson(this.inputType, input, bytes));
    if (this.method === 'emit') return (out as Value[]).map((v) => toAvroJson(this.outputType, v, bytes));
    return toAvroJson(this.outputType, out, bytes);
  }

  /** Current value of a cell (for inspection and tests). */
  cell(name: string): Value | undefined {
    return this.rt.cells.get(name)?.value;
  }

  pool(name: string): PfaMap | undefined {
    return this.rt.pools.get(name)?.values;
  }

  get counts(): { actionsStarted: number; actionsFinished: number } {
    return { actionsStarted: this.actionsStarted, actionsFinished: this.actionsFinished };
  }

  private run(code: Code, input: Value, tally?: Value): Value {
    this.rt.left = this.rt.budget;
    const fr = new Array<Value>(this.frameSize()).fill(null);
    fr[0] = input;
    if (tally !== undefined) fr[1] = tally;
    return code(fr);
  }
}

function entries(v: unknown, what: string): [string, Record<string, unknown>][] {
  if (v === undefined) return [];
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new PfaSemanticError(`"${what}" is an object`);
  return Object.entries(v).map(([k, x]) => {
    if (typeof x !== 'object' || x === null) throw new PfaSemanticError(`${what}.${k} is an object`);
    return [k, x as Record<string, unknown>];
  });
}
