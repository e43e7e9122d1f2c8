import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { settingsTable, withSettingsTable } from './settings-table';

const README = join(__dirname, '..', '..', '..', 'README.md');

describe('README configuration table', () => {
  it('lists every variable the services read, as the code defines it (npm run docs:settings fixes it)', async () => {
    const readme = readFileSync(README, 'utf8');
    const fresh = await format(withSettingsTable(readme), { parser: 'markdown', filepath: README });
    const current = await format(readme, { parser: 'markdown', filepath: README });
    expect(current).toBe(fresh);
  });

  it('includes the variables every service shares and the ones that differ', () => {
    const table = settingsTable();
    for (const v of [
      'ROUTER_PORT',
      'EXECUTOR_PORT',
      'COLLECTOR_PORT',
      'LOG_LEVEL',
      'INSTANCE_ID',
      'STORE_DIR',
    ])
      expect(table).toContain(`\`${v}\``);
    expect(table).toMatch(/\| `LOG_LEVEL` \| all \|/);
    expect(table).toMatch(/\| `STORE_ADDRESS` \| executor \|/);
  });
});
