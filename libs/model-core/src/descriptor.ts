import type { ModelType } from './model-type';
import { invalidArgument } from './errors';

/**
 * The seed's ModelDescriptor, as plain data. The content is inline (`data`) or a reference (`location`: a
 * file path, a `blob:` key in the model store, or an http(s) URL).
 */
export interface ModelDescriptor {
  readonly name: string;
  readonly description: string;
  readonly dataType: string;
  readonly modelType: ModelType;
  readonly data?: Uint8Array;
  readonly location?: string;
  /** Free-form settings for the model's factory, e.g. `postprocess: argmax`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The seed's ModelToServe: a descriptor whose content has been fetched, ready for a factory. */
export interface ModelToServe {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly dataType: string;
  readonly modelType: ModelType;
  readonly content: Uint8Array;
  /** Where the content came from, when it was a reference (factories may need siblings of a file). */
  readonly location?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Model key = `dataType/modelName`; versions are distinct names (seed rule). */
export function modelKey(dataType: string, name: string): string {
  return `${dataType}/${name}`;
}

export function splitModelKey(key: string): { dataType: string; name: string } {
  const i = key.indexOf('/');
  if (i <= 0 || i === key.length - 1)
    throw invalidArgument(`'${key}' is not a model key (expected dataType/modelName)`);
  return { dataType: key.slice(0, i), name: key.slice(i + 1) };
}

/** Checks a name or data type: letters, digits and `._:-`, at most 128 characters. */
export function validateName(what: string, value: string): string {
  if (!NAME_RE.test(value)) {
    throw invalidArgument(
      `${what} '${value}' is invalid: use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

export function validateDescriptor(d: ModelDescriptor): ModelDescriptor {
  validateName('model name', d.name);
  validateName('data type', d.dataType);
  const hasData = d.data !== undefined && d.data.length > 0;
  const hasLocation = d.location !== undefined && d.location.length > 0;
  if (!hasData && !hasLocation)
    throw invalidArgument(`model ${modelKey(d.dataType, d.name)} has neither data nor location`);
  if (hasData && hasLocation)
    throw invalidArgument(`model ${modelKey(d.dataType, d.name)} has both data and location`);
  return d;
}
