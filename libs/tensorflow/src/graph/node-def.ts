import { WireType } from '@modelserving/protobuf-wire';
import type { ProtoReader } from '../proto/proto-reader';
import type { ProtoWriter } from '../proto/proto-writer';
import {
  decodeTensorProto,
  decodeTensorShape,
  encodeTensorProto,
  encodeTensorShape,
  type TensorShape,
  type TensorValue,
} from './tensor-value';

/** AttrValue.ListValue. */
export interface AttrList {
  readonly s: readonly string[];
  readonly i: readonly number[];
  readonly f: readonly number[];
  readonly b: readonly boolean[];
  readonly type: readonly number[];
  readonly shape: readonly TensorShape[];
}

/** AttrValue (the oneof as optional fields; `s` is kept as text since TF attrs are ASCII names). */
export interface AttrValue {
  readonly s?: string;
  readonly i?: number;
  readonly f?: number;
  readonly b?: boolean;
  readonly type?: number;
  readonly shape?: TensorShape;
  readonly tensor?: TensorValue;
  readonly list?: AttrList;
  readonly func?: string;
  readonly placeholder?: string;
}

export interface NodeDef {
  readonly name: string;
  readonly op: string;
  readonly input: readonly string[];
  readonly device?: string;
  readonly attr: Readonly<Record<string, AttrValue>>;
}

export function readNodeDef(r: ProtoReader): NodeDef {
  let name = '';
  let op = '';
  let device: string | undefined;
  const input: string[] = [];
  const attr: Record<string, AttrValue> = {};
  while (!r.done) {
    const [f, wt] = r.tag();
    if (wt !== WireType.LEN) {
      r.skip(wt);
      continue;
    }
    switch (f) {
      case 1:
        name = r.string();
        break;
      case 2:
        op = r.string();
        break;
      case 3:
        input.push(r.string());
        break;
      case 4:
        device = r.string();
        break;
      case 5: {
        const e = r.sub('attr');
        let key = '';
        let value: AttrValue = {};
        while (!e.done) {
          const [ef, ewt] = e.tag();
          if (ef === 1 && ewt === WireType.LEN) key = e.string();
          else if (ef === 2 && ewt === WireType.LEN) value = readAttrValue(e.sub(`attr ${key}`));
          else e.skip(ewt);
        }
        attr[key] = value;
        break;
      }
      default:
        r.skip(wt);
    }
  }
  if (!name) r.fail('node without a name');
  return device ? { name, op, input, device, attr } : { name, op, input, attr };
}

function readAttrValue(r: ProtoReader): AttrValue {
  let out: AttrValue = {};
  while (!r.done) {
    const [f, wt] = r.tag();
    switch (f) {
      case 1:
        out = { list: readAttrList(r.sub('list')) };
        break;
      case 2:
        out = { s: r.string() };
        break;
      case 3:
        out = { i: r.int64() };
        break;
      case 4:
        out = { f: r.float() };
        break;
      case 5:
        out = { b: r.bool() };
        break;
      case 6:
        out = { type: r.varint() };
        break;
      case 7:
        out = { shape: decodeTensorShape(r.sub('shape')) };
        break;
      case 8:
        out = { tensor: decodeTensorProto(r.sub('tensor')) };
        break;
      case 9:
        out = { placeholder: r.string() };
        break;
      case 10: {
        const fr = r.sub('func');
        let name = '';
        while (!fr.done) {
          const [ff, fwt] = fr.tag();
          if (ff === 1 && fwt === WireType.LEN) name = fr.string();
          else fr.skip(fwt);
        }
        out = { func: name };
        break;
      }
      default:
        r.skip(wt);
    }
  }
  return out;
}

function readAttrList(r: ProtoReader): AttrList {
  const s: string[] = [];
  const i: number[] = [];
  const f: number[] = [];
  const b: number[] = [];
  const type: number[] = [];
  const shape: TensorShape[] = [];
  while (!r.done) {
    const [fn, wt] = r.tag();
    switch (fn) {
      case 2:
        s.push(r.string());
        break;
      case 3:
        r.repeated(wt, (x) => x.int64(), i);
        break;
      case 4:
        r.repeated(wt, (x) => x.float(), f);
        break;
      case 5:
        r.repeated(wt, (x) => x.varint(), b);
        break;
      case 6:
        r.repeated(wt, (x) => x.varint(), type);
        break;
      case 7:
        shape.push(decodeTensorShape(r.sub('shape')));
        break;
      default:
        r.skip(wt);
    }
  }
  return { s, i, f, b: b.map((x) => x !== 0), type, shape };
}

export function encodeNodeDef(w: ProtoWriter, n: NodeDef): void {
  w.string(1, n.name).string(2, n.op);
  for (const i of n.input) w.string(3, i);
  if (n.device) w.string(4, n.device);
  for (const [key, value] of Object.entries(n.attr)) {
    w.message(5, (ew) => {
      ew.string(1, key);
      ew.message(2, (aw) => encodeAttrValue(aw, value));
    });
  }
}

function encodeAttrValue(w: ProtoWriter, a: AttrValue): void {
  if (a.list) {
    const l = a.list;
    w.message(1, (lw) => {
      for (const s of l.s) lw.string(2, s);
      if (l.i.length) lw.packedVarints(3, l.i);
      if (l.f.length) lw.packedFloats(4, l.f);
      if (l.b.length)
        lw.packedVarints(
          5,
          l.b.map((x) => (x ? 1 : 0)),
        );
      if (l.type.length) lw.packedVarints(6, l.type);
      for (const s of l.shape) lw.message(7, (sw) => encodeTensorShape(sw, s.dims));
    });
  } else if (a.s !== undefined) w.string(2, a.s);
  else if (a.i !== undefined) w.int64(3, a.i);
  else if (a.f !== undefined) w.float(4, a.f);
  else if (a.b !== undefined) w.bool(5, a.b);
  else if (a.type !== undefined) w.varint(6, a.type);
  else if (a.shape !== undefined) {
    const dims = a.shape.dims;
    w.message(7, (sw) => encodeTensorShape(sw, dims));
  } else if (a.tensor !== undefined) {
    const t = a.tensor;
    w.message(8, (tw) => encodeTensorProto(tw, t));
  } else if (a.placeholder !== undefined) w.string(9, a.placeholder);
  else if (a.func !== undefined) {
    const name = a.func;
    w.message(10, (fw) => fw.string(1, name));
  }
}

/** `name:1` → ['name', 1]; `^name` (control input) → ['name', -1]. */
export function parseInput(input: string): [string, number] {
  if (input.startsWith('^')) return [input.slice(1), -1];
  const m = /^(.*):(\d+)$/.exec(input);
  return m ? [m[1]!, Number(m[2])] : [input, 0];
}
