import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args';
import { UsageError } from './errors';
import { csvCellValue, parseColumns, recordFromCsvRow, recordFromJson } from './predict-request';
import { WINE_FIELDS } from './wine-data';

describe('predict --json → ServingRequest', () => {
  it('maps numbers, strings, booleans and null to Values', () => {
    const { command } = parseCommandLine(
      [
        'predict',
        '--data-type',
        'wine',
        '--model',
        'tree',
        '--guid',
        'g-1',
        '--timeout-ms',
        '250',
        '--json',
        '{"alcohol": 9.4, "color": "red", "sparkling": false, "pH": null}',
      ],
      {},
    );
    expect(command).toEqual({
      kind: 'predict',
      timeoutMs: 250,
      request: {
        guid: 'g-1',
        dataType: 'wine',
        modelName: 'tree',
        timeoutMs: 250,
        data: {
          features: {
            alcohol: { number: 9.4 },
            color: { string: 'red' },
            sparkling: { boolean: false },
            pH: { missing: true },
          },
          tensors: [],
        },
      },
    });
  });

  it('leaves guid, model and timeout empty for the router to fill in', () => {
    const { command } = parseCommandLine(['predict', '--data-type', 'wine', '--json', '{"x": 1}'], {});
    expect(command).toMatchObject({ kind: 'predict', request: { guid: '', modelName: '', timeoutMs: 0 } });
  });

  it('refuses what is not a flat object of scalars', () => {
    expect(() => recordFromJson('{"x": ')).toThrow(/--json is not valid JSON/);
    expect(() => recordFromJson('[1,2]')).toThrow(/must be a JSON object/);
    expect(() => recordFromJson('{}')).toThrow(/no features/);
    expect(() => recordFromJson('{"x": {"y": 1}}')).toThrow(
      "feature 'x' must be a number, string, boolean or null, got object",
    );
    expect(() => recordFromJson('{"x": [1]}')).toThrow(/got an array/);
    expect(() => recordFromJson('{"x": 1}')).not.toThrow();
    expect(() => recordFromJson('nope')).toThrow(UsageError);
  });

  it('needs exactly one of --json and --csv-row', () => {
    expect(() => parseCommandLine(['predict', '--data-type', 'wine'], {})).toThrow(
      /exactly one of --json or --csv-row/,
    );
    expect(() =>
      parseCommandLine(['predict', '--data-type', 'wine', '--json', '{"a":1}', '--csv-row', '1'], {}),
    ).toThrow(/exactly one/);
    expect(() =>
      parseCommandLine(['predict', '--data-type', 'wine', '--json', '{"a":1}', '--columns', 'a'], {}),
    ).toThrow(/--columns only goes with --csv-row/);
  });
});

describe('predict --csv-row', () => {
  it('maps cells to the named columns; numbers, strings and missing values', () => {
    expect(recordFromCsvRow('1.5,abc,,NA', parseColumns('a, b ,c,d'))).toEqual({
      features: { a: { number: 1.5 }, b: { string: 'abc' }, c: { missing: true }, d: { missing: true } },
      tensors: [],
    });
    expect(csvCellValue(' 7 ')).toEqual({ number: 7 });
  });

  it('splits on ; when present and defaults to the wine columns for data type wine', () => {
    const { command } = parseCommandLine(
      ['predict', '--data-type', 'wine', '--csv-row', '7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4'],
      {},
    );
    const features = (command as { request: { data: { features: Record<string, unknown> } } }).request.data
      .features;
    expect(Object.keys(features)).toEqual([...WINE_FIELDS]);
    expect(features['fixed acidity']).toEqual({ number: 7.4 });
    expect(features['alcohol']).toEqual({ number: 9.4 });
  });

  it('reports a column count mismatch and missing columns', () => {
    expect(() => recordFromCsvRow('1,2,3', ['a', 'b'])).toThrow(
      '--csv-row has 3 values but --columns names 2 features',
    );
    expect(() => parseCommandLine(['predict', '--data-type', 'iris', '--csv-row', '1,2'], {})).toThrow(
      /--csv-row needs --columns/,
    );
    expect(() => parseColumns('a,,b')).toThrow(/empty name/);
    expect(() => recordFromCsvRow('1,2', ['a', 'a'])).toThrow(/names 'a' twice/);
  });
});
