import { readFileSync } from 'node:fs';
import { ModelDescriptor_ModelType, type ModelDescriptor } from '@modelserving/contracts';
import { hasShared, sharedPath } from './shared-path';
import { WINE_DATA_TYPE, WINE_FIELDS } from './wine-data';

/**
 * Ordinary least squares of quality on the 11 red-wine features (the textbook fit of the UCI data),
 * written here so the demo runs when ../shared is absent. It predicts a continuous quality.
 */
const REGRESSION = {
  intercept: 21.965208,
  coefficients: [
    0.024991, -1.08359, -0.182564, 0.016331, -1.874225, 0.004361, -0.003265, -17.881164, -0.413653, 0.916334,
    0.276198,
  ],
} as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** A PMML 4.4 RegressionModel of wine quality. */
export function wineRegressionPmml(): string {
  const fields = WINE_FIELDS.map(
    (f) => `    <DataField name="${esc(f)}" optype="continuous" dataType="double"/>`,
  ).join('\n');
  const mining = WINE_FIELDS.map((f) => `      <MiningField name="${esc(f)}"/>`).join('\n');
  const predictors = WINE_FIELDS.map(
    (f, i) => `      <NumericPredictor name="${esc(f)}" coefficient="${REGRESSION.coefficients[i]}"/>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="modelserving demo: linear regression of red wine quality"/>
  <DataDictionary numberOfFields="${WINE_FIELDS.length + 1}">
${fields}
    <DataField name="quality" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression" modelName="wine-regression">
    <MiningSchema>
${mining}
      <MiningField name="quality" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="${REGRESSION.intercept}">
${predictors}
    </RegressionTable>
  </RegressionModel>
</PMML>
`;
}

/** Evaluates the same regression directly (tests compare the served result with it). */
export function wineRegressionValue(features: Readonly<Record<string, number>>): number {
  let y: number = REGRESSION.intercept;
  WINE_FIELDS.forEach((f, i) => (y += REGRESSION.coefficients[i]! * (features[f] ?? 0)));
  return y;
}

const TREE = ['fixtures', 'wine', 'pmml', 'winequalityDecisionTreeClassification.pmml'] as const;

/**
 * The model the dev demo deploys: the seed's wine decision tree from ../shared when present, otherwise the
 * regression above. Sent inline, so it does not matter where the executors run.
 */
export function demoWineModel(): { descriptor: ModelDescriptor; source: string } {
  if (hasShared(...TREE)) {
    const path = sharedPath(...TREE);
    return {
      source: path,
      descriptor: {
        name: 'wine-tree',
        description: 'wine quality decision tree (PMML, JPMML-SparkML)',
        dataType: WINE_DATA_TYPE,
        modelType: ModelDescriptor_ModelType.PMML,
        data: readFileSync(path),
        metadata: {},
      },
    };
  }
  return {
    source: 'built-in linear regression (../shared is absent)',
    descriptor: {
      name: 'wine-regression',
      description: 'wine quality linear regression (PMML, built into the CLI)',
      dataType: WINE_DATA_TYPE,
      modelType: ModelDescriptor_ModelType.PMML,
      data: Buffer.from(wineRegressionPmml(), 'utf8'),
      metadata: {},
    },
  };
}
