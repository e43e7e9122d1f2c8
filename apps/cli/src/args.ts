import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { DataTypePolicy, ModelDescriptor_ModelType, ServingRequest } from '@modelserving/contracts';
import { parseModelType, validateName } from '@modelserving/model-core';
import { COMMANDS, GLOBAL_OPTIONS, isCommandName, type CommandName, type OptionSpec } from './command-specs';
import { resolveCliConfig, validateAddress, type CliConfig, type OutputFormat } from './config';
import { UsageError } from './errors';
import { parseColumns, recordFromCsvRow, recordFromJson, servingRequest } from './predict-request';
import { WINE_DATA_TYPE, WINE_FIELDS } from './wine-data';
import { scoreCommand, type ScoreCommand } from './commands/score';
import { verifyCommand, type VerifyCommand } from './commands/verify';

export interface DeployCommand {
  readonly kind: 'deploy';
  readonly name: string;
  readonly dataType: string;
  readonly modelType: ModelDescriptor_ModelType;
  readonly file?: string;
  readonly location?: string;
  readonly description: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
}

export interface DevCommand {
  readonly kind: 'dev';
  readonly basePort?: number;
  /** Records to send; undefined with `loop` = until stopped. */
  readonly records?: number;
  readonly loop: boolean;
  readonly rate?: number;
  readonly sample: number;
  readonly keepRunning: boolean;
}

export type Command =
  | { readonly kind: 'help'; readonly topic?: CommandName }
  | DeployCommand
  | { readonly kind: 'undeploy'; readonly dataType: string; readonly name: string }
  | { readonly kind: 'list'; readonly dataType: string }
  | { readonly kind: 'status'; readonly dataType: string; readonly name: string }
  | { readonly kind: 'predict'; readonly request: ServingRequest; readonly timeoutMs?: number }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'policy'; readonly policy: DataTypePolicy }
  | { readonly kind: 'spec-stats'; readonly dataType: string }
  | DevCommand
  | ScoreCommand
  | VerifyCommand;

export interface CommandLine {
  readonly config: CliConfig;
  readonly command: Command;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** Index of the command word: the first argument that is neither an option nor a global option's value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!a.startsWith('-')) return i;
    if ((a === '--router' || a === '--output') && i + 1 < argv.length) i++;
  }
  return -1;
}

/** parseArgs' messages mention positional arguments and `--`; say what is wrong in this CLI's terms. */
function parseArgsError(err: unknown, command: string): UsageError {
  const code = (err as { code?: string }).code;
  const msg = err instanceof Error ? err.message : String(err);
  const opt = /'(-[^'\s]*)/.exec(msg)?.[1];
  const where = command ? ` for '${command}'` : '';
  const hint = command ? ` (see 'modelserving help ${command}')` : " (see 'modelserving --help')";
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${opt ?? msg}${where}${hint}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        opt
          ? `option ${opt.split(' ')[0]} ${/argument missing|ambiguous/.test(msg) ? 'needs a value' : 'takes no value'}${hint}`
          : msg,
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(
        `unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? ''}${where}${hint}`.replace(
          'argument  ',
          'argument ',
        ),
      );
    default:
      return new UsageError(msg);
  }
}

function optionsFor(command: CommandName | undefined): ParseArgsConfig['options'] {
  const merged: Record<string, OptionSpec> = {
    ...GLOBAL_OPTIONS,
    ...(command ? COMMANDS[command].options : {}),
  };
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(merged)) {
    out[name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  return out;
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Values, name: string, command: string): string {
  const v = str(values, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`'${command}' needs --${name}`);
  return v.trim();
}

function checkedName(what: string, value: string): string {
  try {
    return validateName(what, value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** An integer option within [min, max]; the message names the option. */
export function intOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim();
  if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return Number(t);
}

function metadata(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--meta must be key=value, got '${p}'`);
    out[p.slice(0, i).trim()] = p.slice(i + 1);
  }
  return out;
}

function buildCommand(name: CommandName, values: Values, positionals: string[]): Command {
  if (name !== 'help' && positionals.length > 0) {
    throw new UsageError(
      `unexpected argument '${positionals[0]}' for '${name}' (see 'modelserving help ${name}')`,
    );
  }
  switch (name) {
    case 'help': {
      const topic = positionals[0];
      if (positionals.length > 1)
        throw new UsageError(`'help' takes at most one command, got ${positionals.join(' ')}`);
      if (topic === undefined) return { kind: 'help' };
      if (!isCommandName(topic))
        throw new UsageError(`unknown command '${topic}' (see 'modelserving --help')`);
      return { kind: 'help', topic };
    }
    case 'deploy': {
      const modelName = checkedName('model name', required(values, 'name', name));
      const dataType = checkedName('data type', required(values, 'data-type', name));
      let modelType: ModelDescriptor_ModelType;
      try {
        modelType = parseModelType(required(values, 'type', name)) as number as ModelDescriptor_ModelType;
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`--type: ${(err as Error).message}`);
      }
      const file = str(values, 'file');
      const location = str(values, 'location');
      if ((file === undefined) === (location === undefined))
        throw new UsageError("'deploy' needs exactly one of --file or --location");
      return {
        kind: 'deploy',
        name: modelName,
        dataType,
        modelType,
        ...(file !== undefined ? { file } : {}),
        ...(location !== undefined ? { location } : {}),
        description: str(values, 'description') ?? '',
        metadata: metadata((values['meta'] as string[] | undefined) ?? []),
        wait: values['no-wait'] !== true,
        waitTimeoutMs: intOption('wait-timeout-ms', str(values, 'wait-timeout-ms'), 1, 3_600_000) ?? 30_000,
      };
    }
    case 'undeploy':
    case 'status':
      return {
        kind: name,
        dataType: checkedName('data type', required(values, 'data-type', name)),
        name: checkedName('model name', required(values, 'name', name)),
      };
    case 'list':
    case 'spec-stats': {
      const dt = str(values, 'data-type')?.trim();
      return { kind: name, dataType: dt ? checkedName('data type', dt) : '' };
    }
    case 'predict':
      return predictCommand(values);
    case 'suspend':
    case 'resume':
      return { kind: name };
    case 'policy': {
      const decider = required(values, 'decider', name).toLowerCase();
      if (decider !== 'first' && decider !== 'majority')
        throw new UsageError(`--decider must be 'first' or 'majority', got '${decider}'`);
      const timeoutMs = intOption('timeout-ms', required(values, 'timeout-ms', name), 1, 3_600_000)!;
      return {
        kind: 'policy',
        policy: {
          dataType: checkedName('data type', required(values, 'data-type', name)),
          decider,
          timeoutMs,
          alwaysSpeculative: values['always-speculative'] === true,
        },
      };
    }
    case 'dev':
      return devCommand(values);
    case 'score':
      return scoreCommand(values);
    case 'verify':
      return verifyCommand(values);
  }
}

function predictCommand(values: Values): Command {
  const dataType = checkedName('data type', required(values, 'data-type', 'predict'));
  const json = str(values, 'json');
  const csvRow = str(values, 'csv-row');
  if ((json === undefined) === (csvRow === undefined))
    throw new UsageError("'predict' needs exactly one of --json or --csv-row");
  const columnsText = str(values, 'columns');
  if (columnsText !== undefined && csvRow === undefined)
    throw new UsageError('--columns only goes with --csv-row');
  let record;
  if (json !== undefined) {
    record = recordFromJson(json);
  } else {
    const columns =
      columnsText !== undefined
        ? parseColumns(columnsText)
        : dataType === WINE_DATA_TYPE
          ? [...WINE_FIELDS]
          : [];
    record = recordFromCsvRow(csvRow!, columns);
  }
  const model = str(values, 'model')?.trim();
  const timeoutMs = intOption('timeout-ms', str(values, 'timeout-ms'), 1, 3_600_000);
  const guid = str(values, 'guid');
  const request = servingRequest(
    {
      dataType,
      ...(model ? { modelName: checkedName('model name', model) } : {}),
      ...(guid ? { guid } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    },
    record,
  );
  return { kind: 'predict', request, ...(timeoutMs ? { timeoutMs } : {}) };
}

function devCommand(values: Values): DevCommand {
  const loop = values['loop'] === true;
  const records = intOption('records', str(values, 'records'), 1, Number.MAX_SAFE_INTEGER);
  if (loop && records !== undefined) throw new UsageError('use either --loop or --records, not both');
  const rate = intOption('rate', str(values, 'rate'), 1, 10_000_000);
  const basePort = intOption('base-port', str(values, 'base-port'), 1, 65_532);
  return {
    kind: 'dev',
    loop,
    keepRunning: values['keep-running'] === true,
    sample: intOption('sample', str(values, 'sample'), 0, 1_000_000) ?? 10,
    ...(records !== undefined ? { records } : {}),
    ...(rate !== undefined ? { rate } : {}),
    ...(basePort !== undefined ? { basePort } : {}),
  };
}

/**
 * Parses `modelserving [global options] <command> [options]` (global options may also follow the
 * command). Every mistake is a UsageError naming the option; nothing is sent anywhere.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  const at = commandIndex(argv);
  const word = at >= 0 ? argv[at]! : undefined;
  if (word !== undefined && !isCommandName(word))
    throw new UsageError(`unknown command '${word}' (see 'modelserving --help')`);
  const command = word as CommandName | undefined;
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 1)] : [...argv];
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: optionsFor(command),
      allowPositionals: true,
      strict: true,
    }) as {
      values: Values;
      positionals: string[];
    });
  } catch (err) {
    throw parseArgsError(err, command ?? '');
  }

  // In `predict`, --json carries the record, so JSON output is --output json there.
  const jsonOutput = command !== 'predict' && values['json'] === true;
  // In `score`, --output is the result file, so only --json switches the format there.
  const outputRaw = command === 'score' ? undefined : str(values, 'output')?.trim().toLowerCase();
  if (outputRaw !== undefined && outputRaw !== 'text' && outputRaw !== 'json') {
    throw new UsageError(`--output must be 'text' or 'json', got '${outputRaw}'`);
  }
  const output: OutputFormat = jsonOutput ? 'json' : ((outputRaw as OutputFormat | undefined) ?? 'text');
  const routerFlag = str(values, 'router');
  const routerEnv = env['MODELSERVING_ROUTER']?.trim();
  const router =
    routerFlag !== undefined
      ? validateAddress('--router', routerFlag)
      : routerEnv
        ? validateAddress('MODELSERVING_ROUTER', routerEnv)
        : undefined;
  const config = resolveCliConfig({ output, ...(router ? { router } : {}) });

  if (command === undefined) {
    if (values['help'] === true) return { config, command: { kind: 'help' } };
    throw new UsageError("no command given (see 'modelserving --help')");
  }
  if (values['help'] === true && command !== 'help')
    return { config, command: { kind: 'help', topic: command } };
  return { config, command: buildCommand(command, values, positionals) };
}
