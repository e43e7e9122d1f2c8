import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ModelExecutorServiceClient, ModelExecutorServiceService } from '@modelserving/contracts';
import { invalidArgument } from '@modelserving/model-core';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcServer } from './grpc-server';
import { unary } from './grpc-errors';
import { checkHealth } from './health-client';

describe('GrpcServer', () => {
  let server: GrpcServer | undefined;
  afterEach(async () => server?.stop(100));

  it('binds port 0, maps ServingErrors to statuses, and reports health', async () => {
    server = await GrpcServer.start({
      address: '127.0.0.1:0',
      services: [
        {
          name: 'modelserving.v1.ModelExecutorService',
          definition: ModelExecutorServiceService,
          implementation: {
            score: (call: { end(): void }) => call.end(),
            getStatus: unary(async () => {
              throw invalidArgument('no such thing');
            }),
          },
        },
      ],
    });
    expect(server.port).toBeGreaterThan(0);
    const client = new ModelExecutorServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const err = await new Promise<ServiceError>((resolve) =>
      client.getStatus({ modelKeys: [] }, (e) => resolve(e!)),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe('no such thing');
    client.close();

    const address = `127.0.0.1:${server.port}`;
    const check = () => checkHealth(address, 'modelserving.v1.ModelExecutorService');
    expect(await check()).toBe('SERVING');
    server.setServing(false);
    expect(await check()).toBe('NOT_SERVING');
  });
});
