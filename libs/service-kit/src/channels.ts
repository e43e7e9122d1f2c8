import { credentials, ServerCredentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { DEFAULT_MAX_MESSAGE_BYTES, defaultChannelOptions } from '@modelserving/transport';

/**
 * The one place a service gets its gRPC credentials and channel options, so TLS and mutual TLS (issue 10)
 * change every hop at once. Insecure for now.
 */
export function clientCredentials(): ChannelCredentials {
  return credentials.createInsecure();
}

export function serverCredentials(): ServerCredentials {
  return ServerCredentials.createInsecure();
}

/** Channel options of every internal client (keepalive, reconnect 100 ms → 2 s, message limit). */
export function channelOptions(maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): ChannelOptions {
  return defaultChannelOptions(maxMessageBytes);
}
