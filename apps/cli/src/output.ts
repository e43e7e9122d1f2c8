import {
  ModelStatus_State,
  type DeployModelResponse,
  type GetModelStatusResponse,
  type GetSpeculativeStatsResponse,
  type ListModelsResponse,
  type ModelStatus,
  type ModelToServeStats,
  type ServingResponse,
  type ServingResult,
  type SpeculativeExecutionStats,
  type Value,
} from '@modelserving/contracts';
import { codeName, modelTypeName } from '@modelserving/model-core';

// Text and JSON renderings of the router's answers. Text is for people (aligned, units), JSON for
// scripts (enums as names, bytes as base64).

export function stateName(state: ModelStatus_State): string {
  return ModelStatus_State[state] ?? `STATE_${state}`;
}

export function valueText(v: Value | undefined): string {
  if (!v) return '-';
  if (v.number !== undefined)
    return Number.isInteger(v.number) ? String(v.number) : v.number.toFixed(4).replace(/0+$/, '');
  if (v.string !== undefined) return v.string;
  if (v.boolean !== undefined) return String(v.boolean);
  return 'missing';
}

function valueJson(v: Value | undefined): number | string | boolean | null {
  if (!v) return null;
  return v.number ?? v.string ?? v.boolean ?? null;
}

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(3) : n.toFixed(1)} ms`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function statsJson(s: ModelToServeStats | undefined) {
  if (!s) return null;
  return {
    usage: s.usage,
    avgMs: s.usage > 0 ? s.duration / s.usage : 0,
    minMs: s.min,
    maxMs: s.max,
    totalMs: s.duration,
    since: s.since > 0 ? new Date(s.since).toISOString() : null,
  };
}

export function statusJson(s: ModelStatus) {
  return {
    modelKey: s.modelKey,
    executor: s.executor,
    state: stateName(s.state),
    loading: s.loading,
    error: s.error || null,
    modelType: modelTypeName(s.modelType),
    description: s.description,
    runtime: s.runtime,
    generation: s.generation,
    position: s.position,
    stats: statsJson(s.stats),
  };
}

export function statusLines(statuses: readonly ModelStatus[], withStats: boolean): string[] {
  if (statuses.length === 0) return ['  (no executor reported this model)'];
  const rows: string[][] = [];
  for (const s of statuses) {
    const row = [
      `  ${s.executor || '?'}`,
      stateName(s.state) + (s.loading ? ' (new version loading)' : ''),
      `gen ${s.generation}`,
    ];
    if (withStats) {
      const st = s.stats;
      row.push(
        st && st.usage > 0
          ? `usage ${st.usage}  avg ${ms(st.duration / st.usage)}  min ${ms(st.min)}  max ${ms(st.max)}  since ${new Date(st.since).toISOString()}`
          : `usage 0${st && st.since > 0 ? `  since ${new Date(st.since).toISOString()}` : ''}`,
      );
    }
    rows.push(row);
  }
  const lines = table(rows);
  for (const s of statuses) if (s.error) lines.push(`  ${s.executor || '?'}: ${s.error}`);
  return lines;
}

export function deployText(res: DeployModelResponse, waited: boolean): string {
  const head = `deployed ${res.modelKey} (stream position ${res.position})`;
  if (!waited) return head;
  return [head, ...statusLines(res.statuses, false)].join('\n');
}

export function deployJson(res: DeployModelResponse) {
  return { modelKey: res.modelKey, position: res.position, statuses: res.statuses.map(statusJson) };
}

export function listText(res: ListModelsResponse): string {
  const lines: string[] = [];
  if (res.deploymentsSuspended) lines.push('deployments are SUSPENDED');
  if (res.dataTypes.length === 0) lines.push('no models deployed');
  for (const dt of res.dataTypes) {
    const p = dt.policy;
    const policy =
      p && p.decider
        ? `  (decider ${p.decider}, timeout ${p.timeoutMs} ms${p.alwaysSpeculative ? ', always speculative' : ''})`
        : '';
    lines.push(`${dt.dataType}${policy}`);
    for (const m of dt.models) lines.push(`  ${m}`);
  }
  return lines.join('\n');
}

export function listJson(res: ListModelsResponse) {
  return {
    deploymentsSuspended: res.deploymentsSuspended,
    dataTypes: res.dataTypes.map((d) => ({
      dataType: d.dataType,
      models: d.models,
      policy: d.policy ?? null,
    })),
  };
}

export function statusText(res: GetModelStatusResponse): string {
  const first = res.statuses[0];
  const head = first
    ? `${first.modelKey}  ${modelTypeName(first.modelType)}${first.description ? `  ${first.description}` : ''}`
    : 'model';
  return [head, ...statusLines(res.statuses, true)].join('\n');
}

export function resultJson(r: ServingResult | undefined) {
  if (!r) return null;
  const outputs: Record<string, number | string | boolean | null> = {};
  for (const k of Object.keys(r.outputs)) outputs[k] = valueJson(r.outputs[k]);
  return {
    processed: r.processed,
    model: r.model,
    source: r.source,
    value: valueJson(r.value),
    outputs,
    ...(r.tensors.length > 0 ? { tensors: r.tensors } : {}),
    ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    ...(r.error ? { error: r.error, errorCode: codeName(r.errorCode) } : {}),
    durationMs: r.duration,
  };
}

export function predictJson(res: ServingResponse) {
  return {
    guid: res.guid,
    result: resultJson(res.result),
    ...(res.confidence !== undefined ? { confidence: res.confidence } : {}),
    qualifiers: res.qualifiers,
  };
}

export function predictText(res: ServingResponse): string {
  const r = res.result;
  if (!r) return `${res.guid}: no result`;
  const lines = [`guid     ${res.guid}`, `model    ${r.model || '-'}`, `value    ${valueText(r.value)}`];
  if (res.confidence !== undefined || r.confidence !== undefined)
    lines.push(`conf.    ${(res.confidence ?? r.confidence)!.toFixed(4)}`);
  lines.push(`source   ${r.source || '-'}`, `duration ${ms(r.duration)}`);
  const keys = Object.keys(r.outputs);
  if (keys.length > 0) {
    lines.push('outputs');
    lines.push(...table(keys.map((k) => [`  ${k}`, valueText(r.outputs[k])])));
  }
  for (const t of r.tensors) lines.push(`tensor   ${t.name} ${t.datatype} [${t.shape.join(', ')}]`);
  for (const q of res.qualifiers) lines.push(`${q.key}: ${q.value}`);
  return lines.join('\n');
}

export function specStatsJson(s: SpeculativeExecutionStats) {
  return {
    dataType: s.name,
    decider: s.decider,
    timeoutMs: s.tmout,
    since: s.since > 0 ? new Date(s.since).toISOString() : null,
    usage: s.usage,
    avgMs: s.usage > 0 ? s.duration / s.usage : 0,
    minMs: s.min,
    maxMs: s.max,
    timeouts: s.timeouts,
  };
}

export function specStatsText(res: GetSpeculativeStatsResponse): string {
  if (res.stats.length === 0) return 'no speculative requests yet';
  return table([
    ['data type', 'decider', 'timeout', 'usage', 'avg', 'min', 'max', 'timeouts', 'since'],
    ...res.stats.map((s) => [
      s.name,
      s.decider,
      `${s.tmout} ms`,
      String(s.usage),
      s.usage > 0 ? ms(s.duration / s.usage) : '-',
      s.usage > 0 ? ms(s.min) : '-',
      s.usage > 0 ? ms(s.max) : '-',
      String(s.timeouts),
      s.since > 0 ? new Date(s.since).toISOString() : '-',
    ]),
  ]).join('\n');
}

/** JSON for scripts: bytes as base64 so nothing is lost or unreadable. */
export function toJsonText(value: unknown): string {
  // Buffer.toJSON runs before a replacer sees the value, so look at the holder's original property.
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const orig = this[key];
      return orig instanceof Uint8Array
        ? Buffer.from(orig.buffer, orig.byteOffset, orig.byteLength).toString('base64')
        : v;
    },
    2,
  );
}
