import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FeatureValue } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { parsePmml, type PmmlEvaluator } from './evaluator';
import { children } from './xml/element';
import { parseXml, type XmlElement } from './xml/xml-parser';

/**
 * Every PMML example of the DMG specification (autodeployai/pmml4s test resources, in
 * <shared>/conformance/pmml-dmg-examples) must compile and score a record without error. The examples ship
 * without sample data, so each gets one record synthesized from its own MiningSchema and DataDictionary: a
 * valid value per active field (the first valid Value of a categorical field, the middle of its first
 * Interval for a numeric one, else 1). AssociationModels get a basket of their first two items. A document
 * carrying a ModelVerification block would be scored on those records instead.
 *
 * Documents the engine rejects by design are listed in REJECTED with the reason and the build error they
 * must produce — none is skipped silently, and if one starts compiling the spec fails until it is moved.
 */
const SHARED = process.env['MODELSERVING_SHARED'] ?? path.resolve(__dirname, '../../../../shared');
const DMG = path.join(SHARED, 'conformance', 'pmml-dmg-examples');
const available = existsSync(DMG);

const REJECTED: Readonly<Record<string, { readonly reason: string; readonly error: RegExp }>> = {};

function listDocuments(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listDocuments(p));
    else if (/\.(xml|pmml)$/i.test(name)) out.push(p);
  }
  return out;
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);

/** A valid value for one data field, from its declared valid Values or Intervals. */
function sampleValue(df: XmlElement | undefined): FeatureValue {
  if (!df) return 1;
  const dataType = df.attrs['dataType'] ?? 'double';
  const valid = children(df, 'Value').find((v) => (v.attrs['property'] ?? 'valid') === 'valid');
  if (valid) return valid.attrs['value'] ?? null;
  const interval = child(df, 'Interval');
  const integer = dataType === 'integer';
  if (interval) {
    const lo = interval.attrs['leftMargin'] !== undefined ? Number(interval.attrs['leftMargin']) : undefined;
    const hi =
      interval.attrs['rightMargin'] !== undefined ? Number(interval.attrs['rightMargin']) : undefined;
    const mid =
      lo !== undefined && hi !== undefined ? (lo + hi) / 2 : lo !== undefined ? lo + 1 : (hi ?? 2) - 1;
    return integer ? Math.round(mid) : mid;
  }
  switch (dataType) {
    case 'string':
      return 'a';
    case 'boolean':
      return true;
    case 'date':
      return '2020-01-01';
    default:
      return 1;
  }
}

/** The records a document is scored on: its ModelVerification rows when it has them, else one synthesized. */
function sampleRecords(xml: string, ev: PmmlEvaluator): Record<string, FeatureValue>[] {
  const root = parseXml(xml);
  const dict = child(root, 'DataDictionary');
  const fields = new Map((dict ? children(dict, 'DataField') : []).map((d) => [d.attrs['name'] ?? '', d]));
  const modelEl = root.children.find((c) => c.name === ev.modelElement)!;
  const verification = child(modelEl, 'ModelVerification');
  const table = verification && child(verification, 'InlineTable');
  if (table) {
    return children(table, 'row').map((row) => Object.fromEntries(row.children.map((c) => [c.name, c.text])));
  }
  const record: Record<string, unknown> = {};
  for (const input of ev.signature().inputs) record[input.name] = sampleValue(fields.get(input.name));
  const group = ev.groupField;
  if (group !== undefined) {
    // AssociationModel: one transaction whose item field holds a basket (an array, see the README).
    const items = children(modelEl, 'Item').map((i) => i.attrs['value'] ?? '');
    const itemField = ev.signature().inputs.find((i) => i.name !== group)?.name ?? 'item';
    record[group] = 't1';
    record[itemField] = items.slice(0, 2);
  }
  return [record as Record<string, FeatureValue>];
}

if (!available)
  describe('DMG PMML examples', () => {
    it.skip(`skipped: no DMG examples at ${DMG} (set MODELSERVING_SHARED)`, () => {});
  });

describe.skipIf(!available)('DMG PMML examples', () => {
  const documents = available ? listDocuments(DMG) : [];
  const rel = (p: string) => path.relative(DMG, p).split(path.sep).join('/');

  it('finds the examples and every rejected one exists', () => {
    expect(documents.length).toBeGreaterThanOrEqual(48);
    const names = new Set(documents.map(rel));
    for (const r of Object.keys(REJECTED)) expect(names.has(r), r).toBe(true);
  });

  it('every document parses and scores its sample record, except the listed rejections', () => {
    const scored: string[] = [];
    const failures: string[] = [];
    const rejectedAsExpected: string[] = [];
    for (const file of documents) {
      const name = rel(file);
      const xml = readFileSync(file, 'utf8');
      const rejection = REJECTED[name];
      let ev: PmmlEvaluator;
      try {
        ev = parsePmml(xml);
      } catch (err) {
        const message = (err as Error).message;
        if (rejection && rejection.error.test(message))
          rejectedAsExpected.push(`${name}: ${rejection.reason}`);
        else failures.push(`${name}: build failed: ${message}`);
        continue;
      }
      if (rejection) {
        failures.push(
          `${name}: listed as rejected (${rejection.reason}) but now compiles — move it out of REJECTED`,
        );
        continue;
      }
      try {
        const records = sampleRecords(xml, ev);
        for (const record of records) {
          const r = ev.evaluate(record);
          // a result object with every result column present (null is a legitimate "no prediction")
          for (const col of ev.resultColumns())
            if (!(col in r.outputs)) throw new Error(`no column '${col}'`);
        }
        scored.push(`${name} (${ev.modelElement}, ${records.length} record${records.length > 1 ? 's' : ''})`);
      } catch (err) {
        failures.push(`${name}: scoring failed: ${(err as Error).message}`);
      }
    }
    console.log(
      `DMG examples: ${scored.length}/${documents.length} parse and score their sample input; ` +
        `${rejectedAsExpected.length} rejected by design:\n  ${rejectedAsExpected.join('\n  ')}` +
        (failures.length ? `\nfailures:\n  ${failures.join('\n  ')}` : ''),
    );
    expect(failures).toEqual([]);
    expect(scored.length + rejectedAsExpected.length).toBe(documents.length);
  });
});
