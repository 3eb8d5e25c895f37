import { checkpoint } from './budget';
import {
  comparePos,
  pushChildren,
  stmtParts,
  walkExpr,
  walkStmts,
  type Expr,
  type FunctionIR,
  type ImportIR,
  type ModuleIR,
  type Position,
  type Range,
  type ScopeId,
  type Stmt,
} from './ir';

/**
 * Scopes, bindings and name resolution over the IR, shared by every rule. Built once per module
 * version in one pass; queries are cheap map lookups.
 *
 * Resolution is deliberately simple and flow-insensitive within a scope: a use sees the last binding
 * of its name before it in the same scope, or the last binding in the nearest enclosing scope that
 * binds it (Python rules: class bodies are not visible from nested functions).
 */

export type BindingKind = 'assign' | 'def' | 'param' | 'import' | 'loop' | 'with' | 'other';

export interface Binding {
  name: string;
  scope: ScopeId;
  kind: BindingKind;
  /** Where the binding takes effect (end of its statement or target). */
  pos: Position;
  targetRange: Range;
  /** Value bound: the matching element when a tuple was unpacked from a literal tuple. */
  value?: Expr;
  /** For `a, b = f()`: the whole right-hand side and the index of this name in the target. */
  unpack?: { value: Expr; index: number; count: number };
  /** Statement that made the binding (assign, loop, with). */
  stmt?: Stmt;
  fn?: number;
  qname?: string;
  /** Bound inside a loop body or loop header. */
  inLoop: boolean;
}

export interface ScopeInfo {
  id: ScopeId;
  bindings: Map<string, Binding[]>;
  /** Names declared `global` here: almost never any, so scopes share one empty set until they declare one. */
  globals: ReadonlySet<string>;
}

const NO_GLOBALS: ReadonlySet<string> = new Set();

function newScope(id: ScopeId): ScopeInfo {
  return { id, bindings: new Map(), globals: NO_GLOBALS };
}

export interface ScopedExpr {
  expr: Expr;
  scope: ScopeId;
}

/** A function call to a user function, resolved. */
export const SELF_RETURNING_METHODS = new Set(['fit', 'set_params', 'set_output', 'partial_fit']);

/**
 * What visiting one top-level statement, or one function (its parameters, defaults, decorators, bases and
 * body), adds to a module's Semantics, in visiting order. It depends on nothing else of the module but the
 * functions its `def` statements name (checked on reuse): a binding's scope is its unit's own, except for a
 * `global` name, which only its own function's statements declare (at module level the scope is the module
 * either way).
 */
interface Unit {
  statements: { stmt: Stmt; scope: ScopeId; inLoop: boolean }[];
  calls: CallEntry[];
  roots: { e: Expr; scope: ScopeId }[];
  bindings: Binding[];
  globals: { scope: ScopeId; name: string }[];
  defs: FunctionIR[];
  defIds: number[];
  /** A function's unit: its id and parent when visited. */
  id?: number;
  parent?: ScopeId;
  /** The number of the last open-document Semantics that used this unit (see `Lineage`). */
  mark: number;
  /**
   * A function's unit, kept for an open document: its scope as the visit left it (the bindings of a function's
   * scope are its own unit's, see above), set again as it is when the unit is reused.
   */
  scope?: ScopeInfo;
}

/** A name looked up from a scope. */
interface ScopedName {
  name: string;
  scope: ScopeId;
}

/**
 * A call found by the visit, with its scope. `named` keeps, for an open document, what `namedCalls` found for
 * its callee and the names that answer depended on, so that the next version answers again only when one of
 * those names is bound differently.
 */
interface CallEntry {
  call: Extract<Expr, { k: 'call' }>;
  scope: ScopeId;
  named: { value: NamedCall; names: ScopedName[]; mark: number } | undefined;
}

/**
 * The last Semantics built for an open document (ModuleIR.incremental): its number, units and imports. The next
 * version of the same document compares its own with them to find the names whose bindings may have changed:
 * those bound by a unit or import that one version has and the other has not.
 */
interface Lineage {
  uri: string;
  mark: number;
  units: Unit[];
  imports: readonly ImportIR[];
}

let lastLineage: Lineage | undefined;
let nextMark = 1;

/**
 * Units kept per statement and function object. The lowering reuses the objects of unchanged top-level
 * statements across edits (copying a moved one) and the IR is never modified, so after a keystroke only the
 * edited statement is visited again; the rest is replayed (3,660 lines: 1.0 ms of visiting became a replay).
 * The bindings and entries are shared between versions: nothing modifies them but a call entry's `named` cache.
 */
const stmtUnits = new WeakMap<Stmt, Unit>();
/**
 * Each call's entry by its callee expression, for an open document's units (kept across versions with them): the
 * callee's answers are read from its entry (`named`, marked with the version that validated it) instead of being
 * copied into the per-version `qnameCache` (2,000 map insertions per keystroke in a 3,400-line file).
 */
const calleeEntries = new WeakMap<Expr, CallEntry>();
const byPos = (a: Binding, b: Binding) => comparePos(a.pos, b.pos);
const functionUnits = new WeakMap<FunctionIR, Unit>();

/** A call with its scope and its callee's qualified name, if the callee names an import (`Semantics.namedCalls`). */
export interface NamedCall {
  call: Extract<Expr, { k: 'call' }>;
  scope: ScopeId;
  q: string | undefined;
  /** The file's own function (not class) the callee names (`Semantics.userFunction`). */
  fn: number | undefined;
}

/** A cached `qname` answer that `namedCalls` made (it knows its call and function), not a plain one. */
function isNamedCall(x: NamedCall | { scope: ScopeId; q: string | undefined }): x is NamedCall {
  return 'call' in x;
}

export class Semantics {
  readonly scopes = new Map<ScopeId, ScopeInfo>();
  /** Expressions visited, with their scope, in visiting order: `exprScope` is built from them when first needed. */
  private readonly visitedRoots: { e: Expr; scope: ScopeId }[] = [];
  private exprScopeIndex: Map<Expr, ScopeId> | undefined;

  /**
   * Scope of every expression node that appears in statements (calls, names, functions). Built lazily
   * (most analyses never ask), by the same walk in the same order as the constructor's.
   */
  private get exprScope(): Map<Expr, ScopeId> {
    if (!this.exprScopeIndex) {
      const index = new Map<Expr, ScopeId>();
      for (const { e, scope } of this.visitedRoots) {
        const stack: Expr[] = [e];
        while (stack.length > 0) {
          const cur = stack.pop()!;
          index.set(cur, scope);
          pushChildren(cur, stack);
        }
      }
      this.exprScopeIndex = index;
    }
    return this.exprScopeIndex;
  }
  /** The entries of `calls`, with their cache slots (`namedCalls`). */
  private readonly callEntries: CallEntry[] = [];
  /** Every call expression in source order of discovery, with its scope. */
  readonly calls: readonly { readonly call: Extract<Expr, { k: 'call' }>; readonly scope: ScopeId }[] =
    this.callEntries;
  /** This version's number, for an open document; 0 for a file analysed once (the CLI). */
  private readonly mark: number = 0;
  /** The previous version's number and, when it is known, the scopes where each name may be bound differently since. */
  private readonly since: { mark: number; rebound: ReadonlyMap<string, ReadonlySet<ScopeId>> } | undefined = undefined;
  /** Every statement with the scope it belongs to and whether it is inside a loop. */
  readonly statements: { stmt: Stmt; scope: ScopeId; inLoop: boolean }[] = [];

  private namedCallList: NamedCall[] | undefined;

  /** This version's number for an open document (0 for a file analysed once). */
  get version(): number {
    return this.mark;
  }

  /** The previous version's number, when this one was compared with it (an open document's next version). */
  get previousVersion(): number | undefined {
    return this.since?.mark;
  }

  /** An open document's top-level statements visited for this version (the others are replayed from the previous one). */
  private readonly visitedStatements = new Set<Stmt>();

  /** Whether this version visited top-level statement `s` (new, edited or moved since the previous version). */
  visitedAgain(s: Stmt): boolean {
    return this.visitedStatements.has(s);
  }

  /** The names that may be bound differently at module level than in the previous version (see `since`). */
  reboundAtModule(): string[] {
    const out: string[] = [];
    for (const [name, scopes] of this.since?.rebound ?? []) if (scopes.has(null)) out.push(name);
    return out;
  }

  /**
   * Whether `name` is bound at module level as in `previous` (an earlier version of the same document): as many
   * bindings, in the same order, each of the same kind, naming the same function or class object and the same
   * qualified name. A statement typed into binds its names anew; when they bind as before, every lookup of the
   * name gives the same answer in both versions, wherever the bindings did not move past each other.
   */
  bindsAsIn(previous: Semantics, name: string): boolean {
    const now = this.scopes.get(null)!.bindings.get(name) ?? [];
    const before = previous.scopes.get(null)!.bindings.get(name) ?? [];
    if (now.length !== before.length) return false;
    for (let i = 0; i < now.length; i++) {
      const a = now[i];
      const b = before[i];
      if (a.kind !== b.kind || (a.fn === undefined) !== (b.fn === undefined)) return false;
      if (a.fn !== undefined && this.module.functions[a.fn] !== previous.module.functions[b.fn!]) return false;
      if (this.bindingQname(a, 0) !== previous.bindingQname(b, 0)) return false;
    }
    return true;
  }

  /**
   * `calls` with each callee's qualified name (`qname`) and own function, resolved once per module version (and,
   * for an open document, kept from the previous version where no name they went through is rebound): a dozen
   * rules and the persistence and download searches scan every call for a library name, and asking `qname` each
   * time made about 10,000 cache lookups per keystroke in a 3,660-line file.
   */
  get namedCalls(): readonly NamedCall[] {
    if (this.namedCallList) return this.namedCallList;
    const out: NamedCall[] = [];
    const since = this.since;
    for (const entry of this.callEntries) {
      const kept = entry.named;
      let value: NamedCall;
      if (since && kept?.mark === since.mark && this.stillResolves(kept.names, since.rebound)) {
        // Resolved in the previous version, and no name it went through is bound differently now.
        value = kept.value;
        kept.mark = this.mark;
      } else {
        const names: ScopedName[] = [];
        value = this.resolveCallee(entry, names);
        if (this.mark !== 0) entry.named = { value, names, mark: this.mark };
      }
      // Later `qname` questions about the same callee (the data flow's) are answered from the entry (an open
      // document's, see calleeEntries) or the cache.
      if (this.mark === 0) this.qnameCache.set(entry.call.callee, value);
      out.push(value);
    }
    return (this.namedCallList = out);
  }

  /** `call`'s entry of `namedCalls` when it was resolved in `scope` (the data flow asks in the call's own scope). */
  namedCall(call: Extract<Expr, { k: 'call' }>, scope: ScopeId): NamedCall | undefined {
    if (this.namedCalls.length === 0) return undefined;
    const hit = this.mark !== 0 ? this.validatedCallee(call.callee) : this.qnameCache.get(call.callee);
    return hit !== undefined && isNamedCall(hit) && hit.scope === scope && hit.call === call ? hit : undefined;
  }

  /** An open document's callee as this version's `namedCalls` resolved or kept it (undefined before they ran). */
  private validatedCallee(callee: Expr): NamedCall | undefined {
    const named = calleeEntries.get(callee)?.named;
    return named !== undefined && named.mark === this.mark ? named.value : undefined;
  }

  /**
   * Whether names looked up in the previous version resolve the same now: none of them may be bound differently
   * in the scope it was looked up from or a scope around it.
   */
  private stillResolves(names: ScopedName[], rebound: ReadonlyMap<string, ReadonlySet<ScopeId>>): boolean {
    for (const { name, scope } of names) {
      const scopes = rebound.get(name);
      if (!scopes) continue;
      for (let cur: ScopeId = scope; ; cur = this.module.functions[cur].parent) {
        if (scopes.has(cur)) return false;
        if (cur === null) break;
      }
    }
    return true;
  }

  /** A callee's qualified name and own function; `names` receives each name looked up on the way. */
  private resolveCallee({ call, scope }: CallEntry, names: ScopedName[]): NamedCall {
    const callee = call.callee;
    if (callee.k !== 'name') return { call, scope, q: this.qnameUncached(callee, scope, 0, names), fn: undefined };
    // One lookup of the name answers both questions (the data flow asks every callee for its function).
    names.push({ name: callee.name, scope });
    const b = this.lookupFirst(callee.name, scope, callee.range.start);
    return {
      call,
      scope,
      q: this.bindingQname(b, 0, names),
      fn: b && this.isUserFunctionBinding(b) ? b.fn : undefined,
    };
  }

  constructor(readonly module: ModuleIR) {
    this.scopes.set(null, newScope(null));
    // A function's scope is made when its unit is applied, or here when it imports something: its imports are
    // bound again on every version, so such a scope is never kept with its unit.
    for (const imp of module.imports) {
      if (imp.scope !== null && !this.scopes.has(imp.scope)) this.scopes.set(imp.scope, newScope(imp.scope));
      this.addBinding({
        name: imp.local,
        scope: imp.scope,
        kind: 'import',
        pos: imp.range.end,
        targetRange: imp.range,
        qname: imp.qname,
        inLoop: false,
      });
    }
    // Kept only for an open document's next version (ModuleIR.incremental), not for the CLI's files.
    const keep = module.incremental === true;
    const units: Unit[] = [];
    for (const s of module.body) {
      let unit = keep ? stmtUnits.get(s) : undefined;
      if (!unit || !this.sameDefs(unit)) {
        unit = this.startUnit();
        this.visitBlock([s], null, false);
        if (keep) {
          stmtUnits.set(s, unit);
          this.visitedStatements.add(s);
        }
      }
      this.apply(unit);
      if (keep) units.push(unit);
    }
    for (const fn of module.functions) {
      let unit = keep ? functionUnits.get(fn) : undefined;
      const imports = this.scopes.has(fn.id);
      if (!unit || unit.id !== fn.id || unit.parent !== fn.parent || !this.sameDefs(unit)) {
        if (!imports) this.scopes.set(fn.id, newScope(fn.id));
        unit = this.startUnit(fn);
        this.visitFunction(fn);
        if (keep) functionUnits.set(fn, unit);
        this.apply(unit);
      } else if (unit.scope && !imports) {
        // The scope its visit filled, again (a Map and a list per name: the 400 functions of the 2,000-line
        // scikit.js file rebuilt them on every keystroke).
        this.scopes.set(fn.id, unit.scope);
        this.apply(unit, true);
      } else {
        if (!imports) this.scopes.set(fn.id, newScope(fn.id));
        this.apply(unit);
      }
      if (keep) {
        unit.scope = imports ? undefined : this.scopes.get(fn.id);
        units.push(unit);
      }
    }
    if (keep) {
      this.mark = nextMark++;
      const previous = lastLineage?.uri === module.uri ? lastLineage : undefined;
      this.since = previous && {
        mark: previous.mark,
        rebound: reboundNames(previous, units, module.imports, this.mark),
      };
      if (!previous) for (const unit of units) unit.mark = this.mark;
      lastLineage = { uri: module.uri, mark: this.mark, units, imports: module.imports };
    }
    // Units are applied in source order, so most lists are in order already: sorting each of them anyway was a
    // copy per list on every keystroke (the sort is stable: a list in order stays as it is).
    for (const info of this.scopes.values())
      for (const list of info.bindings.values()) if (list.length > 1 && !inPositionOrder(list)) list.sort(byPos);
  }

  /** The unit being visited: what the visit methods record. */
  private unit: Unit | undefined;

  private startUnit(fn?: FunctionIR): Unit {
    return (this.unit = {
      statements: [],
      calls: [],
      roots: [],
      bindings: [],
      globals: [],
      defs: [],
      defIds: [],
      id: fn?.id,
      parent: fn?.parent,
      mark: 0,
    });
  }

  /** The functions a cached unit's `def` statements named are still the module's, under the same ids. */
  private sameDefs(unit: Unit): boolean {
    const fns = this.module.functions;
    for (let i = 0; i < unit.defs.length; i++)
      if (fns[unit.defIds[i]] !== unit.defs[i] || unit.defs[i].id !== unit.defIds[i]) return false;
    return true;
  }

  private declareGlobal(scope: ScopeId, name: string): void {
    const info = this.scopes.get(scope)!;
    info.globals = new Set(info.globals).add(name);
  }

  /**
   * Adds a unit's findings, in the order the visit made them. A function's unit whose scope is `kept` (set as its
   * visit left it) adds only what it binds elsewhere: `global` names, at module level.
   */
  private apply(unit: Unit, kept = false): void {
    for (const x of unit.statements) this.statements.push(x);
    for (const x of unit.calls) this.callEntries.push(x);
    for (const x of unit.roots) this.visitedRoots.push(x);
    for (const g of unit.globals) if (!kept || g.scope !== unit.id) this.declareGlobal(g.scope, g.name);
    for (const b of unit.bindings) if (!kept || b.scope !== unit.id) this.addBinding(b);
    this.unit = undefined;
  }

  private visitFunction(fn: FunctionIR): void {
    for (const p of fn.params) {
      this.bind({
        name: p.name,
        scope: fn.id,
        kind: 'param',
        pos: fn.range.start,
        targetRange: p.range,
        inLoop: false,
      });
      if (p.default) this.visitExpr(p.default, fn.parent);
    }
    for (const d of fn.decorators) this.visitExpr(d, fn.parent);
    for (const b of fn.bases) this.visitExpr(b, fn.parent);
    this.visitBlock(fn.body, fn.id, false);
  }

  fn(id: number): FunctionIR {
    return this.module.functions[id];
  }

  scopeOfExpr(e: Expr): ScopeId | undefined {
    return this.exprScope.get(e);
  }

  /** A binding made by the unit being visited. */
  private bind(b: Binding): void {
    this.unit!.bindings.push(b);
  }

  private addBinding(b: Binding): void {
    const scope = this.scopes.get(b.scope)!;
    let list = scope.bindings.get(b.name);
    if (!list) scope.bindings.set(b.name, (list = []));
    list.push(b);
  }

  private visitBlock(body: Stmt[], scope: ScopeId, inLoop: boolean): void {
    for (const s of body) {
      this.unit!.statements.push({ stmt: s, scope, inLoop });
      switch (s.k) {
        case 'assign':
          for (const t of s.targets)
            this.bindTarget(t, s.value, s, scope, inLoop, s.op !== undefined ? 'other' : 'assign');
          break;
        case 'def': {
          const fn = this.module.functions[s.fn];
          this.unit!.defs.push(fn);
          this.unit!.defIds.push(s.fn);
          this.bind({
            name: fn.name,
            scope,
            kind: 'def',
            pos: fn.nameRange.end,
            targetRange: fn.nameRange,
            fn: fn.id,
            inLoop,
          });
          break;
        }
        case 'loop':
          if (s.target) this.bindTarget(s.target, undefined, s, scope, true, 'loop');
          break;
        case 'with':
          for (const item of s.items)
            if (item.target) this.bindTarget(item.target, item.value, s, scope, inLoop, 'with');
          break;
        case 'global':
          for (const n of s.names) {
            this.declareGlobal(scope, n);
            this.unit!.globals.push({ scope, name: n });
          }
          break;
        default:
          break;
      }
      const parts = stmtParts(s);
      for (const e of parts.exprs) this.visitExpr(e, scope);
      const nestedLoop = inLoop || s.k === 'loop';
      for (const b of parts.blocks) this.visitBlock(b, scope, nestedLoop);
    }
  }

  private bindTarget(
    t: Expr,
    value: Expr | undefined,
    stmt: Stmt,
    scope: ScopeId,
    inLoop: boolean,
    kind: BindingKind,
  ): void {
    const effectiveScope = t.k === 'name' && this.scopes.get(scope)!.globals.has(t.name) ? null : scope;
    if (t.k === 'name') {
      this.bind({
        name: t.name,
        scope: effectiveScope,
        kind,
        pos: stmt.k === 'assign' ? stmt.range.end : t.range.end,
        targetRange: t.range,
        value: kind === 'loop' ? undefined : value,
        stmt,
        inLoop,
      });
      return;
    }
    if (t.k === 'seq') {
      const items = t.items;
      const valueItems = value && value.k === 'seq' && value.items.length === items.length ? value.items : undefined;
      items.forEach((item, index) => {
        if (item.k === 'name') {
          this.bind({
            name: item.name,
            scope: this.scopes.get(scope)!.globals.has(item.name) ? null : scope,
            kind,
            pos: stmt.k === 'assign' ? stmt.range.end : item.range.end,
            targetRange: item.range,
            value: valueItems?.[index],
            unpack: !valueItems && value ? { value, index, count: items.length } : undefined,
            stmt,
            inLoop,
          });
        } else if (item.k === 'seq') this.bindTarget(item, valueItems?.[index], stmt, scope, inLoop, kind);
        else if (item.k === 'spread' && item.value.k === 'name') {
          this.bind({
            name: item.value.name,
            scope,
            kind: 'other',
            pos: stmt.range.end,
            targetRange: item.range,
            stmt,
            inLoop,
          });
        }
      });
    }
    // Attribute and subscript targets bind no name.
  }

  private visitExpr(e: Expr, scope: ScopeId): void {
    this.unit!.roots.push({ e, scope });
    const stack: Expr[] = [e];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (cur.k === 'call') {
        const entry: CallEntry = { call: cur, scope, named: undefined };
        this.unit!.calls.push(entry);
        if (this.module.incremental === true) calleeEntries.set(cur.callee, entry);
      }
      pushChildren(cur, stack);
    }
  }

  /** The scope in which `name`, used in `scope`, is bound; undefined for builtins and unknown names. */
  private bindingScope(name: string, scope: ScopeId): ScopeId | undefined {
    let cur: ScopeId = scope;
    let first = true;
    for (;;) {
      const info = this.scopes.get(cur)!;
      if (info.globals.has(name)) return this.scopes.get(null)!.bindings.has(name) ? null : undefined;
      const isClass = cur !== null && this.module.functions[cur].kind === 'class';
      if ((first || !isClass) && info.bindings.has(name)) return cur;
      if (cur === null) return undefined;
      cur = this.module.functions[cur].parent;
      first = false;
    }
  }

  /** Bindings of `name` visible at `pos` in `scope`; the last one first. */
  lookup(name: string, scope: ScopeId, pos: Position): Binding[] {
    // Every rule and the data flow resolve names here: the analysis budget's clock is read from here.
    checkpoint();
    const where = this.bindingScope(name, scope);
    if (where === undefined) return [];
    const list = this.scopes.get(where)!.bindings.get(name)!;
    if (where !== scope) return list.length > 0 ? [list[list.length - 1]] : [];
    const found = lastAtOrBefore(list, pos);
    if (found >= 0) return [list[found]];
    // Used before any binding in this scope (loops, functions called later): any binding may apply.
    return [...list].reverse();
  }

  /** Whether `name`, used in `scope`, is bound anywhere it can see (`lookup(...).length > 0` without the list). */
  isBound(name: string, scope: ScopeId): boolean {
    checkpoint();
    const where = this.bindingScope(name, scope);
    return where !== undefined && this.scopes.get(where)!.bindings.get(name)!.length > 0;
  }

  /** `lookup(name, scope, pos)[0]` without building the list (qualified names and callees ask for it alone). */
  private lookupFirst(name: string, scope: ScopeId, pos: Position): Binding | undefined {
    checkpoint();
    const where = this.bindingScope(name, scope);
    if (where === undefined) return undefined;
    const list = this.scopes.get(where)!.bindings.get(name)!;
    if (where !== scope) return list[list.length - 1];
    const found = lastAtOrBefore(list, pos);
    return found >= 0 ? list[found] : list[list.length - 1];
  }

  private readonly qnameCache = new Map<Expr, NamedCall | { scope: ScopeId; q: string | undefined }>();
  private readonly memos = new Map<string, unknown>();

  /**
   * Facts about the module computed once per module version and shared by every rule, the data flow and
   * the workspace summary (persistence sites were found five times per analysis).
   */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** The qualified name an expression refers to through imports and aliases (`pp.StandardScaler`). */
  qname(e: Expr, scope: ScopeId, depth = 0): string | undefined {
    if (depth === 0) {
      if (this.mark !== 0) {
        const named = this.validatedCallee(e);
        if (named !== undefined && named.scope === scope) return named.q;
      }
      // Rules ask the same callee again and again; the answer depends only on the expression and its scope.
      const hit = this.qnameCache.get(e);
      if (hit && hit.scope === scope) return hit.q;
      const q = this.qnameUncached(e, scope, 0);
      this.qnameCache.set(e, { scope, q });
      return q;
    }
    return this.qnameUncached(e, scope, depth);
  }

  private qnameUncached(e: Expr, scope: ScopeId, depth: number, names?: ScopedName[]): string | undefined {
    if (depth > 20) return undefined;
    if (e.k === 'name') {
      names?.push({ name: e.name, scope });
      return this.bindingQname(this.lookupFirst(e.name, scope, e.range.start), depth, names);
    }
    if (e.k === 'attr') {
      const base = this.qnameUncached(e.object, scope, depth + 1, names);
      return base ? `${base}.${e.name}` : undefined;
    }
    return undefined;
  }

  /** The qualified name a name bound by `b` refers to: an import, or an alias of an imported name. */
  private bindingQname(b: Binding | undefined, depth: number, names?: ScopedName[]): string | undefined {
    if (!b) return undefined;
    if (b.kind === 'import') return b.qname;
    if (b.kind === 'assign' && b.value && (b.value.k === 'name' || b.value.k === 'attr'))
      return this.qnameUncached(b.value, b.scope, depth + 1, names);
    return undefined;
  }

  /**
   * The expressions a value may come from: names followed to their assignments, tuple unpacking of
   * literal tuples, calls to the file's own functions followed to their returns, and `x.fit(...)`
   * (which returns `x`). Unknown origins are dropped.
   */
  resolve(e: Expr, scope: ScopeId, depth = 0, seen?: Set<Expr>): ScopedExpr[] {
    if (depth > 12 || seen?.has(e)) return [];
    // Anything but a name or a call is its own origin: the set of expressions met is made only to follow those.
    seen?.add(e);
    if (e.k !== 'name' && e.k !== 'call') return [{ expr: e, scope }];
    // A first question (no `seen` yet) makes its set only when it follows something: most names and calls end here
    // (a set per question was 3% of a scikit.js keystroke's allocation).
    if (e.k === 'name') {
      const out: ScopedExpr[] = [];
      for (const b of this.lookup(e.name, scope, e.range.start)) {
        if (b.kind === 'def' && b.fn !== undefined) {
          const fn = this.module.functions[b.fn];
          out.push({ expr: { k: 'function', fn: fn.id, range: fn.nameRange }, scope: b.scope });
        } else if (b.value && (b.kind === 'assign' || b.kind === 'with'))
          out.push(...this.resolve(b.value, b.scope, depth + 1, (seen ??= new Set([e]))));
      }
      return out;
    }
    if (e.callee.k === 'attr' && SELF_RETURNING_METHODS.has(e.callee.name)) {
      const inner = this.resolve(e.callee.object, scope, depth + 1, (seen ??= new Set([e])));
      if (inner.length > 0) return inner;
    }
    const target = this.userFunction(e.callee, scope);
    if (target !== undefined) {
      const returns: ScopedExpr[] = [];
      for (const r of this.returnsOf(target))
        returns.push(...this.resolve(r, target, depth + 1, (seen ??= new Set([e]))));
      return returns;
    }
    return [{ expr: e, scope }];
  }

  /** The file's own function (not class) a callee names, if any. */
  userFunction(callee: Expr, scope: ScopeId): number | undefined {
    if (callee.k !== 'name') return undefined;
    const b = this.lookupFirst(callee.name, scope, callee.range.start);
    return b && this.isUserFunctionBinding(b) ? b.fn : undefined;
  }

  private isUserFunctionBinding(b: Binding): b is Binding & { fn: number } {
    return b.kind === 'def' && b.fn !== undefined && this.module.functions[b.fn].kind === 'def';
  }

  /** The file's own class a callee names, if any. */
  userClass(callee: Expr, scope: ScopeId): number | undefined {
    if (callee.k !== 'name') return undefined;
    const b = this.lookupFirst(callee.name, scope, callee.range.start);
    if (b?.kind === 'def' && b.fn !== undefined && this.module.functions[b.fn].kind === 'class') return b.fn;
    return undefined;
  }

  returnsOf(fnId: number): Expr[] {
    const out: Expr[] = [];
    const walk = (body: Stmt[]) => {
      for (const s of body) {
        if (s.k === 'return' && s.value) out.push(s.value);
        for (const b of stmtParts(s).blocks) walk(b);
      }
    };
    walk(this.module.functions[fnId].body);
    return out;
  }

  private readonly captureCache = new Map<number, Binding[]>();
  private childIndex: number[][] | undefined;

  /**
   * Work counters, for tests that check how work grows with the input without a clock: `captureFunctions`
   * counts the functions `captures` examines (each function and the ones nested in it, once per call).
   */
  readonly work = { captureFunctions: 0 };

  /** The function itself and every function nested in it, from a child index built once per module. */
  private selfAndNested(fnId: number): FunctionIR[] {
    const fns = this.module.functions;
    if (!this.childIndex) {
      const index: number[][] = fns.map(() => []);
      for (const f of fns) if (f.parent !== null) index[f.parent].push(f.id);
      this.childIndex = index;
    }
    const out: FunctionIR[] = [];
    const stack = [fnId];
    while (stack.length > 0) {
      const id = stack.pop()!;
      out.push(fns[id]);
      for (const child of this.childIndex[id]) stack.push(child);
    }
    this.work.captureFunctions += out.length;
    // In module order, as before the index (the order in which captures are found shows in messages).
    return out.sort((a, b) => a.id - b.id);
  }

  /**
   * Names a function reads from enclosing function scopes (its closure). Module-level names,
   * builtins and its own locals are not captures. Walks only the function and the functions nested in it
   * (found through a child index: scanning every function of the module per call made a file of 20,000
   * lambdas quadratic).
   */
  captures(fnId: number): Binding[] {
    const cached = this.captureCache.get(fnId);
    if (cached) return cached;
    const own = this.selfAndNested(fnId);
    const ownIds = new Set(own.map((f) => f.id));
    const out = new Map<string, Binding>();
    const check = (e: Expr, scope: ScopeId) => {
      if (e.k !== 'name' || out.has(e.name)) return;
      const where = this.bindingScope(e.name, scope);
      if (where === undefined || where === null || ownIds.has(where)) return;
      const b = this.lookupFirst(e.name, scope, e.range.start);
      if (b) out.set(e.name, b);
    };
    for (const f of own) {
      walkStmts(f.body, (st) => {
        for (const root of stmtParts(st).exprs) walkExpr(root, (e) => check(e, f.id));
      });
      // A nested function's defaults, decorators and bases are evaluated where it is defined.
      if (f.id !== fnId) {
        for (const root of [...f.params.flatMap((p) => (p.default ? [p.default] : [])), ...f.decorators, ...f.bases])
          walkExpr(root, (e) => check(e, f.parent));
      }
    }
    const result = [...out.values()];
    this.captureCache.set(fnId, result);
    return result;
  }

  /** Whether a function is defined inside another function or method (not at module or class level of the module). */
  isLocal(fnId: number): boolean {
    let cur = this.module.functions[fnId].parent;
    while (cur !== null) {
      const f = this.module.functions[cur];
      if (f.kind !== 'class') return true;
      cur = f.parent;
    }
    return false;
  }

  private moduleNameSet: ReadonlySet<string> | undefined;

  /** Module-level names (for choosing fresh names in fixes); computed once, never to be modified. */
  moduleNames(): ReadonlySet<string> {
    return (this.moduleNameSet ??= new Set(this.scopes.get(null)!.bindings.keys()));
  }

  private allNameSet: ReadonlySet<string> | undefined;

  /** Every name bound anywhere in the module, and every function's name (a fresh name must avoid them all). */
  allNames(): ReadonlySet<string> {
    if (!this.allNameSet) {
      const names = new Set<string>();
      for (const fn of this.module.functions) names.add(fn.name);
      for (const info of this.scopes.values()) for (const n of info.bindings.keys()) names.add(n);
      this.allNameSet = names;
    }
    return this.allNameSet;
  }
}

let lastSemantics: Semantics | undefined;

/**
 * The semantics of a module, shared by the analyses of the same module version that run one after the
 * other (the rules, then the workspace summary, then code lenses): remembers the last module only, so that
 * no open document keeps a second copy alive.
 */
export function semanticsOf(module: ModuleIR): Semantics {
  if (lastSemantics?.module !== module) lastSemantics = new Semantics(module);
  return lastSemantics;
}

/**
 * The names that `units` and `imports` may bind differently from the previous version's, with the scopes where:
 * those bound (or declared global) by a unit or import that only one of the two versions has. Marks `units` as
 * this version's.
 */
function reboundNames(
  previous: Lineage,
  units: Unit[],
  imports: readonly ImportIR[],
  mark: number,
): Map<string, Set<ScopeId>> {
  const rebound = new Map<string, Set<ScopeId>>();
  const note = (name: string, scope: ScopeId) => {
    const scopes = rebound.get(name);
    if (scopes) scopes.add(scope);
    else rebound.set(name, new Set([scope]));
  };
  const add = (unit: Unit) => {
    for (const b of unit.bindings) note(b.name, b.scope);
    for (const g of unit.globals) note(g.name, g.scope);
  };
  for (const unit of units) {
    if (unit.mark !== previous.mark) add(unit);
    unit.mark = mark;
  }
  for (const unit of previous.units) if (unit.mark !== mark) add(unit);
  if (previous.imports !== imports) {
    const before = new Set(previous.imports);
    const now = new Set(imports);
    for (const i of imports) if (!before.has(i)) note(i.local, i.scope);
    for (const i of previous.imports) if (!now.has(i)) note(i.local, i.scope);
  }
  return rebound;
}

function inPositionOrder(list: Binding[]): boolean {
  for (let i = 1; i < list.length; i++) if (comparePos(list[i - 1].pos, list[i].pos) > 0) return false;
  return true;
}

/** Index of the last binding at or before `pos` in a list sorted by position (binary search); -1 if none. */
function lastAtOrBefore(list: Binding[], pos: Position): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (comparePos(list[mid].pos, pos) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
