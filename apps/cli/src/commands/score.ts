import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  Code,
  ServingError,
  type FeatureValue,
  type Features,
  type ScoreOutput,
} from '@modelserving/model-core';
import type { OutputFormat } from '../config';
import { EXIT, errorMessage } from '../errors';
import { UsageError } from '../errors';
import type { CliIo } from '../io';
import { toJsonText } from '../output';
import { parseColumns } from '../predict-request';
import {
  csvLine,
  delimiterFromOption,
  detectDelimiter,
  parseCsvRecords,
  type CsvRecord,
} from '@modelserving/csv';
import { cellValue, loadModelFile, type LoadedModel } from '../batch/model-factories';

export type OnError = 'fail' | 'skip' | 'na';

export interface ScoreCommand {
  readonly kind: 'score';
  readonly model: string;
  readonly input: string;
  /** A file path, or `-` for stdout. */
  readonly output: string;
  readonly type?: string;
  /** Undefined = detect `,` or `;` from the first line. */
  readonly delimiter?: string;
  /** Names of a headerless input's columns; undefined = the first line is the header. */
  readonly columns?: readonly string[];
  /** Descriptor metadata for the model's factory (`--meta k=v`), e.g. a TensorFlow model's `inputs`. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly onError: OnError;
}

type Values = Record<string, string | boolean | string[] | undefined>;

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function requiredPath(values: Values, name: string): string {
  const v = str(values, name)?.trim();
  if (!v) throw new UsageError(`'score' needs --${name}`);
  return v;
}

/** Builds the `score` command from parsed options; every mistake is a UsageError naming the option. */
export function scoreCommand(values: Values): ScoreCommand {
  const onErrorRaw = (str(values, 'on-error') ?? 'na').trim().toLowerCase();
  if (onErrorRaw !== 'fail' && onErrorRaw !== 'skip' && onErrorRaw !== 'na')
    throw new UsageError(`--on-error must be 'fail', 'skip' or 'na', got '${onErrorRaw}'`);
  const delimRaw = str(values, 'delimiter');
  let delimiter: string | undefined;
  if (delimRaw !== undefined) {
    delimiter = delimiterFromOption(delimRaw);
    if (delimiter === undefined)
      throw new UsageError(`--delimiter must be one character (or 'tab'), got '${delimRaw}'`);
  }
  const columnsText = str(values, 'columns');
  const columns = columnsText !== undefined ? parseColumns(columnsText) : undefined;
  if (columns && new Set(columns).size !== columns.length)
    throw new UsageError(`--columns names a column twice: '${columnsText}'`);
  const type = str(values, 'type')?.trim();
  const metadata: Record<string, string> = {};
  const pairs = values['meta'];
  for (const p of Array.isArray(pairs) ? pairs : typeof pairs === 'string' ? [pairs] : []) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--meta must be key=value, got '${p}'`);
    metadata[p.slice(0, i).trim()] = p.slice(i + 1);
  }
  return {
    kind: 'score',
    model: requiredPath(values, 'model'),
    input: requiredPath(values, 'input'),
    output: requiredPath(values, 'output'),
    onError: onErrorRaw,
    metadata,
    ...(type ? { type } : {}),
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(columns ? { columns } : {}),
  };
}

/** How a result value is written: missing (and NaN, which PMML treats as missing) is `NA`. */
export function formatValue(v: FeatureValue | undefined): string {
  if (v === null || v === undefined) return 'NA';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NA' : String(v);
  return String(v);
}

/** The value of one result column: the named output, or the prediction for the target column. */
function columnValue(out: ScoreOutput, column: string, target: string | undefined): FeatureValue | undefined {
  const outputs = out.outputs;
  if (outputs && Object.prototype.hasOwnProperty.call(outputs, column)) return outputs[column];
  return column === target ? out.value : undefined;
}

export interface ScoreSummary {
  readonly rows: number;
  readonly written: number;
  readonly errors: number;
  readonly columns: readonly string[];
}

/** Writes through a small buffer so a million rows are a few hundred write calls, not a million. */
class BufferedSink {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly write: (text: string) => void) {}

  line(text: string): void {
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    this.write(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
}

/** At most this many bad rows are described on stderr; the summary line counts them all. */
const MAX_ROW_MESSAGES = 20;

/**
 * Scores every record of the input CSV and writes one output row per input row (`--on-error skip` drops bad
 * ones). The output file appears only when the command succeeds: rows go to a temporary file beside it,
 * renamed at the end, so `--on-error fail` never leaves half a result behind.
 */
export async function runScore(cmd: ScoreCommand, io: CliIo, output: OutputFormat): Promise<number> {
  const loaded = await loadModelFile(cmd.model, cmd.type, cmd.metadata);
  let text: string;
  try {
    text = readFileSync(cmd.input, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? Code.NOT_FOUND : Code.FAILED_PRECONDITION;
    throw new ServingError(code, `cannot read input file ${cmd.input}: ${errorMessage(err)}`);
  }
  const delimiter = cmd.delimiter ?? detectDelimiter(text);
  let records: CsvRecord[];
  try {
    records = parseCsvRecords(text, { delimiter });
  } catch (err) {
    throw new ServingError(Code.INVALID_ARGUMENT, `input file ${cmd.input}: ${errorMessage(err)}`);
  }
  let header: readonly string[];
  let data = records;
  if (cmd.columns) {
    header = cmd.columns;
  } else {
    const first = records[0];
    if (!first)
      throw new ServingError(Code.INVALID_ARGUMENT, `input file ${cmd.input} is empty (no header line)`);
    header = first.cells.map((c) => c.trim());
    data = records.slice(1);
    const dup = header.find((h, i) => header.indexOf(h) !== i);
    if (dup !== undefined)
      throw new ServingError(Code.INVALID_ARGUMENT, `input header names column '${dup}' twice`);
  }

  const toStdout = cmd.output === '-';
  const tmp = toStdout ? '' : join(dirname(cmd.output), `.${basename(cmd.output)}.${process.pid}.tmp`);
  let fd = -1;
  if (!toStdout) {
    try {
      fd = openSync(tmp, 'w');
    } catch (err) {
      throw new ServingError(
        Code.FAILED_PRECONDITION,
        `cannot write output file ${cmd.output}: ${errorMessage(err)}`,
      );
    }
  }
  const sink = new BufferedSink(
    // Chunks end with a newline, so CliIo.out adds none of its own.
    toStdout ? (t) => io.out(t) : (t) => void writeSync(fd, t),
  );
  let ok = false;
  try {
    const summary = scoreRecords(loaded, header, data, delimiter, cmd, sink, io);
    sink.flush();
    if (!toStdout) {
      closeSync(fd);
      fd = -1;
      renameSync(tmp, cmd.output);
    }
    ok = true;
    const where = toStdout ? 'stdout' : cmd.output;
    if (output === 'json') io.err(toJsonText({ ...summary, output: where }));
    else
      io.err(
        `scored ${summary.rows} rows with ${cmd.model}: ${summary.written} written to ${where}` +
          (summary.errors > 0
            ? `, ${summary.errors} failed (${cmd.onError === 'skip' ? 'skipped' : 'written as NA'})`
            : ''),
      );
    return EXIT.ok;
  } finally {
    if (!ok && !toStdout) {
      if (fd >= 0) closeSync(fd);
      rmSync(tmp, { force: true });
    }
  }
}

function scoreRecords(
  loaded: LoadedModel,
  header: readonly string[],
  data: readonly CsvRecord[],
  delimiter: string,
  cmd: ScoreCommand,
  sink: BufferedSink,
  io: CliIo,
): ScoreSummary {
  const { model, columns, target, format } = loaded;
  sink.line(csvLine(columns, delimiter));
  const naRow = csvLine(
    columns.map(() => 'NA'),
    delimiter,
  );
  const cells = new Array<string>(columns.length);
  let written = 0;
  let errors = 0;
  for (let r = 0; r < data.length; r++) {
    const rec = data[r]!;
    let problem: string | undefined;
    if (rec.cells.length !== header.length) {
      problem = `has ${rec.cells.length} cells, the header has ${header.length} columns`;
    } else {
      const features: Features = {};
      for (let i = 0; i < header.length; i++) features[header[i]!] = cellValue(rec.cells[i]!, format.cells);
      try {
        const out = model.score({ dataType: 'batch', features });
        for (let j = 0; j < columns.length; j++)
          cells[j] = formatValue(columnValue(out, columns[j]!, target));
        sink.line(csvLine(cells, delimiter));
        written++;
        continue;
      } catch (err) {
        problem = errorMessage(err);
      }
    }
    errors++;
    const message = `row ${r + 1} (line ${rec.line}): ${problem}`;
    if (cmd.onError === 'fail') throw new ServingError(Code.INVALID_ARGUMENT, message);
    if (errors <= MAX_ROW_MESSAGES) io.err(`warning: ${message}`);
    else if (errors === MAX_ROW_MESSAGES + 1) io.err('warning: further bad rows are counted, not shown');
    if (cmd.onError === 'na') {
      sink.line(naRow);
      written++;
    }
  }
  return { rows: data.length, written, errors, columns };
}
