import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '@modelserving/csv';
import { sharedPath } from './shared-data';

/**
 * The seed's example data: red wines of the UCI Wine Quality data, 11 physico-chemical features in the
 * order of the CSV and of the seed's TensorFlow models' input vector (then the rated quality). Test data,
 * so it lives here (and in the CLI's demo), never in model-core or a model format.
 */
export const WINE_FIELDS = Object.freeze([
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
] as const);

/** The CSV's columns: the features, then `quality`. */
export const WINE_COLUMNS = Object.freeze([...WINE_FIELDS, 'quality'] as const);

/**
 * Descriptor metadata that names the wine TensorFlow models' 11 inputs (the models' graphs carry no
 * field names, and the library never guesses them from the input width).
 */
export const WINE_TENSORFLOW_METADATA: Readonly<Record<string, string>> = Object.freeze({
  inputs: WINE_FIELDS.join(','),
});

export interface WineRow {
  readonly features: Record<string, number>;
  readonly quality: number;
}

/** Reads ../shared/fixtures/wine/winequality_red.csv (`;`-separated, no header). */
export function readWineCsv(path = sharedPath('fixtures', 'wine', 'winequality_red.csv')): WineRow[] {
  const rows: WineRow[] = [];
  for (const { cells: text } of parseCsvRecords(readFileSync(path, 'utf8'), { delimiter: ';' })) {
    const cells = text.map(Number);
    const features: Record<string, number> = {};
    WINE_FIELDS.forEach((f, i) => (features[f] = cells[i]!));
    rows.push({ features, quality: cells[WINE_FIELDS.length]! });
  }
  return rows;
}
