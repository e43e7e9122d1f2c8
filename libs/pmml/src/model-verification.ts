import { Code, ServingError, type FeatureValue, type Features } from '@modelserving/model-core';
import { compareCell } from './conformance-runner';
import { pmmlError } from './errors';
import { parsePmml, PmmlEvaluator, type PmmlOptions } from './evaluator';
import { findTable, parseInlineTable } from './transformations/expressions';
import { child, children, intAttr, numberAttr, requiredAttr } from './xml/element';

/**
 * ModelVerification: a document may carry sample records with the results its producer computed
 * (`<ModelVerification><VerificationFields/><InlineTable/></ModelVerification>` inside the model element).
 * `verifyPmml` feeds each record's input fields to the compiled model and compares its result fields under
 * each VerificationField's `precision` (relative, default 1E-6) and `zeroThreshold` (default 1E-16), as the
 * PMML spec defines them.
 */

export interface VerificationField {
  readonly field: string;
  /** The InlineTable column holding the field (local name; defaults to the field name). */
  readonly column: string;
  readonly precision: number;
  readonly zeroThreshold: number;
  /** `output` for the target and Output fields (compared), `input` for the rest (fed to the model). */
  readonly role: 'input' | 'output';
}

export interface VerificationMismatch {
  readonly field: string;
  readonly expected: string | null;
  readonly actual: FeatureValue | undefined;
  readonly detail: string;
}

export interface VerificationRecordResult {
  /** 1-based row of the InlineTable. */
  readonly row: number;
  readonly passed: boolean;
  readonly mismatches: readonly VerificationMismatch[];
  /** Set when scoring the record threw. */
  readonly error?: string;
}

export interface VerificationReport {
  readonly modelElement: string;
  readonly fields: readonly VerificationField[];
  readonly records: number;
  readonly passed: number;
  readonly failed: number;
  /** The block's `recordCount` attribute when it disagrees with the rows present. */
  readonly declaredRecordCount?: number;
  readonly results: readonly VerificationRecordResult[];
}

// Defaults of VerificationField in the PMML 4.x schema.
const DEFAULT_PRECISION = 1e-6;
const DEFAULT_ZERO_THRESHOLD = 1e-16;

/** True when the evaluated model carries a ModelVerification block. */
export function hasModelVerification(evaluator: PmmlEvaluator): boolean {
  return evaluator.verificationXml !== undefined;
}

/**
 * Checks a model against its own ModelVerification block. Accepts a compiled evaluator or the document.
 * Throws INVALID_ARGUMENT when the model has no (or a malformed) block; per-record failures are in the report.
 */
export function verifyPmml(
  source: PmmlEvaluator | string | Uint8Array,
  options: PmmlOptions = {},
): VerificationReport {
  const evaluator = source instanceof PmmlEvaluator ? source : parsePmml(source, options);
  const block = evaluator.verificationXml;
  if (!block) {
    throw new ServingError(
      Code.INVALID_ARGUMENT,
      `PMML: <${evaluator.modelElement}> at line ${evaluator.modelLine} has no <ModelVerification> block to verify against`,
    );
  }
  const outputNames = new Set(evaluator.resultColumns());
  for (const o of evaluator.signature().outputs) outputNames.add(o.name);
  const fieldsEl = child(block, 'VerificationFields');
  if (!fieldsEl) throw pmmlError(block, 'missing required child element <VerificationFields>');
  const fields: VerificationField[] = children(fieldsEl, 'VerificationField').map((f) => {
    const field = requiredAttr(f, 'field');
    // Cells are namespaced elements (`<data:x>`) matched on their local name, so drop any prefix.
    const column = (f.attrs['column'] ?? field).replace(/^[^:]*:/, '');
    return {
      field,
      column,
      precision: numberAttr(f, 'precision', DEFAULT_PRECISION),
      zeroThreshold: numberAttr(f, 'zeroThreshold', DEFAULT_ZERO_THRESHOLD),
      role: outputNames.has(field) ? 'output' : 'input',
    };
  });
  if (!fields.some((f) => f.role === 'output')) {
    throw pmmlError(
      fieldsEl,
      'no VerificationField names the target or an Output field, so nothing can be checked',
    );
  }
  const rows = parseInlineTable(findTable(block));
  const inputs = fields.filter((f) => f.role === 'input');
  const expectedFields = fields.filter((f) => f.role === 'output');
  const results: VerificationRecordResult[] = rows.map((row, i) => {
    const features: Features = {};
    for (const f of inputs) features[f.field] = cellOf(row, f.column);
    let outputs: Readonly<Record<string, FeatureValue>>;
    try {
      outputs = evaluator.evaluate(features).outputs;
    } catch (err) {
      return {
        row: i + 1,
        passed: false,
        mismatches: [],
        error: err instanceof Error ? err.message : String(err),
      };
    }
    const mismatches: VerificationMismatch[] = [];
    for (const f of expectedFields) {
      const expected = cellOf(row, f.column);
      const actual = outputs[f.field];
      const detail = compareCell(expected ?? undefined, actual, {
        precision: f.precision,
        zeroThreshold: f.zeroThreshold,
      });
      if (detail) mismatches.push({ field: f.field, expected, actual, detail });
    }
    return { row: i + 1, passed: mismatches.length === 0, mismatches };
  });
  const passed = results.filter((r) => r.passed).length;
  const declared = block.attrs['recordCount'] !== undefined ? intAttr(block, 'recordCount', 0) : undefined;
  return {
    modelElement: evaluator.modelElement,
    fields,
    records: results.length,
    passed,
    failed: results.length - passed,
    ...(declared !== undefined && declared !== rows.length ? { declaredRecordCount: declared } : {}),
    results,
  };
}

/** An absent or empty cell is a missing value. */
function cellOf(row: Readonly<Record<string, string>>, column: string): string | null {
  const v = row[column];
  return v === undefined || v.trim() === '' ? null : v.trim();
}
