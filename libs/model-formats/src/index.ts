export {
  defaultModelFactories,
  defaultModelFormats,
  findModelFormat,
  formatForExtension,
  type ModelFormat,
} from './model-formats';
