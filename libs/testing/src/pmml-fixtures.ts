/**
 * Small PMML documents written for this project's tests and benchmarks (not third-party data).
 */

export interface RegressionFixture {
  readonly intercept: number;
  /** field name → coefficient */
  readonly coefficients: Readonly<Record<string, number>>;
  readonly target?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** A PMML 4.4 RegressionModel: target = intercept + Σ coefficient·field. */
export function regressionPmml({ intercept, coefficients, target = 'y' }: RegressionFixture): string {
  const fields = Object.keys(coefficients);
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="modelserving test regression"/>
  <DataDictionary numberOfFields="${fields.length + 1}">
${fields.map((f) => `    <DataField name="${esc(f)}" optype="continuous" dataType="double"/>`).join('\n')}
    <DataField name="${esc(target)}" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression" modelName="test-regression">
    <MiningSchema>
${fields.map((f) => `      <MiningField name="${esc(f)}"/>`).join('\n')}
      <MiningField name="${esc(target)}" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="${intercept}">
${fields.map((f) => `      <NumericPredictor name="${esc(f)}" coefficient="${coefficients[f]}"/>`).join('\n')}
    </RegressionTable>
  </RegressionModel>
</PMML>
`;
}

/** Evaluates what `regressionPmml` describes, independently of the PMML engine. */
export function regressionValue(fx: RegressionFixture, features: Readonly<Record<string, number>>): number {
  let y = fx.intercept;
  for (const [f, c] of Object.entries(fx.coefficients)) y += c * (features[f] ?? 0);
  return y;
}

/** A one-split classification TreeModel on `x`: x < threshold → low, else high. */
export function treePmml(threshold: number, low = 'low', high = 'high'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="label" optype="categorical" dataType="string">
      <Value value="${low}"/>
      <Value value="${high}"/>
    </DataField>
  </DataDictionary>
  <TreeModel functionName="classification" modelName="test-tree">
    <MiningSchema>
      <MiningField name="x"/>
      <MiningField name="label" usageType="target"/>
    </MiningSchema>
    <Node score="${high}">
      <True/>
      <Node score="${low}">
        <SimplePredicate field="x" operator="lessThan" value="${threshold}"/>
      </Node>
      <Node score="${high}">
        <SimplePredicate field="x" operator="greaterOrEqual" value="${threshold}"/>
      </Node>
    </Node>
  </TreeModel>
</PMML>
`;
}
