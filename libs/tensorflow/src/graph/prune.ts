import { invalidArgument } from '@modelserving/model-core';
import { parseInput, type GraphDef, type NodeDef } from './graph-def';

/**
 * The nodes that `outputs` depend on through data edges, in topological order. Control inputs (`^name`)
 * are dropped: they order side effects (initialisers, training updates) that inference never needs, and
 * keeping them would drag a SavedModel's optimiser into the served graph.
 */
export function pruneGraph(graph: GraphDef, outputs: readonly string[]): NodeDef[] {
  const byName = new Map<string, NodeDef>();
  for (const n of graph.node) byName.set(n.name, n);
  const order: NodeDef[] = [];
  const state = new Map<string, 1 | 2>(); // 1 = visiting, 2 = done
  const visit = (name: string, from: string) => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1)
      throw invalidArgument(
        `graph has a cycle through node '${name}' (control flow loops are not supported)`,
      );
    const node = byName.get(name);
    if (!node) throw invalidArgument(`graph has no node '${name}' (needed by ${from})`);
    state.set(name, 1);
    const stack: [NodeDef, number][] = [[node, 0]];
    // Iterative DFS: deep graphs must not overflow the JS stack.
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      if (i >= n.input.length) {
        stack.pop();
        state.set(n.name, 2);
        order.push(withoutControlInputs(n));
        continue;
      }
      top[1] = i + 1;
      const [dep, idx] = parseInput(n.input[i]!);
      if (idx < 0) continue;
      const ds = state.get(dep);
      if (ds === 2) continue;
      if (ds === 1)
        throw invalidArgument(
          `graph has a cycle through node '${dep}' (control flow loops are not supported)`,
        );
      const d = byName.get(dep);
      if (!d) throw invalidArgument(`graph has no node '${dep}' (input of '${n.name}')`);
      state.set(dep, 1);
      stack.push([d, 0]);
    }
  };
  for (const o of outputs) visit(parseInput(o)[0], 'the outputs');
  return order;
}

function withoutControlInputs(n: NodeDef): NodeDef {
  return n.input.some((i) => i.startsWith('^'))
    ? { ...n, input: n.input.filter((i) => !i.startsWith('^')) }
    : n;
}

const NOT_OUTPUTS = new Set([
  'Const',
  'NoOp',
  'Placeholder',
  'PlaceholderWithDefault',
  'Assign',
  'AssignAdd',
  'SaveV2',
  'RestoreV2',
]);

/** Nodes nobody consumes: the natural outputs of a frozen inference graph. */
export function sinkNodes(graph: GraphDef): string[] {
  const consumed = new Set<string>();
  for (const n of graph.node) for (const i of n.input) consumed.add(parseInput(i)[0]);
  return graph.node.filter((n) => !consumed.has(n.name) && !NOT_OUTPUTS.has(n.op)).map((n) => n.name);
}

/** Placeholders among `nodes` (the inputs of a pruned graph). */
export function placeholders(nodes: readonly NodeDef[]): string[] {
  return nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
}

/**
 * Placeholder shapes that say nothing: absent, unknown rank, or empty. TF1 graphs written before
 * GraphDef version 21 used an empty shape for "unknown", and Keras exports still carry it; a scalar
 * model input is never what a served graph means.
 */
export function isUnknownShape(dims: readonly number[] | undefined): boolean {
  return dims === undefined || dims.length === 0;
}
