import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'vitest';

export async function expectStatus(
  p: Promise<unknown>,
  code: number,
  messagePart?: string | RegExp,
): Promise<ServiceError> {
  let err: ServiceError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as ServiceError;
  }
  expect(err, 'call should have failed').toBeDefined();
  expect({ code: err!.code, details: err!.details }).toMatchObject({ code });
  if (messagePart !== undefined) expect(err!.details).toMatch(messagePart);
  return err!;
}
