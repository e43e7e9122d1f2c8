import { Code, ServingError } from '@modelserving/model-core';
import { PmmlModel, verifyPmml, type VerificationReport } from '@modelserving/pmml';
import type { OutputFormat } from '../config';
import { EXIT, UsageError } from '../errors';
import type { CliIo } from '../io';
import { toJsonText } from '../output';
import { loadModelFile } from '../batch/model-factories';

export interface VerifyCommand {
  readonly kind: 'verify';
  readonly model: string;
  readonly type?: string;
}

type Values = Record<string, string | boolean | string[] | undefined>;

export function verifyCommand(values: Values): VerifyCommand {
  const model = typeof values['model'] === 'string' ? values['model'].trim() : '';
  if (!model) throw new UsageError("'verify' needs --model");
  const type = typeof values['type'] === 'string' ? values['type'].trim() : '';
  return { kind: 'verify', model, ...(type ? { type } : {}) };
}

const show = (v: unknown) => (v === null || v === undefined ? 'NA' : String(v));

export function verifyText(file: string, report: VerificationReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.passed) lines.push(`record ${r.row}: pass`);
    else if (r.error !== undefined) lines.push(`record ${r.row}: FAIL  error: ${r.error}`);
    else
      lines.push(
        `record ${r.row}: FAIL  ` +
          r.mismatches
            .map((m) => `${m.field}: expected ${show(m.expected)}, got ${show(m.actual)}`)
            .join('; '),
      );
  }
  if (report.declaredRecordCount !== undefined)
    lines.push(`note: recordCount says ${report.declaredRecordCount}, the table has ${report.records} rows`);
  lines.push(
    `${file}: ${report.passed}/${report.records} verification records pass` +
      ` (checked: ${report.fields
        .filter((f) => f.role === 'output')
        .map((f) => f.field)
        .join(', ')})`,
  );
  return lines.join('\n');
}

/**
 * Checks a PMML document against its own ModelVerification block. The model is built through the same
 * factory `score` uses; exit 1 when a record fails or the document has no block.
 */
export async function runVerify(cmd: VerifyCommand, io: CliIo, output: OutputFormat): Promise<number> {
  const { model } = await loadModelFile(cmd.model, cmd.type ?? 'pmml');
  if (!(model instanceof PmmlModel))
    throw new ServingError(
      Code.UNIMPLEMENTED,
      `verify checks PMML ModelVerification blocks; ${cmd.model} is not PMML`,
    );
  const report = verifyPmml(model.evaluator);
  io.out(output === 'json' ? toJsonText(report) : verifyText(cmd.model, report));
  if (report.failed > 0) {
    io.err(`error: FAILED_PRECONDITION: ${report.failed} of ${report.records} verification records fail`);
    return EXIT.failed;
  }
  if (report.records === 0) {
    io.err('error: FAILED_PRECONDITION: the ModelVerification block has no records');
    return EXIT.failed;
  }
  return EXIT.ok;
}
