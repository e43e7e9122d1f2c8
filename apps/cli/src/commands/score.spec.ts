import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePmml } from '@modelserving/pmml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../io';
import { runCli } from '../run-cli';
import { hasShared, sharedPath } from '../shared-path';
import { WINE_FIELDS, WINE_TENSORFLOW_METADATA } from '../wine-data';

const FIXTURES = join(__dirname, '..', '__fixtures__', 'score');
const MODEL = join(FIXTURES, 'small-tree.pmml');
const INPUT = join(FIXTURES, 'small-tree-input.csv');
const EXPECTED = readFileSync(join(FIXTURES, 'small-tree-expected.csv'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelserving-score-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const io = memoryIo();
  // No router is given: score and verify must not need one.
  const code = await runCli(argv, io, { env: {} });
  return { code, out: io.stdout.join(''), err: io.stderr.join('\n') };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('modelserving score', () => {
  it('writes one row per input row: target and final output fields, NA for missing', async () => {
    const out = join(dir, 'out.csv');
    const r = await cli('score', '--model', MODEL, '--input', INPUT, '--output', out);
    expect(r.code).toBe(0);
    // isFinalResult="false" (node) is not a result column
    expect(readFileSync(out, 'utf8')).toBe(EXPECTED);
    expect(r.err).toBe(`scored 4 rows with ${MODEL}: 4 written to ${out}`);
    // nothing but the result is left in the directory (the temporary file was renamed)
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('detects ; and writes with the same delimiter; quoted cells may hold it', async () => {
    const input = file('semi.csv', 'width;color;comment\n1.5;red;"a;b"\n3;blue;x\n');
    const r = await cli('score', '--model', MODEL, '--input', input, '--output', '-');
    expect(r.code).toBe(0);
    expect(r.out).toBe('class;Predicted_class;P_a;P_b\na;a;0.8;0.2\na;a;0.6;0.4\n');
  });

  it('reads headerless input with --columns and honours --delimiter', async () => {
    const input = file('headerless.txt', '3|red\n1|blue\n');
    const r = await cli(
      'score',
      '--model',
      MODEL,
      '--input',
      input,
      '--output',
      '-',
      '--columns',
      'width,color',
      '--delimiter',
      '|',
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe('class|Predicted_class|P_a|P_b\nb|b|0.1|0.9\na|a|0.8|0.2\n');
  });

  it('--on-error na (default) writes NA for a bad row and says why on stderr', async () => {
    const input = file('bad.csv', 'width,color\n3,green\n3,red,extra\n1,red\n');
    const r = await cli('score', '--model', MODEL, '--input', input, '--output', '-');
    expect(r.code).toBe(0);
    expect(r.out).toBe('class,Predicted_class,P_a,P_b\nNA,NA,NA,NA\nNA,NA,NA,NA\na,a,0.8,0.2\n');
    expect(r.err).toMatch(/^warning: row 1 \(line 2\): PMML: field 'color': invalid value 'green'/m);
    expect(r.err).toMatch(/^warning: row 2 \(line 3\): has 3 cells, the header has 2 columns$/m);
    expect(r.err).toMatch(/3 rows .*: 3 written to stdout, 2 failed \(written as NA\)$/);
  });

  it('--on-error skip drops bad rows', async () => {
    const input = file('bad2.csv', 'width,color\n3,green\n1,red\n');
    const r = await cli('score', '--model', MODEL, '--input', input, '--output', '-', '--on-error', 'skip');
    expect(r.code).toBe(0);
    expect(r.out).toBe('class,Predicted_class,P_a,P_b\na,a,0.8,0.2\n');
    expect(r.err).toMatch(/1 written to stdout, 1 failed \(skipped\)$/);
  });

  it('--on-error fail exits 1 naming the row and leaves no output file', async () => {
    const input = file('bad3.csv', 'width,color\n1,red\n3,green\n');
    const out = join(dir, 'never.csv');
    const r = await cli('score', '--model', MODEL, '--input', input, '--output', out, '--on-error', 'fail');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: INVALID_ARGUMENT: row 2 \(line 3\): PMML: field 'color': invalid value 'green'/,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('fails clearly on unreadable input, a missing model and a bad model', async () => {
    const noInput = await cli('score', '--model', MODEL, '--input', join(dir, 'nope.csv'), '--output', '-');
    expect(noInput.code).toBe(1);
    expect(noInput.err).toMatch(/^error: NOT_FOUND: cannot read input file .*nope\.csv/);

    const noModel = await cli('score', '--model', join(dir, 'nope.pmml'), '--input', INPUT, '--output', '-');
    expect(noModel.code).toBe(1);
    expect(noModel.err).toMatch(/^error: NOT_FOUND: cannot read model file .*nope\.pmml/);

    const badXml = file('bad.pmml', '<PMML version="4.4"><DataDictionary>');
    const bad = await cli('score', '--model', badXml, '--input', INPUT, '--output', '-');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: INVALID_ARGUMENT: cannot build pmml model .*bad\.pmml: PMML/);

    const empty = await cli('score', '--model', MODEL, '--input', file('empty.csv', ''), '--output', '-');
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/^error: INVALID_ARGUMENT: input file .*empty\.csv is empty/);

    const noDir = await cli(
      'score',
      '--model',
      MODEL,
      '--input',
      INPUT,
      '--output',
      join(dir, 'no', 'such', 'x.csv'),
    );
    expect(noDir.code).toBe(1);
    expect(noDir.err).toMatch(/^error: FAILED_PRECONDITION: cannot write output file/);
  });

  it('rejects bad command lines with exit 2', async () => {
    expect((await cli('score', '--input', INPUT, '--output', '-')).err).toBe(
      "error: INVALID_ARGUMENT: 'score' needs --model",
    );
    const type = await cli('score', '--model', MODEL, '--input', INPUT, '--output', '-', '--type', 'onnx');
    expect(type.code).toBe(2);
    expect(type.err).toMatch(/--type must be one of pmml, pfa, tensorflow, tensorflow_saved, got 'onnx'/);
    const onError = await cli(
      'score',
      '--model',
      MODEL,
      '--input',
      INPUT,
      '--output',
      '-',
      '--on-error',
      'x',
    );
    expect(onError.code).toBe(2);
    const delim = await cli(
      'score',
      '--model',
      MODEL,
      '--input',
      INPUT,
      '--output',
      '-',
      '--delimiter',
      ';;',
    );
    expect(delim.code).toBe(2);
  });

  it('accepts --type by model type name and infers it from the extension', async () => {
    const xml = join(dir, 'model.xml');
    copyFileSync(MODEL, xml);
    expect((await cli('score', '--model', xml, '--input', INPUT, '--output', '-')).out).toBe(EXPECTED);
    expect(
      (await cli('score', '--model', MODEL, '--input', INPUT, '--output', '-', '--type', 'PMML')).out,
    ).toBe(EXPECTED);
  });

  it('is listed in help, where --output is the result file', async () => {
    const r = await cli('help', 'score');
    expect(r.out).toMatch(/usage: modelserving score --model M --input IN\.csv --output OUT\.csv/);
    expect(r.out).toMatch(/--output OUT\s+result CSV/);
    expect((await cli('--help')).out).toMatch(/^ {2}score\s+batch-score/m);
  });

  it.skipIf(!hasShared('fixtures', 'wine', 'winequality_red.csv'))(
    'scores the headerless wine CSV like the engine does record by record',
    async () => {
      const model = sharedPath('fixtures', 'wine', 'pmml', 'winequalityRandonForrestClassification.pmml');
      const input = sharedPath('fixtures', 'wine', 'winequality_red.csv');
      const out = join(dir, 'wine.csv');
      const columns = [...WINE_FIELDS, 'quality'].join(',');
      const r = await cli('score', '--model', model, '--input', input, '--output', out, '--columns', columns);
      expect(r.err).toMatch(/scored 1599 rows/);
      expect(r.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const ev = parsePmml(readFileSync(model));
      const header = lines[0]!.split(';');
      expect(header).toEqual(ev.resultColumns());
      const rows = readFileSync(input, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(rows.length + 1);
      rows.forEach((row, i) => {
        const cells = row.split(';');
        const features = Object.fromEntries(WINE_FIELDS.map((f, j) => [f, Number(cells[j])]));
        const outputs = ev.evaluate(features).outputs;
        const expected = header.map((h) => String(outputs[h]));
        expect(lines[i + 1]!.split(';'), `row ${i + 1}`).toEqual(expected);
      });
    },
  );
});

describe('modelserving verify', () => {
  it('passes a model whose ModelVerification records match', async () => {
    const r = await cli('verify', '--model', MODEL);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `record 1: pass\nrecord 2: pass\nrecord 3: pass\n${MODEL}: 3/3 verification records pass (checked: class, P_b)`,
    );
  });

  it('exits 1 and names the failing record and field', async () => {
    const tampered = file(
      'tampered.pmml',
      readFileSync(MODEL, 'utf8').replace('<P_b>0.9</P_b>', '<P_b>0.85</P_b>'),
    );
    const r = await cli('verify', '--model', tampered);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^record 2: FAIL {2}P_b: expected 0\.85, got 0\.9$/m);
    expect(r.err).toBe('error: FAILED_PRECONDITION: 1 of 3 verification records fail');
    const json = JSON.parse((await cli('verify', '--model', tampered, '--json')).out);
    expect(json).toMatchObject({ records: 3, passed: 2, failed: 1 });
  });

  it('exits 1 for a document without a verification block', async () => {
    const plain = file(
      'plain.pmml',
      readFileSync(MODEL, 'utf8').replace(/<ModelVerification[\s\S]*<\/ModelVerification>/, ''),
    );
    const r = await cli('verify', '--model', plain);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: INVALID_ARGUMENT: PMML: <TreeModel> at line \d+ has no <ModelVerification>/,
    );
  });
});

describe.skipIf(!hasWineTf())('modelserving score with TensorFlow models', () => {
  const WINE_COLUMNS =
    'fixed acidity,volatile acidity,citric acid,residual sugar,chlorides,free sulfur dioxide,total sulfur dioxide,density,pH,sulphates,alcohol,quality';
  it('scores the wine frozen graph and SavedModel from CSV and both agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-tf-'));
    const input = join(dir, 'wine.csv');
    writeFileSync(
      input,
      '7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n7.8;0.88;0;2.6;0.098;25;67;0.9968;3.2;0.68;9.8;5\n',
    );
    const outs: string[] = [];
    for (const [type, model] of [
      ['tensorflow', tfPath('optimized_WineQuality.pb')],
      ['tensorflow_saved', tfPath('saved', '1')],
    ] as const) {
      const out = join(dir, `${type}.csv`);
      const r = await cli(
        'score',
        '--type',
        type,
        '--model',
        model,
        '--input',
        input,
        '--delimiter',
        ';',
        '--columns',
        WINE_COLUMNS,
        '--meta',
        `inputs=${WINE_TENSORFLOW_METADATA['inputs']}`,
        '--output',
        out,
      );
      expect(r.code).toBe(0);
      const rows = readFileSync(out, 'utf8').trim().split('\n');
      expect(rows).toHaveLength(3);
      // The answer is the argmax class, a quality between 0 and 8.
      for (const v of rows.slice(1)) expect(Number(v)).toBeGreaterThanOrEqual(0);
      outs.push(rows.slice(1).join(','));
    }
    expect(outs[0]).toMatch(/^\d,\d$/);
  });

  it('without --meta inputs, fails the rows with a message asking for the metadata (never guesses by width)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-tf-'));
    const input = join(dir, 'wine.csv');
    writeFileSync(input, '7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n');
    const r = await cli(
      'score',
      '--model',
      tfPath('optimized_WineQuality.pb'),
      '--input',
      input,
      '--columns',
      WINE_COLUMNS,
      '--on-error',
      'fail',
      '--output',
      join(dir, 'out.csv'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("has no feature names: deploy the model with metadata 'inputs'");
  });
});

function tfPath(...parts: string[]): string {
  return sharedPath('fixtures', 'wine', 'tensorflow', ...parts);
}

function hasWineTf(): boolean {
  return hasShared('fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb');
}
