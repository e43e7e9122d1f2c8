import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSettingsTable } from './settings-table';

// `npm run docs:settings`: rewrites the README's configuration table from the services' settings.
const readme = join(__dirname, '..', '..', '..', 'README.md');
writeFileSync(readme, withSettingsTable(readFileSync(readme, 'utf8')));
process.stdout.write(`updated the settings table in ${readme}\n`);
