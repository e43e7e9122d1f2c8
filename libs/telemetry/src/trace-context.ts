import { context, propagation, trace, type Context, type Span } from '@opentelemetry/api';

/** W3C trace context as carried inside batch messages (matches modelserving.v1.TraceContext). */
export interface TraceCarrier {
  traceparent: string;
  tracestate: string;
}

const setter = {
  set(carrier: TraceCarrier, key: string, value: string) {
    if (key === 'traceparent') carrier.traceparent = value;
    else if (key === 'tracestate') carrier.tracestate = value;
  },
};

const getter = {
  get(carrier: TraceCarrier, key: string): string | undefined {
    if (key === 'traceparent') return carrier.traceparent || undefined;
    if (key === 'tracestate') return carrier.tracestate || undefined;
    return undefined;
  },
  keys(): string[] {
    return ['traceparent', 'tracestate'];
  },
};

/**
 * The W3C context of `span` (or of the active context) for one request of a batch. Returns undefined when
 * tracing is off, so untraced traffic carries no bytes for it.
 */
export function injectTraceContext(span?: Span, ctx: Context = context.active()): TraceCarrier | undefined {
  const c = span ? trace.setSpan(ctx, span) : ctx;
  if (!trace.getSpanContext(c)) return undefined;
  const carrier: TraceCarrier = { traceparent: '', tracestate: '' };
  propagation.inject(c, carrier, setter);
  return carrier.traceparent ? carrier : undefined;
}

/** The context a span for this batch item should be parented on. */
export function extractTraceContext(
  carrier: TraceCarrier | undefined,
  ctx: Context = context.active(),
): Context {
  if (!carrier || !carrier.traceparent) return ctx;
  return propagation.extract(ctx, carrier, getter);
}
