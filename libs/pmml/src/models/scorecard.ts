import type { Getter } from '../context';
import { pmmlError, recordError } from '../errors';
import { compilePredicate, requiredPredicate, TRUE, type Predicate } from '../predicates';
import { compileExpression, findExpression } from '../transformations/expressions';
import { boolAttr, child, children, enumAttr, numberAttr, requiredChild } from '../xml/element';
import { toNumber } from '../values';
import type { ModelCompiler, ModelResult } from './model';

interface Attribute {
  readonly test: Predicate | null;
  /** A fixed partialScore, or a ComplexPartialScore expression. */
  readonly score: number | Getter;
  readonly reasonCode: string | undefined;
}

/**
 * Scorecard: initialScore plus, per Characteristic, the partial score of its first Attribute whose
 * predicate holds. With useReasonCodes, each characteristic contributes points (baseline − partial for
 * pointsBelow, partial − baseline for pointsAbove) to its reason code; codes are ranked by total points
 * (negative totals dropped) and exposed through OutputField feature="reasonCode" rank="n".
 */
export const compileScorecard: ModelCompiler = ({ element: el, functionName, scope, env }) => {
  if (functionName !== 'regression')
    throw pmmlError(el, `functionName '${functionName}' is not supported by Scorecard`);
  const initialScore = numberAttr(el, 'initialScore', 0);
  const useReasonCodes = boolAttr(el, 'useReasonCodes', true);
  const pointsAbove =
    enumAttr(el, 'reasonCodeAlgorithm', ['pointsAbove', 'pointsBelow'] as const, 'pointsBelow') ===
    'pointsAbove';
  const modelBaseline = numberAttr(el, 'baselineScore');

  const characteristics = children(requiredChild(el, 'Characteristics'), 'Characteristic').map((c) => {
    const baseline = numberAttr(c, 'baselineScore') ?? modelBaseline;
    if (useReasonCodes && baseline === undefined)
      throw pmmlError(c, "missing 'baselineScore' (needed for reason codes)");
    const name = c.attrs['name'] ?? '';
    const attributes: Attribute[] = children(c, 'Attribute').map((a) => {
      const pred = compilePredicate(requiredPredicate(a), scope, env);
      const complex = child(a, 'ComplexPartialScore');
      let score: number | Getter;
      if (complex) {
        const exprEl = findExpression(complex);
        if (!exprEl) throw pmmlError(complex, 'missing the expression');
        score = compileExpression(exprEl, scope, env).get;
      } else {
        const s = numberAttr(a, 'partialScore');
        if (s === undefined) throw pmmlError(a, "missing 'partialScore' (or a ComplexPartialScore)");
        score = s;
      }
      const reasonCode = a.attrs['reasonCode'] ?? c.attrs['reasonCode'];
      if (useReasonCodes && reasonCode === undefined)
        throw pmmlError(a, "missing 'reasonCode' (on the Attribute or its Characteristic)");
      return { test: pred.constant === TRUE ? null : pred.test, score, reasonCode };
    });
    if (attributes.length === 0) throw pmmlError(c, 'has no Attribute');
    return { name, baseline: baseline ?? 0, attributes };
  });

  const codes: string[] = [];
  const points = new Map<string, number>();
  return {
    evaluate: (ctx): ModelResult => {
      let score = initialScore;
      points.clear();
      codes.length = 0;
      for (const c of characteristics) {
        let matched: Attribute | undefined;
        let partial = 0;
        for (const a of c.attributes) {
          if (a.test && a.test(ctx) !== TRUE) continue;
          matched = a;
          if (typeof a.score === 'number') partial = a.score;
          else {
            const v = toNumber(a.score(ctx));
            if (v === null) return { value: null };
            partial = v;
          }
          break;
        }
        if (!matched)
          throw recordError(`Scorecard characteristic '${c.name}': no Attribute matches the record`);
        score += partial;
        if (useReasonCodes) {
          const code = matched.reasonCode!;
          const diff = pointsAbove ? partial - c.baseline : c.baseline - partial;
          if (!points.has(code)) codes.push(code);
          points.set(code, (points.get(code) ?? 0) + diff);
        }
      }
      if (!useReasonCodes) return { value: score };
      const ranked = codes
        .filter((code) => points.get(code)! >= 0)
        .sort((a, b) => points.get(b)! - points.get(a)!);
      return { value: score, reasonCodes: ranked };
    },
  };
};
