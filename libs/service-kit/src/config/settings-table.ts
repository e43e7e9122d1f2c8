import type { Settings } from './setting';

export interface ServiceSettings {
  /** Name shown in the "used by" column. */
  readonly service: string;
  readonly settings: Settings;
}

export interface SettingsRow {
  readonly env: string;
  readonly usedBy: readonly string[];
  readonly defaultText: string;
  readonly doc: string;
}

/**
 * One row per environment variable across services (a variable several services read shows once, with
 * every service), in first-seen order. The README's configuration table is checked against this.
 */
export function settingsRows(services: readonly ServiceSettings[]): SettingsRow[] {
  const rows = new Map<string, { env: string; usedBy: string[]; defaultText: string; doc: string }>();
  for (const { service, settings } of services) {
    for (const s of Object.values(settings)) {
      const row = rows.get(s.env);
      if (row) {
        if (!row.usedBy.includes(service)) row.usedBy.push(service);
      } else {
        rows.set(s.env, { env: s.env, usedBy: [service], defaultText: s.defaultText, doc: s.doc });
      }
    }
  }
  return [...rows.values()];
}

/** The rows as a Markdown table. */
export function settingsMarkdown(rows: readonly SettingsRow[]): string {
  const lines = ['| variable | used by | default | meaning |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| \`${r.env}\` | ${r.usedBy.join(', ')} | ${r.defaultText} | ${r.doc} |`);
  return lines.join('\n');
}
