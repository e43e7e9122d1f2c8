import type { Getter } from '../context';
import { pmmlError } from '../errors';
import type { CompileEnv, Scope } from '../scope';
import { toText, type DataType, type OpType } from '../values';
import { boolAttr, children, enumAttr, intAttr, requiredAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import type { CompiledExpr } from './expressions';

type CompileFn = (el: XmlElement, scope: Scope, env: CompileEnv) => CompiledExpr;

interface Normalization {
  readonly rules: readonly { readonly find: RegExp; readonly replace: string }[];
  readonly recursive: boolean;
}

const PUNCT_EDGES = /^[!-/:-@[-`{-~]+|[!-/:-@[-`{-~]+$/g;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * TextIndex: how often a term occurs in a text field, after the TextIndexNormalization rewrites and
 * tokenization (by wordSeparatorCharacterRE, or by the x-wordRE word pattern JPMML producers emit).
 * The tokenized document is cached per distinct text, because a text model calls the same TextIndex once
 * per vocabulary term for every record.
 */
export function compileTextIndex(
  el: XmlElement,
  scope: Scope,
  env: CompileEnv,
  compile: CompileFn,
): CompiledExpr {
  const textField = requiredAttr(el, 'textField');
  const caseSensitive = boolAttr(el, 'isCaseSensitive', false);
  const maxDistance = intAttr(el, 'maxLevenshteinDistance', 0);
  const countHits = enumAttr(el, 'countHits', ['allHits', 'bestHits'] as const, 'allHits');
  const weights = enumAttr(
    el,
    'localTermWeights',
    ['termFrequency', 'binary', 'logarithmic', 'augmentedNormalizedTermFrequency'] as const,
    'termFrequency',
  );
  const tokenize = boolAttr(el, 'tokenize', true);
  const wordRe = el.attrs['x-wordRE'];
  const separatorRe = el.attrs['wordSeparatorCharacterRE'] ?? '\\s+';
  const flags = caseSensitive ? '' : 'i';
  let splitter: (s: string) => string[];
  try {
    if (!tokenize) splitter = (s) => [s.trim()];
    else if (wordRe !== undefined) {
      const re = new RegExp(wordRe, 'g' + flags);
      splitter = (s) => s.match(re) ?? [];
    } else {
      // Separator tokenization trims punctuation off both ends of every token (as JPMML does).
      const re = new RegExp(separatorRe, flags);
      splitter = (s) => {
        const out: string[] = [];
        for (const t of s.split(re)) {
          const u = t.replace(PUNCT_EDGES, '');
          if (u.length > 0) out.push(u);
        }
        return out;
      };
    }
  } catch (err) {
    throw pmmlError(el, `invalid word regular expression: ${(err as Error).message}`, err);
  }

  const normalizations: Normalization[] = children(el, 'TextIndexNormalization').map((n) => {
    const inField = n.attrs['inField'] ?? 'string';
    const outField = n.attrs['outField'] ?? 'stem';
    const regexField = n.attrs['regexField'] ?? 'regex';
    const recursive = boolAttr(n, 'recursive', false);
    const nCase = boolAttr(n, 'isCaseSensitive', caseSensitive);
    const table = n.children.find((c) => c.name === 'InlineTable');
    if (!table) throw pmmlError(n, 'missing required child element <InlineTable>');
    const rules = children(table, 'row').map((row) => {
      const cell = (name: string) => row.children.find((c) => c.name === name)?.text;
      const from = cell(inField);
      const to = cell(outField) ?? '';
      if (from === undefined) throw pmmlError(row, `row has no '${inField}' cell`);
      const isRegex = (cell(regexField) ?? 'false').trim() === 'true';
      try {
        const pattern = isRegex ? from : escapeRegex(from);
        return { find: new RegExp(pattern, 'g' + (nCase ? '' : 'i')), replace: to };
      } catch (err) {
        throw pmmlError(row, `invalid regular expression '${from}': ${(err as Error).message}`, err);
      }
    });
    return { rules, recursive };
  });

  const textDef = scope.resolve(textField);
  if (!textDef) throw pmmlError(el, `reference to undefined field '${textField}'`);
  const termEl = el.children.find((c) => c.name !== 'Extension' && c.name !== 'TextIndexNormalization');
  if (!termEl) throw pmmlError(el, 'missing the term expression');
  const term = compile(termEl, scope, env);
  const getText = textDef.get;
  const getTerm = term.get;

  const normalize = (s: string): string => {
    for (const n of normalizations) {
      let prev: string;
      do {
        prev = s;
        for (const r of n.rules) s = s.replace(r.find, r.replace);
      } while (n.recursive && s !== prev);
    }
    return s;
  };
  const fold = caseSensitive ? (t: string) => t : (t: string) => t.toLowerCase();

  let lastText: string | undefined;
  let lastTokens: string[] = [];
  let lastMaxFreq = 1;
  const termCache = new Map<string, string[]>();

  const get: Getter = (ctx) => {
    const text = toText(getText(ctx));
    const t = toText(getTerm(ctx));
    if (text === null || t === null) return null;
    if (text !== lastText) {
      lastTokens = splitter(normalize(text)).map(fold);
      const freq = new Map<string, number>();
      let max = 1;
      for (const tok of lastTokens) {
        const f = (freq.get(tok) ?? 0) + 1;
        freq.set(tok, f);
        if (f > max) max = f;
      }
      lastMaxFreq = max;
      lastText = text;
    }
    let termTokens = termCache.get(t);
    if (!termTokens) {
      termTokens = splitter(normalize(t)).map(fold);
      if (termCache.size > 10_000) termCache.clear();
      termCache.set(t, termTokens);
    }
    const k = termTokens.length;
    if (k === 0) return 0;
    let hits = 0;
    let bestDistance = Infinity;
    let bestHits = 0;
    for (let i = 0; i + k <= lastTokens.length; i++) {
      let distance = 0;
      for (let j = 0; j < k && distance <= maxDistance; j++) {
        const a = lastTokens[i + j]!;
        const b = termTokens[j]!;
        if (a !== b) distance += maxDistance === 0 ? 1 : levenshtein(a, b, maxDistance - distance);
      }
      if (distance <= maxDistance) {
        hits++;
        if (distance < bestDistance) {
          bestDistance = distance;
          bestHits = 1;
        } else if (distance === bestDistance) bestHits++;
      }
    }
    const count = countHits === 'bestHits' ? bestHits : hits;
    switch (weights) {
      case 'termFrequency':
        return count;
      case 'binary':
        return count > 0 ? 1 : 0;
      case 'logarithmic':
        return Math.log10(1 + count);
      case 'augmentedNormalizedTermFrequency':
        return count > 0 ? 0.5 * (1 + count / lastMaxFreq) : 0;
    }
  };
  const dataType: DataType = weights === 'termFrequency' || weights === 'binary' ? 'integer' : 'double';
  const optype: OpType = 'continuous';
  return { get, dataType, optype };
}
