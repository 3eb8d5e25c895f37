import { AnalysisBudgetError, analysisBudgetFor, checkDeadline, maxIrNodes, withDeadline } from '../model/budget';
import { lookupEntity } from '../knowledge';
import type { Finding } from '../model/finding';
import { pushChildren, type Expr, type FunctionIR, type ModuleIR, type Stmt } from '../model/ir';
import { semanticsOf } from '../model/semantics';
import { allRules } from '../rules';
import type { AnalysisSettings, Rule, RuleContext } from '../rules/rule';
import type { WorkspaceView } from '../workspace/view';
import type { ProjectFacts } from '../project/facts';
import { canonicalOf, syntaxOf } from '../fix/syntax';

export const DEFAULT_SETTINGS: AnalysisSettings = { seed: 42 };

export interface AnalyzeOptions {
  settings?: AnalysisSettings;
  rules?: Rule[];
  workspace?: WorkspaceView;
  /** The project's facts (requirement files), computed only when a rule asks. */
  project?: () => ProjectFacts | undefined;
  /** Receives rule failures; one broken rule never hides the findings of the others. */
  log?: (message: string) => void;
  /** CPU time the analysis may take (default: 5 s + 1 s per 100 KB of text, see budget.ts). */
  budgetMs?: number;
  /** Model size above which the file is not analysed (default MAX_IR_NODES, see budget.ts). */
  maxIrNodes?: number;
}

/**
 * The size of a module's model: statements, expressions and functions, counted without allocating
 * (an explicit stack), before anything whose memory grows with it is built. For an open document
 * (`module.incremental`) each top-level statement's and function's count is kept with it: the lowering
 * reuses unchanged ones (the same objects), so after an edit only the changed statements are counted
 * again. A file of the CLI is counted once: keeping its counts would only cost (weak maps: 3% of a check).
 */
export function irNodeCount(module: ModuleIR, stopAt = Infinity): number {
  const keep = module.incremental === true;
  let count = module.functions.length;
  for (const fn of module.functions) {
    if (count > stopAt) return count;
    count += functionCount(fn, keep);
  }
  for (const s of module.body) {
    if (count > stopAt) return count;
    count += stmtCount(s, keep);
  }
  return count;
}

const stmtCounts = new WeakMap<Stmt, number>();
const functionCounts = new WeakMap<FunctionIR, number>();

/** A function's own nodes: parameter defaults, decorators, bases and its body's statements. */
function functionCount(fn: FunctionIR, keep: boolean): number {
  let count = keep ? functionCounts.get(fn) : undefined;
  if (count === undefined) {
    count = 0;
    for (const s of fn.body) count += stmtCount(s, keep);
    for (const p of fn.params) if (p.default) count += exprSize(p.default);
    for (const d of fn.decorators) count += exprSize(d);
    for (const b of fn.bases) count += exprSize(b);
    if (keep) functionCounts.set(fn, count);
  }
  return count;
}

/** A statement with its expressions and nested blocks (as `stmtParts` sees them, without building its lists). */
function stmtCount(root: Stmt, keep: boolean): number {
  let count = keep ? stmtCounts.get(root) : undefined;
  if (count === undefined) {
    count = stmtSize(root);
    if (keep) stmtCounts.set(root, count);
  }
  return count;
}

function stmtSize(s: Stmt): number {
  switch (s.k) {
    case 'assign': {
      let n = 1 + exprSize(s.value);
      for (const t of s.targets) n += exprSize(t);
      return n;
    }
    case 'expr':
      return 1 + exprSize(s.expr);
    case 'return':
      return s.value ? 1 + exprSize(s.value) : 1;
    case 'if':
      return 1 + exprSize(s.test) + blockSize(s.body) + blockSize(s.orelse);
    case 'loop':
      return (
        1 +
        (s.target ? exprSize(s.target) : 0) +
        (s.iter ? exprSize(s.iter) : 0) +
        blockSize(s.body) +
        blockSize(s.orelse)
      );
    case 'with': {
      let n = 1 + blockSize(s.body);
      for (const i of s.items) n += exprSize(i.value) + (i.target ? exprSize(i.target) : 0);
      return n;
    }
    case 'try': {
      let n = 1 + blockSize(s.body) + blockSize(s.orelse) + blockSize(s.finalbody);
      for (const h of s.handlers) n += blockSize(h);
      return n;
    }
    default:
      return 1;
  }
}

function blockSize(body: Stmt[]): number {
  let n = 0;
  for (const s of body) n += stmtSize(s);
  return n;
}

/** One stack for every expression counted (it is empty between calls). */
const exprStack: Expr[] = [];

function exprSize(root: Expr): number {
  let n = 0;
  const stack = exprStack;
  stack.length = 0;
  stack.push(root);
  while (stack.length > 0) {
    const e = stack.pop()!;
    n++;
    pushChildren(e, stack);
  }
  return n;
}

/**
 * Runs the rules over one lowered module, within the file's analysis budget (budget.ts): over it, throws
 * AnalysisBudgetError and the caller reports the file as skipped.
 */
export function analyzeModule(module: ModuleIR, options: AnalyzeOptions = {}): Finding[] {
  const limit = options.maxIrNodes ?? maxIrNodes();
  if (!(module.nodeBound !== undefined && module.nodeBound <= limit) && irNodeCount(module, limit) > limit)
    throw AnalysisBudgetError.size(limit);
  return withDeadline(options.budgetMs ?? analysisBudgetFor(module.text.length), () => runRules(module, options));
}

function runRules(module: ModuleIR, options: AnalyzeOptions): Finding[] {
  const sem = semanticsOf(module);
  const syntax = syntaxOf(module.language);
  const canonical = canonicalOf(module.language);
  const findings: Finding[] = [];
  const memo = new Map<string, unknown>();
  let project: { facts: ProjectFacts | undefined } | undefined;
  for (const rule of options.rules ?? allRules) {
    if (!rule.meta.languages.includes(module.language)) continue;
    const ctx: RuleContext = {
      module,
      sem,
      syntax,
      canonical,
      settings: options.settings ?? DEFAULT_SETTINGS,
      workspace: options.workspace,
      project() {
        project ??= { facts: options.project?.() };
        return project.facts;
      },
      lookup: (qname) => (qname ? lookupEntity(qname) : undefined),
      memo<T>(key: string, compute: () => T): T {
        if (!memo.has(key)) memo.set(key, compute());
        return memo.get(key) as T;
      },
      report(r) {
        findings.push({
          uri: module.uri,
          code: rule.meta.code,
          name: rule.meta.name,
          severity: r.severity ?? rule.meta.defaultSeverity,
          message: r.message,
          range: r.range,
          fix: r.fix ?? null,
          related: r.related ?? [],
        });
      },
    };
    checkDeadline();
    try {
      rule.check(ctx);
    } catch (err) {
      if (err instanceof AnalysisBudgetError) throw err;
      options.log?.(
        `rule ${rule.meta.code} failed on ${module.uri}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
  }
  findings.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      // Codes are ASCII (SKL101): code-unit order, without localeCompare's collator (10 ms to set up).
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  return findings;
}
