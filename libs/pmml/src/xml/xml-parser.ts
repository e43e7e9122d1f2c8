import { SaxesParser, type SaxesTagNS } from 'saxes';
import { invalidArgument, type ServingError } from '@modelserving/model-core';

/**
 * A parsed XML element, reduced to what PMML compilation needs: the local name (namespace prefixes and
 * URIs are dropped so every PMML version 3.x–4.x matches on the same names), attributes by local name,
 * element children in document order, the concatenated non-blank text, and the line of the start tag
 * (for error messages).
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
  readonly line: number;
}

export interface XmlParseOptions {
  /** Largest accepted document, in bytes (UTF-8). Default 64 MiB. */
  readonly maxBytes?: number;
  /** Deepest accepted element nesting. Default 512. */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 512;

interface MutableElement {
  name: string;
  attrs: Record<string, string>;
  children: MutableElement[];
  text: string;
  line: number;
}

function xmlError(message: string): ServingError {
  return invalidArgument(`PMML: ${message}`);
}

/**
 * Parses an XML document safely: DTDs are rejected outright (so no entity expansion and no external
 * entities can happen), the size and the nesting depth are bounded, and malformed or truncated input is
 * an INVALID_ARGUMENT error naming the element involved.
 */
export function parseXml(input: string | Uint8Array, options: XmlParseOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  let text: string;
  if (typeof input === 'string') {
    // Cheap upper bound first: a UTF-16 code unit encodes to at most 3 UTF-8 bytes.
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      throw xmlError(`document is larger than the limit of ${maxBytes} bytes`);
    }
    text = input;
  } else {
    if (input.byteLength > maxBytes) {
      throw xmlError(`document of ${input.byteLength} bytes is larger than the limit of ${maxBytes} bytes`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch (err) {
      throw invalidArgument('PMML: document is not valid UTF-8', err);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const parser = new SaxesParser({ xmlns: true, position: true });
  // Names and attribute values go through one table per document: repeated strings (field names, operators,
  // category labels) are stored once, and none is a slice of the document text, so compiled models that
  // keep a few of them do not keep the whole decoded document alive.
  const strings = new Map<string, string>();
  const intern = (v: string): string => {
    let s = strings.get(v);
    if (s === undefined) {
      s = v.length >= 13 ? flatCopy(v) : v;
      strings.set(s, s);
    }
    return s;
  };
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  let failure: ServingError | undefined;

  parser.on('doctype', () => {
    throw xmlError(
      `<!DOCTYPE> at line ${parser.line}: DTDs and entity declarations are not allowed in PMML documents`,
    );
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length >= maxDepth) {
      throw xmlError(
        `<${tag.local}> at line ${parser.line}: element nesting deeper than the limit of ${maxDepth}`,
      );
    }
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const key in tag.attributes) {
      const a = tag.attributes[key];
      if (!a) continue;
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      // Unprefixed attributes are PMML's own; prefixed ones (xsi:...) keep their qualified name.
      attrs[intern(a.prefix ? a.name : a.local)] = intern(a.value);
    }
    const el: MutableElement = { name: intern(tag.local), attrs, children: [], text: '', line: parser.line };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    const el = stack.pop();
    // Text arrives as slices of the document; pieces of it (Array values, cells) may outlive the parse.
    if (el && el.text.length >= 13) el.text = flatCopy(el.text);
  });
  const onText = (t: string) => {
    const top = stack[stack.length - 1];
    // Whitespace between elements is noise; text that matters (Array, InlineTable cells) is kept whole.
    if (top && (top.text.length > 0 || /\S/.test(t))) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('error', (err: Error) => {
    throw err;
  });

  try {
    parser.write(text);
    if (stack.length > 0) {
      const open = stack[stack.length - 1]!;
      throw xmlError(`<${open.name}> at line ${open.line}: element is never closed (truncated document?)`);
    }
    parser.close();
  } catch (err) {
    if (isServingError(err)) failure = err;
    else {
      const open = stack[stack.length - 1];
      const where = open ? `<${open.name}> at line ${open.line}` : `line ${parser.line}`;
      const msg = err instanceof Error ? err.message.replace(/^[^:]*:\d+:\d+: /, '') : String(err);
      failure = invalidArgument(`PMML: ${where}: malformed XML: ${msg}`, err);
    }
  }
  if (failure) throw failure;
  if (!root) throw xmlError('document has no root element');
  return root;
}

/**
 * A copy of a string that shares no memory with it. V8 represents substrings of 13 or more characters as
 * slices of their parent; a JSON round trip builds a new flat string (and keeps
 * every code unit, lone surrogates included).
 */
function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function isServingError(err: unknown): err is ServingError {
  return err instanceof Error && err.name === 'ServingError';
}
