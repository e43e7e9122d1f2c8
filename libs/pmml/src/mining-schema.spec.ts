import { describe, expect, it } from 'vitest';
import { expectInvalidArgument, pmmlDoc } from './__fixtures__/pmml-doc';
import { parsePmml } from './evaluator';

/** y = x (identity regression), so the prepared value of x is the prediction. */
function identity(dataField: string, miningField: string) {
  return parsePmml(
    pmmlDoc(
      dataField + '<DataField name="y" optype="continuous" dataType="double"/>',
      `<RegressionModel functionName="regression">
         <MiningSchema><MiningField name="y" usageType="target"/>${miningField}</MiningSchema>
         <RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
       </RegressionModel>`,
    ),
  );
}

/** A categorical input echoed through a tree (one leaf per category, score = category). */
function echo(dataField: string, miningField: string, categories: readonly string[]) {
  return parsePmml(
    pmmlDoc(
      dataField + '<DataField name="y" optype="categorical" dataType="string"/>',
      `<TreeModel functionName="classification" missingValueStrategy="nullPrediction">
         <MiningSchema><MiningField name="y" usageType="target"/>${miningField}</MiningSchema>
         <Node score="none"><True/>
           ${categories.map((c) => `<Node score="${c}"><SimplePredicate field="c" operator="equal" value="${c}"/></Node>`).join('')}
         </Node>
       </TreeModel>`,
    ),
  );
}

const INTERVAL_FIELD =
  '<DataField name="x" optype="continuous" dataType="double"><Interval closure="closedOpen" leftMargin="0" rightMargin="10"/><Value value="-999" property="missing"/><Value value="NA" property="missing"/></DataField>';

describe('DataDictionary validity and MiningSchema treatments', () => {
  it('accepts values inside the Interval and rejects those outside (returnInvalid)', () => {
    const ev = identity(INTERVAL_FIELD, '<MiningField name="x"/>');
    expect(ev.evaluate({ x: 0 }).value).toBe(0);
    expect(ev.evaluate({ x: 9.5 }).value).toBe(9.5);
    expectInvalidArgument(() => ev.evaluate({ x: 10 }), "field 'x'", 'invalid value 10');
    expectInvalidArgument(() => ev.evaluate({ x: -0.1 }), "field 'x'");
  });

  it('treats Value property="missing" markers (typed or as spelled) as missing', () => {
    const ev = identity(INTERVAL_FIELD, '<MiningField name="x" missingValueReplacement="5"/>');
    expect(ev.evaluate({ x: -999 }).value).toBe(5);
    expect(ev.evaluate({ x: 'NA' }).value).toBe(5);
    expect(ev.evaluate({ x: null }).value).toBe(5);
    expect(ev.evaluate({}).value).toBe(5);
  });

  it('invalidValueTreatment asIs keeps the value, asMissing makes it missing, asValue replaces it', () => {
    expect(
      identity(INTERVAL_FIELD, '<MiningField name="x" invalidValueTreatment="asIs"/>').evaluate({ x: 42 })
        .value,
    ).toBe(42);
    expect(
      identity(INTERVAL_FIELD, '<MiningField name="x" invalidValueTreatment="asMissing"/>').evaluate({
        x: 42,
      }).value,
    ).toBeNull();
    expect(
      identity(
        INTERVAL_FIELD,
        '<MiningField name="x" invalidValueTreatment="asMissing" missingValueReplacement="1"/>',
      ).evaluate({ x: 42 }).value,
    ).toBe(1);
    expect(
      identity(
        INTERVAL_FIELD,
        '<MiningField name="x" invalidValueTreatment="asValue" invalidValueReplacement="7"/>',
      ).evaluate({ x: 42 }).value,
    ).toBe(7);
    // a value that is not even a number cannot be kept as is: it becomes missing
    expect(
      identity(INTERVAL_FIELD, '<MiningField name="x" invalidValueTreatment="asIs"/>').evaluate({ x: 'abc' })
        .value,
    ).toBeNull();
  });

  it('missingValueTreatment returnInvalid rejects a missing value', () => {
    const ev = identity(
      '<DataField name="x" optype="continuous" dataType="double"/>',
      '<MiningField name="x" missingValueTreatment="returnInvalid"/>',
    );
    expectInvalidArgument(() => ev.evaluate({}), "field 'x' is missing");
    expect(ev.evaluate({ x: 1 }).value).toBe(1);
  });

  it('outliers asMissingValues and asExtremeValues', () => {
    const field = '<DataField name="x" optype="continuous" dataType="double"/>';
    const miss = identity(
      field,
      '<MiningField name="x" outliers="asMissingValues" lowValue="-1" highValue="1" missingValueReplacement="0.5"/>',
    );
    expect(miss.evaluate({ x: 2 }).value).toBe(0.5);
    expect(miss.evaluate({ x: -2 }).value).toBe(0.5);
    expect(miss.evaluate({ x: 0.25 }).value).toBe(0.25);
    const extreme = identity(
      field,
      '<MiningField name="x" outliers="asExtremeValues" lowValue="-1" highValue="1"/>',
    );
    expect(extreme.evaluate({ x: 2 }).value).toBe(1);
    expect(extreme.evaluate({ x: -3 }).value).toBe(-1);
    expect(extreme.evaluate({ x: 0 }).value).toBe(0);
  });

  it('categorical fields: valid Values only, invalid and missing markers', () => {
    const field =
      '<DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="x" property="invalid"/><Value value="?" property="missing"/></DataField>';
    const strict = echo(field, '<MiningField name="c"/>', ['a', 'b']);
    expect(strict.evaluate({ c: 'a' }).value).toBe('a');
    expect(strict.evaluate({ c: '?' }).value).toBeNull();
    expectInvalidArgument(() => strict.evaluate({ c: 'x' }), "field 'c'");
    expectInvalidArgument(() => strict.evaluate({ c: 'zzz' }), "field 'c'");
    const lenient = echo(
      field,
      '<MiningField name="c" invalidValueTreatment="asMissing" missingValueReplacement="b"/>',
      ['a', 'b'],
    );
    expect(lenient.evaluate({ c: 'zzz' }).value).toBe('b');
    expect(lenient.evaluate({ c: '?' }).value).toBe('b');
  });

  it('converts record values to the field type: numbers for strings, integers strictly', () => {
    const intField = identity(
      '<DataField name="x" optype="continuous" dataType="integer"/>',
      '<MiningField name="x"/>',
    );
    expect(intField.evaluate({ x: '12' }).value).toBe(12);
    expect(intField.evaluate({ x: 3 }).value).toBe(3);
    expectInvalidArgument(() => intField.evaluate({ x: 2.5 }), "field 'x'", 'integer');
    const intCategories = echo(
      '<DataField name="c" optype="categorical" dataType="integer"><Value value="1"/><Value value="2"/></DataField>',
      '<MiningField name="c"/>',
      ['1', '2'],
    );
    expect(intCategories.evaluate({ c: 2 }).value).toBe('2');
    expect(intCategories.evaluate({ c: '2' }).value).toBe('2');
    expect(intCategories.evaluate({ c: '2.0' }).value).toBe('2');
  });

  it('matches numbers sent for string categories spelled with decimals', () => {
    const ev = echo(
      '<DataField name="c" optype="categorical" dataType="string"><Value value="1.0"/><Value value="2.5"/></DataField>',
      '<MiningField name="c"/>',
      ['1.0', '2.5'],
    );
    expect(ev.evaluate({ c: 1 }).value).toBe('1.0');
    expect(ev.evaluate({ c: '1.0' }).value).toBe('1.0');
    expect(ev.evaluate({ c: 2.5 }).value).toBe('2.5');
  });

  it('rejects MiningFields that name no DataField and bad replacement values', () => {
    expectInvalidArgument(
      () =>
        identity(
          '<DataField name="x" optype="continuous" dataType="double"/>',
          '<MiningField name="x"/><MiningField name="w"/>',
        ),
      "MiningField 'w'",
    );
    expectInvalidArgument(
      () =>
        identity(
          '<DataField name="x" optype="continuous" dataType="double"/>',
          '<MiningField name="x" missingValueReplacement="abc"/>',
        ),
      '<MiningField>',
      'missingValueReplacement',
    );
    expectInvalidArgument(
      () =>
        identity(
          '<DataField name="x" optype="continuous" dataType="double"/>',
          '<MiningField name="x" outliers="asExtremeValues"/>',
        ),
      '<MiningField>',
      'lowValue',
    );
  });
});
