import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { ensure, loadConfig, resolveConfig } from './load-config';
import {
  boolean,
  checkGrpcTarget,
  duration,
  grpcTarget,
  integer,
  list,
  oneOf,
  port,
  size,
  string,
} from './setting';
import { settingsMarkdown, settingsRows } from './settings-table';

const SETTINGS = {
  port: port({ env: 'X_PORT', doc: 'port', default: 1000 }),
  wait: duration({ env: 'X_WAIT_MS', doc: 'wait', default: 5_000, maxMs: 60_000 }),
  limit: size({ env: 'X_LIMIT', doc: 'limit', default: 1024 }),
  mode: oneOf({ env: 'X_MODE', doc: 'mode', default: 'a', values: ['a', 'b'] as const }),
  on: boolean({ env: 'X_ON', doc: 'on', default: true }),
  name: string({ env: 'X_NAME', doc: 'name', maxLength: 8 }),
  target: grpcTarget({ env: 'X_TARGET', doc: 'target' }),
  n: integer({ env: 'X_N', doc: 'n', default: 2, min: 1, max: 9 }),
  peers: list({ env: 'X_PEERS', doc: 'peers', default: [], each: checkGrpcTarget }),
} as const;

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('settings', () => {
  it('defaults, optional settings undefined', () => {
    const c = loadConfig(SETTINGS, {});
    expect(c).toEqual({
      port: 1000,
      wait: 5_000,
      limit: 1024,
      mode: 'a',
      on: true,
      name: undefined,
      target: undefined,
      n: 2,
      peers: [],
    });
  });

  it('parses units, case and lists from the environment; blank counts as unset', () => {
    const c = loadConfig(SETTINGS, {
      X_PORT: ' 0 ',
      X_WAIT_MS: '1.5s',
      X_LIMIT: '64MiB',
      X_MODE: 'B',
      X_ON: 'off',
      X_NAME: 'abc',
      X_TARGET: 'dns:///svc.ns:50051',
      X_N: '',
      X_PEERS: 'a:1, [::1]:2,,ipv4:10.0.0.1:3',
    });
    expect(c).toMatchObject({
      port: 0,
      wait: 1_500,
      limit: 64 * 1024 * 1024,
      mode: 'b',
      on: false,
      name: 'abc',
      target: 'dns:///svc.ns:50051',
      n: 2,
      peers: ['a:1', '[::1]:2', 'ipv4:10.0.0.1:3'],
    });
  });

  it.each([
    [{ X_PORT: '65536' }, 'X_PORT', /must be an integer from 0 to 65535/],
    [{ X_PORT: '5e3' }, 'X_PORT', /must be a port number/],
    [{ X_WAIT_MS: '2m' }, 'X_WAIT_MS', /from 0 to 60000/],
    [{ X_WAIT_MS: 'soon' }, 'X_WAIT_MS', /must be a duration/],
    [{ X_LIMIT: '1 TB' }, 'X_LIMIT', /must be a size/],
    [{ X_MODE: 'c' }, 'X_MODE', /must be one of a, b, got 'c'/],
    [{ X_ON: 'maybe' }, 'X_ON', /must be true or false/],
    [{ X_NAME: 'much-too-long' }, 'X_NAME', /at most 8 characters/],
    [{ X_TARGET: 'no-port' }, 'X_TARGET', /host:port/],
    [{ X_TARGET: 'h:0' }, 'X_TARGET', /host:port/],
    [{ X_PEERS: 'a:1,b' }, 'X_PEERS', /host:port/],
    [{ X_N: '10' }, 'X_N', /from 1 to 9/],
  ])('%o is refused, naming the variable', (env, variable, message) => {
    const err = errorOf(() => loadConfig(SETTINGS, env));
    expect(err.setting).toBe(variable);
    expect(err.message.startsWith(`${variable} `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.code).toBe(3); // INVALID_ARGUMENT
  });

  it('checks in-process options with the same checks, naming the option', () => {
    const err = errorOf(() => resolveConfig(SETTINGS, { n: 0 }));
    expect(err.message).toMatch(/^n must be an integer from 1 to 9/);
    expect(() => resolveConfig(SETTINGS, { target: 'x' })).toThrow(/^target /);
  });

  it('quotes at most 64 characters of a bad value, without control characters', () => {
    const err = errorOf(() => loadConfig(SETTINGS, { X_MODE: `\u001b[31m${'x'.repeat(500)}` }));
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).not.toContain('\u001b');
  });

  it('accepts the gRPC targets grpc-js dials', () => {
    for (const t of [
      'h:1',
      '10.0.0.1:50051',
      '[::1]:50051',
      'dns:///h:1',
      'dns://8.8.8.8/h:1',
      'dns:///h',
      'unix:/tmp/s.sock',
      'ipv4:1.2.3.4:5,1.2.3.5:5',
    ])
      expect(checkGrpcTarget('T', t)).toBe(t);
    for (const t of ['h', 'h:', ':1', 'h:99999', 'dns:///', 'http://h:1', 'h:1 x'])
      expect(() => checkGrpcTarget('T', t)).toThrow(ConfigError);
  });

  it('ensure throws a ConfigError for cross-setting checks', () => {
    expect(() => ensure(false, 'A', 'needs B')).toThrow(/^A needs B$/);
    expect(() => ensure(true, 'A', 'needs B')).not.toThrow();
  });

  it('tables one row per variable with every service that reads it', () => {
    const rows = settingsRows([
      { service: 'one', settings: SETTINGS },
      {
        service: 'two',
        settings: { port: SETTINGS.port, other: integer({ env: 'Y', doc: 'y', default: 1 }) },
      },
    ]);
    expect(rows.find((r) => r.env === 'X_PORT')).toEqual({
      env: 'X_PORT',
      usedBy: ['one', 'two'],
      defaultText: '1000',
      doc: 'port',
    });
    expect(rows.find((r) => r.env === 'X_WAIT_MS')?.defaultText).toBe('5s');
    expect(rows.find((r) => r.env === 'X_LIMIT')?.defaultText).toBe('1KiB');
    expect(rows.find((r) => r.env === 'X_NAME')?.defaultText).toBe('—');
    expect(settingsMarkdown(rows)).toContain('| `Y` | two | 1 | y |');
  });
});
