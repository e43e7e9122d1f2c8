import type { ChannelOptions } from '@grpc/grpc-js';

/** Largest message accepted by default: room for a model sent inline on DeployModel. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Channel and server options shared by every hop. */
export function defaultChannelOptions(maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // Detect a dead peer on an idle long-lived stream within seconds, not at the next write.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    // Internal peers restart in seconds (rolling deploys, crashes): retry soon rather than after grpc's
    // default 1 s first backoff growing to 120 s.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2_000,
    // Channelz (grpc's introspection service) is not served here, yet grpc-js keeps its per-call counters,
    // closures and Date.now() calls on every call and message when it is enabled (the default): measurable
    // CPU and garbage on the unary path for nothing.
    'grpc.enable_channelz': 0,
  };
}
