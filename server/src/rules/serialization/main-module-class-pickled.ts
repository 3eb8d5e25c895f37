import type { CallExpr } from '../../model/calls';
import { walkStmts, type FunctionIR } from '../../model/ir';
import { persistenceSites } from '../../knowledge/persistence';
import { walkConstructions } from '../../model/reach';
import type { ScopedExpr } from '../../model/semantics';
import { textOf } from '../../model/text';
import type { Rule, RuleContext } from '../rule';

/**
 * SKL105 main-module-class-pickled: a script run as `__main__` (or a notebook) pickles an instance of a class it
 * defines (a custom step in a pipeline, a wrapper model). pickle stores the class by reference, `__main__.Clipper`, so the save succeeds, but loading the file from any other
 * module fails with `AttributeError: Can't get attribute 'Clipper' on <module '__main__'>`.
 *
 * A file counts as a script when it is a notebook, has an `if __name__ == "__main__":` block, saves at module
 * level, or calls one of its own functions at module level (`main()`). cloudpickle and dill save such classes by
 * value and are not flagged; local classes and functions are SKL103/SKL102.
 */
export const mainModuleClassPickled: Rule = {
  meta: {
    code: 'SKL105',
    name: 'main-module-class-pickled',
    summary:
      'A script or notebook pickles an instance of a class it defines: loading the file from any other module fails.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const { sem, module } = ctx;
    const sites = persistenceSites(sem).filter((s) => s.kind === 'save' && s.pickles && s.object);
    if (sites.length === 0 || !module.functions.some((f) => f.kind !== 'lambda' && !sem.isLocal(f.id))) return;
    const script = scriptReason(ctx);
    for (const site of sites) {
      if (!script && site.scope !== null) continue;
      const defined = mainDefinitions(ctx, { expr: site.object!, scope: site.scope });
      if (defined.length === 0) continue;
      const names = defined.map((f) => `\`${f.name}\``);
      const shown =
        names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      const first = defined[0].name;
      const api = site.api.replace(/^sklearn\.externals\./, '');
      const where =
        module.uri.endsWith('.ipynb') || module.uri.startsWith('vscode-notebook') ? 'this notebook' : 'this script';
      ctx.report({
        range: site.call.range,
        message: `${api} saves ${shown} by reference to \`__main__\` (${where}${script ? `, ${script}` : ''}): loading the file from any other module, such as a serving app or another notebook, fails with \`AttributeError: Can't get attribute '${first}' on <module '__main__'>\`. Move ${defined.length > 1 ? 'them' : 'it'} to an importable module and import ${defined.length > 1 ? 'them' : 'it'} here.`,
        related: defined.map((f) => ({
          uri: module.uri,
          range: f.nameRange,
          message: `\`${f.name}\` is defined in \`__main__\``,
        })),
      });
    }
  },
};

/** Why the module runs as `__main__`, or undefined when only a module-level save says so. */
function scriptReason(ctx: RuleContext): string | undefined {
  const { module, sem } = ctx;
  if (module.uri.endsWith('.ipynb') || module.uri.startsWith('vscode-notebook')) return 'a notebook runs as `__main__`';
  for (const s of module.body) {
    if (
      s.k === 'if' &&
      /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(
        textOf(module.text, module.lineStarts, s.test.range),
      )
    )
      return 'it has an `if __name__ == "__main__":` block';
  }
  let calls = false;
  walkStmts(module.body, (s) => {
    if (!calls && s.k === 'expr' && s.expr.k === 'call' && sem.userFunction(s.expr.callee, null) !== undefined)
      calls = true;
  });
  return calls ? 'it calls its own functions at module level' : undefined;
}

/**
 * Module-level classes instantiated by what `start` is built from. Module-level functions held by a model
 * (`FunctionTransformer(func=clean)`) are pickled by reference too, but are not reported: SKL101's fix creates
 * exactly such functions, and a safe fix must not raise a new finding.
 */
function mainDefinitions(ctx: RuleContext, saved: ScopedExpr): FunctionIR[] {
  const { sem } = ctx;
  const out: FunctionIR[] = [];
  // `search.best_estimator_` is followed to the search; `wrapper.model_2` (an attribute of the file's own
  // object) saves only that attribute, whose contents are unknown: nothing to report.
  let start = saved;
  while (start.expr.k === 'attr' || start.expr.k === 'subscript') {
    const base: ScopedExpr = { expr: start.expr.object, scope: start.scope };
    if (
      sem
        .resolve(base.expr, base.scope)
        .some((o) => o.expr.k === 'call' && sem.userClass(o.expr.callee, o.scope) !== undefined)
    )
      return [];
    start = base;
  }
  const addFn = (id: number) => {
    const f = sem.fn(id);
    if (f.kind !== 'class' || sem.isLocal(id) || out.includes(f)) return;
    out.push(f);
  };
  walkConstructions(
    sem,
    start,
    (call: CallExpr, scope) => {
      const cls = sem.userClass(call.callee, scope);
      if (cls !== undefined) addFn(cls);
      return call.args.map((a) => ({ expr: a.value, scope }));
    },
    { throughAttributes: false },
  );
  return out;
}
