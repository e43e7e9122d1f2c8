import type { ServingRequest, Value } from '@modelserving/contracts';
import {
  hasShared,
  readWineCsv,
  regressionPmml,
  WINE_FIELDS,
  type RegressionFixture,
} from '@modelserving/testing';

/** Wine records (from ../shared when present, synthetic otherwise) as ServingRequests of data type `wine`. */
export function wineRequests(count: number): ServingRequest[] {
  const rows = hasShared('fixtures', 'wine', 'winequality_red.csv')
    ? readWineCsv().map((r) => r.features)
    : Array.from({ length: 1599 }, (_, i) =>
        Object.fromEntries(WINE_FIELDS.map((f, j) => [f, ((i * 31 + j * 7) % 100) / 10])),
      );
  const out: ServingRequest[] = [];
  for (let i = 0; i < count; i++) {
    const f = rows[i % rows.length]!;
    const features: { [k: string]: Value } = {};
    for (const k of WINE_FIELDS) features[k] = { number: f[k]! };
    out.push({ guid: '', dataType: 'wine', data: { features, tensors: [] }, modelName: '', timeoutMs: 0 });
  }
  return out;
}

/** A linear regression over all 11 wine features (a model of our own, so the bench runs anywhere). */
export function wineRegression(intercept: number): RegressionFixture {
  return {
    intercept,
    coefficients: Object.fromEntries(WINE_FIELDS.map((f, i) => [f, (i + 1) / 100])),
    target: 'quality',
  };
}

export function wineRegressionPmml(intercept: number): Buffer {
  return Buffer.from(regressionPmml(wineRegression(intercept)));
}
