/**
 * The seed's example data type: red wines of the UCI Wine Quality data, 11 physico-chemical features in
 * the order of the CSV and of the seed's TensorFlow models' input vector (then the rated quality). It
 * lives here because several formats, the CLI's data provider and the tests all need the same order.
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
