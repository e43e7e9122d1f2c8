import { Writable } from 'node:stream';
import { InMemoryTelemetry, tracer } from '@modelserving/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryLogger } from './in-memory-logger';
import { createLogger, type LogLevel } from './logger';

function capture(level: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger({ service: 'router', instance: 'r-1', level, destination });
  return { log, lines };
}

describe('createLogger', () => {
  let telemetry: InMemoryTelemetry | undefined;
  afterEach(async () => {
    await telemetry?.uninstall();
    telemetry = undefined;
  });

  it('writes one JSON line per event with the common fields and the event fields', () => {
    const { log, lines } = capture();
    log.info('executor stream open', { executor: 'e1', inFlight: 3 });
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 'info',
      service: 'router',
      instance: 'r-1',
      msg: 'executor stream open',
      executor: 'e1',
      inFlight: 3,
    });
    expect(new Date(line!['time'] as string).toISOString()).toBe(line!['time']);
    expect(line).not.toHaveProperty('trace_id');
  });

  it('adds trace_id and span_id while a span is active', () => {
    telemetry = InMemoryTelemetry.install();
    const { log, lines } = capture();
    tracer().startActiveSpan('work', (span) => {
      log.warn('inside');
      span.end();
      expect(lines[0]).toMatchObject({
        msg: 'inside',
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
      });
    });
    expect(lines).toHaveLength(1);
  });

  it('logs errors by their message only and honours the level', () => {
    const { log, lines } = capture('warn');
    log.info('dropped');
    log.error('failed', { error: new Error('boom') });
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'failed', error: 'boom' })]);
    expect(log.isLevelEnabled('info')).toBe(false);
  });

  it('children carry their bindings', () => {
    const { log, lines } = capture();
    log.child({ executor: 'e2' }).info('hello', { n: 1 });
    expect(lines[0]).toMatchObject({ service: 'router', executor: 'e2', n: 1, msg: 'hello' });
  });

  it('silent writes nothing', () => {
    const { log, lines } = capture('silent');
    log.error('nothing');
    expect(lines).toHaveLength(0);
  });
});

describe('InMemoryLogger', () => {
  it('records events with child bindings, filtered by level', () => {
    const log = new InMemoryLogger('info');
    log.debug('hidden');
    log.child({ a: 1 }).warn('shown', { b: 2 });
    expect(log.entries).toEqual([{ level: 'warn', msg: 'shown', fields: { a: 1, b: 2 } }]);
    expect(log.messages('warn')).toEqual(['shown']);
  });
});
