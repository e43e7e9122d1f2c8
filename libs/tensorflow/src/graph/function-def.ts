import { WireType } from '@modelserving/protobuf-wire';
import type { ProtoReader } from '../proto/proto-reader';
import type { ProtoWriter } from '../proto/proto-writer';
import { encodeNodeDef, readNodeDef, type NodeDef } from './node-def';

/** One argument of a function signature (OpDef.ArgDef): its name and, when fixed, its dtype. */
export interface ArgDef {
  readonly name: string;
  readonly type: number;
}

/**
 * A FunctionDef of the graph's library. Inside `nodes`, inputs are written `arg` (a function argument),
 * `node:out_arg:index` (an output of another body node, by output-argument name) or `^node` (control);
 * `ret` maps each output argument to such a reference.
 */
export interface FunctionDef {
  readonly name: string;
  readonly inputArgs: readonly ArgDef[];
  readonly outputArgs: readonly ArgDef[];
  readonly nodes: readonly NodeDef[];
  readonly ret: Readonly<Record<string, string>>;
}

/** Reads a FunctionDefLibrary's functions into `out` (gradients are irrelevant to inference). */
export function readFunctionLibrary(r: ProtoReader, out: Map<string, FunctionDef>): void {
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) {
      const fn = readFunctionDef(r.sub('function'));
      out.set(fn.name, fn);
    } else r.skip(wt);
  }
}

function readFunctionDef(r: ProtoReader): FunctionDef {
  let name = '';
  const inputArgs: ArgDef[] = [];
  const outputArgs: ArgDef[] = [];
  const nodes: NodeDef[] = [];
  const ret: Record<string, string> = {};
  while (!r.done) {
    const [f, wt] = r.tag();
    if (wt !== WireType.LEN) {
      r.skip(wt);
      continue;
    }
    if (f === 1) {
      // OpDef: name = 1, input_arg = 2, output_arg = 3.
      const s = r.sub('signature');
      while (!s.done) {
        const [sf, swt] = s.tag();
        if (sf === 1 && swt === WireType.LEN) name = s.string();
        else if ((sf === 2 || sf === 3) && swt === WireType.LEN)
          (sf === 2 ? inputArgs : outputArgs).push(readArgDef(s.sub('arg')));
        else s.skip(swt);
      }
    } else if (f === 3) nodes.push(readNodeDef(r.sub(`function ${name} > node_def`)));
    else if (f === 4) {
      const e = r.sub('ret');
      let key = '';
      let value = '';
      while (!e.done) {
        const [ef, ewt] = e.tag();
        if (ef === 1 && ewt === WireType.LEN) key = e.string();
        else if (ef === 2 && ewt === WireType.LEN) value = e.string();
        else e.skip(ewt);
      }
      ret[key] = value;
    } else r.skip(wt);
  }
  return { name, inputArgs, outputArgs, nodes, ret };
}

function readArgDef(r: ProtoReader): ArgDef {
  let name = '';
  let type = 0;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) name = r.string();
    else if (f === 3 && wt === WireType.VARINT) type = r.varint();
    else r.skip(wt);
  }
  return { name, type };
}

/** Encodes a FunctionDefLibrary (tests build TF2 SavedModels with it). */
export function encodeFunctionLibrary(w: ProtoWriter, library: ReadonlyMap<string, FunctionDef>): void {
  for (const fn of library.values()) {
    w.message(1, (fw) => {
      fw.message(1, (sw) => {
        sw.string(1, fn.name);
        for (const a of fn.inputArgs) sw.message(2, (aw) => aw.string(1, a.name).varint(3, a.type));
        for (const a of fn.outputArgs) sw.message(3, (aw) => aw.string(1, a.name).varint(3, a.type));
      });
      for (const n of fn.nodes) fw.message(3, (nw) => encodeNodeDef(nw, n));
      for (const [k, v] of Object.entries(fn.ret)) fw.message(4, (ew) => ew.string(1, k).string(2, v));
    });
  }
}
