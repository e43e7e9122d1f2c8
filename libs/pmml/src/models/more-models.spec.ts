import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';

describe('NaiveBayesModel', () => {
  // Two classes (yes: 30, no: 10). Discrete input c, continuous input x with Gaussians.
  const doc = pmmlDoc(
    categorical('c', ['r', 'g', 'b']) + double('x') + categorical('t', ['yes', 'no']),
    `<NaiveBayesModel functionName="classification" threshold="0.001">
       ${miningSchema('t', ['c', 'x'])}
       <Output><OutputField name="p_yes" feature="probability" value="yes" dataType="double"/></Output>
       <BayesInputs>
         <BayesInput fieldName="c">
           <PairCounts value="r"><TargetValueCounts><TargetValueCount value="yes" count="20"/><TargetValueCount value="no" count="2"/></TargetValueCounts></PairCounts>
           <PairCounts value="g"><TargetValueCounts><TargetValueCount value="yes" count="10"/><TargetValueCount value="no" count="0"/></TargetValueCounts></PairCounts>
           <PairCounts value="b"><TargetValueCounts><TargetValueCount value="yes" count="0"/><TargetValueCount value="no" count="8"/></TargetValueCounts></PairCounts>
         </BayesInput>
         <BayesInput fieldName="x">
           <TargetValueStats>
             <TargetValueStat value="yes"><GaussianDistribution mean="1" variance="1"/></TargetValueStat>
             <TargetValueStat value="no"><GaussianDistribution mean="3" variance="4"/></TargetValueStat>
           </TargetValueStats>
         </BayesInput>
       </BayesInputs>
       <BayesOutput fieldName="t"><TargetValueCounts><TargetValueCount value="yes" count="30"/><TargetValueCount value="no" count="10"/></TargetValueCounts></BayesOutput>
     </NaiveBayesModel>`,
  );
  const gauss = (x: number, m: number, v: number) =>
    Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  const ev = parsePmml(doc);

  it('multiplies the prior by P(c|t) = count / class total and the Gaussian density of x', () => {
    // P(c=r|yes) = 20/30, P(c=r|no) = 2/10
    const yes = 30 * (20 / 30) * gauss(2, 1, 1);
    const no = 10 * (2 / 10) * gauss(2, 3, 4);
    const r = ev.evaluate({ c: 'r', x: 2 });
    expect(r.outputs['p_yes']).toBeCloseTo(yes / (yes + no), 14);
    expect(r.value).toBe('yes');
  });

  it('uses the threshold for zero counts and ignores missing inputs', () => {
    const yes = 30 * 0.001;
    const no = 10 * (8 / 10);
    expect(ev.evaluate({ c: 'b' }).outputs['p_yes']).toBeCloseTo(yes / (yes + no), 14);
    expect(ev.evaluate({}).outputs['p_yes']).toBeCloseTo(0.75, 14);
  });
});

describe('ClusteringModel', () => {
  const doc = (measure: string, extra = '') =>
    pmmlDoc(
      double('x') + double('z'),
      `<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="2">
         ${miningSchema(undefined, ['x', 'z'])}
         <Output>
           <OutputField name="cluster" feature="predictedValue" dataType="string"/>
           <OutputField name="name" feature="predictedDisplayValue" dataType="string"/>
           <OutputField name="d_a" feature="clusterAffinity" value="a" dataType="double"/>
           <OutputField name="index" feature="clusterId" dataType="integer"/>
         </Output>
         <ComparisonMeasure kind="distance">${measure}</ComparisonMeasure>
         <ClusteringField field="x"/><ClusteringField field="z" fieldWeight="2"/>
         ${extra}
         <Cluster id="a" name="origin"><Array n="2" type="real">0 0</Array></Cluster>
         <Cluster id="b" name="far"><Array n="2" type="real">10 10</Array></Cluster>
       </ClusteringModel>`,
    );

  it('assigns the nearest center (weighted squared Euclidean) and reports affinities', () => {
    const r = parsePmml(doc('<squaredEuclidean/>')).evaluate({ x: 3, z: 1 });
    expect(r.value).toBe('a');
    expect(r.outputs).toMatchObject({ cluster: 'a', name: 'origin', d_a: 9 + 2 * 1, index: 1 });
    expect(parsePmml(doc('<squaredEuclidean/>')).evaluate({ x: 8, z: 9 }).outputs['cluster']).toBe('b');
  });

  it.each([
    ['<euclidean/>', Math.sqrt(9 + 2 * 16)],
    ['<cityBlock/>', 3 + 2 * 4],
    ['<chebychev/>', 8],
    ['<minkowski p-parameter="3"/>', Math.cbrt(27 + 2 * 64)],
  ])('%s distance', (measure, expected) => {
    expect(parsePmml(doc(measure)).evaluate({ x: 3, z: -4 }).outputs['d_a']).toBeCloseTo(expected, 13);
  });

  it('skips missing inputs and rescales by the MissingValueWeights adjustment', () => {
    const ev = parsePmml(
      doc(
        '<squaredEuclidean/>',
        '<MissingValueWeights><Array n="2" type="real">1 3</Array></MissingValueWeights>',
      ),
    );
    // z missing: distance to a = 3² · (1 + 3) / 1
    expect(ev.evaluate({ x: 3 }).outputs['d_a']).toBeCloseTo(36, 13);
    expect(ev.evaluate({}).value).toBeNull();
  });
});

describe('SupportVectorMachineModel', () => {
  const vectors = `
    <VectorDictionary numberOfVectors="2">
      <VectorFields><FieldRef field="x"/><FieldRef field="z"/></VectorFields>
      <VectorInstance id="v1"><Array n="2" type="real">1 0</Array></VectorInstance>
      <VectorInstance id="v2"><REAL-SparseArray n="2"><Indices>2</Indices><REAL-Entries>1</REAL-Entries></REAL-SparseArray></VectorInstance>
    </VectorDictionary>`;
  const machine = (attrs: string, b: number, a1: number, a2: number) => `
    <SupportVectorMachine ${attrs}>
      <SupportVectors numberOfSupportVectors="2"><SupportVector vectorId="v1"/><SupportVector vectorId="v2"/></SupportVectors>
      <Coefficients absoluteValue="${b}"><Coefficient value="${a1}"/><Coefficient value="${a2}"/></Coefficients>
    </SupportVectorMachine>`;

  it('regression with an RBF kernel: Σ α·exp(−γ‖x − sv‖²) + b', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + double('y'),
      `<SupportVectorMachineModel functionName="regression">${miningSchema('y', ['x', 'z'])}
         <RadialBasisKernelType gamma="0.5"/>${vectors}${machine('', 0.25, 2, -1)}
       </SupportVectorMachineModel>`,
    );
    const expected = 2 * Math.exp(-0.5 * (1 + 4)) - Math.exp(-0.5 * (4 + 1)) + 0.25;
    expect(parsePmml(doc).evaluate({ x: 2, z: 2 }).value).toBeCloseTo(expected, 14);
  });

  it('one-against-one classification votes (f < threshold → targetCategory) with polynomial kernel', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + categorical('t', ['A', 'B', 'C']),
      `<SupportVectorMachineModel functionName="classification" classificationMethod="OneAgainstOne">${miningSchema('t', ['x', 'z'])}
         <Output><OutputField name="pA" feature="probability" value="A" dataType="double"/></Output>
         <PolynomialKernelType gamma="1" coef0="1" degree="2"/>${vectors}
         ${machine('targetCategory="A" alternateTargetCategory="B"', -1, 1, 0)}
         ${machine('targetCategory="A" alternateTargetCategory="C"', -1, 0, 1)}
         ${machine('targetCategory="B" alternateTargetCategory="C"', 0, 1, -1)}
       </SupportVectorMachineModel>`,
    );
    // x = (0, 0): K(x, v) = 1 for both vectors → f1 = 0, f2 = 0, f3 = 0: nothing is below 0 → B, C, C
    let r = parsePmml(doc).evaluate({ x: 0, z: 0 });
    expect(r.value).toBe('C');
    expect(r.outputs['pA']).toBe(0);
    // x = (−1, 0): K(x, v1) = 0, K(x, v2) = 1 → f1 = −1 (A), f2 = 0 (C), f3 = −1 (B): a three-way tie, first wins
    r = parsePmml(doc).evaluate({ x: -1, z: 0 });
    expect(r.outputs['pA']).toBeCloseTo(1 / 3, 15);
    expect(r.value).toBe('A');
  });

  it('linear kernel one-against-all: the smallest decision value wins', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + categorical('t', ['A', 'B']),
      `<SupportVectorMachineModel functionName="classification" classificationMethod="OneAgainstAll">${miningSchema('t', ['x', 'z'])}
         <LinearKernelType/>${vectors}
         ${machine('targetCategory="A"', 0, 1, 0)}
         ${machine('targetCategory="B"', 0, 0, 1)}
       </SupportVectorMachineModel>`,
    );
    expect(parsePmml(doc).evaluate({ x: 1, z: 5 }).value).toBe('A');
    expect(parsePmml(doc).evaluate({ x: 5, z: 1 }).value).toBe('B');
  });
});

describe('RuleSetModel', () => {
  const doc = (criterion: string) =>
    pmmlDoc(
      double('x') + categorical('t', ['lo', 'hi']),
      `<RuleSetModel functionName="classification">${miningSchema('t', ['x'])}
         <Output>
           <OutputField name="rule" feature="entityId" dataType="string"/>
           <OutputField name="conf" feature="confidence" dataType="double"/>
         </Output>
         <RuleSet defaultScore="lo" defaultConfidence="0.5">
           <RuleSelectionMethod criterion="${criterion}"/>
           <SimpleRule id="r1" score="hi" weight="0.3" confidence="0.6"><SimplePredicate field="x" operator="greaterThan" value="1"/></SimpleRule>
           <CompoundRule><SimplePredicate field="x" operator="greaterThan" value="2"/>
             <SimpleRule id="r2" score="lo" weight="0.9" confidence="0.8"><True/></SimpleRule>
             <SimpleRule id="r3" score="hi" weight="0.4" confidence="0.7"><SimplePredicate field="x" operator="greaterThan" value="3"/></SimpleRule>
           </CompoundRule>
         </RuleSet>
       </RuleSetModel>`,
    );

  it('firstHit', () => {
    expect(parsePmml(doc('firstHit')).evaluate({ x: 5 }).outputs).toMatchObject({
      t: 'hi',
      rule: 'r1',
      conf: 0.6,
    });
    expect(parsePmml(doc('firstHit')).evaluate({ x: 0 }).outputs).toMatchObject({
      t: 'lo',
      rule: null,
      conf: 0.5,
    });
  });

  it('weightedMax', () => {
    expect(parsePmml(doc('weightedMax')).evaluate({ x: 5 }).outputs).toMatchObject({
      t: 'lo',
      rule: 'r2',
      conf: 0.8,
    });
  });

  it('weightedSum: class totals, confidence = total / rules fired', () => {
    // x = 5 fires r1 (hi 0.3), r2 (lo 0.9), r3 (hi 0.4): hi 0.7 < lo 0.9
    const r = parsePmml(doc('weightedSum')).evaluate({ x: 5 });
    expect(r.value).toBe('lo');
    expect(r.outputs['conf']).toBeCloseTo(0.9 / 3, 15);
    // x = 1.5 fires r1 only
    expect(parsePmml(doc('weightedSum')).evaluate({ x: 1.5 }).outputs).toMatchObject({ t: 'hi', conf: 0.3 });
  });
});

describe('Scorecard', () => {
  const doc = (algorithm: string) =>
    pmmlDoc(
      double('age') + categorical('city', ['A', 'B']) + double('score'),
      `<Scorecard functionName="regression" initialScore="100" useReasonCodes="true" reasonCodeAlgorithm="${algorithm}">
         ${miningSchema('score', ['age', 'city'])}
         <Output>
           <OutputField name="rc1" feature="reasonCode" rank="1" dataType="string"/>
           <OutputField name="rc2" feature="reasonCode" rank="2" dataType="string"/>
         </Output>
         <Characteristics>
           <Characteristic name="ageChar" reasonCode="AGE" baselineScore="20">
             <Attribute partialScore="5"><SimplePredicate field="age" operator="lessThan" value="30"/></Attribute>
             <Attribute partialScore="30"><True/></Attribute>
           </Characteristic>
           <Characteristic name="cityChar" baselineScore="10">
             <Attribute reasonCode="CITY_A" partialScore="2"><SimplePredicate field="city" operator="equal" value="A"/></Attribute>
             <Attribute reasonCode="CITY_B"><True/>
               <ComplexPartialScore><Apply function="*"><FieldRef field="age"/><Constant>0.5</Constant></Apply></ComplexPartialScore>
             </Attribute>
           </Characteristic>
         </Characteristics>
       </Scorecard>`,
    );

  it('sums partial scores and ranks reason codes (pointsBelow)', () => {
    const r = parsePmml(doc('pointsBelow')).evaluate({ age: 25, city: 'A' });
    // 100 + 5 + 2; points: AGE 20 − 5 = 15, CITY_A 10 − 2 = 8
    expect(r.value).toBe(107);
    expect(r.outputs).toMatchObject({ rc1: 'AGE', rc2: 'CITY_A' });
  });

  it('ComplexPartialScore and pointsAbove (negative totals are dropped)', () => {
    const r = parsePmml(doc('pointsAbove')).evaluate({ age: 50, city: 'B' });
    // 100 + 30 + 25; points: AGE 30 − 20 = 10, CITY_B 25 − 10 = 15
    expect(r.value).toBe(155);
    expect(r.outputs).toMatchObject({ rc1: 'CITY_B', rc2: 'AGE' });
    const low = parsePmml(doc('pointsAbove')).evaluate({ age: 25, city: 'A' });
    expect(low.outputs).toMatchObject({ rc1: null, rc2: null });
  });
});

describe('AssociationModel', () => {
  const doc = pmmlDoc(
    '<DataField name="tx" optype="categorical" dataType="string"/><DataField name="item" optype="categorical" dataType="string"/>',
    `<AssociationModel functionName="associationRules" numberOfTransactions="10" minimumSupport="0.1" minimumConfidence="0.5" numberOfItems="3" numberOfItemsets="4" numberOfRules="3">
       <MiningSchema><MiningField name="tx" usageType="group"/><MiningField name="item"/></MiningSchema>
       <Output>
         <OutputField name="best" feature="ruleValue" ruleFeature="consequent" algorithm="exclusiveRecommendation" rank="1" dataType="string"/>
         <OutputField name="bestId" feature="ruleValue" ruleFeature="ruleId" algorithm="exclusiveRecommendation" rank="1" dataType="string"/>
         <OutputField name="second" feature="ruleValue" ruleFeature="rule" algorithm="recommendation" rank="2" rankBasis="support" dataType="string"/>
         <OutputField name="assocConf" feature="ruleValue" ruleFeature="confidence" algorithm="ruleAssociation" rank="1" dataType="double"/>
       </Output>
       <Item id="1" value="bread"/><Item id="2" value="butter"/><Item id="3" value="milk"/>
       <Itemset id="s1"><ItemRef itemRef="1"/></Itemset>
       <Itemset id="s2"><ItemRef itemRef="2"/></Itemset>
       <Itemset id="s3"><ItemRef itemRef="3"/></Itemset>
       <Itemset id="s12"><ItemRef itemRef="1"/><ItemRef itemRef="2"/></Itemset>
       <AssociationRule id="bread-butter" antecedent="s1" consequent="s2" support="0.4" confidence="0.8"/>
       <AssociationRule id="bread-milk" antecedent="s1" consequent="s3" support="0.3" confidence="0.6"/>
       <AssociationRule id="bb-milk" antecedent="s12" consequent="s3" support="0.2" confidence="0.9"/>
     </AssociationModel>`,
  );
  const ev = parsePmml(doc);

  it('recommends from a basket given as an array', () => {
    // basket {bread}: bread→butter (0.8) and bread→milk (0.6) fire
    const r = ev.evaluate({ item: ['bread'] as unknown as string });
    expect(r.outputs).toMatchObject({
      best: '{butter}',
      bestId: 'bread-butter',
      second: '{bread}->{milk}',
      assocConf: null,
    });
    expect(ev.groupField).toBe('tx');
  });

  it('exclusiveRecommendation skips rules whose consequent is already in the basket', () => {
    const r = ev.evaluate({ item: ['bread', 'butter'] as unknown as string });
    expect(r.outputs['best']).toBe('{milk}');
    expect(r.outputs['bestId']).toBe('bb-milk');
    expect(r.outputs['assocConf']).toBe(0.8);
    expect(ev.evaluate({ item: 'milk' }).outputs['best']).toBeNull();
  });

  it('reads PMML 4.0 rule features (feature="rule", "consequent", "confidence") and entityId = rule id', () => {
    const legacy = parsePmml(
      doc.replace(
        /<Output>[\s\S]*<\/Output>/,
        `<Output>
           <OutputField name="rule" feature="rule" algorithm="ruleAssociation" rank="1" rankBasis="confidence" dataType="string"/>
           <OutputField name="rec" feature="consequent" algorithm="ruleAssociation" rank="1" rankBasis="confidence" dataType="string"/>
           <OutputField name="conf" feature="confidence" algorithm="ruleAssociation" rank="1" rankBasis="confidence" dataType="double"/>
           <OutputField name="id" feature="entityId" algorithm="ruleAssociation" rank="1" rankBasis="confidence" dataType="string"/>
         </Output>`,
      ),
    );
    // ruleAssociation needs the whole rule in the basket: {bread, butter} holds only bread→butter (0.8)
    expect(legacy.evaluate({ item: ['bread', 'butter'] as unknown as string }).outputs).toMatchObject({
      rule: '{bread}->{butter}',
      id: 'bread-butter',
    });
    // with milk too every rule is contained and bb-milk (0.9) is the most confident
    expect(legacy.evaluate({ item: ['bread', 'butter', 'milk'] as unknown as string }).outputs).toMatchObject(
      {
        rule: '{bread,butter}->{milk}',
        rec: '{milk}',
        conf: 0.9,
        id: 'bb-milk',
      },
    );
  });
});

describe('GeneralRegressionModel CoxRegression', () => {
  it('exp(η − η₀)·H₀(t) from the baseline table; missing beyond maxTime', () => {
    const doc = pmmlDoc(
      double('age') + double('time') + double('hazard'),
      `<GeneralRegressionModel modelType="CoxRegression" functionName="regression" endTimeVariable="time">
         ${miningSchema('hazard', ['age', 'time'])}
         <ParameterList><Parameter name="p0" referencePoint="50"/></ParameterList>
         <CovariateList><Predictor name="age"/></CovariateList>
         <PPMatrix><PPCell value="1" predictorName="age" parameterName="p0"/></PPMatrix>
         <ParamMatrix><PCell parameterName="p0" beta="0.1"/></ParamMatrix>
         <BaseCumHazardTables maxTime="100">
           <BaselineCell time="10" cumHazard="0.1"/><BaselineCell time="20" cumHazard="0.3"/>
         </BaseCumHazardTables>
       </GeneralRegressionModel>`,
    );
    const ev = parsePmml(doc);
    expect(ev.evaluate({ age: 60, time: 15 }).value).toBeCloseTo(Math.exp(0.1 * 10) * 0.1, 14);
    expect(ev.evaluate({ age: 40, time: 50 }).value).toBeCloseTo(Math.exp(-1) * 0.3, 14);
    expect(ev.evaluate({ age: 40, time: 5 }).value).toBe(0);
    expect(ev.evaluate({ age: 40, time: 500 }).value).toBeNull();
  });

  it('rejects a Cox model without endTimeVariable', () => {
    const doc = pmmlDoc(
      double('age') + double('hazard'),
      `<GeneralRegressionModel modelType="CoxRegression" functionName="regression">${miningSchema('hazard', ['age'])}
         <ParameterList/><PPMatrix/><ParamMatrix/></GeneralRegressionModel>`,
    );
    expectInvalidArgument(() => parsePmml(doc), '<GeneralRegressionModel>', 'endTimeVariable');
  });
});

describe('NearestNeighborModel', () => {
  const doc = (fn: string, targetName: string, attrs: string) =>
    pmmlDoc(
      double('x') +
        double('z') +
        categorical('t', ['lo', 'hi']) +
        double('y') +
        '<DataField name="id" optype="categorical" dataType="string"/>',
      `<NearestNeighborModel functionName="${fn}" numberOfNeighbors="3" instanceIdVariable="id" ${attrs}>
         ${miningSchema(targetName, ['x', 'z'])}
         <Output>
           <OutputField name="n1" feature="entityId" rank="1" dataType="string"/>
           <OutputField name="n2" feature="entityId" rank="2" dataType="string"/>
           <OutputField name="d2" feature="affinity" rank="2" dataType="double"/>
         </Output>
         <TrainingInstances>
           <InstanceFields>
             <InstanceField field="x" column="cx"/><InstanceField field="z" column="cz"/>
             <InstanceField field="t" column="ct"/><InstanceField field="y" column="cy"/><InstanceField field="id" column="cid"/>
           </InstanceFields>
           <InlineTable>
             <row><cid>a</cid><cx>0</cx><cz>0</cz><ct>lo</ct><cy>1</cy></row>
             <row><cid>b</cid><cx>1</cx><cz>0</cz><ct>lo</ct><cy>2</cy></row>
             <row><cid>c</cid><cx>5</cx><cz>5</cz><ct>hi</ct><cy>10</cy></row>
             <row><cid>d</cid><cx>6</cx><cz>5</cz><ct>hi</ct><cy>20</cy></row>
             <row><cid>e</cid><cx>0</cx><cz>1</cz><ct>hi</ct><cy>3</cy></row>
           </InlineTable>
         </TrainingInstances>
         <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
         <KNNInputs><KNNInput field="x"/><KNNInput field="z"/></KNNInputs>
       </NearestNeighborModel>`,
    );
  // record (0.2, 0.1): squared distances a 0.05, b 0.65, e 0.85, then c and d far away
  const rec = { x: 0.2, z: 0.1 };

  it('classification by majority vote of the 3 nearest instances, with ranked neighbours', () => {
    const r = parsePmml(doc('classification', 't', '')).evaluate(rec);
    expect(r.value).toBe('lo');
    expect(r.confidence).toBeCloseTo(2 / 3, 15);
    expect(r.outputs).toMatchObject({ n1: 'a', n2: 'b' });
    expect(r.outputs['d2']).toBeCloseTo(0.65, 14);
  });

  it('weighted majority vote uses 1 / (distance + threshold)', () => {
    const r = parsePmml(
      doc('classification', 't', 'categoricalScoringMethod="weightedMajorityVote"'),
    ).evaluate({ x: 0, z: 0.9 });
    // distances: e 0.01, a 0.81, b 1.81 → hi wins on weight
    expect(r.value).toBe('hi');
  });

  it('regression: average, median and weighted average of the neighbours', () => {
    expect(parsePmml(doc('regression', 'y', '')).evaluate(rec).value).toBeCloseTo(2, 15);
    expect(parsePmml(doc('regression', 'y', 'continuousScoringMethod="median"')).evaluate(rec).value).toBe(2);
    const w = [1 / 0.051, 1 / 0.651, 1 / 0.851];
    const expected = (w[0]! * 1 + w[1]! * 2 + w[2]! * 3) / (w[0]! + w[1]! + w[2]!);
    expect(
      parsePmml(doc('regression', 'y', 'continuousScoringMethod="weightedAverage"')).evaluate(rec).value,
    ).toBeCloseTo(expected, 12);
  });
  it('applies the model transformations to raw training instances (isTransformed="false")', () => {
    // nx = NormContinuous(x): 0→0, 1→0.9, 10→1. Raw x: a 0, b 1, c 5, d 10 → nx 0, 0.9, 0.9444…, 1.
    const knn = pmmlDoc(
      double('x') +
        categorical('t', ['lo', 'hi']) +
        '<DataField name="id" optype="categorical" dataType="string"/>',
      `<NearestNeighborModel functionName="classification" numberOfNeighbors="3" instanceIdVariable="id">
         ${miningSchema('t', ['x'])}
         <Output>
           <OutputField name="n1" feature="entityId" rank="1" dataType="string"/>
           <OutputField name="d2" feature="affinity" rank="2" dataType="double"/>
         </Output>
         <LocalTransformations>
           <DerivedField name="nx" optype="continuous" dataType="double">
             <NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="1" norm="0.9"/><LinearNorm orig="10" norm="1"/></NormContinuous>
           </DerivedField>
         </LocalTransformations>
         <TrainingInstances isTransformed="false">
           <InstanceFields>
             <InstanceField field="id" column="id"/><InstanceField field="x" column="cx"/><InstanceField field="t" column="ct"/>
           </InstanceFields>
           <InlineTable>
             <row><id>a</id><cx>0</cx><ct>lo</ct></row>
             <row><id>b</id><cx>1</cx><ct>lo</ct></row>
             <row><id>c</id><cx>5</cx><ct>hi</ct></row>
             <row><id>d</id><cx>10</cx><ct>hi</ct></row>
           </InlineTable>
         </TrainingInstances>
         <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
         <KNNInputs><KNNInput field="nx"/></KNNInputs>
       </NearestNeighborModel>`,
    );
    const ev = parsePmml(knn);
    // x = 2 → nx = 0.9 + 0.1/9 = 0.91111: squared distances b 0.000123, c 0.001111, d 0.0079, a 0.83
    // (on raw x the nearest would be b, a, c and the vote 'lo').
    const r = ev.evaluate({ x: 2 });
    expect(r.value).toBe('hi');
    expect(r.confidence).toBeCloseTo(2 / 3, 15);
    expect(r.outputs['n1']).toBe('b');
    expect(r.outputs['d2']).toBeCloseTo((0.9 + 0.4 / 9 - (0.9 + 0.1 / 9)) ** 2, 14);
    // the training table is transformed once; a second record gives the same answer for its own value
    expect(ev.evaluate({ x: 0.1 }).value).toBe('lo'); // nx 0.09: a 0.0081, b 0.656, c 0.73
  });

  it('functionName="mixed" predicts every target, read through OutputField@targetField', () => {
    const knn = pmmlDoc(
      double('x') + double('z') + categorical('t', ['lo', 'hi']) + double('y'),
      `<NearestNeighborModel functionName="mixed" numberOfNeighbors="3" continuousScoringMethod="median">
         <MiningSchema>
           <MiningField name="x"/><MiningField name="z"/>
           <MiningField name="y" usageType="target"/><MiningField name="t" usageType="target"/>
         </MiningSchema>
         <Output>
           <OutputField name="py" targetField="y" feature="predictedValue" dataType="double"/>
           <OutputField name="pt" targetField="t" feature="predictedValue" dataType="string"/>
           <OutputField name="p_lo" targetField="t" feature="probability" value="lo" dataType="double"/>
         </Output>
         <TrainingInstances>
           <InstanceFields>
             <InstanceField field="x" column="cx"/><InstanceField field="z" column="cz"/>
             <InstanceField field="t" column="ct"/><InstanceField field="y" column="cy"/>
           </InstanceFields>
           <InlineTable>
             <row><cx>0</cx><cz>0</cz><ct>lo</ct><cy>1</cy></row>
             <row><cx>1</cx><cz>0</cz><ct>lo</ct><cy>2</cy></row>
             <row><cx>5</cx><cz>5</cz><ct>hi</ct><cy>10</cy></row>
             <row><cx>6</cx><cz>5</cz><ct>hi</ct><cy>20</cy></row>
             <row><cx>0</cx><cz>1</cz><ct>hi</ct><cy>7</cy></row>
           </InlineTable>
         </TrainingInstances>
         <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
         <KNNInputs><KNNInput field="x"/><KNNInput field="z"/></KNNInputs>
       </NearestNeighborModel>`,
    );
    const ev = parsePmml(knn);
    // (0.2, 0.1): nearest rows 1, 2, 5 → y median of 1, 2, 7 = 2; t majority lo (2 of 3)
    const r = ev.evaluate({ x: 0.2, z: 0.1 });
    expect(r.value).toBe(2);
    expect(r.targets).toEqual({ y: 2, t: 'lo' });
    expect(r.outputs).toMatchObject({ y: 2, t: 'lo', py: 2, pt: 'lo' });
    expect(r.outputs['p_lo']).toBeCloseTo(2 / 3, 15);
    expect(ev.resultColumns()).toEqual(['y', 't', 'py', 'pt', 'p_lo']);
    // (5.6, 4.6): rows 3, 4, then 2 → y median 10, t hi
    expect(ev.evaluate({ x: 5.6, z: 4.6 }).targets).toEqual({ y: 10, t: 'hi' });
  });
});
