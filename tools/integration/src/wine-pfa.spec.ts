import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '@modelserving/contracts';
import { parsePmml, type PmmlEvaluator } from '@modelserving/pmml';
import {
  REPO_ROOT,
  WINE_FIELDS,
  hasShared,
  readWineCsv,
  sharedPath,
  startLocalTopology,
  type LocalTopology,
} from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, request } from './router-calls';

/**
 * The wine linear regression expressed in PFA, served by the running system (router, two executors and the
 * collector as separate processes; build first: `npx nx run-many -t build`) next to the PMML original under
 * another data type. All 1,599 wines go through both, and the PFA answers must agree with the PMML ones
 * within 1e-9; then `modelserving score --type pfa` scores the same wines from a CSV and must agree too.
 *
 * The PFA document is written from the shared PMML fixture's coefficients at run time (third-party data
 * never enters the repository); the translation is deliberately independent of libs/pmml so a shared bug
 * could not make the two sides agree.
 */
const PMML = ['fixtures', 'wine', 'pmml', 'winequalityLinearRegression.pmml'];
const available = hasShared(...PMML) && hasShared('fixtures', 'wine', 'winequality_red.csv');
const TOLERANCE = 1e-9;

/** Avro field names allow only [A-Za-z0-9_]; the PFA factory maps feature names onto them the same way. */
const avroName = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');

function regressionToPfa(pmml: string): string {
  const intercept = Number(/<RegressionTable[^>]*intercept="([^"]+)"/.exec(pmml)![1]);
  const preds = [...pmml.matchAll(/<NumericPredictor\s+name="([^"]+)"[^>]*?coefficient="([^"]+)"/g)].map(
    (m) => ({
      name: m[1]!,
      coeff: Number(m[2]),
    }),
  );
  return JSON.stringify({
    name: 'wine_linear_regression',
    input: {
      type: 'record',
      name: 'Wine',
      fields: preds.map((p) => ({ name: avroName(p.name), type: 'double' })),
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
        init: { coeff: preds.map((p) => p.coeff), const: intercept },
      },
    },
    action: {
      'model.reg.linear': [
        { new: preds.map((p) => `input.${avroName(p.name)}`), type: { type: 'array', items: 'double' } },
        { cell: 'model' },
      ],
    },
  });
}

const numberOf = (v: Value | undefined): number | null =>
  v && !v.missing && v.number !== undefined ? v.number : null;

if (!available)
  describe('wine regression in PFA through the running system', () => {
    it.skip(`skipped: no wine fixtures at ${sharedPath('fixtures', 'wine')} (set MODELSERVING_SHARED)`, () => {});
  });

describe.skipIf(!available)('wine regression in PFA through the running system', () => {
  const wines = available ? readWineCsv() : [];
  const pmmlText = available ? readFileSync(sharedPath(...PMML), 'utf8') : '';
  const pfaText = available ? regressionToPfa(pmmlText) : '';
  let pmml: PmmlEvaluator;
  let topo: LocalTopology;
  let calls: RouterCalls;

  beforeAll(async () => {
    pmml = parsePmml(pmmlText);
    topo = await startLocalTopology({ executors: 2 });
    calls = new RouterCalls(topo.routerAddress);
  }, 60_000);

  afterAll(async () => {
    calls?.close();
    await topo?.stop();
  });

  it('translates six predictors and reads 1,599 wines', () => {
    expect((JSON.parse(pfaText) as { input: { fields: unknown[] } }).input.fields).toHaveLength(6);
    expect(wines).toHaveLength(1599);
  });

  it('deploys the PFA model (modelType 3) and the PMML one under two data types', async () => {
    for (const [dataType, content, modelType] of [
      ['wine-pfa', pfaText, 3],
      ['wine-pmml', pmmlText, 2],
    ] as const) {
      const res = await calls.deploy('regression', dataType, content, modelType);
      expect(res.statuses.length, dataType).toBeGreaterThan(0);
      for (const s of res.statuses) expect(s.error, `${dataType} on ${s.executor}`).toBe('');
    }
  }, 60_000);

  it('streams every wine to both; the PFA answers agree with the PMML ones within 1e-9', async () => {
    const served: Record<string, Map<string, number | null>> = {};
    for (const dataType of ['wine-pfa', 'wine-pmml']) {
      const responses = await calls.stream(
        wines.map((w, i) => request(dataType, w.features, `${dataType}-${i}`)),
      );
      expect(responses.size, dataType).toBe(wines.length);
      const values = new Map<string, number | null>();
      for (const [guid, r] of responses) {
        expect(r.result?.error, guid).toBe('');
        expect(r.result?.processed, guid).toBe(true);
        expect(r.result?.model).toBe(`${dataType}/regression`);
        values.set(guid, numberOf(r.result?.value));
      }
      served[dataType] = values;
    }
    let maxDiff = 0;
    for (let i = 0; i < wines.length; i++) {
      const a = served['wine-pfa']!.get(`wine-pfa-${i}`);
      const b = served['wine-pmml']!.get(`wine-pmml-${i}`);
      if (typeof a !== 'number' || typeof b !== 'number')
        expect.fail(`row ${i + 1}: PFA ${String(a)}, PMML ${String(b)}`);
      maxDiff = Math.max(maxDiff, Math.abs(a - b));
      // The served PMML answer is also the direct evaluation: serving changes nothing.
      expect(b).toBe(pmml.evaluate(wines[i]!.features).value);
    }
    console.log(`[wine pfa] 1599 wines served by PFA and PMML: max |Δ| = ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
  }, 120_000);

  it('`modelserving score --type pfa` scores the wine CSV in agreement with PMML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wine-pfa-'));
    try {
      const model = join(dir, 'wine.pfa.json');
      const input = join(dir, 'wines.csv');
      const output = join(dir, 'scored.csv');
      writeFileSync(model, pfaText);
      // A headed copy of the shared CSV, in the temporary directory only (the data stays out of the repository).
      writeFileSync(
        input,
        [WINE_FIELDS.join(';'), ...wines.map((w) => WINE_FIELDS.map((f) => w.features[f]).join(';'))].join(
          '\n',
        ) + '\n',
      );
      const cli = spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js'),
          'score',
          '--type',
          'pfa',
          '--model',
          model,
          '--input',
          input,
          '--output',
          output,
          '--on-error',
          'fail',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const lines = readFileSync(output, 'utf8').trim().split(/\r?\n/);
      expect(lines).toHaveLength(wines.length + 1);
      const delimiter = lines[0]!.includes(';') ? ';' : ',';
      const header = lines[0]!.split(delimiter);
      // The result column: the only one, or the one that is not an input feature.
      const col =
        header.length === 1 ? 0 : header.findIndex((h) => !(WINE_FIELDS as readonly string[]).includes(h));
      expect(col, `result column in ${lines[0]}`).toBeGreaterThanOrEqual(0);
      let maxDiff = 0;
      lines.slice(1).forEach((line, i) => {
        const got = Number(line.split(delimiter)[col]);
        const want = pmml.evaluate(wines[i]!.features).value as number;
        if (!Number.isFinite(got)) expect.fail(`row ${i + 1}: '${line}'`);
        maxDiff = Math.max(maxDiff, Math.abs(got - want));
      });
      console.log(
        `[wine pfa] modelserving score --type pfa: ${wines.length} rows, max |Δ| vs PMML = ${maxDiff.toExponential(2)}`,
      );
      expect(maxDiff).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
