import type { FeatureValue, Features } from '@modelserving/model-core';
import type { ModelResult } from './models/model';
import type { PureOutput } from './output';
import type { InputInfo } from './scope';
import { coerceOrNull } from './values';

/**
 * Generated fast paths for simple top-level models.
 *
 * The general evaluator runs a model as a graph of closures over a per-record slot context (lazy,
 * cached field getters, keyed record lookups, result objects built in several steps). For the common
 * small models — a RegressionModel over numeric inputs, a TreeModel of simple numeric comparisons — this
 * module instead generates one JavaScript function per model with `new Function`: record fields are read by
 * constant property names into locals, regression tables become unrolled sums, trees become nested `if`s
 * whose leaves return the complete result object as one literal, and every output value that depends on
 * the leaf only is computed at build time.
 *
 * The fast function handles only the ordinary case. Whenever a record needs anything else — a missing or
 * non-numeric value, a NaN linear predictor, no winning category — it returns `null` before it has any
 * effect, and the caller scores the record with the general evaluator. Input treatments are pure
 * functions (they only convert or throw), fields are read in the same order as the general evaluator
 * reads them and only where it would read them, so the results and the errors are exactly the general
 * evaluator's.
 *
 * Generated code never contains document text as code: field names and strings are embedded with
 * JSON.stringify (a complete, escaped JavaScript string literal), numbers only when `String(n)` reads back
 * to the same number (anything else — NaN, infinities, -0, long strings, objects — is passed in the
 * constants array `K`), and every other identifier is generated here.
 */

/** A RegressionTable made of NumericPredictors over top-level input fields. */
export interface FastTable {
  readonly intercept: number;
  readonly terms: readonly {
    readonly field: InputInfo;
    readonly coefficient: number;
    readonly exponent: number;
  }[];
}

/** A SimplePredicate comparing a numeric top-level input field with a number. */
export interface FastComparison {
  readonly field: InputInfo;
  readonly op: '===' | '!==' | '<' | '<=' | '>' | '>=';
  readonly value: number;
}

export interface FastTreeNode {
  /** true/false for the True/False predicates. */
  readonly test: FastComparison | boolean;
  readonly children: readonly number[];
  readonly hasScore: boolean;
  readonly result: ModelResult;
}

/** What a model compiler offers for a fast path (only when its whole model fits one of these shapes). */
export type FastCore =
  | {
      readonly kind: 'regression';
      readonly table: FastTable;
      readonly link: ((y: number) => number) | undefined;
    }
  | {
      readonly kind: 'classification';
      readonly tables: readonly FastTable[];
      readonly normalize: (p: Float64Array) => void;
      /** Set when `normalize` is the binary logistic link (p0 = logit(y0), p1 = 1 - p0), inlined. */
      readonly binaryLogit: boolean;
      readonly buf: Float64Array;
    }
  | {
      readonly kind: 'tree';
      /** Node 0 is the root; children are indices. */
      readonly nodes: readonly FastTreeNode[];
      readonly returnLast: boolean;
    };

/** A compiled model's fast-path description: its core plus result-only outputs (no Targets post-processing). */
export interface FastPlan {
  readonly core: FastCore;
  readonly outputs: readonly PureOutput[];
}

/** The result shape the evaluator returns (kept structural to avoid an import cycle). */
export interface FastEvaluation {
  readonly value: FeatureValue;
  readonly targets: Readonly<Record<string, FeatureValue>>;
  readonly outputs: Readonly<Record<string, FeatureValue>>;
  readonly confidence?: number;
}

export type FastEvaluate = (features: Features) => FastEvaluation | null;

/** Probability of the predicted class (first matching category), or undefined. */
export function confidenceOf(
  categories: readonly FeatureValue[] | undefined,
  r: ModelResult,
): number | undefined {
  const p = r.probabilities;
  if (!categories || !p || r.value === null) return undefined;
  for (let i = 0; i < categories.length; i++) {
    if (categories[i] === r.value) {
      const v = p[i];
      return v === undefined || v !== v ? undefined : v;
    }
  }
  return undefined;
}

const MAX_TREE_NODES = 1024;
const MAX_TREE_DEPTH = 48;
const MAX_FIELDS = 1000;
const MAX_INLINE_STRING = 200;
const MAX_UNROLLED_CATEGORIES = 16;

class CodeGen {
  readonly K: unknown[] = [];
  readonly T: ((raw: unknown) => FeatureValue)[] = [];
  private readonly vars = new Map<InputInfo, number>();

  /** A JavaScript expression for a constant value. */
  lit(v: unknown): string {
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0)) {
      const s = String(v);
      if (Object.is(Number(s), v) && /^-?[0-9.e+-]+$/.test(s)) return v < 0 ? `(${s})` : s;
    }
    if (typeof v === 'string' && v.length <= MAX_INLINE_STRING) return JSON.stringify(v);
    this.K.push(v);
    return `K[${this.K.length - 1}]`;
  }

  /** The local variable holding a field's typed value. */
  varOf(field: InputInfo): string {
    let i = this.vars.get(field);
    if (i === undefined) {
      i = this.T.length;
      this.T.push(field.treat);
      this.vars.set(field, i);
    }
    return `x${i}`;
  }

  get varCount(): number {
    return this.T.length;
  }

  /**
   * Code reading `field` unless `done` says this path already read it: the typed value lands in its local,
   * and the function gives up (returns null) unless it is a number.
   */
  read(field: InputInfo, done: Set<string>): string {
    const x = this.varOf(field);
    if (done.has(x)) return '';
    done.add(x);
    const t = `T[${x.slice(1)}]`;
    const key = JSON.stringify(field.name);
    if (field.plainDouble) {
      return `${x} = f[${key}]; if (typeof ${x} !== "number" || ${x} !== ${x}) { ${x} = ${t}(${x}); if (typeof ${x} !== "number") return null; }\n`;
    }
    return `${x} = ${t}(f[${key}]); if (typeof ${x} !== "number") return null;\n`;
  }
}

/**
 * Builds the fast path of a model, or undefined when it has none. `targetName` is undefined for a model
 * without a (non-synthetic) target.
 */
export function compileFastPath(
  plan: FastPlan,
  targetName: string | undefined,
  categories: readonly FeatureValue[] | undefined,
): FastEvaluate | undefined {
  const outputs = plan.outputs;
  if (outputs.length > MAX_FIELDS) return undefined;
  if (targetName === '__proto__' || outputs.some((o) => o.name === '__proto__')) return undefined;
  const gen = new CodeGen();

  /** The result object literal, from the value's and each output's expression. */
  const resultLiteral = (value: string, outs: readonly string[], confidence: string | undefined) => {
    const entries = new Map<string, string>();
    if (targetName !== undefined) entries.set(targetName, value);
    outputs.forEach((o, i) => entries.set(o.name, outs[i]!));
    const obj = [...entries].map(([k, e]) => `${JSON.stringify(k)}: ${e}`).join(', ');
    const targets = targetName === undefined ? '{}' : `{${JSON.stringify(targetName)}: ${value}}`;
    return `{value: ${value}, targets: ${targets}, outputs: {${obj}}${confidence === undefined ? '' : `, confidence: ${confidence}`}}`;
  };

  /** `return` of a result known at build time (tree nodes). */
  const constantReturn = (r: ModelResult): string => {
    const outs = outputs.map((o) => {
      let v = o.compute(undefined, r);
      if (o.coerce !== undefined && v !== null) v = coerceOrNull(o.coerce, v);
      return gen.lit(v);
    });
    const c = confidenceOf(categories, r);
    return `return ${resultLiteral(gen.lit(r.value), outs, c === undefined ? undefined : gen.lit(c))};\n`;
  };

  /**
   * Output values computed at run time, then the returns: `v` is the value; with `probs`, p0, p1, ... are the
   * probabilities (locals) and `best` the index of the predicted category.
   */
  const dynamicReturn = (probs: number | undefined): string => {
    let code = '';
    let needR = false;
    const outs = outputs.map((o, i) => {
      let e: string;
      if (o.kind === 'value') e = 'v';
      else if (o.kind === 'probability' && probs !== undefined) e = o.idx < 0 ? '0' : `p${o.idx}`;
      else {
        needR = true;
        e = `O[${i}].compute(undefined, r)`;
      }
      if (o.coerce !== undefined) {
        code += `let o${i} = ${e}; if (o${i} !== null) o${i} = CO(O[${i}].coerce, o${i});\n`;
        return `o${i}`;
      }
      if (e === 'v' || /^(0|p\d+)$/.test(e)) return e;
      code += `const o${i} = ${e};\n`;
      return `o${i}`;
    });
    if (probs === undefined) {
      if (needR) code = 'const r = {value: v};\n' + code;
      return code + `return ${resultLiteral('v', outs, undefined)};\n`;
    }
    const ps = Array.from({ length: probs }, (_, i) => `p${i}`);
    if (needR)
      code =
        `${ps.map((p, i) => `B[${i}] = ${p};`).join(' ')}\nconst r = {value: v, probabilities: B};\n` + code;
    // confidence: the probability of the first category equal to the predicted one (they are distinct in
    // practice, then it is simply the winner's)
    const first = Array.from({ length: probs }, (_, i) => categories!.indexOf(categories![i]!));
    let cf = ps[first[probs - 1]!]!;
    for (let i = probs - 2; i >= 0; i--) cf = `best === ${i} ? ${ps[first[i]!]} : ${cf}`;
    code += `const cf = ${cf};\n`;
    code += `if (cf !== cf) return ${resultLiteral('v', outs, undefined)};\n`;
    code += `return ${resultLiteral('v', outs, 'cf')};\n`;
    return code;
  };

  const tableCode = (t: FastTable, done: Set<string>): string => {
    let code = `s = ${gen.lit(t.intercept)};\n`;
    for (const term of t.terms) {
      code += gen.read(term.field, done);
      const x = gen.varOf(term.field);
      const e = term.exponent;
      code += `s += ${gen.lit(term.coefficient)} * ${e === 1 ? x : `Math.pow(${x}, ${gen.lit(e)})`};\n`;
    }
    return code;
  };

  const core = plan.core;
  let body: string;
  let B: Float64Array | undefined;
  let N: ((p: Float64Array) => void) | undefined;
  let L: ((y: number) => number) | undefined;
  switch (core.kind) {
    case 'regression': {
      const done = new Set<string>();
      body = 'let s;\n' + tableCode(core.table, done) + 'if (s !== s) return null;\n';
      L = core.link;
      body += L ? 'const v = L(s);\n' : 'const v = s;\n';
      body += dynamicReturn(undefined);
      break;
    }
    case 'classification': {
      const k = core.tables.length;
      if (!categories || categories.length !== k || k > MAX_UNROLLED_CATEGORIES) return undefined;
      const done = new Set<string>();
      body = 'let s;\n';
      core.tables.forEach((t, i) => {
        body += tableCode(t, done) + `if (s !== s) return null;\nconst y${i} = s;\n`;
      });
      B = core.buf;
      N = core.normalize;
      // Same arithmetic as normalization.ts's logit and model.ts's argmax, inlined.
      if (core.binaryLogit && k === 2) {
        body += 'const p0 = 1 / (1 + Math.exp(-y0));\nconst p1 = 1 - p0;\n';
      } else {
        for (let i = 0; i < k; i++) body += `B[${i}] = y${i};\n`;
        body += 'N(B);\n';
        for (let i = 0; i < k; i++) body += `const p${i} = B[${i}];\n`;
      }
      body += 'let best = -1, bv = -Infinity;\n';
      for (let i = 0; i < k; i++) body += `if (p${i} > bv) { bv = p${i}; best = ${i}; }\n`;
      body += 'if (best < 0) return null;\nconst v = C[best];\n';
      body += dynamicReturn(k);
      break;
    }
    case 'tree': {
      const nodes = core.nodes;
      if (nodes.length === 0 || nodes.length > MAX_TREE_NODES) return undefined;
      const nullReturn = constantReturn({ value: null });
      const test = (c: FastComparison) => `${gen.varOf(c.field)} ${c.op} ${gen.lit(c.value)}`;
      const emit = (idx: number, done: Set<string>, depth: number): string | undefined => {
        if (depth > MAX_TREE_DEPTH) return undefined;
        const node = nodes[idx]!;
        if (node.children.length === 0) return constantReturn(node.result);
        let code = '';
        for (const c of node.children) {
          const child = nodes[c]!;
          if (child.test === false) continue;
          if (child.test === true) {
            const sub = emit(c, new Set(done), depth + 1);
            return sub === undefined ? undefined : code + sub;
          }
          code += gen.read(child.test.field, done);
          const sub = emit(c, new Set(done), depth + 1);
          if (sub === undefined) return undefined;
          code += `if (${test(child.test)}) {\n${sub}}\n`;
        }
        return code + (core.returnLast && node.hasScore ? constantReturn(node.result) : nullReturn);
      };
      const root = nodes[0]!;
      const done = new Set<string>();
      let rootCode: string | undefined;
      if (root.test === false) rootCode = nullReturn;
      else if (root.test === true) rootCode = emit(0, done, 0);
      else {
        const read = gen.read(root.test.field, done);
        const sub = emit(0, done, 0);
        rootCode = sub === undefined ? undefined : `${read}if (!(${test(root.test)})) ${nullReturn}${sub}`;
      }
      if (rootCode === undefined) return undefined;
      body = rootCode;
      break;
    }
  }
  const n = gen.varCount;
  const decl = n > 0 ? `let ${Array.from({ length: n }, (_, i) => `x${i}`).join(', ')};\n` : '';
  const source = `'use strict';\nreturn function fastEvaluate(f) {\n${decl}${body}};`;
  try {
    const factory = new Function('K', 'T', 'O', 'CO', 'B', 'N', 'C', 'L', 'Math', source) as (
      ...args: unknown[]
    ) => FastEvaluate;
    return factory(gen.K, gen.T, outputs, coerceOrNull, B, N, categories, L, Math);
  } catch {
    return undefined; // never expected; the general evaluator still works
  }
}
