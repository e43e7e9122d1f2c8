import { ModelDescriptor_ModelType } from '@modelserving/contracts';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args';
import { UsageError, formatError } from './errors';

const env = {};
const parse = (argv: string[], e: NodeJS.ProcessEnv = env) => parseCommandLine(argv, e);

function usageError(argv: string[], e: NodeJS.ProcessEnv = env): string {
  try {
    parse(argv, e);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return formatError(err);
  }
  throw new Error(`expected ${argv.join(' ')} to fail`);
}

describe('parseCommandLine: globals', () => {
  it('defaults the router to 127.0.0.1:50051, then MODELSERVING_ROUTER, then --router', () => {
    expect(parse(['list']).config.router).toBe('127.0.0.1:50051');
    expect(parse(['list'], { MODELSERVING_ROUTER: 'router:7000' }).config.router).toBe('router:7000');
    expect(parse(['--router', 'a:1', 'list'], { MODELSERVING_ROUTER: 'router:7000' }).config.router).toBe(
      'a:1',
    );
    expect(parse(['list', '--router=b:2']).config.router).toBe('b:2');
  });

  it('rejects a router that is not host:port, naming where it came from', () => {
    expect(usageError(['list', '--router', 'nohost'])).toBe(
      "error: INVALID_ARGUMENT: --router must be host:port or a gRPC target such as dns:///host:port, got 'nohost'",
    );
    expect(usageError(['list'], { MODELSERVING_ROUTER: 'x:99999' })).toMatch(
      /MODELSERVING_ROUTER must be .*, got 'x:99999'/,
    );
    expect(parse(['list'], { MODELSERVING_ROUTER: 'dns:///router:7000' }).config.router).toBe(
      'dns:///router:7000',
    );
  });

  it('selects JSON output with --json, or --output json in predict where --json is the record', () => {
    expect(parse(['--json', 'list']).config.output).toBe('json');
    expect(parse(['list', '--output', 'json']).config.output).toBe('json');
    expect(parse(['list']).config.output).toBe('text');
    const p = parse(['predict', '--data-type', 'wine', '--json', '{"a":1}', '--output', 'json']);
    expect(p.config.output).toBe('json');
    expect(parse(['predict', '--data-type', 'wine', '--json', '{"a":1}']).config.output).toBe('text');
    expect(usageError(['list', '--output', 'xml'])).toMatch(/--output must be 'text' or 'json'/);
  });

  it('explains unknown commands and options and missing values', () => {
    expect(usageError([])).toMatch(/no command given/);
    expect(usageError(['frobnicate'])).toBe(
      "error: INVALID_ARGUMENT: unknown command 'frobnicate' (see 'modelserving --help')",
    );
    expect(usageError(['list', '--file', 'x'])).toMatch(/unknown option --file for 'list'/);
    expect(usageError(['status', '--name'])).toMatch(/option --name needs a value/);
    expect(usageError(['list', 'extra'])).toMatch(/unexpected argument 'extra' for 'list'/);
  });

  it('gives help for --help, help and help <command>', () => {
    expect(parse(['--help']).command).toEqual({ kind: 'help' });
    expect(parse(['help', 'deploy']).command).toEqual({ kind: 'help', topic: 'deploy' });
    expect(parse(['deploy', '-h']).command).toEqual({ kind: 'help', topic: 'deploy' });
    expect(usageError(['help', 'nope'])).toMatch(/unknown command 'nope'/);
  });
});

describe('parseCommandLine: deploy', () => {
  const base = ['deploy', '--name', 'tree', '--data-type', 'wine', '--type', 'pmml'];

  it('builds a deploy that waits by default', () => {
    const { command } = parse([
      ...base,
      '--file',
      'm.pmml',
      '--meta',
      'postprocess=argmax',
      '--meta',
      'a=b=c',
      '--description',
      'a tree',
    ]);
    expect(command).toEqual({
      kind: 'deploy',
      name: 'tree',
      dataType: 'wine',
      modelType: ModelDescriptor_ModelType.PMML,
      file: 'm.pmml',
      description: 'a tree',
      metadata: { postprocess: 'argmax', a: 'b=c' },
      wait: true,
      waitTimeoutMs: 30_000,
    });
  });

  it('accepts every model type and --no-wait', () => {
    const types = { pmml: 2, pfa: 3, tensorflow: 0, tensorflow_saved: 1 } as const;
    for (const [t, n] of Object.entries(types)) {
      const { command } = parse([
        'deploy',
        '--name',
        'm',
        '--data-type',
        'd',
        '--type',
        t,
        '--location',
        'http://x/m',
        '--no-wait',
      ]);
      expect(command).toMatchObject({ kind: 'deploy', modelType: n, location: 'http://x/m', wait: false });
    }
  });

  it('rejects bad deploys with a clear message', () => {
    expect(usageError(['deploy', '--data-type', 'wine', '--type', 'pmml', '--file', 'f'])).toBe(
      "error: INVALID_ARGUMENT: 'deploy' needs --name",
    );
    expect(usageError([...base])).toMatch(/exactly one of --file or --location/);
    expect(usageError([...base, '--file', 'a', '--location', 'b'])).toMatch(
      /exactly one of --file or --location/,
    );
    expect(
      usageError(['deploy', '--name', 'm', '--data-type', 'd', '--type', 'onnx', '--file', 'f']),
    ).toMatch(/--type: unknown model type 'onnx'/);
    expect(
      usageError(['deploy', '--name', 'bad name', '--data-type', 'd', '--type', 'pmml', '--file', 'f']),
    ).toMatch(/model name 'bad name' is invalid/);
    expect(usageError([...base, '--file', 'f', '--meta', 'novalue'])).toMatch(
      /--meta must be key=value, got 'novalue'/,
    );
    expect(usageError([...base, '--file', 'f', '--wait-timeout-ms', '10s'])).toMatch(
      /--wait-timeout-ms must be an integer from 1 to 3600000, got '10s'/,
    );
  });
});

describe('parseCommandLine: other commands', () => {
  it('parses the administrative commands', () => {
    expect(parse(['undeploy', '--data-type', 'wine', '--name', 'tree']).command).toEqual({
      kind: 'undeploy',
      dataType: 'wine',
      name: 'tree',
    });
    expect(parse(['status', '--data-type', 'wine', '--name', 'tree']).command).toEqual({
      kind: 'status',
      dataType: 'wine',
      name: 'tree',
    });
    expect(parse(['list']).command).toEqual({ kind: 'list', dataType: '' });
    expect(parse(['list', '--data-type', 'wine']).command).toEqual({ kind: 'list', dataType: 'wine' });
    expect(parse(['spec-stats']).command).toEqual({ kind: 'spec-stats', dataType: '' });
    expect(parse(['suspend']).command).toEqual({ kind: 'suspend' });
    expect(parse(['resume']).command).toEqual({ kind: 'resume' });
    expect(
      parse([
        'policy',
        '--data-type',
        'wine',
        '--decider',
        'Majority',
        '--timeout-ms',
        '150',
        '--always-speculative',
      ]).command,
    ).toEqual({
      kind: 'policy',
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 150, alwaysSpeculative: true },
    });
  });

  it('validates policy and status arguments', () => {
    expect(usageError(['policy', '--data-type', 'wine', '--decider', 'best', '--timeout-ms', '5'])).toMatch(
      /--decider must be 'first' or 'majority', got 'best'/,
    );
    expect(usageError(['policy', '--data-type', 'wine', '--decider', 'first'])).toMatch(
      /'policy' needs --timeout-ms/,
    );
    expect(usageError(['policy', '--data-type', 'wine', '--decider', 'first', '--timeout-ms', '0'])).toMatch(
      /--timeout-ms must be an integer from 1/,
    );
    expect(usageError(['status', '--data-type', 'wine'])).toMatch(/'status' needs --name/);
  });

  it('parses dev options', () => {
    expect(parse(['dev']).command).toEqual({ kind: 'dev', loop: false, keepRunning: false, sample: 10 });
    expect(
      parse(['dev', '--loop', '--rate', '500', '--base-port', '40000', '--keep-running', '--sample', '0'])
        .command,
    ).toEqual({
      kind: 'dev',
      loop: true,
      rate: 500,
      basePort: 40_000,
      keepRunning: true,
      sample: 0,
    });
    expect(parse(['dev', '--records', '20']).command).toMatchObject({ records: 20 });
    expect(usageError(['dev', '--loop', '--records', '5'])).toMatch(/either --loop or --records/);
    expect(usageError(['dev', '--rate', 'fast'])).toMatch(/--rate must be an integer/);
    expect(usageError(['dev', '--base-port', '65534'])).toMatch(
      /--base-port must be an integer from 1 to 65532/,
    );
  });
});
