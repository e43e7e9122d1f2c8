import { PfaSemanticError } from '../errors';
import { accepts, describe } from '../types/avro-type';
import type { Value } from '../values';
import { spend, type CompileContext, type UserFn } from './context';
import { compileBody } from './compile-expr';
import { Scope } from './scope';

/**
 * Compiles a function body in a fresh frame. PFA functions see only their parameters (plus cells and
 * pools), never the caller's locals, so each call allocates its own frame.
 */
export function compileUserFnBody(fnDef: UserFn, body: unknown, ctx: CompileContext): void {
  const layout = { size: 0 };
  const scope = new Scope(layout);
  for (const p of fnDef.params) scope.declare(p.name, p.type);
  const e = compileBody(body, { ...ctx, scope, where: 'fcn' }, false);
  if (!e.never && !accepts(fnDef.ret, e.t))
    throw new PfaSemanticError(
      `function ${fnDef.name} returns ${describe(e.t)}, declared ${describe(fnDef.ret)}`,
    );
  const f = e.f;
  const rt = ctx.rt;
  fnDef.call = (args: Value[]) => {
    spend(rt);
    const fr =
      args.length >= layout.size ? args : args.concat(new Array<Value>(layout.size - args.length).fill(null));
    return f(fr);
  };
}
