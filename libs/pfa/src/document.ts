import { parse as parseYaml } from 'yaml';
import { PfaSemanticError } from './errors';
import { parsePfaJson } from './json/pfa-json';

/** The top-level fields of a PFA document (spec section 3). */
export const DOCUMENT_FIELDS = new Set([
  'name',
  'method',
  'input',
  'output',
  'begin',
  'action',
  'end',
  'fcns',
  'zero',
  'merge',
  'cells',
  'pools',
  'randseed',
  'doc',
  'version',
  'metadata',
  'options',
]);

export type PfaDocument = Record<string, unknown>;

/** Parses a PFA document from JSON text, YAML text or an already-parsed object, and checks its shape. */
export function loadDocument(src: string | Uint8Array | object): PfaDocument {
  let doc: unknown = src;
  if (src instanceof Uint8Array) doc = new TextDecoder().decode(src);
  if (typeof doc === 'string') {
    const text = doc.trim();
    try {
      doc = text.startsWith('{') ? parsePfaJson(text) : parseYaml(text);
    } catch (err) {
      throw new PfaSemanticError(`PFA document is neither JSON nor YAML: ${(err as Error).message}`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PfaSemanticError('a PFA document is a JSON object');
  const d = doc as PfaDocument;
  const unknown = Object.keys(d).filter((k) => !DOCUMENT_FIELDS.has(k));
  if (unknown.length) throw new PfaSemanticError(`unknown top-level field(s): ${unknown.join(', ')}`);
  for (const required of ['input', 'output', 'action']) {
    if (!(required in d)) throw new PfaSemanticError(`a PFA document needs "${required}"`);
  }
  return d;
}
