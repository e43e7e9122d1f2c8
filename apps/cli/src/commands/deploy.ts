import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ModelStatus_State, type ModelDescriptor } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import type { DeployCommand } from '../args';
import type { OutputFormat } from '../config';
import { EXIT } from '../errors';
import type { CliIo } from '../io';
import { deployJson, deployText, toJsonText } from '../output';
import type { RouterClient } from '../router-client';

/** A relative path means "relative to where I ran the CLI"; executors have other working directories. */
export function normalizeLocation(location: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) || isAbsolute(location)) return location;
  return resolve(cwd, location);
}

export async function descriptorFor(cmd: DeployCommand): Promise<ModelDescriptor> {
  const base = {
    name: cmd.name,
    description: cmd.description,
    dataType: cmd.dataType,
    modelType: cmd.modelType,
    metadata: { ...cmd.metadata },
  };
  if (cmd.file !== undefined) {
    let data: Buffer;
    try {
      data = await readFile(cmd.file);
    } catch (err) {
      const code =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? Code.NOT_FOUND : Code.FAILED_PRECONDITION;
      throw new ServingError(code, `cannot read model file ${cmd.file}: ${(err as Error).message}`);
    }
    if (data.length === 0) throw new ServingError(Code.INVALID_ARGUMENT, `model file ${cmd.file} is empty`);
    return { ...base, data };
  }
  return { ...base, location: normalizeLocation(cmd.location!) };
}

/** Publishes the model; with wait, prints each owner's status and fails when any owner reports FAILED. */
export async function runDeploy(
  cmd: DeployCommand,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const model = await descriptorFor(cmd);
  const res = await client.deploy({ model, wait: cmd.wait, waitTimeoutMs: cmd.wait ? cmd.waitTimeoutMs : 0 });
  io.out(output === 'json' ? toJsonText(deployJson(res)) : deployText(res, cmd.wait));
  const failed = res.statuses.filter((s) => s.state === ModelStatus_State.FAILED);
  if (failed.length === 0) return EXIT.ok;
  for (const s of failed)
    io.err(
      `error: FAILED_PRECONDITION: ${res.modelKey} failed on ${s.executor || 'an executor'}: ${s.error || 'no reason given'}`,
    );
  return EXIT.failed;
}
