import { lookupEntity, parsePythonLiteral } from '../knowledge';
import { compositeSpec, type CompositeSpec } from '../knowledge/composites';
import { canonicalOf } from '../fix/syntax';
import type { EntityInfo } from '../knowledge/types';
import { argFor, paramOfArg, type CallExpr } from '../model/calls';
import type { Finding } from '../model/finding';
import { comparePos, containsRange, type ArgIR, type Expr, type ModuleIR, type Range, type ScopeId } from '../model/ir';
import { Semantics, type ScopedExpr } from '../model/semantics';
import { textOf } from '../model/text';
import { writtenLiteral } from '../rules/literal-args';
import type { Arrangement, GraphEdge, GraphEdgeKind, GraphNode, GraphParam, PipelineGraph } from './types';

/**
 * Builds the pipeline graph of a module from the pipeline model: every pipeline-like construction
 * (composites and meta-estimators) of scikit-learn, imbalanced-learn and scikit.js, with steps
 * followed through variables, nested composites, column selectors, parameters that differ from the
 * library defaults and the codes of the findings inside each node.
 */

export type Lookup = (qname: string | undefined) => EntityInfo | undefined;

export interface BuildOptions {
  /** Knowledge lookup; the real knowledge base by default. */
  lookup?: Lookup;
  version?: number;
}

const knowledgeLookup: Lookup = (q) => (q ? lookupEntity(q) : undefined);

/** Libraries whose composites and meta-estimators are drawn. */
const LIBRARY = /^(sklearn|imblearn|scikitjs)\./;

/** Parameters of meta-estimators that hold the wrapped estimators, in drawing order. */
const WRAPPED_PARAMS = [
  'estimators',
  'estimator',
  'base_estimator',
  'classifier',
  'regressor',
  'transformer',
  'final_estimator',
];

/** Meta-estimators recognised by name when the knowledge base does not know the class. */
const META_NAME =
  /SearchCV$|^(Bagging|AdaBoost|Stacking|Voting)(Classifier|Regressor)$|^(OneVsRest|OneVsOne|OutputCode|SelfTraining|CalibratedClassifierCV)|^(MultiOutput|ClassifierChain|RegressorChain)|^(SelectFromModel|RFE|RFECV|SequentialFeatureSelector|TransformedTargetRegressor|RANSACRegressor)$/;

/** Transformers that keep one output column per input column (for output feature names). */
const ONE_TO_ONE = new Set([
  'StandardScaler',
  'MinMaxScaler',
  'MaxAbsScaler',
  'RobustScaler',
  'Normalizer',
  'Binarizer',
  'SimpleImputer',
  'KNNImputer',
  'IterativeImputer',
  'QuantileTransformer',
  'PowerTransformer',
  'OrdinalEncoder',
  'passthrough',
  'FunctionTransformer',
]);

interface Construction {
  call: CallExpr;
  scope: ScopeId;
  kind: 'composite' | 'wrapper';
  qname: string;
  entity?: EntityInfo;
  composite?: CompositeSpec;
}

function lastName(qname: string): string {
  return qname.slice(qname.lastIndexOf('.') + 1);
}

/** Classifies a call: a composite, a meta-estimator, or neither. */
function classify(sem: Semantics, lookup: Lookup, call: CallExpr, scope: ScopeId): Construction | undefined {
  const qname = sem.qname(call.callee, scope);
  if (!qname || !LIBRARY.test(qname)) return undefined;
  const entity = lookup(qname);
  const short = lastName(entity?.qname ?? qname);
  const composite = compositeSpec(short, canonicalOf(sem.module.language));
  if (composite && (!entity || entity.roles.composite || entity.library !== 'sklearn')) {
    return { call, scope, kind: 'composite', qname, entity, composite };
  }
  if (entity ? entity.kind === 'class' && (entity.roles.meta || META_NAME.test(short)) : META_NAME.test(short)) {
    return { call, scope, kind: 'wrapper', qname, entity };
  }
  return undefined;
}

/** Every pipeline-like construction of the module (composites and meta-estimators), in source order. */
export function pipelineConstructions(sem: Semantics, lookup: Lookup = knowledgeLookup): Construction[] {
  const out: Construction[] = [];
  for (const { call, scope } of sem.calls) {
    const c = classify(sem, lookup, call, scope);
    if (c) out.push(c);
  }
  return out.sort((a, b) => comparePos(a.call.range.start, b.call.range.start));
}

export function buildPipelineGraph(
  module: ModuleIR,
  findings: readonly Finding[],
  options: BuildOptions = {},
): PipelineGraph {
  const sem = new Semantics(module);
  const cache = new Map<string, EntityInfo | undefined>();
  const base = options.lookup ?? knowledgeLookup;
  const lookup: Lookup = (q) => {
    if (!q) return undefined;
    if (!cache.has(q)) cache.set(q, base(q));
    return cache.get(q);
  };
  const constructions = pipelineConstructions(sem, lookup);

  // A construction that ends up inside another one is drawn there, not as a root of its own.
  const nested = new Set<CallExpr>();
  for (const c of constructions) {
    if (nested.has(c.call)) continue;
    const probe = new Builder(module, sem, lookup);
    probe.construction(c, '', '');
    for (const inner of probe.visitedCalls) if (inner !== c.call) nested.add(inner);
  }

  const builder = new Builder(module, sem, lookup);
  const roots: string[] = [];
  const rootNames = assignedNames(sem);
  for (const c of constructions) {
    if (nested.has(c.call)) continue;
    roots.push(builder.construction(c, rootNames.get(c.call) ?? '', ''));
  }
  attachFindings(builder.nodes, findings, roots);
  return {
    uri: module.uri,
    language: module.language,
    version: options.version,
    roots,
    nodes: builder.nodes,
    edges: builder.edges,
  };
}

/** `pipe = Pipeline(...)`: the variable each construction call is assigned to. */
function assignedNames(sem: Semantics): Map<Expr, string> {
  const out = new Map<Expr, string>();
  for (const { stmt } of sem.statements) {
    if (stmt.k !== 'assign' || stmt.op) continue;
    const t = stmt.targets[stmt.targets.length - 1];
    if (t?.k === 'name') out.set(stmt.value, t.name);
    else if (t?.k === 'attr') out.set(stmt.value, t.name);
  }
  return out;
}

const SEVERITY_RANK = { error: 0, warning: 1, information: 2, hint: 3 } as const;

/**
 * Each finding goes to the innermost node whose range contains it; one inside a custom step's class, to
 * that step's nodes. One that no node holds (SKL104 at the `joblib.dump`, SKL301 at a `fit` outside the
 * pipeline) goes to the header of the pipeline it is about: the root holding one of its related
 * locations, else the last root built before it.
 */
function attachFindings(nodes: GraphNode[], findings: readonly Finding[], roots: string[]): void {
  const mark = (n: GraphNode, f: Finding) => {
    if (!n.findings.includes(f.code)) n.findings.push(f.code);
    const sev = (n.severities ??= {});
    const prev = sev[f.code];
    if (!prev || SEVERITY_RANK[f.severity] < SEVERITY_RANK[prev]) sev[f.code] = f.severity;
  };
  const innermost = (r: Range): GraphNode | undefined => {
    let best: GraphNode | undefined;
    for (const n of nodes) {
      if (!containsRange(n.range, r)) continue;
      if (!best || containsRange(best.range, n.range)) best = n;
    }
    return best;
  };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rootOf = (n: GraphNode): GraphNode => (n.parent ? rootOf(byId.get(n.parent)!) : n);
  const rootNodes = roots.map((id) => byId.get(id)!);
  for (const f of findings) {
    const best = innermost(f.range);
    if (best) {
      mark(best, f);
      continue;
    }
    let inDefinition = false;
    for (const n of nodes) {
      if (n.definition && containsRange(n.definition, f.range)) {
        mark(n, f);
        inDefinition = true;
      }
    }
    if (inDefinition) continue;
    const related = f.related
      .map((rel) => (rel.uri === f.uri ? innermost(rel.range) : undefined))
      .find((n) => n !== undefined);
    const before = rootNodes.filter((n) => comparePos(n.range.start, f.range.start) <= 0);
    const root = related ? rootOf(related) : (before[before.length - 1] ?? rootNodes[0]);
    if (!root) continue;
    const list = (root.external ??= []);
    if (!list.some((e) => e.code === f.code && e.line === f.range.start.line))
      list.push({ code: f.code, severity: f.severity, line: f.range.start.line, message: f.message });
  }
  for (const n of nodes) n.findings.sort();
}

const MAX_DEPTH = 24;
/**
 * Longest parameter or column text kept in the graph. The renderer shortens what it draws to the box;
 * the full text (a long column list, a `param_grid`) is for the tooltip and the details pane.
 */
const MAX_VALUE = 2000;

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly visitedCalls = new Set<CallExpr>();
  private readonly active = new Set<CallExpr>();
  private nextId = 0;

  constructor(
    private readonly module: ModuleIR,
    private readonly sem: Semantics,
    private readonly lookup: Lookup,
  ) {}

  private text(r: Range): string {
    return textOf(this.module.text, this.module.lineStarts, r);
  }

  private short(r: Range, max = MAX_VALUE): string {
    const t = this.text(r)
      .replace(/\s+/g, ' ')
      .replace(/([[(]) /g, '$1')
      .replace(/ ([\])])/g, '$1')
      .trim();
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  }

  private add(node: Omit<GraphNode, 'id' | 'findings' | 'children'> & { children?: string[] }): GraphNode {
    const n: GraphNode = { id: `n${this.nextId++}`, findings: [], children: [], ...node };
    this.nodes.push(n);
    return n;
  }

  private edge(source: string, target: string, kind: GraphEdgeKind): void {
    this.edges.push({ id: `e${this.edges.length}`, source, target, kind });
  }

  private childPath(parentPath: string, name: string): string {
    return parentPath ? `${parentPath}__${name}` : name;
  }

  /** A node for a composite or wrapper construction; returns its id. */
  construction(c: Construction, name: string, path: string, depth = 0): string {
    this.visitedCalls.add(c.call);
    this.active.add(c.call);
    try {
      return c.kind === 'composite' ? this.composite(c, name, path, depth) : this.wrapper(c, name, path, depth);
    } finally {
      this.active.delete(c.call);
    }
  }

  /** The node of any estimator-valued expression: a construction, a step, or a branch. */
  private value(expr: Expr, scope: ScopeId, name: string, path: string, depth: number, parent: string): string {
    const literal = this.literalBranch(expr, name, path, parent);
    if (literal) return literal;
    const origins = this.sem.resolve(expr, scope);
    const origin = origins.find((o) => o.expr.k === 'call') ?? origins[0];
    if (origin && origin.expr !== expr) {
      const viaLiteral = this.literalBranch(origin.expr, name, path, parent);
      if (viaLiteral) return viaLiteral;
    }
    if (origin?.expr.k === 'call' && depth < MAX_DEPTH && !this.active.has(origin.expr)) {
      const call = origin.expr;
      const c = classify(this.sem, this.lookup, call, origin.scope);
      if (c) {
        const id = this.construction(c, name, path, depth + 1);
        this.node(id).parent = parent || undefined;
        return id;
      }
      this.visitedCalls.add(call);
      const qname = this.sem.qname(call.callee, origin.scope);
      const entity = this.lookup(qname);
      const userClass = this.sem.userClass(call.callee, origin.scope);
      const className = entity
        ? lastName(entity.qname)
        : userClass !== undefined
          ? this.sem.fn(userClass).name
          : calleeName(call.callee);
      return this.add({
        kind: 'step',
        name: name || className,
        className,
        qname,
        path,
        params: this.params(call, origin.scope, entity, new Set()),
        range: call.range,
        definition: !entity && userClass !== undefined ? this.sem.fn(userClass).range : undefined,
        parent: parent || undefined,
      }).id;
    }
    return this.add({
      kind: 'branch',
      name: name || this.short(expr.range, 24),
      className: this.short(expr.range, 32),
      path,
      params: [],
      range: expr.range,
      parent: parent || undefined,
    }).id;
  }

  /** 'passthrough', 'drop', None / null as a step. */
  private literalBranch(expr: Expr, name: string, path: string, parent: string): string | undefined {
    let className: string | undefined;
    if (expr.k === 'str' && expr.value !== null) className = expr.value;
    else if (expr.k === 'const' && (expr.value === null || expr.value === undefined))
      className = this.module.language === 'python' ? 'None' : String(expr.value);
    if (className === undefined) return undefined;
    return this.add({
      kind: 'branch',
      name: name || className,
      className,
      path,
      params: [],
      range: expr.range,
      parent: parent || undefined,
    }).id;
  }

  private node(id: string): GraphNode {
    return this.nodes[Number(id.slice(1))];
  }

  /** The argument bound to a structural parameter, by name, keyword or (without knowledge) first position. */
  private structuralArg(c: Construction, param: string, position: number): ArgIR | undefined {
    const found = argFor(c.call, c.entity, param);
    if (found) return found;
    if (c.entity) return undefined;
    const positional = c.call.args.filter((a) => a.name === undefined && !a.spread && a.value.k !== 'dict');
    return positional[position];
  }

  /** The items of a list argument, followed through variables (`steps = [...]; Pipeline(steps)`). */
  private items(expr: Expr, scope: ScopeId): ScopedExpr[] | undefined {
    const seq = expr.k === 'seq' ? { expr, scope } : this.sem.resolve(expr, scope).find((o) => o.expr.k === 'seq');
    if (!seq || seq.expr.k !== 'seq') return undefined;
    return seq.expr.items.map((item) => ({ expr: item, scope: seq.scope }));
  }

  /** A tuple item, followed through a variable (`num = ('num', StandardScaler(), cols)`). */
  private tuple(item: ScopedExpr): ScopedExpr[] | undefined {
    const t = item.expr.k === 'seq' ? item : this.sem.resolve(item.expr, item.scope).find((o) => o.expr.k === 'seq');
    if (!t || t.expr.k !== 'seq') return undefined;
    return t.expr.items.map((e) => ({ expr: e, scope: t.scope }));
  }

  private strValue(e: ScopedExpr): string | undefined {
    if (e.expr.k === 'str' && e.expr.value !== null) return e.expr.value;
    const r = this.sem.resolve(e.expr, e.scope).find((o) => o.expr.k === 'str');
    return r?.expr.k === 'str' && r.expr.value !== null ? r.expr.value : undefined;
  }

  private composite(c: Construction, name: string, path: string, depth: number): string {
    const spec = c.composite!;
    const structural = new Set<string>();
    const node = this.add({
      kind: 'composite',
      name: name || spec.className,
      className: spec.className,
      qname: c.qname,
      path,
      params: [],
      range: c.call.range,
      arrangement: spec.arrangement,
    });
    // Gather the entries: [step name, estimator expression, columns expression].
    const entries: { name?: string; est: ScopedExpr; columns?: ScopedExpr; range: Range }[] = [];
    let listArgs: ArgIR[] = [];
    if (spec.items === 'varargs') {
      listArgs = c.call.args.filter(
        (a) => a.name === undefined && !(a.value.k === 'dict' && this.module.language === 'typescript'),
      );
      for (const a of listArgs) {
        if (a.spread) {
          for (const it of this.items(a.value, c.scope) ?? []) entries.push(this.entry(it, spec.shape));
        } else entries.push(this.entry({ expr: a.value, scope: c.scope }, spec.shape));
      }
      const p = c.entity?.params.find((x) => x.kind === 'varargs');
      if (p) structural.add(p.name);
    } else {
      structural.add(spec.items.param);
      const arg = this.structuralArg(c, spec.items.param, 0);
      if (arg) {
        listArgs = [arg];
        const list = this.items(arg.value, c.scope);
        if (list) for (const it of list) entries.push(this.entry(it, spec.shape));
        else entries.push({ est: { expr: arg.value, scope: c.scope }, range: arg.value.range, name: undefined });
      }
    }
    // make_pipeline names its steps after their lowercased class, numbering duplicates.
    const names = entries.map((e, i) => e.name ?? this.generatedName(e.est) ?? `step${i}`);
    if (spec.items === 'varargs') dedupeNames(names);
    const children: string[] = [];
    const columns = new Map<string, string[] | undefined>();
    entries.forEach((e, i) => {
      const id = this.value(e.est.expr, e.est.scope, names[i], this.childPath(path, names[i]), depth, node.id);
      if (e.columns) {
        this.node(id).columns = this.columnsText(e.columns);
        columns.set(id, this.columnNames(e.columns));
      }
      children.push(id);
    });
    if (spec.remainder) {
      structural.add('remainder');
      const rem = argFor(c.call, c.entity, 'remainder');
      // The default 'drop' adds nothing to the picture.
      if (rem && !(rem.value.k === 'str' && rem.value.value === 'drop')) {
        const id = this.value(rem.value, c.scope, 'remainder', this.childPath(path, 'remainder'), depth, node.id);
        this.node(id).columns = 'remaining columns';
        children.push(id);
      }
    }
    node.children = children;
    node.params = this.params(c.call, c.scope, c.entity, structural, new Set(listArgs));
    // scikit.js has no get_feature_names_out.
    if (spec.className === 'ColumnTransformer' && this.module.language === 'python')
      node.outputs = this.outputs(node, children, columns);
    this.connect(node, children, spec.arrangement);
    return node.id;
  }

  private entry(
    item: ScopedExpr,
    shape: CompositeSpec['shape'],
  ): { name?: string; est: ScopedExpr; columns?: ScopedExpr; range: Range } {
    if (shape === 'bare') return { est: item, range: item.expr.range };
    const parts = this.tuple(item);
    if (!parts || parts.length < 2) return { est: item, range: item.expr.range };
    switch (shape) {
      case 'named':
        return { name: this.strValue(parts[0]), est: parts[1], range: item.expr.range };
      case 'named-columns':
        return { name: this.strValue(parts[0]), est: parts[1], columns: parts[2], range: item.expr.range };
      case 'columns':
        return { est: parts[0], columns: parts[1], range: item.expr.range };
    }
  }

  /** sklearn's `_name_estimators`: the lowercased class name; strings name themselves. */
  private generatedName(est: ScopedExpr): string | undefined {
    const lit = this.strValue(est);
    if (lit !== undefined && est.expr.k === 'str') return lit;
    const origin = this.sem.resolve(est.expr, est.scope).find((o) => o.expr.k === 'call');
    if (!origin || origin.expr.k !== 'call') return undefined;
    const c = classify(this.sem, this.lookup, origin.expr, origin.scope);
    const cls = c?.composite?.className ?? calleeName(origin.expr.callee);
    return cls.toLowerCase();
  }

  private columnsText(e: ScopedExpr): string {
    if (e.expr.k === 'name') {
      const seq = this.sem.resolve(e.expr, e.scope).find((o) => o.expr.k === 'seq' || o.expr.k === 'str');
      if (seq) return `${e.expr.name} = ${this.short(seq.expr.range)}`;
    }
    return this.short(e.expr.range);
  }

  /** Literal column names of a branch, or undefined. */
  private columnNames(e: ScopedExpr | undefined): string[] | undefined {
    if (!e) return undefined;
    const seq = e.expr.k === 'seq' ? e : this.sem.resolve(e.expr, e.scope).find((o) => o.expr.k === 'seq');
    if (seq?.expr.k === 'seq') {
      const out: string[] = [];
      for (const it of seq.expr.items) {
        if (it.k !== 'str' || it.value === null) return undefined;
        out.push(it.value);
      }
      return out;
    }
    const s = this.strValue(e);
    return s !== undefined ? [s] : undefined;
  }

  /**
   * Output feature names of a ColumnTransformer (`get_feature_names_out` with the default
   * `verbose_feature_names_out=True`), where the columns are literal: one-to-one transformers keep
   * `branch__column`, an encoder gives `branch__column_*`, anything else `branch__*`.
   */
  private outputs(
    node: GraphNode,
    children: string[],
    columns: Map<string, string[] | undefined>,
  ): string[] | undefined {
    if (node.params.some((p) => p.name === 'verbose_feature_names_out')) return undefined;
    const out: string[] = [];
    for (const id of children) {
      const child = this.node(id);
      if (child.className === 'drop' || child.className === 'None') continue;
      const cols = columns.get(id);
      const last = lastStep(this, child);
      if (!cols) out.push(`${child.name}__*`);
      else if (last && ONE_TO_ONE.has(last)) out.push(...cols.map((c) => `${child.name}__${c}`));
      else if (last === 'OneHotEncoder') out.push(...cols.map((c) => `${child.name}__${c}_*`));
      else out.push(`${child.name}__*`);
    }
    return out.length > 0 ? out : undefined;
  }

  private wrapper(c: Construction, name: string, path: string, depth: number): string {
    const short = lastName(c.entity?.qname ?? c.qname);
    const node = this.add({
      kind: 'wrapper',
      name: name || short,
      className: short,
      qname: c.qname,
      path,
      params: [],
      range: c.call.range,
      arrangement: 'wrapper',
    });
    const known = c.entity ? c.entity.params.filter((p) => p.estimator).map((p) => p.name) : [];
    const wrappedParams = WRAPPED_PARAMS.filter((p) => known.length === 0 || known.includes(p));
    const structural = new Set<string>();
    const used = new Set<ArgIR>();
    const parallel: string[] = [];
    let final: string | undefined;
    const singles: string[] = [];
    for (const p of wrappedParams) {
      const arg =
        argFor(c.call, c.entity, p) ??
        (c.entity ? undefined : p === wrappedParams[0] ? this.structuralArg(c, p, 0) : undefined);
      if (!arg || used.has(arg)) continue;
      used.add(arg);
      structural.add(p);
      if (arg.value.k === 'const' && (arg.value.value === null || arg.value.value === undefined)) continue;
      const list = p === 'estimators' ? this.items(arg.value, c.scope) : undefined;
      if (list) {
        list.forEach((it, i) => {
          const parts = this.tuple(it);
          const stepName =
            parts && parts.length >= 2
              ? (this.strValue(parts[0]) ?? `estimator${i}`)
              : (this.generatedName(it) ?? `estimator${i}`);
          const est = parts && parts.length >= 2 ? parts[1] : it;
          parallel.push(this.value(est.expr, est.scope, stepName, this.childPath(path, stepName), depth, node.id));
        });
      } else {
        const id = this.value(arg.value, c.scope, p, this.childPath(path, p), depth, node.id);
        if (p === 'final_estimator') final = id;
        else singles.push(id);
      }
    }
    node.children = [...parallel, ...singles, ...(final ? [final] : [])];
    node.params = this.params(c.call, c.scope, c.entity, structural, used);
    // Stacking: the base estimators feed the final estimator.
    for (const id of [...parallel, ...singles]) {
      this.edge(node.id, id, 'enter');
      if (final) this.edge(id, final, 'sequence');
      else this.edge(id, node.id, 'exit');
    }
    if (final) {
      if (parallel.length + singles.length === 0) this.edge(node.id, final, 'enter');
      this.edge(final, node.id, 'exit');
    }
    return node.id;
  }

  private connect(node: GraphNode, children: string[], arrangement: Arrangement): void {
    if (children.length === 0) return;
    if (arrangement === 'sequence') {
      this.edge(node.id, children[0], 'enter');
      for (let i = 1; i < children.length; i++) this.edge(children[i - 1], children[i], 'sequence');
      this.edge(children[children.length - 1], node.id, 'exit');
    } else {
      for (const id of children) {
        this.edge(node.id, id, 'enter');
        this.edge(id, node.id, 'exit');
      }
    }
  }

  /** Arguments that differ from the library defaults; structural ones (the steps) are left out. */
  /** An argument's text; a variable bound to a literal shows the literal (`param_grid = {...}`). */
  private valueText(value: Expr, scope: ScopeId): string {
    if (value.k === 'name') {
      const lit = this.sem.resolve(value, scope).find((o) => ['dict', 'seq', 'str', 'num', 'const'].includes(o.expr.k));
      if (lit) return `${value.name} = ${this.short(lit.expr.range, MAX_VALUE - value.name.length - 3)}`;
    }
    return this.short(value.range);
  }

  private params(
    call: CallExpr,
    scope: ScopeId,
    entity: EntityInfo | undefined,
    structural: Set<string>,
    skip: Set<ArgIR> = new Set(),
  ): GraphParam[] {
    const out: GraphParam[] = [];
    const add = (name: string | undefined, value: Expr, spread?: string) => {
      if (name && structural.has(name)) return;
      const def = name && entity ? entity.params.find((p) => p.name === name)?.default : undefined;
      const lit = writtenLiteral(value);
      if (def !== undefined && lit !== 'unknown') {
        const d = parseDefaultLiteral(def);
        if (d !== 'unknown' && d === lit) return;
      }
      out.push({
        name: name ?? (spread ? `${spread}${this.short(value.range, 24)}` : `arg${out.length}`),
        value: spread ? '' : this.valueText(value, scope),
        default: def,
      });
    };
    for (const arg of call.args) {
      if (skip.has(arg)) continue;
      // scikit.js: one options object carries every parameter.
      if (!arg.name && !arg.spread && arg.value.k === 'dict' && this.module.language === 'typescript') {
        for (const en of arg.value.entries) {
          if (!en.key) out.push({ name: `...${this.short(en.value.range, 24)}`, value: '' });
          else if (en.key.k === 'str' && en.key.value !== null) add(en.key.value, en.value);
        }
        continue;
      }
      if (arg.spread) {
        add(undefined, arg.value, arg.spread);
        continue;
      }
      add(paramOfArg(call, entity, arg) ?? arg.name, arg.value);
    }
    return out;
  }
}

/** The class of a node's last step (through pipelines), for output feature names. */
function lastStep(b: Builder, n: GraphNode): string | undefined {
  if (n.kind === 'step' || n.kind === 'branch') return n.className;
  if (n.kind === 'composite' && n.arrangement === 'sequence' && n.children.length > 0) {
    return lastStep(b, b.nodes[Number(n.children[n.children.length - 1].slice(1))]);
  }
  return undefined;
}

function calleeName(e: Expr): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') return e.name;
  return '?';
}

function dedupeNames(names: string[]): void {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    if ((counts.get(n) ?? 0) < 2) return;
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    names[i] = `${n}-${k}`;
  });
}

type Lit = string | number | boolean | null | 'unknown';

function parseDefaultLiteral(repr: string): Lit {
  const s = repr.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null' || s === 'undefined') return null;
  return parsePythonLiteral(s);
}
