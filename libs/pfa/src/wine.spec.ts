import { readFileSync } from 'node:fs';
import { ModelType } from '@modelserving/model-core';
import { hasShared, readWineCsv, sharedPath } from '@modelserving/testing';
import { describe, expect, it } from 'vitest';
import { PfaModelFactory, avroFieldName } from './pfa-model';

/**
 * The wine linear regression written as a PFA document, with its coefficients read at test time from
 * the shared PMML fixture (third-party data, never committed), scored through the PFA ModelFactory on
 * every row of the red-wine CSV, and checked against the PMML formula computed here independently.
 */
const PMML = ['fixtures', 'wine', 'pmml', 'winequalityLinearRegression.pmml'];
const available = hasShared(...PMML) && hasShared('fixtures', 'wine', 'winequality_red.csv');

function readRegression(): { intercept: number; coefficients: Record<string, number> } {
  const xml = readFileSync(sharedPath(...PMML), 'utf8');
  const intercept = Number(/<RegressionTable[^>]*intercept="([^"]+)"/.exec(xml)![1]);
  const coefficients: Record<string, number> = {};
  for (const m of xml.matchAll(/<NumericPredictor name="([^"]+)" coefficient="([^"]+)"/g))
    coefficients[m[1]!] = Number(m[2]);
  return { intercept, coefficients };
}

/** A PFA document: input record of the model's fields, a cell holding the linear model. */
function winePfa(reg: { intercept: number; coefficients: Record<string, number> }): string {
  const names = Object.keys(reg.coefficients);
  return JSON.stringify({
    name: 'wine_linear_regression',
    input: {
      type: 'record',
      name: 'Wine',
      fields: names.map((n) => ({ name: avroFieldName(n), type: 'double' })),
    },
    output: 'double',
    cells: {
      model: {
        type: {
          type: 'record',
          name: 'Linear',
          fields: [
            { name: 'coeff', type: { type: 'array', items: 'double' } },
            { name: 'const', type: 'double' },
          ],
        },
        init: { coeff: names.map((n) => reg.coefficients[n]), const: reg.intercept },
      },
    },
    action: {
      'model.reg.linear': [
        { new: names.map((n) => `input.${avroFieldName(n)}`), type: { type: 'array', items: 'double' } },
        { cell: 'model' },
      ],
    },
  });
}

// Reports as skipped (not passed) when the third-party data is absent.
const SKIP_NOTE = `../shared/fixtures/wine is absent under ${sharedPath()} (set MODELSERVING_SHARED)`;

describe('wine linear regression in PFA', () => {
  it('agrees with the PMML regression on every row', async (ctx) => {
    if (!available) ctx.skip(SKIP_NOTE);
    const reg = readRegression();
    expect(Object.keys(reg.coefficients).length).toBe(6);
    const factory = new PfaModelFactory();
    const model = await factory.create({
      key: 'wine/pfa-linear',
      name: 'pfa-linear',
      description: 'wine linear regression in PFA',
      dataType: 'wine',
      modelType: ModelType.PFA,
      content: new TextEncoder().encode(winePfa(reg)),
      metadata: {},
    });
    expect(model.type).toBe(ModelType.PFA);
    const rows = readWineCsv();
    expect(rows.length).toBe(1599);
    let maxDiff = 0;
    for (const row of rows) {
      let expected = reg.intercept;
      for (const [f, c] of Object.entries(reg.coefficients)) expected += c * row.features[f]!;
      const got = model.score({ dataType: 'wine', features: row.features }).value as number;
      maxDiff = Math.max(maxDiff, Math.abs(got - expected));
    }
    expect(maxDiff).toBeLessThan(1e-9);
    // Round trip through toBytes/restore.
    const restored = await factory.restore(model.toBytes(), {
      key: 'k',
      name: 'n',
      description: '',
      dataType: 'wine',
      modelType: ModelType.PFA,
      metadata: {},
    });
    expect(restored.score({ dataType: 'wine', features: rows[0]!.features }).value).toBe(
      model.score({ dataType: 'wine', features: rows[0]!.features }).value,
    );
  });
});
