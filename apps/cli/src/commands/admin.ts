import type { DataTypePolicy } from '@modelserving/contracts';
import type { OutputFormat } from '../config';
import { EXIT } from '../errors';
import type { CliIo } from '../io';
import {
  listJson,
  listText,
  specStatsJson,
  specStatsText,
  statusJson,
  statusText,
  toJsonText,
} from '../output';
import type { RouterClient } from '../router-client';

// The small administrative commands: one router call each, printed as text or JSON.

export async function runUndeploy(
  dataType: string,
  name: string,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.undeploy(dataType, name);
  io.out(
    output === 'json' ? toJsonText(res) : `undeployed ${res.modelKey} (stream position ${res.position})`,
  );
  return EXIT.ok;
}

export async function runList(
  dataType: string,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.list(dataType);
  io.out(output === 'json' ? toJsonText(listJson(res)) : listText(res));
  return EXIT.ok;
}

export async function runStatus(
  dataType: string,
  name: string,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.status(dataType, name);
  io.out(output === 'json' ? toJsonText({ statuses: res.statuses.map(statusJson) }) : statusText(res));
  return EXIT.ok;
}

export async function runSuspend(
  suspend: boolean,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = suspend ? await client.suspend() : await client.resume();
  io.out(
    output === 'json' ? toJsonText(res) : res.suspended ? 'deployments suspended' : 'deployments accepted',
  );
  return EXIT.ok;
}

export async function runPolicy(
  policy: DataTypePolicy,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.setPolicy(policy);
  io.out(
    output === 'json'
      ? toJsonText({ policy, position: res.position })
      : `policy of ${policy.dataType}: decider ${policy.decider}, timeout ${policy.timeoutMs} ms${policy.alwaysSpeculative ? ', always speculative' : ''} (stream position ${res.position})`,
  );
  return EXIT.ok;
}

export async function runSpecStats(
  dataType: string,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.speculativeStats(dataType);
  io.out(output === 'json' ? toJsonText({ stats: res.stats.map(specStatsJson) }) : specStatsText(res));
  return EXIT.ok;
}
