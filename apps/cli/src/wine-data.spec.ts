import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasShared } from './shared-path';
import {
  WINE_FIELDS as TEST_WINE_FIELDS,
  WINE_TENSORFLOW_METADATA as TEST_WINE_TENSORFLOW_METADATA,
} from '@modelserving/testing';
import {
  parseWineCsv,
  readWineCsv,
  syntheticWines,
  WINE_FIELDS,
  WINE_TENSORFLOW_METADATA,
  wineRequest,
} from './wine-data';
import { wineRegressionPmml, wineRegressionValue } from './wine-models';

const FIXTURE = join(__dirname, '__fixtures__', 'wine-sample.csv');

describe('wine CSV', () => {
  it("has the same columns as the test data, and names them as the TensorFlow models' inputs", () => {
    // The demo (here) and the tests (@modelserving/testing) each keep the list; they must not drift.
    expect([...WINE_FIELDS]).toEqual([...TEST_WINE_FIELDS]);
    expect(WINE_TENSORFLOW_METADATA).toEqual(TEST_WINE_TENSORFLOW_METADATA);
    expect(WINE_TENSORFLOW_METADATA['inputs']!.split(',')).toEqual([...WINE_FIELDS]);
  });

  it('reads ;-separated rows without header into records and qualities, skipping blank lines', () => {
    const wines = readWineCsv(FIXTURE);
    expect(wines).toHaveLength(3);
    expect(wines.map((w) => w.quality)).toEqual([5, 6, 7]);
    expect(wines.map((w) => w.line)).toEqual([1, 2, 4]);
    expect(Object.keys(wines[0]!.record.features)).toEqual([...WINE_FIELDS]);
    expect(wines[0]!.record.features['fixed acidity']).toEqual({ number: 8.1 });
    expect(wines[2]!.record.features['alcohol']).toEqual({ number: 12.6 });
    expect(wines[0]!.record.tensors).toEqual([]);
  });

  it('builds ServingRequests of data type wine that share the record', () => {
    const [w] = parseWineCsv('7;0.4;0.3;1.8;0.07;9;27;0.996;3.3;0.7;11;6\n');
    const a = wineRequest(w!, 'wine-0');
    const b = wineRequest(w!, 'wine-1', 'tree');
    expect(a).toEqual({ guid: 'wine-0', dataType: 'wine', data: w!.record, modelName: '', timeoutMs: 0 });
    expect(b.modelName).toBe('tree');
    expect(b.data).toBe(a.data);
  });

  it('names the line of a malformed row', () => {
    expect(() => parseWineCsv('1;2;3\n', 'x.csv')).toThrow(
      "x.csv:1: expected 12 ';'-separated values, got 3",
    );
    expect(() =>
      parseWineCsv(
        '7;0.4;0.3;1.8;0.07;9;27;0.996;3.3;0.7;11;6\n7;abc;0.3;1.8;0.07;9;27;0.996;3.3;0.7;11;6',
        'x.csv',
      ),
    ).toThrow("x.csv:2: volatile acidity 'abc' is not a number");
  });

  it('says where it looked when the file is missing', () => {
    expect(() => readWineCsv('/nonexistent/wine.csv')).toThrow(
      /cannot read the wine data at \/nonexistent\/wine.csv/,
    );
  });

  it('makes deterministic synthetic wines when the real data is absent', () => {
    const a = syntheticWines(5);
    expect(a).toHaveLength(5);
    expect(a).toEqual(syntheticWines(5));
    expect(Number.isNaN(a[0]!.quality)).toBe(true);
    expect(Object.keys(a[0]!.record.features)).toEqual([...WINE_FIELDS]);
  });

  it.skipIf(!hasShared('fixtures', 'wine', 'winequality_red.csv'))(
    'reads all 1,599 wines of ../shared',
    () => {
      const wines = readWineCsv();
      expect(wines).toHaveLength(1599);
      expect(new Set(wines.map((w) => w.quality))).toEqual(new Set([3, 4, 5, 6, 7, 8]));
    },
  );
});

describe('built-in wine regression', () => {
  it('is a PMML RegressionModel over the 11 wine fields', () => {
    const doc = wineRegressionPmml();
    expect(doc).toContain('<RegressionModel functionName="regression"');
    for (const f of WINE_FIELDS) expect(doc).toContain(`<NumericPredictor name="${f}"`);
  });

  it('predicts a plausible quality for a typical wine', () => {
    const features = Object.fromEntries(
      WINE_FIELDS.map((f, i) => [f, [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4][i]!]),
    );
    const y = wineRegressionValue(features);
    expect(y).toBeGreaterThan(4.5);
    expect(y).toBeLessThan(5.5);
  });
});
