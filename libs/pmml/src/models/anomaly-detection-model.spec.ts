import { describe, expect, it } from 'vitest';
import { double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';
import { isolationForestC } from './anomaly-detection-model';

const OUTPUT = (op: string, threshold: number) => `
  <Output>
    <OutputField name="score" optype="continuous" dataType="double" feature="predictedValue"/>
    <OutputField name="anomaly" optype="categorical" dataType="boolean" feature="decision">
      <Apply function="${op}"><FieldRef field="score"/><Constant dataType="double">${threshold}</Constant></Apply>
    </OutputField>
  </Output>`;

const anomaly = (attrs: string, inner: string, extra = '') =>
  pmmlDoc(
    double('x') + double('z'),
    `<AnomalyDetectionModel functionName="regression" ${attrs}>${miningSchema(undefined, ['x', 'z'])}
       ${OUTPUT('greaterThan', 0.5)}${inner}${extra}
     </AnomalyDetectionModel>`,
  );

describe('AnomalyDetectionModel', () => {
  it('c(n) of the isolation forest: 2(ln(n−1) + γ) − 2(n−1)/n, c(2) = 1, c(1) = 0', () => {
    expect(isolationForestC(4)).toBeCloseTo(2 * (Math.log(3) + 0.5772156649) - 1.5, 14);
    expect(isolationForestC(2)).toBe(1);
    expect(isolationForestC(1)).toBe(0);
  });

  it('iforest: 2^(−E(h(x)) / c(sampleDataSize)) over the averaged tree path lengths', () => {
    // tree 1: x ≤ 0 → depth 1, else 3; tree 2: x ≤ 5 → 2, else 4
    const tree = (split: number, lo: number, hi: number) => `
      <Segment><True/><TreeModel functionName="regression">${miningSchema(undefined, ['x'])}
        <Node score="0"><True/>
          <Node score="${lo}"><SimplePredicate field="x" operator="lessOrEqual" value="${split}"/></Node>
          <Node score="${hi}"><SimplePredicate field="x" operator="greaterThan" value="${split}"/></Node>
        </Node></TreeModel></Segment>`;
    const ev = parsePmml(
      anomaly(
        'algorithmType="iforest" sampleDataSize="4"',
        `<MiningModel functionName="regression">${miningSchema(undefined, ['x'])}
           <Segmentation multipleModelMethod="average">${tree(0, 1, 3)}${tree(5, 2, 4)}</Segmentation>
         </MiningModel>`,
      ),
    );
    const c4 = 2 * (Math.log(3) + 0.5772156649) - 1.5; // 1.85165…
    // x = 1: E(h) = (3 + 2) / 2 = 2.5; x = −1: (1 + 2) / 2 = 1.5 (shorter paths: more anomalous)
    const normal = ev.evaluate({ x: 1, z: 0 });
    expect(normal.value).toBeCloseTo(2 ** (-2.5 / c4), 14);
    expect(normal.outputs['anomaly']).toBe(false); // 0.3926 ≤ 0.5
    const odd = ev.evaluate({ x: -1, z: 0 });
    expect(odd.value).toBeCloseTo(2 ** (-1.5 / c4), 14);
    expect(odd.outputs['anomaly']).toBe(true); // 0.5703 > 0.5
  });

  it('ocsvm: the one-class SVM decision value as is', () => {
    // linear kernel, one support vector (1, 2) with α = 2, b = −1: f = 2·(x + 2z) − 1
    const ev = parsePmml(
      anomaly(
        'algorithmType="ocsvm"',
        `<SupportVectorMachineModel functionName="regression">${miningSchema(undefined, ['x', 'z'])}
           <LinearKernelType/>
           <VectorDictionary>
             <VectorFields><FieldRef field="x"/><FieldRef field="z"/></VectorFields>
             <VectorInstance id="v"><Array type="real">1 2</Array></VectorInstance>
           </VectorDictionary>
           <SupportVectorMachine>
             <SupportVectors><SupportVector vectorId="v"/></SupportVectors>
             <Coefficients absoluteValue="-1"><Coefficient value="2"/></Coefficients>
           </SupportVectorMachine>
         </SupportVectorMachineModel>`,
      ),
    );
    expect(ev.evaluate({ x: 1, z: 1 }).value).toBeCloseTo(5, 14);
    expect(ev.evaluate({ x: 0, z: 0 }).value).toBeCloseTo(-1, 14);
  });

  const clusterDoc = (means: string) =>
    anomaly(
      'algorithmType="clusterMeanDist"',
      `<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="2">
         ${miningSchema(undefined, ['x', 'z'])}
         <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
         <ClusteringField field="x"/><ClusteringField field="z"/>
         <Cluster id="near"><Array n="2" type="real">0 0</Array></Cluster>
         <Cluster id="far"><Array n="2" type="real">10 0</Array></Cluster>
       </ClusteringModel>`,
      means,
    );

  it('clusterMeanDist: distance to the winning cluster over its mean distance', () => {
    const ev = parsePmml(
      clusterDoc('<MeanClusterDistances><Array n="2" type="real">2 4</Array></MeanClusterDistances>'),
    );
    // (3, 4): cluster near at distance 5 → 5 / 2; (7, 0): cluster far at distance 3 → 3 / 4
    const r = ev.evaluate({ x: 3, z: 4 });
    expect(r.value).toBeCloseTo(2.5, 14);
    expect(r.outputs).toMatchObject({ score: 2.5, anomaly: true });
    expect(ev.evaluate({ x: 7, z: 0 }).value).toBeCloseTo(0.75, 14);
    expect(ev.evaluate({}).value).toBeNull(); // no input: no cluster, no score
  });

  it('rejects clusterMeanDist without (or with a wrong-sized) MeanClusterDistances, iforest without sampleDataSize', () => {
    expectInvalidArgument(() => parsePmml(clusterDoc('')), '<AnomalyDetectionModel>', 'MeanClusterDistances');
    expectInvalidArgument(
      () =>
        parsePmml(
          clusterDoc('<MeanClusterDistances><Array n="1" type="real">2</Array></MeanClusterDistances>'),
        ),
      '1 mean distances for 2 clusters',
    );
    expectInvalidArgument(
      () =>
        parsePmml(
          anomaly(
            'algorithmType="iforest"',
            `<MiningModel functionName="regression">${miningSchema(undefined, ['x'])}<Segmentation multipleModelMethod="average"/></MiningModel>`,
          ),
        ),
      'sampleDataSize',
    );
  });
});
