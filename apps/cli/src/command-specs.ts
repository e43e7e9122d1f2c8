/** One option of a command, as `util.parseArgs` takes it, plus its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly string[];
}

/** Options every command takes. `--json` is the output switch everywhere except `predict` (see there). */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  router: {
    type: 'string',
    value: 'host:port',
    help: 'router address (env MODELSERVING_ROUTER, default 127.0.0.1:50051)',
  },
  output: { type: 'string', value: 'text|json', help: 'output format (default text)' },
  json: { type: 'boolean', help: 'same as --output json' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
};

const DATA_TYPE: OptionSpec = { type: 'string', value: 'T', help: 'data type, e.g. wine' };
const NAME: OptionSpec = { type: 'string', value: 'N', help: 'model name' };

export const COMMANDS = {
  deploy: {
    summary: 'publish a model on the model stream and wait until its owners serve it',
    usage:
      'deploy --name N --data-type T --type pmml|pfa|tensorflow|tensorflow_saved (--file F | --location L) [options]',
    options: {
      name: NAME,
      'data-type': DATA_TYPE,
      type: { type: 'string', value: 'pmml|pfa|tensorflow|tensorflow_saved', help: 'model format' },
      file: { type: 'string', value: 'F', help: 'send this file inline' },
      location: {
        type: 'string',
        value: 'L',
        help: 'let executors fetch the model: file path, blob:<sha256> or http(s) URL',
      },
      description: { type: 'string', value: 'D', help: 'description' },
      meta: {
        type: 'string',
        multiple: true,
        value: 'k=v',
        help: 'factory setting, repeatable (e.g. postprocess=argmax)',
      },
      'no-wait': { type: 'boolean', help: 'return once the deploy is on the stream' },
      'wait-timeout-ms': {
        type: 'string',
        value: 'N',
        help: 'how long the router waits for the owners (default 30000)',
      },
    },
    examples: [
      'deploy --name wine-tree --data-type wine --type pmml --file winequalityDecisionTreeClassification.pmml',
    ],
  },
  undeploy: {
    summary: 'remove a model',
    usage: 'undeploy --data-type T --name N',
    options: { 'data-type': DATA_TYPE, name: NAME },
  },
  list: {
    summary: 'models per data type, with policies',
    usage: 'list [--data-type T]',
    options: { 'data-type': DATA_TYPE },
  },
  status: {
    summary: "a model's state and stats from each executor that owns it",
    usage: 'status --data-type T --name N',
    options: { 'data-type': DATA_TYPE, name: NAME },
  },
  predict: {
    summary: 'score one record',
    usage:
      'predict --data-type T [--model N] (--json \'{"field": 1.5, ...}\' | --csv-row ROW [--columns a,b,...])',
    options: {
      'data-type': DATA_TYPE,
      model: { type: 'string', value: 'N', help: 'score with this model only (no speculation)' },
      json: {
        type: 'string',
        value: 'OBJECT',
        help: 'the record as a JSON object (here --json takes the record; use --output json for JSON output)',
      },
      'csv-row': { type: 'string', value: 'ROW', help: "the record as one CSV row (';' or ',' separated)" },
      columns: {
        type: 'string',
        value: 'a,b,...',
        help: 'feature names of --csv-row in order (default for data type wine: the wine columns)',
      },
      guid: { type: 'string', value: 'ID', help: 'request id (the router assigns one when omitted)' },
      'timeout-ms': { type: 'string', value: 'N', help: 'deadline of the request' },
    },
    examples: [
      `predict --data-type wine --json '{"fixed acidity": 7.4, "volatile acidity": 0.7, "alcohol": 9.4}'`,
      "predict --data-type wine --csv-row '7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4'",
    ],
  },
  suspend: { summary: 'stop accepting deployments', usage: 'suspend', options: {} },
  resume: { summary: 'accept deployments again', usage: 'resume', options: {} },
  policy: {
    summary: "set a data type's speculative policy",
    usage: 'policy --data-type T --decider first|majority --timeout-ms N [--always-speculative]',
    options: {
      'data-type': DATA_TYPE,
      decider: { type: 'string', value: 'first|majority', help: 'how the collector picks the answer' },
      'timeout-ms': { type: 'string', value: 'N', help: 'deadline of a speculative request' },
      'always-speculative': { type: 'boolean', help: 'use the speculative path even with one model' },
    },
  },
  'spec-stats': {
    summary: 'speculative execution stats per data type',
    usage: 'spec-stats [--data-type T]',
    options: { 'data-type': DATA_TYPE },
  },
  dev: {
    summary: 'run router, two executors and the collector locally and stream the wine data through them',
    usage: 'dev [--base-port P] [--records N | --loop] [--rate R] [--sample N] [--keep-running]',
    options: {
      'base-port': {
        type: 'string',
        value: 'P',
        help: 'router on P, executors on P+1 and P+2, collector on P+3 (default: free ports)',
      },
      records: { type: 'string', value: 'N', help: 'how many records to send (default: every wine once)' },
      loop: { type: 'boolean', help: 'keep sending the wines until Ctrl-C' },
      rate: {
        type: 'string',
        value: 'R',
        help: 'records per second (default: as fast as the stream takes them)',
      },
      sample: { type: 'string', value: 'N', help: 'results to print (default 10)' },
      'keep-running': { type: 'boolean', help: 'leave the services running after the demo, until Ctrl-C' },
    },
  },
  score: {
    summary: 'batch-score a CSV file with a model file, locally (no router)',
    usage:
      'score --model M --input IN.csv --output OUT.csv [--type pmml] [--delimiter D] [--columns a,b,...] [--on-error fail|skip|na]',
    options: {
      model: { type: 'string', value: 'M', help: 'model file (e.g. a .pmml document)' },
      input: {
        type: 'string',
        value: 'IN',
        help: 'input CSV; first line is the header unless --columns is given',
      },
      // Here --output is the result file; the output format switch is --json.
      output: {
        type: 'string',
        value: 'OUT',
        help: 'result CSV (- for stdout): one row per input row, target and output fields, NA if missing',
      },
      type: {
        type: 'string',
        value: 'pmml',
        help: 'model format (default: from the file extension, else pmml)',
      },
      delimiter: {
        type: 'string',
        value: 'D',
        help: "field delimiter of input and output (default: ';' or ',' detected from the first line)",
      },
      columns: { type: 'string', value: 'a,b,...', help: "names of a headerless input's columns, in order" },
      meta: {
        type: 'string',
        multiple: true,
        value: 'k=v',
        help: "model metadata, repeatable, as in deploy (e.g. a TensorFlow model's inputs=a,b,...)",
      },
      'on-error': {
        type: 'string',
        value: 'fail|skip|na',
        help: 'a row that cannot be scored: stop with exit 1, drop it, or write NA (default na; reported on stderr)',
      },
    },
    examples: [
      'score --model tree.pmml --input wines.csv --output scored.csv',
      "score --model tree.pmml --input winequality_red.csv --output - --columns 'fixed acidity,volatile acidity,...'",
    ],
  },
  verify: {
    summary: 'check a PMML model against its own ModelVerification records',
    usage: 'verify --model M [--type pmml]',
    options: {
      model: { type: 'string', value: 'M', help: 'PMML document with a <ModelVerification> block' },
      type: { type: 'string', value: 'pmml', help: 'model format (only pmml carries verification blocks)' },
    },
    examples: ['verify --model model.pmml'],
  },
  help: { summary: 'show help for a command', usage: 'help [command]', options: {} },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(s: string): s is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, s);
}
