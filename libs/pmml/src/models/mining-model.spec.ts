import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';

const leaf = (score: string, dist: Record<string, number>) =>
  `<TreeModel functionName="classification">
     <MiningSchema><MiningField name="x"/></MiningSchema>
     <Node score="${score}"><True/>${Object.entries(dist)
       .map(([v, p]) => `<ScoreDistribution value="${v}" probability="${p}"/>`)
       .join('')}</Node>
   </TreeModel>`;

function classificationEnsemble(method: string) {
  return parsePmml(
    pmmlDoc(
      double('x') + categorical('t', ['A', 'B', 'C']),
      `<MiningModel functionName="classification">
         ${miningSchema('t', ['x'])}
         <Output>
           <OutputField name="pA" feature="probability" value="A" dataType="double"/>
           <OutputField name="pB" feature="probability" value="B" dataType="double"/>
         </Output>
         <Segmentation multipleModelMethod="${method}">
           <Segment id="1" weight="1"><True/>${leaf('A', { A: 0.7, B: 0.3 })}</Segment>
           <Segment id="2" weight="2"><True/>${leaf('B', { A: 0.4, B: 0.6 })}</Segment>
           <Segment id="3" weight="1"><SimplePredicate field="x" operator="greaterThan" value="0"/>${leaf('B', { C: 0, A: 0.2, B: 0.8 })}</Segment>
         </Segmentation>
       </MiningModel>`,
    ),
  );
}

describe('MiningModel classification ensembles', () => {
  it.each([
    ['majorityVote', 'B', 1 / 3, 2 / 3],
    ['weightedMajorityVote', 'B', 0.25, 0.75],
    ['average', 'B', 1.3 / 3, 1.7 / 3],
    ['weightedAverage', 'B', 1.7 / 4, 2.3 / 4],
    ['median', 'B', 0.4, 0.6],
    ['max', 'B', 0.2, 0.8],
  ])('%s', (method, winner, pA, pB) => {
    const r = classificationEnsemble(method).evaluate({ x: 1 });
    expect(r.value).toBe(winner);
    expect(r.outputs['pA']).toBeCloseTo(pA, 15);
    expect(r.outputs['pB']).toBeCloseTo(pB, 15);
  });

  it('only segments whose predicate is TRUE take part (a tied vote goes to the first category)', () => {
    const r = classificationEnsemble('majorityVote').evaluate({ x: -1 });
    expect(r.outputs['pA']).toBe(0.5);
    expect(r.value).toBe('A');
  });
});

const reg = (expr: string, output = '') =>
  `<RegressionModel functionName="regression">
     <MiningSchema><MiningField name="x"/></MiningSchema>${output}
     <RegressionTable intercept="${expr.startsWith('c') ? expr.slice(1) : '0'}">${
       expr.startsWith('c') ? '' : `<NumericPredictor name="x" coefficient="${expr}"/>`
     }</RegressionTable>
   </RegressionModel>`;

function regressionEnsemble(method: string, extra = '') {
  return parsePmml(
    pmmlDoc(
      double('x') + double('y'),
      `<MiningModel functionName="regression">
         ${miningSchema('y', ['x'])}
         <Output><OutputField name="second" feature="predictedValue" segmentId="b" dataType="double"/></Output>
         <Segmentation multipleModelMethod="${method}" ${extra}>
           <Segment id="a" weight="1"><True/>${reg('1')}</Segment>
           <Segment id="b" weight="2"><True/>${reg('2')}</Segment>
           <Segment id="c" weight="1"><True/>${reg('c6')}</Segment>
         </Segmentation>
       </MiningModel>`,
    ),
  );
}

describe('MiningModel regression ensembles', () => {
  // x = 3: segments predict 3, 6 and 6 with weights 1, 2, 1
  it.each([
    ['sum', 15],
    ['weightedSum', 21],
    ['average', 5],
    ['weightedAverage', 5.25],
    ['median', 6],
    ['weightedMedian', 6],
    ['max', 6],
  ])('%s', (method, expected) => {
    const r = regressionEnsemble(method).evaluate({ x: 3 });
    expect(r.value).toBeCloseTo(expected, 15);
    expect(r.outputs['second']).toBe(6);
  });

  it('selectFirst and selectAll take the first matching segment', () => {
    expect(regressionEnsemble('selectFirst').evaluate({ x: 3 }).value).toBe(3);
    const all = regressionEnsemble('selectAll').evaluate({ x: 3 });
    expect(all.value).toBe(3);
    expect(all.outputs['second']).toBe(6);
  });

  it('missingPredictionTreatment decides what a missing segment prediction does', () => {
    // x missing: segments a and b cannot predict, c predicts 6
    expect(regressionEnsemble('average').evaluate({}).value).toBeNull();
    expect(
      regressionEnsemble('average', 'missingPredictionTreatment="returnMissing"').evaluate({}).value,
    ).toBeNull();
    expect(regressionEnsemble('average', 'missingPredictionTreatment="skipSegment"').evaluate({}).value).toBe(
      6,
    );
    // skipSegment gives up once more than missingThreshold of the weight is missing
    expect(
      regressionEnsemble(
        'average',
        'missingPredictionTreatment="skipSegment" missingThreshold="0.5"',
      ).evaluate({}).value,
    ).toBeNull();
  });

  it('modelChain passes each segment’s Output fields to the next and exposes the last segment’s outputs', () => {
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<MiningModel functionName="regression">
         ${miningSchema('y', ['x'])}
         <Segmentation multipleModelMethod="modelChain">
           <Segment id="1"><True/>${reg('2', '<Output><OutputField name="u" feature="predictedValue" dataType="double"/></Output>')}</Segment>
           <Segment id="2"><SimplePredicate field="u" operator="greaterThan" value="0"/>
             <RegressionModel functionName="regression">
               <MiningSchema><MiningField name="u"/></MiningSchema>
               <Output><OutputField name="final" feature="predictedValue" dataType="double"/>
                 <OutputField name="doubled" feature="transformedValue" dataType="double"><Apply function="*"><FieldRef field="final"/><Constant>2</Constant></Apply></OutputField>
               </Output>
               <RegressionTable intercept="1"><NumericPredictor name="u" coefficient="1"/></RegressionTable>
             </RegressionModel>
           </Segment>
         </Segmentation>
       </MiningModel>`,
    );
    const ev = parsePmml(doc);
    const r = ev.evaluate({ x: 3 });
    expect(r.value).toBe(7);
    expect(r.outputs).toMatchObject({ y: 7, final: 7, doubled: 14 });
    // the second segment's predicate is FALSE: the chain ends with the first segment
    expect(ev.evaluate({ x: -3 }).value).toBe(-6);
    expect(ev.resultColumns()).toEqual(['y', 'final', 'doubled']);
  });

  it('nested MiningModels aggregate recursively', () => {
    const inner = (k1: string, k2: string) =>
      `<MiningModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema>
         <Segmentation multipleModelMethod="sum">
           <Segment><True/>${reg(k1)}</Segment><Segment><True/>${reg(k2)}</Segment>
         </Segmentation>
       </MiningModel>`;
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<MiningModel functionName="regression">${miningSchema('y', ['x'])}
         <Segmentation multipleModelMethod="average">
           <Segment><True/>${inner('1', '2')}</Segment>
           <Segment><True/>${inner('c1', 'c3')}</Segment>
         </Segmentation>
       </MiningModel>`,
    );
    // x = 2: inner sums 2 + 4 = 6 and 1 + 3 = 4 → average 5
    expect(parsePmml(doc).evaluate({ x: 2 }).value).toBe(5);
  });

  it('rejects a Segmentation with an unknown method or a Segment without a model', () => {
    expectInvalidArgument(() => regressionEnsemble('bogus'), '<Segmentation>', "'multipleModelMethod'");
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<MiningModel functionName="regression">${miningSchema('y', ['x'])}
         <Segmentation multipleModelMethod="sum"><Segment id="s1"><True/></Segment></Segmentation></MiningModel>`,
    );
    expectInvalidArgument(() => parsePmml(doc), '<Segment>', 'has no model element');
  });
});

describe('PMML 3.x model composition (MiningModel without Segmentation)', () => {
  const dict = double('age') + double('income') + double('weight');
  const schema = miningSchema('weight', ['age', 'income']);

  it('applies embedded models in sequence, each ResultField visible to the next', () => {
    const ev = parsePmml(
      pmmlDoc(
        dict,
        `<MiningModel functionName="regression">${schema}
          <Regression functionName="regression">
            <ResultField name="term" feature="predictedValue"/>
            <RegressionTable intercept="2"><NumericPredictor name="income" coefficient="0.5"/></RegressionTable>
          </Regression>
          <DecisionTree functionName="regression">
            <Node score="0"><True/>
              <Node score="10"><SimplePredicate field="term" operator="lessThan" value="42"/></Node>
              <Node score="20"><SimplePredicate field="term" operator="greaterOrEqual" value="42"/></Node>
            </Node>
          </DecisionTree>
        </MiningModel>`,
        { version: '3.2' },
      ),
    );
    expect(ev.evaluate({ age: 1, income: 10 }).value).toBe(10);
    expect(ev.evaluate({ age: 1, income: 80 }).value).toBe(20);
    expect(ev.evaluate({ age: 1, income: null }).value).toBe(null);
  });

  it('lets a DecisionTree Node embed the model that predicts when the walk selects it', () => {
    const ev = parsePmml(
      pmmlDoc(
        dict,
        `<MiningModel functionName="regression">${schema}
          <DecisionTree functionName="regression">
            <Node score="0"><True/>
              <Node score="0"><SimplePredicate field="age" operator="lessOrEqual" value="50"/>
                <Regression functionName="regression"><RegressionTable intercept="1"><NumericPredictor name="income" coefficient="2"/></RegressionTable></Regression>
              </Node>
              <Node score="7"><SimplePredicate field="age" operator="greaterThan" value="50"/></Node>
            </Node>
          </DecisionTree>
        </MiningModel>`,
        { version: '3.2' },
      ),
    );
    expect(ev.evaluate({ age: 30, income: 10 }).value).toBe(21);
    expect(ev.evaluate({ age: 60, income: 10 }).value).toBe(7);
  });
});
