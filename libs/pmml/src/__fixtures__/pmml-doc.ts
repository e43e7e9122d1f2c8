import { Code, ServingError } from '@modelserving/model-core';

/**
 * Builders for the small PMML documents the specs write inline: a namespace matching the version, a
 * DataDictionary, optional TransformationDictionary and one model element.
 */
export function pmmlDoc(
  dataFields: string,
  model: string,
  options: { version?: string; transformations?: string } = {},
): string {
  const version = options.version ?? '4.4';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<PMML xmlns="http://www.dmg.org/PMML-${version.replace(/\./g, '_')}" version="${version}">`,
    '<Header copyright="test"/>',
    `<DataDictionary>${dataFields}</DataDictionary>`,
    options.transformations
      ? `<TransformationDictionary>${options.transformations}</TransformationDictionary>`
      : '',
    model,
    '</PMML>',
  ].join('\n');
}

export const double = (name: string) => `<DataField name="${name}" optype="continuous" dataType="double"/>`;

export const categorical = (name: string, values: readonly string[], dataType = 'string') =>
  `<DataField name="${name}" optype="categorical" dataType="${dataType}">${values.map((v) => `<Value value="${v}"/>`).join('')}</DataField>`;

export const miningSchema = (target: string | undefined, active: readonly string[], extra = '') =>
  `<MiningSchema>${target ? `<MiningField name="${target}" usageType="target"/>` : ''}${active
    .map((a) => `<MiningField name="${a}"/>`)
    .join('')}${extra}</MiningSchema>`;

/** Runs `fn` and returns the ServingError it throws (failing the test if it throws something else or nothing). */
export function servingErrorOf(fn: () => unknown): ServingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServingError) return err;
    throw new Error(`expected a ServingError, got ${String(err)}`);
  }
  throw new Error('expected a ServingError, but nothing was thrown');
}

export function expectInvalidArgument(fn: () => unknown, ...fragments: (string | RegExp)[]): ServingError {
  const err = servingErrorOf(fn);
  if (err.code !== Code.INVALID_ARGUMENT)
    throw new Error(`expected INVALID_ARGUMENT, got code ${err.code}: ${err.message}`);
  for (const f of fragments) {
    const ok = typeof f === 'string' ? err.message.includes(f) : f.test(err.message);
    if (!ok) throw new Error(`error message "${err.message}" does not contain ${String(f)}`);
  }
  return err;
}
