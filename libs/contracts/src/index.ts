// Generated protobuf contracts (ts-proto, see proto/ and tools/scripts/proto-gen.mjs). Everything under
// ./gen is generated: edit proto/ and run `npm run proto:gen`, never the generated files.
export * from './gen/modelserving/v1/model';
export * from './gen/modelserving/v1/data';
export * from './gen/modelserving/v1/internal';
export * from './gen/modelserving/v1/serving_service';
export * as inference from './gen/inference/open_inference_grpc';
export { protoDir, protoPath, PROTO_FILES } from './proto-files';
