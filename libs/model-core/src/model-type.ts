/**
 * Model formats, numbered as in FLIP-23's `ModelDescriptor.ModelType` (TENSORFLOW = 0, TENSORFLOWSAVED = 1,
 * PMML = 2) so descriptors written by the seed's tooling keep their meaning. The numbers match
 * `modelserving.v1.ModelDescriptor.ModelType` in proto/.
 */
export const ModelType = {
  TENSORFLOW: 0,
  TENSORFLOW_SAVED: 1,
  PMML: 2,
  PFA: 3,
} as const;
export type ModelType = (typeof ModelType)[keyof typeof ModelType];

const NAMES: Record<number, string> = {
  0: 'TENSORFLOW',
  1: 'TENSORFLOW_SAVED',
  2: 'PMML',
  3: 'PFA',
};

export function modelTypeName(type: number): string {
  return NAMES[type] ?? `UNKNOWN(${type})`;
}

export function parseModelType(name: string): ModelType {
  const upper = name.trim().toUpperCase().replace(/[-\s]/g, '_');
  for (const [num, n] of Object.entries(NAMES)) {
    if (n === upper) return Number(num) as ModelType;
  }
  if (upper === 'TENSORFLOWSAVED' || upper === 'SAVED_MODEL' || upper === 'SAVEDMODEL')
    return ModelType.TENSORFLOW_SAVED;
  throw new RangeError(`unknown model type '${name}' (expected one of ${Object.values(NAMES).join(', ')})`);
}
