import type { FeatureValue } from '@modelserving/model-core';
import { cachedGetter, type Getter } from '../context';
import { parseDataType, parseOpType } from '../data-dictionary';
import { pmmlError } from '../errors';
import { Scope, type CompileEnv, type FieldDef, type UserFunction } from '../scope';
import { coerce, coerceOrNull, defaultOpType, type DataType } from '../values';
import { children, requiredAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { compileExpression, findExpression } from './expressions';

/**
 * Compiles a DerivedField into a FieldDef whose getter computes the expression at most once per record
 * and converts the result to the declared data type.
 */
export function compileDerivedField(el: XmlElement, scope: Scope, env: CompileEnv, name?: string): FieldDef {
  const fieldName = name ?? el.attrs['name'] ?? '';
  const exprEl = findExpression(el);
  if (!exprEl) throw pmmlError(el, 'missing the expression that defines the field');
  const expr = compileExpression(exprEl, scope, env);
  const dataType = parseDataType(el) ?? expr.dataType;
  const optype = parseOpType(el) ?? expr.optype ?? defaultOpType(dataType);
  const e = expr.get;
  const compute: Getter = dataType === expr.dataType ? e : (ctx) => coerceOrNull(dataType, e(ctx));
  const values: FeatureValue[] = [];
  for (const v of children(el, 'Value')) {
    if ((v.attrs['property'] ?? 'valid') !== 'valid') continue;
    const typed = coerce(dataType, requiredAttr(v, 'value'));
    if (typed !== undefined && typed !== null) values.push(typed);
  }
  return {
    name: fieldName,
    dataType,
    optype,
    get: cachedGetter(env.allocSlot(), compute),
    ...(values.length > 0 ? { values } : {}),
  };
}

/** Registers the DerivedFields of a TransformationDictionary or LocalTransformations in `scope` (lazily). */
export function defineDerivedFields(container: XmlElement, scope: Scope, env: CompileEnv): void {
  for (const d of children(container, 'DerivedField')) {
    const name = requiredAttr(d, 'name');
    if (scope.hasOwn(name)) throw pmmlError(d, `duplicate DerivedField '${name}'`);
    scope.defineLazy(name, () => compileDerivedField(d, scope, env, name));
  }
}

/** Registers the DefineFunctions of a TransformationDictionary (compiled on first use). */
export function defineFunctions(dict: XmlElement, env: CompileEnv): void {
  for (const f of children(dict, 'DefineFunction')) {
    const name = requiredAttr(f, 'name');
    if (env.functions.has(name)) throw pmmlError(f, `duplicate DefineFunction '${name}'`);
    env.functions.set(name, () => compileFunction(f, env));
  }
}

function compileFunction(el: XmlElement, env: CompileEnv): UserFunction {
  const name = requiredAttr(el, 'name');
  const params = children(el, 'ParameterField');
  const scope = new Scope();
  const slots: number[] = [];
  const types: (DataType | undefined)[] = [];
  for (const p of params) {
    const pname = requiredAttr(p, 'name');
    const declared = parseDataType(p);
    const dt = declared ?? 'string';
    const slot = env.allocSlot();
    slots.push(slot);
    // Untyped parameters take arguments as they come (no conversion at the call).
    types.push(declared);
    scope.define({
      name: pname,
      dataType: dt,
      optype: parseOpType(p) ?? defaultOpType(dt),
      get: (ctx) => ctx.values[slot] as FeatureValue,
    });
  }
  const exprEl = findExpression(el);
  if (!exprEl) throw pmmlError(el, 'missing the function body expression');
  const fn: UserFunction = {
    name,
    dataType: parseDataType(el) ?? 'double',
    optype: parseOpType(el) ?? 'continuous',
    paramSlots: slots,
    paramTypes: types,
    body: undefined,
  };
  const body = compileExpression(exprEl, scope, env);
  const dt = fn.dataType;
  const b = body.get;
  fn.body = body.dataType === dt ? b : (ctx) => coerceOrNull(dt, b(ctx));
  return fn;
}
