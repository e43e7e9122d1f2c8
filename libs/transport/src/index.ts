export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
export { toGrpcStatus, toServiceError, fromGrpcError, unary } from './grpc-errors';
export { defaultChannelOptions, DEFAULT_MAX_MESSAGE_BYTES } from './channel-options';
export { GrpcServer, type GrpcServerOptions, type ServiceRegistration } from './grpc-server';
export {
  valueToProto,
  valueFromProto,
  featuresFromProto,
  featuresToProto,
  tensorFromProto,
  tensorToProto,
  recordToData,
  dataToRecord,
  resultToProto,
  resultFromProto,
  descriptorFromProto,
  descriptorToProto,
  modelStatusToProto,
} from './codec';
export { rendezvousOwners } from './rendezvous';
export { checkHealth, createHealthClient, waitForServing, type HealthClient } from './health-client';
