import { credentials, loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ModelExecutorServiceService } from '@modelserving/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { GrpcServer } from './grpc-server';

type ReflectionResponse = {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
};
type ReflectionCall = {
  write(req: { list_services?: string; file_containing_symbol?: string }): void;
  end(): void;
  on(ev: 'data', cb: (res: ReflectionResponse) => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
};

describe('server reflection', () => {
  let server: GrpcServer | undefined;
  afterAll(async () => server?.stop(100));

  it('lists the public services and serves their descriptors (what grpcurl uses)', async () => {
    server = await GrpcServer.start({
      address: '127.0.0.1:0',
      services: [
        {
          name: 'modelserving.v1.ModelExecutorService',
          definition: ModelExecutorServiceService,
          implementation: {
            score: (c: { end(): void }) => c.end(),
            getStatus: (_: unknown, cb: (e: null, r: object) => void) => cb(null, {}),
          },
        },
      ],
      reflectionProtos: ['modelserving/v1/serving_service.proto', 'inference/open_inference_grpc.proto'],
    });
    const protoFile = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = loadPackageDefinition(loadSync(protoFile, { keepCase: true })) as GrpcObject;
    const v1 = ((pkg['grpc'] as GrpcObject)['reflection'] as GrpcObject)['v1'] as GrpcObject;
    const Client = v1['ServerReflection'] as unknown as new (
      a: string,
      c: ReturnType<typeof credentials.createInsecure>,
    ) => {
      serverReflectionInfo(): ReflectionCall;
      close(): void;
    };
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const ask = (req: { list_services?: string; file_containing_symbol?: string }) =>
      new Promise<ReflectionResponse>((resolve, reject) => {
        const call = client.serverReflectionInfo();
        call.on('data', (res) => {
          resolve(res);
          call.end();
        });
        call.on('error', reject);
        call.write(req);
      });
    const listed = await ask({ list_services: '' });
    const names = listed.list_services_response!.service.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['modelserving.v1.ModelServingService', 'inference.GRPCInferenceService']),
    );
    const file = await ask({ file_containing_symbol: 'inference.GRPCInferenceService' });
    expect(file.file_descriptor_response!.file_descriptor_proto.length).toBeGreaterThan(0);
    expect(Buffer.concat(file.file_descriptor_response!.file_descriptor_proto).toString('latin1')).toContain(
      'ModelInfer',
    );
    client.close();
  });
});
