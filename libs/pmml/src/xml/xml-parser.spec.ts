import { describe, expect, it } from 'vitest';
import { expectInvalidArgument } from '../__fixtures__/pmml-doc';
import { parseXml } from './xml-parser';

describe('parseXml', () => {
  it('builds an element tree with local names, attributes, text and lines', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<a:PMML xmlns:a="http://www.dmg.org/PMML-4_4" version="4.4">\n  <a:Array n="2" type="string">"x y" z</a:Array>\n</a:PMML>',
    );
    expect(root.name).toBe('PMML');
    expect(root.attrs['version']).toBe('4.4');
    expect(root.attrs['xmlns:a']).toBeUndefined();
    const arr = root.children[0]!;
    expect(arr.name).toBe('Array');
    expect(arr.line).toBe(3);
    expect(arr.text).toBe('"x y" z');
  });

  it.each(['3.2', '4.0', '4.1', '4.2', '4.3', '4.4'])('accepts the PMML %s namespace', (v) => {
    const root = parseXml(
      `<PMML xmlns="http://www.dmg.org/PMML-${v.replace('.', '_')}" version="${v}"><Header/></PMML>`,
    );
    expect(root.children.map((c) => c.name)).toEqual(['Header']);
  });

  it('decodes UTF-8 bytes and strips a BOM', () => {
    const bytes = new TextEncoder().encode('\uFEFF<PMML><Value value="héllo"/></PMML>');
    expect(parseXml(bytes).children[0]!.attrs['value']).toBe('héllo');
  });

  it('rejects a DOCTYPE (no DTD processing at all)', () => {
    expectInvalidArgument(
      () => parseXml('<?xml version="1.0"?>\n<!DOCTYPE PMML [<!ENTITY x "boom">]>\n<PMML>&x;</PMML>'),
      'DOCTYPE',
      'not allowed',
    );
  });

  it('rejects external entity declarations', () => {
    expectInvalidArgument(() => parseXml('<!DOCTYPE PMML SYSTEM "file:///etc/passwd"><PMML/>'), 'DOCTYPE');
  });

  it('rejects undeclared entity references', () => {
    expectInvalidArgument(() => parseXml('<PMML><Header>&xxe;</Header></PMML>'), '<Header>', 'malformed XML');
  });

  it('rejects truncated documents, naming the unclosed element', () => {
    expectInvalidArgument(
      () => parseXml('<PMML version="4.4">\n<DataDictionary>\n<DataField name="x"'),
      'DataDictionary',
      'line 2',
    );
    expectInvalidArgument(
      () => parseXml('<PMML><DataDictionary></DataDictionary>'),
      '<PMML>',
      'never closed',
    );
  });

  it('rejects mismatched tags', () => {
    expectInvalidArgument(() => parseXml('<PMML><Header></PMML>'), 'malformed XML');
  });

  it('enforces the size limit', () => {
    const doc = `<PMML>${'<Header/>'.repeat(200)}</PMML>`;
    expectInvalidArgument(() => parseXml(doc, { maxBytes: 100 }), 'larger than the limit');
    expectInvalidArgument(
      () => parseXml(new TextEncoder().encode(doc), { maxBytes: 100 }),
      'larger than the limit',
    );
    expect(parseXml(doc, { maxBytes: 10_000 }).children).toHaveLength(200);
  });

  it('enforces the depth limit', () => {
    const deep = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    expectInvalidArgument(() => parseXml(deep(600)), 'nesting deeper than the limit of 512');
    expectInvalidArgument(() => parseXml(deep(11), { maxDepth: 10 }), 'limit of 10');
    expect(parseXml(deep(10), { maxDepth: 10 }).name).toBe('a');
  });

  it('rejects invalid UTF-8', () => {
    expectInvalidArgument(() => parseXml(new Uint8Array([0x3c, 0x50, 0xff, 0xfe])), 'not valid UTF-8');
  });

  it('rejects an empty document', () => {
    expectInvalidArgument(() => parseXml(''), 'PMML:');
  });
});
