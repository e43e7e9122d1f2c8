import { readFileSync } from 'node:fs';
import { sharedPath } from './shared-data';

/** Column names of the seed's wine-quality CSV (11 features, then quality). */
export const WINE_FIELDS = [
  'fixed acidity',
  'volatile acidity',
  'citric acid',
  'residual sugar',
  'chlorides',
  'free sulfur dioxide',
  'total sulfur dioxide',
  'density',
  'pH',
  'sulphates',
  'alcohol',
] as const;

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
