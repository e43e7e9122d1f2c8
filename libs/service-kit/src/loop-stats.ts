import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Logger } from './logger';

/**
 * Debugging aid for tail latency, off unless `MODELSERVING_LOOP_STATS=<seconds>` is set: every period it
 * logs one event with the event-loop delay distribution (ms) and the time spent in GC
 * (ms, by kind) during the period. Off by default because its own timer would wake the process.
 */
export function startLoopStats(log: Logger, env: NodeJS.ProcessEnv = process.env): () => void {
  const seconds = Number(env['MODELSERVING_LOOP_STATS'] ?? '');
  if (!(seconds > 0)) return () => undefined;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  // GC time by kind (1 scavenge, 2 mark-compact, 4 incremental, 8 weak callbacks) and the longest pause.
  const gc = { count: 0, total: 0, max: 0, scavenges: 0, major: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.total += e.duration;
      if (e.duration > gc.max) gc.max = e.duration;
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) gc.scavenges++;
      else gc.major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const next = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(next, elu);
    elu = next;
    log.info('loop stats', {
      loopDelay: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), n: h.count },
      gc: { ...gc, total: Math.round(gc.total * 100) / 100, max: Math.round(gc.max * 100) / 100 },
      elu: Math.round(u.utilization * 1000) / 1000,
      heapMB: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
    });
    h.reset();
    gc.count = gc.total = gc.max = gc.scavenges = gc.major = 0;
  }, seconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    obs.disconnect();
    h.disable();
  };
}
