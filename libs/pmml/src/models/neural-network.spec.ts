import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Inputs: a = x scaled from [0, 10] to [0, 1]; b = z as is. Hidden: two logistic neurons. */
const INPUTS = `
  <NeuralInputs>
    <NeuralInput id="a"><DerivedField optype="continuous" dataType="double"><NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous></DerivedField></NeuralInput>
    <NeuralInput id="b"><DerivedField optype="continuous" dataType="double"><FieldRef field="z"/></DerivedField></NeuralInput>
  </NeuralInputs>
  <NeuralLayer>
    <Neuron id="h1" bias="0.1"><Con from="a" weight="1"/><Con from="b" weight="-1"/></Neuron>
    <Neuron id="h2" bias="-0.2"><Con from="a" weight="0.5"/><Con from="b" weight="2"/></Neuron>
  </NeuralLayer>`;

const hidden = (x: number, z: number) => {
  const a = x / 10;
  return [sigmoid(0.1 + a - z), sigmoid(-0.2 + 0.5 * a + 2 * z)] as const;
};

describe('NeuralNetwork', () => {
  it('regression: forward pass with logistic hidden layer, identity output, NormContinuous output mapping', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + double('y'),
      `<NeuralNetwork functionName="regression" activationFunction="logistic">
         ${miningSchema('y', ['x', 'z'])}${INPUTS}
         <NeuralLayer activationFunction="identity"><Neuron id="o" bias="0.3"><Con from="h1" weight="2"/><Con from="h2" weight="-1"/></Neuron></NeuralLayer>
         <NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField optype="continuous" dataType="double">
           <NormContinuous field="y"><LinearNorm orig="100" norm="0"/><LinearNorm orig="200" norm="1"/></NormContinuous>
         </DerivedField></NeuralOutput></NeuralOutputs>
       </NeuralNetwork>`,
    );
    const ev = parsePmml(doc);
    const [h1, h2] = hidden(4, 0.5);
    const o = 0.3 + 2 * h1 - h2;
    expect(ev.evaluate({ x: 4, z: 0.5 }).value).toBeCloseTo(100 + 100 * o, 12);
    expect(ev.evaluate({ x: 4 }).value).toBeNull();
  });

  it('classification: softmax output layer, NormDiscrete outputs give class probabilities', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + categorical('t', ['yes', 'no']),
      `<NeuralNetwork functionName="classification" activationFunction="logistic">
         ${miningSchema('t', ['x', 'z'])}
         <Output><OutputField name="p_yes" feature="probability" value="yes" dataType="double"/></Output>
         ${INPUTS}
         <NeuralLayer activationFunction="identity" normalizationMethod="softmax">
           <Neuron id="o1" bias="0"><Con from="h1" weight="3"/></Neuron>
           <Neuron id="o2" bias="1"><Con from="h2" weight="1"/></Neuron>
         </NeuralLayer>
         <NeuralOutputs>
           <NeuralOutput outputNeuron="o1"><DerivedField optype="categorical" dataType="string"><NormDiscrete field="t" value="yes"/></DerivedField></NeuralOutput>
           <NeuralOutput outputNeuron="o2"><DerivedField optype="categorical" dataType="string"><NormDiscrete field="t" value="no"/></DerivedField></NeuralOutput>
         </NeuralOutputs>
       </NeuralNetwork>`,
    );
    const ev = parsePmml(doc);
    for (const [x, z] of [
      [4, 0.5],
      [10, -3],
      [0, 2],
    ] as const) {
      const [h1, h2] = hidden(x, z);
      const e1 = Math.exp(3 * h1);
      const e2 = Math.exp(1 + h2);
      const pYes = e1 / (e1 + e2);
      const r = ev.evaluate({ x, z });
      expect(r.outputs['p_yes']).toBeCloseTo(pYes, 14);
      expect(r.value).toBe(pYes >= 0.5 ? 'yes' : 'no');
      expect(r.confidence).toBeCloseTo(Math.max(pYes, 1 - pYes), 14);
    }
  });

  it.each([
    ['tanh', (z: number) => Math.tanh(z)],
    ['identity', (z: number) => z],
    ['exponential', (z: number) => Math.exp(z)],
    ['reciprocal', (z: number) => 1 / z],
    ['square', (z: number) => z * z],
    ['Gauss', (z: number) => Math.exp(-z * z)],
    ['sine', (z: number) => Math.sin(z)],
    ['cosine', (z: number) => Math.cos(z)],
    ['Elliott', (z: number) => z / (1 + Math.abs(z))],
    ['arctan', (z: number) => (2 * Math.atan(z)) / Math.PI],
    ['rectifier', (z: number) => Math.max(0, z)],
    ['threshold', (z: number) => (z > 0.5 ? 1 : 0)],
  ])('activation function %s', (fn, f) => {
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<NeuralNetwork functionName="regression" activationFunction="${fn}" threshold="0.5">
         ${miningSchema('y', ['x'])}
         <NeuralInputs><NeuralInput id="i"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput></NeuralInputs>
         <NeuralLayer><Neuron id="n" bias="0.25"><Con from="i" weight="-2"/></Neuron></NeuralLayer>
         <NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
       </NeuralNetwork>`,
    );
    const ev = parsePmml(doc);
    for (const x of [-1, 0.3]) expect(ev.evaluate({ x }).value).toBeCloseTo(f(0.25 - 2 * x), 14);
  });

  it('radialBasis: exp(fanIn·ln(altitude) − Σ(x − w)² / (2·width²))', () => {
    const doc = pmmlDoc(
      double('x') + double('z') + double('y'),
      `<NeuralNetwork functionName="regression" activationFunction="radialBasis" width="2" altitude="1.5">
         ${miningSchema('y', ['x', 'z'])}
         <NeuralInputs>
           <NeuralInput id="i1"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput>
           <NeuralInput id="i2"><DerivedField optype="continuous" dataType="double"><FieldRef field="z"/></DerivedField></NeuralInput>
         </NeuralInputs>
         <NeuralLayer><Neuron id="n"><Con from="i1" weight="1"/><Con from="i2" weight="-1"/></Neuron></NeuralLayer>
         <NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
       </NeuralNetwork>`,
    );
    const z = ((3 - 1) ** 2 + (0 + 1) ** 2) / (2 * 4);
    expect(parsePmml(doc).evaluate({ x: 3, z: 0 }).value).toBeCloseTo(Math.exp(2 * Math.log(1.5) - z), 14);
  });

  it('rejects connections from unknown neurons', () => {
    const doc = pmmlDoc(
      double('x') + double('y'),
      `<NeuralNetwork functionName="regression" activationFunction="identity">
         ${miningSchema('y', ['x'])}
         <NeuralInputs><NeuralInput id="i"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput></NeuralInputs>
         <NeuralLayer><Neuron id="n"><Con from="ghost" weight="1"/></Neuron></NeuralLayer>
         <NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
       </NeuralNetwork>`,
    );
    expectInvalidArgument(() => parsePmml(doc), '<Con>', "unknown neuron 'ghost'");
  });
});
