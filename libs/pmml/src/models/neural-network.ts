import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from '../context';
import { pmmlError } from '../errors';
import { compileDerivedField } from '../transformations/transformation-dictionary';
import { toNumber } from '../values';
import {
  children,
  enumAttr,
  numberAttr,
  requiredAttr,
  requiredChild,
  requiredNumberAttr,
} from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type ModelCompiler, type ModelResult } from './model';
import { simplemaxInPlace, softmaxInPlace } from './normalization';
import { typedCategory } from './regression-model';

const ACTIVATIONS = [
  'threshold',
  'logistic',
  'tanh',
  'identity',
  'exponential',
  'reciprocal',
  'square',
  'Gauss',
  'sine',
  'cosine',
  'Elliott',
  'arctan',
  'rectifier',
  'radialBasis',
] as const;
type Activation = (typeof ACTIVATIONS)[number];

function activationFn(a: Exclude<Activation, 'radialBasis'>, threshold: number): (z: number) => number {
  switch (a) {
    case 'threshold':
      return (z) => (z > threshold ? 1 : 0);
    case 'logistic':
      return (z) => 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh;
    case 'identity':
      return (z) => z;
    case 'exponential':
      return Math.exp;
    case 'reciprocal':
      return (z) => 1 / z;
    case 'square':
      return (z) => z * z;
    case 'Gauss':
      return (z) => Math.exp(-(z * z));
    case 'sine':
      return Math.sin;
    case 'cosine':
      return Math.cos;
    case 'Elliott':
      return (z) => z / (1 + Math.abs(z));
    case 'arctan':
      return (z) => (2 * Math.atan(z)) / Math.PI;
    case 'rectifier':
      return (z) => Math.max(0, z);
  }
}

interface Layer {
  /** Index in the activation vector of each neuron of the layer. */
  readonly out: Int32Array;
  readonly bias: Float64Array;
  /** Connections of neuron j are conFrom/conWeight[conStart[j] .. conStart[j+1]). */
  readonly conStart: Int32Array;
  readonly conFrom: Int32Array;
  readonly conWeight: Float64Array;
  readonly activation: (z: number) => number;
  readonly radial: { readonly width: Float64Array; readonly altitude: Float64Array } | undefined;
  readonly normalization: 'none' | 'simplemax' | 'softmax';
}

/** Inverts a NormContinuous: maps a normalized network output back to the original scale. */
function denormalize(el: XmlElement): (y: number) => number {
  const pts = children(el, 'LinearNorm').map((n) => ({
    orig: requiredNumberAttr(n, 'orig'),
    norm: requiredNumberAttr(n, 'norm'),
  }));
  if (pts.length < 2) throw pmmlError(el, 'needs at least two LinearNorm elements');
  pts.sort((a, b) => a.norm - b.norm);
  return (y) => {
    let i = 1;
    while (i < pts.length - 1 && y > pts[i]!.norm) i++;
    const a = pts[i - 1]!;
    const b = pts[i]!;
    return a.orig + ((y - a.norm) * (b.orig - a.orig)) / (b.norm - a.norm);
  };
}

/**
 * NeuralNetwork: inputs are DerivedFields (usually FieldRef or NormContinuous), layers are compiled into
 * flat typed arrays of connections, and one Float64Array holds every neuron's activation, so a forward
 * pass allocates nothing. Outputs map neurons to class probabilities (NormDiscrete) or to the predicted
 * value (FieldRef, or an inverted NormContinuous).
 */
export const compileNeuralNetwork: ModelCompiler = ({ element: el, functionName, target, scope, env }) => {
  if (functionName !== 'classification' && functionName !== 'regression') {
    throw pmmlError(el, `functionName '${functionName}' is not supported by NeuralNetwork`);
  }
  const netActivation = enumAttr(el, 'activationFunction', ACTIVATIONS);
  if (!netActivation) throw pmmlError(el, "missing required attribute 'activationFunction'");
  const netNormalization = enumAttr(
    el,
    'normalizationMethod',
    ['none', 'simplemax', 'softmax'] as const,
    'none',
  );
  const netThreshold = numberAttr(el, 'threshold', 0);
  const netWidth = numberAttr(el, 'width');
  const netAltitude = numberAttr(el, 'altitude', 1);

  const index = new Map<string, number>();
  const inputs: Getter[] = [];
  for (const ni of children(requiredChild(el, 'NeuralInputs'), 'NeuralInput')) {
    const id = requiredAttr(ni, 'id');
    if (index.has(id)) throw pmmlError(ni, `duplicate neuron id '${id}'`);
    const df = requiredChild(ni, 'DerivedField');
    index.set(id, inputs.length);
    inputs.push(compileDerivedField(df, scope, env, df.attrs['name'] ?? `NeuralInput(${id})`).get);
  }
  let size = inputs.length;

  const layers: Layer[] = children(el, 'NeuralLayer').map((layerEl) => {
    const activation = enumAttr(layerEl, 'activationFunction', ACTIVATIONS) ?? netActivation;
    const threshold = numberAttr(layerEl, 'threshold', netThreshold);
    const layerWidth = numberAttr(layerEl, 'width') ?? netWidth;
    const layerAltitude = numberAttr(layerEl, 'altitude', netAltitude);
    const normalization =
      enumAttr(layerEl, 'normalizationMethod', ['none', 'simplemax', 'softmax'] as const) ?? netNormalization;
    const neurons = children(layerEl, 'Neuron');
    const out = new Int32Array(neurons.length);
    const bias = new Float64Array(neurons.length);
    const conStart = new Int32Array(neurons.length + 1);
    const from: number[] = [];
    const weight: number[] = [];
    const width = new Float64Array(neurons.length);
    const altitude = new Float64Array(neurons.length);
    // Connections refer to neurons of earlier layers only, so register ids after reading the layer.
    const ids: string[] = [];
    neurons.forEach((n, j) => {
      const id = requiredAttr(n, 'id');
      if (index.has(id) || ids.includes(id)) throw pmmlError(n, `duplicate neuron id '${id}'`);
      ids.push(id);
      out[j] = size + j;
      bias[j] = numberAttr(n, 'bias', 0);
      conStart[j] = from.length;
      for (const c of children(n, 'Con')) {
        const src = index.get(requiredAttr(c, 'from'));
        if (src === undefined) throw pmmlError(c, `connection from unknown neuron '${c.attrs['from']}'`);
        from.push(src);
        weight.push(requiredNumberAttr(c, 'weight'));
      }
      if (activation === 'radialBasis') {
        const w = numberAttr(n, 'width') ?? layerWidth;
        if (w === undefined)
          throw pmmlError(
            n,
            "radialBasis activation needs a 'width' (on the Neuron, NeuralLayer or NeuralNetwork)",
          );
        width[j] = w;
        altitude[j] = numberAttr(n, 'altitude', layerAltitude);
      }
    });
    conStart[neurons.length] = from.length;
    ids.forEach((id, j) => index.set(id, size + j));
    size += neurons.length;
    return {
      out,
      bias,
      conStart,
      conFrom: Int32Array.from(from),
      conWeight: Float64Array.from(weight),
      activation: activation === 'radialBasis' ? (z: number) => z : activationFn(activation, threshold),
      radial: activation === 'radialBasis' ? { width, altitude } : undefined,
      normalization,
    };
  });
  if (layers.length === 0) throw pmmlError(el, 'has no NeuralLayer');

  const act = new Float64Array(size);
  const nIn = inputs.length;
  const forward = (ctx: Parameters<Getter>[0]): boolean => {
    for (let i = 0; i < nIn; i++) {
      const x = toNumber(inputs[i]!(ctx));
      if (x === null) return false;
      act[i] = x;
    }
    for (const L of layers) {
      const { out, bias, conStart, conFrom, conWeight, activation, radial } = L;
      const m = out.length;
      for (let j = 0; j < m; j++) {
        const s0 = conStart[j]!;
        const s1 = conStart[j + 1]!;
        let v: number;
        if (radial) {
          let z = 0;
          for (let c = s0; c < s1; c++) {
            const d = act[conFrom[c]!]! - conWeight[c]!;
            z += d * d;
          }
          const w = radial.width[j]!;
          z /= 2 * w * w;
          v = Math.exp((s1 - s0) * Math.log(radial.altitude[j]!) - z);
        } else {
          let z = bias[j]!;
          for (let c = s0; c < s1; c++) z += conWeight[c]! * act[conFrom[c]!]!;
          v = activation(z);
        }
        act[out[j]!] = v;
      }
      if (L.normalization !== 'none') {
        const first = out[0]!;
        const view = act.subarray(first, first + m);
        if (L.normalization === 'softmax') softmaxInPlace(view);
        else simplemaxInPlace(view);
      }
    }
    return true;
  };

  const outputs = children(requiredChild(el, 'NeuralOutputs'), 'NeuralOutput').map((o) => {
    const neuron = index.get(requiredAttr(o, 'outputNeuron'));
    if (neuron === undefined) throw pmmlError(o, `unknown outputNeuron '${o.attrs['outputNeuron']}'`);
    const df = requiredChild(o, 'DerivedField');
    const expr = df.children.find((c) => c.name !== 'Extension');
    if (!expr) throw pmmlError(df, 'missing the output expression');
    return { neuron, expr };
  });
  if (outputs.length === 0) throw pmmlError(el, 'has no NeuralOutput');

  if (functionName === 'classification') {
    const categories: FeatureValue[] = [];
    const neurons: number[] = [];
    for (const { neuron, expr } of outputs) {
      if (expr.name !== 'NormDiscrete')
        throw pmmlError(expr, 'classification outputs must be NormDiscrete over the target field');
      categories.push(typedCategory(target, requiredAttr(expr, 'value'), expr));
      neurons.push(neuron);
    }
    const probs = new Float64Array(categories.length);
    return {
      categories,
      evaluate: (ctx): ModelResult => {
        if (!forward(ctx)) return { value: null };
        for (let i = 0; i < neurons.length; i++) probs[i] = act[neurons[i]!]!;
        const best = argmax(probs);
        return { value: best < 0 ? null : categories[best]!, probabilities: probs };
      },
    };
  }

  const { neuron, expr } = outputs[0]!;
  let map: (y: number) => number;
  if (expr.name === 'FieldRef') map = (y) => y;
  else if (expr.name === 'NormContinuous') map = denormalize(expr);
  else
    throw pmmlError(
      expr,
      `regression output <${expr.name}> is not supported (expected FieldRef or NormContinuous)`,
    );
  return {
    evaluate: (ctx): ModelResult => {
      if (!forward(ctx)) return { value: null };
      const y = map(act[neuron]!);
      return { value: y !== y ? null : y };
    },
  };
};
