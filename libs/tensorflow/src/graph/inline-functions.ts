import { invalidArgument } from '@modelserving/model-core';
import type { FunctionDef } from './function-def';
import { parseInput, type AttrValue, type NodeDef } from './node-def';

/** Ops that call a function of the library by its `f` attr (TF2 `tf.function` calls). */
export const CALL_OPS: ReadonlySet<string> = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

/**
 * Ops whose outputs are several differently named output args, in OpDef order. A body reference
 * `node:arg:i` must be turned into a flat output index; for the (usual) single-output-arg ops, including
 * list outputs like Split's `output`, the flat index is just `i`.
 */
const OUTPUT_ARGS: Readonly<Record<string, readonly string[]>> = {
  FusedBatchNorm: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV2: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV3: [
    'y',
    'batch_mean',
    'batch_variance',
    'reserve_space_1',
    'reserve_space_2',
    'reserve_space_3',
  ],
  TopKV2: ['values', 'indices'],
  Unique: ['y', 'idx'],
  Where: ['index'],
};

/** Guards against a function library that calls itself (recursion cannot be inlined). */
const MAX_DEPTH = 64;

export interface InlinedGraph {
  /** The graph without call nodes: every call replaced by its function's (renamed) body. */
  readonly nodes: NodeDef[];
  /** Maps a tensor reference of the original graph (such as a signature output `StatefulPartitionedCall:0`) to the inlined one. */
  resolve(ref: string): string;
}

/**
 * Inlines every function call of `nodes` (StatefulPartitionedCall / PartitionedCall, or a node whose op is
 * a library function), recursively, as TF's own function inliner does for serving: body nodes are renamed
 * `<call node>/<body node>`, argument references become the caller's inputs, and consumers of the call's
 * outputs read the function's return values instead. Control edges to calls are dropped (inference only
 * needs data edges; pruning drops the rest anyway).
 */
export function inlineFunctions(
  nodes: readonly NodeDef[],
  library: ReadonlyMap<string, FunctionDef> | undefined,
): InlinedGraph {
  const aliases = new Map<string, string>(); // `call:k` → reference in the caller's graph
  const calls = new Set<string>();
  const out: NodeDef[] = [];
  const work: { node: NodeDef; chain: readonly string[] }[] = nodes.map((node) => ({ node, chain: [] }));
  for (let w = 0; w < work.length; w++) {
    const { node, chain } = work[w]!;
    const fn = calledFunction(node, library);
    if (!fn) {
      out.push(node);
      continue;
    }
    if (chain.includes(fn.name) || chain.length >= MAX_DEPTH) {
      throw invalidArgument(
        `node '${node.name}' calls function '${fn.name}' recursively; recursive functions cannot be inlined`,
      );
    }
    calls.add(node.name);
    for (const body of instantiate(node, fn, library, aliases))
      work.push({ node: body, chain: [...chain, fn.name] });
  }

  const resolve = (ref: string): string => {
    let [name, idx] = parseInput(ref);
    for (let hops = 0; ; hops++) {
      const next = aliases.get(`${name}:${idx}`);
      if (next === undefined) break;
      if (hops > work.length) throw invalidArgument(`function outputs form a cycle at '${ref}'`);
      [name, idx] = parseInput(next);
    }
    if (calls.has(name))
      throw invalidArgument(`output ${idx} of call node '${name}' is not returned by its function`);
    return idx === 0 ? name : `${name}:${idx}`;
  };
  const rewritten = out.map((n) => {
    if (!n.input.some((i) => calls.has(parseInput(i)[0]) || aliases.has(key(i)))) return n;
    const input = n.input
      .filter((i) => !(i.startsWith('^') && calls.has(i.slice(1))))
      .map((i) => (i.startsWith('^') ? i : resolve(i)));
    return { ...n, input };
  });
  return { nodes: rewritten, resolve };
}

function key(ref: string): string {
  const [name, idx] = parseInput(ref);
  return `${name}:${idx}`;
}

function calledFunction(
  n: NodeDef,
  library: ReadonlyMap<string, FunctionDef> | undefined,
): FunctionDef | undefined {
  if (CALL_OPS.has(n.op)) {
    const f = n.attr['f']?.func;
    if (!f) throw invalidArgument(`node '${n.name}' (${n.op}) has no function attr 'f'`);
    const fn = library?.get(f);
    if (!fn)
      throw invalidArgument(
        `node '${n.name}' (${n.op}) calls function '${f}', which is not in the graph's function library`,
      );
    return fn;
  }
  return library?.get(n.op);
}

/** The body of `fn` as graph nodes for the call `call`; records the call's outputs in `aliases`. */
function instantiate(
  call: NodeDef,
  fn: FunctionDef,
  library: ReadonlyMap<string, FunctionDef> | undefined,
  aliases: Map<string, string>,
): NodeDef[] {
  const prefix = `${call.name}/`;
  const dataInputs = call.input.filter((i) => !i.startsWith('^'));
  if (dataInputs.length !== fn.inputArgs.length) {
    throw invalidArgument(
      `node '${call.name}' passes ${dataInputs.length} inputs to function '${fn.name}', which takes ${fn.inputArgs.length} ` +
        '(list-valued function arguments are not supported)',
    );
  }
  const args = new Map(fn.inputArgs.map((a, i) => [a.name, dataInputs[i]!]));
  const body = new Map(fn.nodes.map((n) => [n.name, n]));
  const where = `function '${fn.name}' (called by '${call.name}')`;

  /** A body reference (`arg`, `node:out_arg:i`, `^node`) in the caller's namespace; undefined to drop it. */
  const rewrite = (ref: string): string | undefined => {
    if (ref.startsWith('^')) {
      const name = ref.slice(1);
      return args.has(name) ? undefined : `^${prefix}${name}`;
    }
    const parts = ref.split(':');
    if (parts.length === 1) {
      const arg = args.get(ref);
      if (arg !== undefined) return arg;
      if (body.has(ref)) return `${prefix}${ref}`;
      throw invalidArgument(`${where}: input '${ref}' is neither an argument nor a node`);
    }
    if (parts.length !== 3) throw invalidArgument(`${where}: cannot read input reference '${ref}'`);
    const [name, outArg, i] = parts as [string, string, string];
    const producer = body.get(name);
    if (!producer) throw invalidArgument(`${where}: input '${ref}' names no node of the function`);
    const flat = flatIndex(producer, outArg, Number(i), library);
    return flat === 0 ? `${prefix}${name}` : `${prefix}${name}:${flat}`;
  };

  const nodes = fn.nodes.map((n): NodeDef => {
    for (const [k, v] of Object.entries(n.attr)) {
      if (isPlaceholderAttr(v)) {
        throw invalidArgument(
          `${where}: node '${n.name}' attr '${k}' is a function attr placeholder (polymorphic functions are not supported)`,
        );
      }
    }
    const input = n.input.map(rewrite).filter((i): i is string => i !== undefined);
    return { ...n, name: `${prefix}${n.name}`, input };
  });
  fn.outputArgs.forEach((a, k) => {
    const ret = fn.ret[a.name];
    if (ret === undefined) throw invalidArgument(`${where}: output '${a.name}' has no return value`);
    aliases.set(`${call.name}:${k}`, rewrite(ret)!);
  });
  return nodes;
}

function flatIndex(
  producer: NodeDef,
  outArg: string,
  i: number,
  library: ReadonlyMap<string, FunctionDef> | undefined,
): number {
  if (CALL_OPS.has(producer.op)) return i;
  const fn = library?.get(producer.op);
  const names = fn ? fn.outputArgs.map((a) => a.name) : OUTPUT_ARGS[producer.op];
  if (!names) return i;
  const pos = names.indexOf(outArg);
  if (pos < 0) throw invalidArgument(`node '${producer.name}' (${producer.op}) has no output '${outArg}'`);
  return pos + i;
}

function isPlaceholderAttr(v: AttrValue): boolean {
  return v.placeholder !== undefined && v.placeholder !== '';
}
