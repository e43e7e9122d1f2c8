import { PfaSemanticError } from '../errors';
import { accepts, describe } from '../types/avro-type';
import type { Value } from '../values';
import { spend, type CompileContext, type UserFn } from './context';
import { Scope, type Expr } from './scope';

/**
 * Compiles an expression list (compile-expr's compileBody). It is passed in rather than imported because
 * the expression compiler calls back into this module for inline functions: importing it here would make
 * the two modules a cycle, whose load order decides which exports are still undefined.
 */
export type BodyCompiler = (body: unknown, ctx: CompileContext, newScope: boolean) => Expr;

/**
 * Compiles a function body in a fresh frame. PFA functions see only their parameters (plus cells and
 * pools), never the caller's locals, so each call allocates its own frame.
 */
export function compileUserFnBody(
  fnDef: UserFn,
  body: unknown,
  ctx: CompileContext,
  compileBody: BodyCompiler,
): void {
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
