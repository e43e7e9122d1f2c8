import { LIBRARY } from './lib';

export interface LibraryCoverage {
  readonly total: number;
  readonly implemented: number;
  readonly missing: readonly string[];
  /** Functions implemented here that the specification does not list (should be none). */
  readonly extra: readonly string[];
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Compares the library with the function list of the specification's libfcns.xml (passed as text). */
export function libraryCoverage(libfcnsXml: string): LibraryCoverage {
  const names = [...libfcnsXml.matchAll(/<fcn\s+name="([^"]*)"/g)].map((m) => decodeXml(m[1]!));
  const spec = new Set(names);
  const missing = names.filter((n) => !LIBRARY.has(n));
  const extra = [...LIBRARY.keys()].filter((n) => !spec.has(n));
  return { total: names.length, implemented: names.length - missing.length, missing, extra };
}

/** Names of the implemented library functions. */
export function implementedFunctions(): string[] {
  return [...LIBRARY.keys()].sort();
}
