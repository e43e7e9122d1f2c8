/**
 * A binary logistic regression carrying a ModelVerification block, written for the verification specs:
 * z = -1 + 0.5·x1 - 0.25·x2 for "yes", P(yes) = 1/(1+e^-z). The expected values below were computed by hand:
 *   x1=4, x2=2 → z=0.5  → P(yes)=0.6224593312018546 → yes
 *   x1=0, x2=4 → z=-2   → P(yes)=0.11920292202211769 → no
 *   x1=6, x2=0 → z=2    → P(yes)=0.8807970779778823 → yes
 */
export interface VerifiedRow {
  readonly x1: string;
  readonly x2: string;
  readonly y: string;
  readonly p: string;
}

export const VERIFIED_ROWS: readonly VerifiedRow[] = [
  { x1: '4', x2: '2', y: 'yes', p: '0.6224593312018546' },
  { x1: '0', x2: '4', y: 'no', p: '0.11920292202211769' },
  { x1: '6', x2: '0', y: 'yes', p: '0.8807970779778823' },
];

export function verifiedLogisticPmml(
  rows: readonly VerifiedRow[] = VERIFIED_ROWS,
  options: { precision?: string; zeroThreshold?: string; withBlock?: boolean } = {},
): string {
  const precision = options.precision !== undefined ? ` precision="${options.precision}"` : '';
  const zero = options.zeroThreshold !== undefined ? ` zeroThreshold="${options.zeroThreshold}"` : '';
  const block =
    options.withBlock === false
      ? ''
      : `
    <ModelVerification recordCount="${rows.length}" fieldCount="4" xmlns:data="http://example.com/verification">
      <VerificationFields>
        <VerificationField field="x1" column="data:x1"/>
        <VerificationField field="x2" column="data:x2"/>
        <VerificationField field="y" column="data:y"/>
        <VerificationField field="P_yes" column="data:p"${precision}${zero}/>
      </VerificationFields>
      <InlineTable>
${rows.map((r) => `        <row><data:x1>${r.x1}</data:x1><data:x2>${r.x2}</data:x2><data:y>${r.y}</data:y><data:p>${r.p}</data:p></row>`).join('\n')}
      </InlineTable>
    </ModelVerification>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="verified logistic regression (test fixture)"/>
  <DataDictionary>
    <DataField name="x1" optype="continuous" dataType="double"/>
    <DataField name="x2" optype="continuous" dataType="double"/>
    <DataField name="y" optype="categorical" dataType="string"><Value value="yes"/><Value value="no"/></DataField>
  </DataDictionary>
  <RegressionModel functionName="classification" normalizationMethod="logit">
    <MiningSchema>
      <MiningField name="y" usageType="target"/>
      <MiningField name="x1"/>
      <MiningField name="x2"/>
    </MiningSchema>
    <Output>
      <OutputField name="P_yes" optype="continuous" dataType="double" feature="probability" value="yes"/>
    </Output>${block}
    <RegressionTable targetCategory="yes" intercept="-1">
      <NumericPredictor name="x1" coefficient="0.5"/>
      <NumericPredictor name="x2" coefficient="-0.25"/>
    </RegressionTable>
    <RegressionTable targetCategory="no" intercept="0"/>
  </RegressionModel>
</PMML>
`;
}
