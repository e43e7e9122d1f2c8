import { readFileSync } from 'node:fs';
import { WINE_FIELDS } from '@modelserving/model-core';
import { sharedPath } from './shared-data';

export { WINE_FIELDS };

export interface WineRow {
  readonly features: Record<string, number>;
  readonly quality: number;
}

/** Reads ../shared/fixtures/wine/winequality_red.csv (`;`-separated, no header). */
export function readWineCsv(path = sharedPath('fixtures', 'wine', 'winequality_red.csv')): WineRow[] {
  const rows: WineRow[] = [];
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cells = line.split(';').map(Number);
    const features: Record<string, number> = {};
    WINE_FIELDS.forEach((f, i) => (features[f] = cells[i]!));
    rows.push({ features, quality: cells[11]! });
  }
  return rows;
}
