import type { Features } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';

const PRED_DICT =
  double('x') +
  categorical('s', ['red', 'green', 'blue', 'dark red']) +
  '<DataField name="o" optype="ordinal" dataType="string"><Value value="low"/><Value value="mid"/><Value value="high"/></DataField>' +
  '<DataField name="n" optype="continuous" dataType="integer"/>' +
  double('y');

/**
 * Evaluates one predicate through a tiny tree: the first child (score 1) holds the predicate, the second
 * (score 0) is True. With nullPrediction, an UNKNOWN predicate yields a null prediction.
 */
function truth(predicate: string, features: Features): 'T' | 'F' | 'U' {
  const doc = pmmlDoc(
    PRED_DICT,
    `<TreeModel functionName="regression" missingValueStrategy="nullPrediction">
       ${miningSchema('y', ['x', 's', 'o', 'n'])}
       <Node score="-1"><True/>
         <Node score="1">${predicate}</Node>
         <Node score="0"><True/></Node>
       </Node>
     </TreeModel>`,
  );
  const v = parsePmml(doc).evaluate(features).value;
  return v === 1 ? 'T' : v === 0 ? 'F' : 'U';
}

const sp = (field: string, op: string, value?: string) =>
  `<SimplePredicate field="${field}" operator="${op}"${value === undefined ? '' : ` value="${value}"`}/>`;

describe('predicates', () => {
  it.each([
    ['equal', 3, 'T'],
    ['equal', 4, 'F'],
    ['notEqual', 4, 'T'],
    ['lessThan', 2.5, 'T'],
    ['lessThan', 3, 'F'],
    ['lessOrEqual', 3, 'T'],
    ['lessOrEqual', 3.01, 'F'],
    ['greaterThan', 3.01, 'T'],
    ['greaterThan', 3, 'F'],
    ['greaterOrEqual', 3, 'T'],
    ['greaterOrEqual', 2.99, 'F'],
  ] as const)('SimplePredicate x %s 3 with x=%s is %s', (op, x, expected) => {
    expect(truth(sp('x', op, '3'), { x })).toBe(expected);
  });

  it('comparisons with a missing value are UNKNOWN; isMissing/isNotMissing are not', () => {
    expect(truth(sp('x', 'lessThan', '3'), {})).toBe('U');
    expect(truth(sp('x', 'equal', '3'), { x: null })).toBe('U');
    expect(truth(sp('x', 'isMissing'), {})).toBe('T');
    expect(truth(sp('x', 'isMissing'), { x: 1 })).toBe('F');
    expect(truth(sp('x', 'isNotMissing'), { x: 1 })).toBe('T');
    expect(truth(sp('x', 'isNotMissing'), { x: null })).toBe('F');
  });

  it('compares strings and integers by their types', () => {
    expect(truth(sp('s', 'equal', 'red'), { s: 'red' })).toBe('T');
    expect(truth(sp('s', 'notEqual', 'red'), { s: 'blue' })).toBe('T');
    expect(truth(sp('n', 'equal', '2'), { n: '2' })).toBe('T');
    expect(truth(sp('n', 'lessThan', '2.5'), { n: 2 })).toBe('T');
  });

  it('compares ordinal fields by the declared order of their values', () => {
    expect(truth(sp('o', 'lessThan', 'high'), { o: 'mid' })).toBe('T');
    expect(truth(sp('o', 'greaterThan', 'low'), { o: 'mid' })).toBe('T');
    // lexicographically 'mid' > 'high', but by declared order it is not
    expect(truth(sp('o', 'greaterThan', 'high'), { o: 'mid' })).toBe('F');
  });

  it('SimpleSetPredicate isIn / isNotIn with quoted strings and numbers', () => {
    const strings = '<Array n="3" type="string">"dark red" green "blue"</Array>';
    expect(
      truth(`<SimpleSetPredicate field="s" booleanOperator="isIn">${strings}</SimpleSetPredicate>`, {
        s: 'dark red',
      }),
    ).toBe('T');
    expect(
      truth(`<SimpleSetPredicate field="s" booleanOperator="isIn">${strings}</SimpleSetPredicate>`, {
        s: 'red',
      }),
    ).toBe('F');
    expect(
      truth(`<SimpleSetPredicate field="s" booleanOperator="isNotIn">${strings}</SimpleSetPredicate>`, {
        s: 'red',
      }),
    ).toBe('T');
    expect(
      truth(`<SimpleSetPredicate field="s" booleanOperator="isIn">${strings}</SimpleSetPredicate>`, {}),
    ).toBe('U');
    const numbers = '<Array n="3" type="int">1 2 3</Array>';
    expect(
      truth(`<SimpleSetPredicate field="n" booleanOperator="isIn">${numbers}</SimpleSetPredicate>`, {
        n: '2',
      }),
    ).toBe('T');
    expect(
      truth(`<SimpleSetPredicate field="n" booleanOperator="isNotIn">${numbers}</SimpleSetPredicate>`, {
        n: 4,
      }),
    ).toBe('T');
  });

  const T = '<True/>';
  const F = '<False/>';
  const U = sp('x', 'lessThan', '0'); // UNKNOWN when x is missing
  const cp = (op: string, ...parts: string[]) =>
    `<CompoundPredicate booleanOperator="${op}">${parts.join('')}</CompoundPredicate>`;

  it('True and False', () => {
    expect(truth(T, {})).toBe('T');
    expect(truth(F, {})).toBe('F');
  });

  it.each([
    ['and', [T, T], 'T'],
    ['and', [T, F], 'F'],
    ['and', [U, F], 'F'],
    ['and', [U, T], 'U'],
    ['or', [F, T], 'T'],
    ['or', [U, T], 'T'],
    ['or', [U, F], 'U'],
    ['or', [F, F], 'F'],
    ['xor', [T, F], 'T'],
    ['xor', [T, T], 'F'],
    ['xor', [T, F, T], 'F'],
    ['xor', [U, T], 'U'],
    ['surrogate', [U, T], 'T'],
    ['surrogate', [U, F], 'F'],
    ['surrogate', [F, T], 'F'],
    ['surrogate', [U, U], 'U'],
  ] as const)('CompoundPredicate %s %j is %s', (op, parts, expected) => {
    expect(truth(cp(op, ...parts), {})).toBe(expected);
  });

  it('rejects bad predicates at build time, naming the element', () => {
    expectInvalidArgument(
      () => truth(sp('nope', 'equal', '1'), {}),
      '<SimplePredicate>',
      "undefined field 'nope'",
    );
    expectInvalidArgument(() => truth(sp('x', 'between', '1'), {}), '<SimplePredicate>', "'operator'");
    expectInvalidArgument(
      () => truth('<SimplePredicate field="x" operator="equal"/>', {}),
      '<SimplePredicate>',
      "missing required attribute 'value'",
    );
    expectInvalidArgument(() => truth(cp('and', T), {}), '<CompoundPredicate>', 'at least two');
  });
});

/** A classification tree with score distributions (root A 60/B 40; n1 x<5: 50/10; n11 s=red: 38/2; n12: 12/8; n2 x>=5: 10/30). */
function classificationTree(attrs: string) {
  return pmmlDoc(
    double('x') + categorical('s', ['red', 'green']) + categorical('t', ['A', 'B']),
    `<TreeModel functionName="classification" ${attrs}>
       ${miningSchema('t', ['x', 's'])}
       <Output>
         <OutputField name="pA" feature="probability" value="A" dataType="double"/>
         <OutputField name="pB" feature="probability" value="B" dataType="double"/>
         <OutputField name="node" feature="entityId" dataType="string"/>
         <OutputField name="conf" feature="confidence" dataType="double"/>
       </Output>
       <Node id="root" score="A" recordCount="100" defaultChild="n2"><True/>
         <ScoreDistribution value="A" recordCount="60"/><ScoreDistribution value="B" recordCount="40"/>
         <Node id="n1" score="A" recordCount="60" defaultChild="n11"><SimplePredicate field="x" operator="lessThan" value="5"/>
           <ScoreDistribution value="A" recordCount="50" confidence="0.9"/><ScoreDistribution value="B" recordCount="10" confidence="0.1"/>
           <Node id="n11" score="A" recordCount="40"><SimplePredicate field="s" operator="equal" value="red"/>
             <ScoreDistribution value="A" recordCount="38"/><ScoreDistribution value="B" recordCount="2"/>
           </Node>
           <Node id="n12" score="A" recordCount="20"><SimplePredicate field="s" operator="notEqual" value="red"/>
             <ScoreDistribution value="A" recordCount="12"/><ScoreDistribution value="B" recordCount="8"/>
           </Node>
         </Node>
         <Node id="n2" score="B" recordCount="40"><SimplePredicate field="x" operator="greaterOrEqual" value="5"/>
           <ScoreDistribution value="A" probability="0.25" confidence="0.7"/><ScoreDistribution value="B" probability="0.75" confidence="0.8"/>
         </Node>
       </Node>
     </TreeModel>`,
  );
}

describe('TreeModel', () => {
  it('walks to the first TRUE child and reports its score distribution', () => {
    const ev = parsePmml(classificationTree(''));
    const r = ev.evaluate({ x: 3, s: 'red' });
    expect(r.value).toBe('A');
    expect(r.outputs).toMatchObject({ pA: 0.95, pB: 0.05, node: 'n11', t: 'A' });
    expect(r.confidence).toBe(0.95);
    const r2 = ev.evaluate({ x: 7, s: 'green' });
    expect(r2.value).toBe('B');
    expect(r2.outputs).toMatchObject({ pA: 0.25, pB: 0.75, node: 'n2', conf: 0.8 });
  });

  it('missingValueStrategy none: UNKNOWN counts as FALSE, then noTrueChildStrategy decides', () => {
    expect(parsePmml(classificationTree('')).evaluate({ s: 'red' }).value).toBeNull();
    const last = parsePmml(classificationTree('noTrueChildStrategy="returnLastPrediction"')).evaluate({
      s: 'red',
    });
    expect(last.value).toBe('A');
    expect(last.outputs['node']).toBe('root');
    expect(last.outputs['pA']).toBe(0.6);
  });

  it('missingValueStrategy lastPrediction and nullPrediction', () => {
    const last = parsePmml(classificationTree('missingValueStrategy="lastPrediction"'));
    expect(last.evaluate({ s: 'red' }).outputs['node']).toBe('root');
    // the missing value only matters where it is tested: x=3 reaches n1, whose children test s
    expect(last.evaluate({ x: 3 }).outputs['node']).toBe('n1');
    expect(last.evaluate({ x: 3 }).outputs['conf']).toBe(0.9);
    const nul = parsePmml(classificationTree('missingValueStrategy="nullPrediction"'));
    expect(nul.evaluate({ x: 3 }).value).toBeNull();
    expect(nul.evaluate({ x: 3, s: 'green' }).outputs['node']).toBe('n12');
  });

  it('missingValueStrategy defaultChild follows defaultChild and applies missingValuePenalty to confidences', () => {
    const ev = parsePmml(classificationTree('missingValueStrategy="defaultChild" missingValuePenalty="0.5"'));
    const r = ev.evaluate({ s: 'red' });
    expect(r.outputs['node']).toBe('n2');
    expect(r.value).toBe('B');
    expect(r.outputs['pB']).toBe(0.75);
    expect(r.outputs['conf']).toBe(0.4);
    // two missing levels: x missing at the root (→ n2)... and s missing below n1 when x < 5
    const r2 = ev.evaluate({ x: 1 });
    expect(r2.outputs['node']).toBe('n11');
  });

  it('missingValueStrategy weightedConfidence weights the open branches by recordCount', () => {
    const ev = parsePmml(classificationTree('missingValueStrategy="weightedConfidence"'));
    const r = ev.evaluate({ s: 'red' });
    // 0.6 · (0.95, 0.05) + 0.4 · (0.25, 0.75) = (0.67, 0.33)
    expect(r.value).toBe('A');
    expect(r.outputs['pA']).toBeCloseTo(0.67, 15);
    expect(r.outputs['pB']).toBeCloseTo(0.33, 15);
  });

  it('missingValueStrategy aggregateNodes sums the record counts of every reachable leaf', () => {
    const ev = parsePmml(classificationTree('missingValueStrategy="aggregateNodes"'));
    // leaves n11 (38, 2) and n2 (10, 30) → (48, 32)
    const r = ev.evaluate({ s: 'red' });
    expect(r.outputs['pA']).toBeCloseTo(0.6, 15);
    expect(r.outputs['pB']).toBeCloseTo(0.4, 15);
  });

  it('regression trees return the node score', () => {
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<TreeModel functionName="regression" noTrueChildStrategy="returnLastPrediction">
         ${miningSchema('y', ['x'])}
         <Node score="10"><True/>
           <Node score="1.5"><SimplePredicate field="x" operator="lessOrEqual" value="0"/></Node>
           <Node score="2.5"><SimplePredicate field="x" operator="greaterThan" value="0"/>
             <Node score="7"><SimplePredicate field="x" operator="greaterThan" value="100"/></Node>
           </Node>
         </Node>
       </TreeModel>`,
    );
    const ev = parsePmml(doc);
    expect(ev.evaluate({ x: -1 }).value).toBe(1.5);
    expect(ev.evaluate({ x: 1000 }).value).toBe(7);
    // no TRUE child below the x>0 node: its own score (returnLastPrediction)
    expect(ev.evaluate({ x: 5 }).value).toBe(2.5);
  });

  it('a root predicate that is not TRUE gives a null prediction', () => {
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<TreeModel functionName="regression">${miningSchema('y', ['x'])}
         <Node score="1"><SimplePredicate field="x" operator="greaterThan" value="0"/></Node>
       </TreeModel>`,
    );
    const ev = parsePmml(doc);
    expect(ev.evaluate({ x: 1 }).value).toBe(1);
    expect(ev.evaluate({ x: -1 }).value).toBeNull();
  });

  it('rejects a Node without a predicate and a bad defaultChild', () => {
    const bad = (node: string, attrs = '') =>
      pmmlDoc(
        double('x') + double('y'),
        `<TreeModel functionName="regression" ${attrs}>${miningSchema('y', ['x'])}${node}</TreeModel>`,
      );
    expectInvalidArgument(() => parsePmml(bad('<Node score="1"/>')), '<Node>', 'missing a predicate');
    expectInvalidArgument(
      () =>
        parsePmml(
          bad('<Node score="1" defaultChild="zz"><True/><Node id="a" score="2"><True/></Node></Node>'),
        ),
      '<Node>',
      "defaultChild 'zz'",
    );
  });
});
