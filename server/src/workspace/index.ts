import { analysisBudgetFor, withDeadline } from '../model/budget';
import { unbundledModels } from '../dataflow/bundles';
import { lineageOf } from '../knowledge/lineage';
import { reachableInsts } from '../dataflow/values';
import type { Inst } from '../dataflow/values';
import { lookupEntity } from '../knowledge';
import type { EntityInfo } from '../knowledge/types';
import type { ModuleIR, Range } from '../model/ir';
import { persistenceSites } from '../knowledge/persistence';
import { semanticsOf, type Semantics } from '../model/semantics';
import { artifactKey, baseName, keysMatch } from './artifacts';
import type { ArtifactSave, WorkspaceView } from './view';

/** Facts a save site records about the saved object (ArtifactSave.facts). */
export const FACT_BARE_MODEL_ON_TRANSFORMED = 'bare-model-fitted-on-transformed';
export const FACT_PIPELINE = 'pipeline';
export const FACT_MODEL = 'model';
export const FACT_TRANSFORMER = 'transformer';
export const FACT_BUNDLE = 'bundle';
/** `step:<qname>`: a stateful transformer inside a saved Pipeline (the loaded model already applies it). */
export const FACT_STEP = 'step';
/** `class:<qname>`: the class of the saved object itself. */
export const FACT_CLASS = 'class';

export interface ArtifactLoad {
  uri: string;
  key: string;
  range: Range;
}

/** What one file contributes to the workspace: computed from its lowered module only. */
export interface FileSummary {
  uri: string;
  saves: ArtifactSave[];
  loads: ArtifactLoad[];
  /** Qualified names the file imports (`model.build`, `pkg.utils`), to link files that import each other. */
  imports?: string[];
  /** The file saves something with pickle (joblib.dump, pickle.dump, skops), whatever the destination. */
  pickles?: boolean;
}

const entityCache = new Map<string, EntityInfo | undefined>();
function lookup(q: string | undefined): EntityInfo | undefined {
  if (!q) return undefined;
  if (!entityCache.has(q)) entityCache.set(q, lookupEntity(q));
  return entityCache.get(q);
}

let lastSummary: { module: ModuleIR; summary: FileSummary } | undefined;

/**
 * The file's save and load sites with their artifact keys, and what each saved object is. The summary of
 * the last module is remembered: SKL304 asks for it once per load site, and the server again after the
 * analysis of the same version.
 */
export function summarizeModule(module: ModuleIR, sem?: Semantics): FileSummary {
  if (lastSummary?.module === module) return lastSummary.summary;
  // The workspace index summarises files that are never analysed (not open): the same budget bounds it.
  const summary = withDeadline(analysisBudgetFor(module.text.length), () =>
    computeSummary(module, sem ?? semanticsOf(module)),
  );
  lastSummary = { module, summary };
  return summary;
}

function computeSummary(module: ModuleIR, sem: Semantics): FileSummary {
  const L = lineageOf(sem, lookup);
  const bare = new Map<unknown, string[]>();
  for (const u of unbundledModels(L)) {
    const list = bare.get(u.save) ?? [];
    list.push(...u.missing.map((f) => `${FACT_TRANSFORMER}:${f.inst.qname}`));
    bare.set(u.save, list);
  }
  const saves: ArtifactSave[] = [];
  for (const s of L.saves) {
    const key = artifactKey(sem, s.site.destination, s.scope);
    if (!key) continue;
    const facts: string[] = [];
    const missing = bare.get(s);
    if (missing) facts.push(FACT_BARE_MODEL_ON_TRANSFORMED, ...new Set(missing));
    const top = s.value?.t === 'inst' ? s.value : undefined;
    const insts = [...reachableInsts(s.value)];
    if (top?.composite) facts.push(FACT_PIPELINE);
    else if (s.value?.t === 'tuple' || s.value?.t === 'dict') facts.push(FACT_BUNDLE);
    if (insts.some((i: Inst) => i.kind === 'predictor' || i.kind === 'search')) facts.push(FACT_MODEL);
    if (top?.kind === 'transformer') facts.push(FACT_TRANSFORMER);
    if (top) facts.push(`${FACT_CLASS}:${top.qname}`);
    if (top?.composite)
      for (const i of insts)
        if (i !== top && i.kind === 'transformer' && !i.stateless && !i.composite)
          facts.push(`${FACT_STEP}:${i.qname}`);
    saves.push({ uri: module.uri, key, range: s.site.call.range, facts });
  }
  const loads: ArtifactLoad[] = [];
  for (const l of L.loads) {
    const key = artifactKey(sem, l.site.destination, l.scope);
    if (key) loads.push({ uri: module.uri, key, range: l.site.call.range });
  }
  const imports = [...new Set(module.imports.map((i) => i.qname).filter((q) => !LIBRARY_ROOTS.has(q.split('.')[0])))];
  const pickles = persistenceSites(sem).some((s) => s.kind === 'save' && s.pickles);
  return { uri: module.uri, saves, loads, imports, pickles };
}

/** Imports that never name a file of the workspace (keeps the summaries small and the links honest). */
const LIBRARY_ROOTS = new Set([
  'sklearn',
  'imblearn',
  'numpy',
  'pandas',
  'scipy',
  'joblib',
  'pickle',
  'matplotlib',
  'seaborn',
  'os',
  'sys',
  're',
  'json',
  'math',
  'typing',
  'collections',
  'functools',
  'itertools',
  'warnings',
  'pathlib',
  'scikitjs',
]);

/** The module name a file is imported by: its file name without extension (`pkg/__init__.py`: `pkg`). */
function moduleStem(uri: string): string {
  const parts = uri.replace(/\\/g, '/').split('/');
  const file = parts.pop() ?? '';
  const stem = file.replace(/\.[^.]*$/, '');
  return stem === '__init__' ? (parts.pop() ?? stem) : stem;
}

/**
 * Links artifacts across files: per-file summaries, replaced one file at a time, so that a change to one
 * file never re-analyses the others. Lookups go through an index of base names rebuilt lazily.
 */
export class WorkspaceIndex implements WorkspaceView {
  private readonly files = new Map<string, FileSummary>();
  private byBase: Map<string, ArtifactSave[]> | undefined;

  /** Replaces a file's summary; returns true when what it saves changed (its dependents need re-analysis). */
  update(summary: FileSummary): boolean {
    const old = this.files.get(summary.uri);
    this.files.set(summary.uri, summary);
    const changed = !old || JSON.stringify(old.saves.map(stripRange)) !== JSON.stringify(summary.saves.map(stripRange));
    if (changed) this.byBase = undefined;
    return changed;
  }

  remove(uri: string): boolean {
    const old = this.files.get(uri);
    this.files.delete(uri);
    if (old && old.saves.length > 0) {
      this.byBase = undefined;
      return true;
    }
    return false;
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  get size(): number {
    return this.files.size;
  }

  savesOf(key: string): ArtifactSave[] {
    if (!this.byBase) {
      this.byBase = new Map();
      for (const f of this.files.values()) {
        for (const s of f.saves) {
          const b = baseName(s.key).includes('*') ? '*' : baseName(s.key);
          const list = this.byBase.get(b) ?? [];
          list.push(s);
          this.byBase.set(b, list);
        }
      }
    }
    const exact = this.byBase.get(baseName(key)) ?? [];
    const globbed = [
      ...(this.byBase.get('*') ?? []),
      ...(baseName(key).includes('*') ? [...this.byBase.values()].flat() : []),
    ];
    const out = exact.filter((s) => keysMatch(s.key, key));
    for (const s of globbed) if (!out.includes(s) && keysMatch(s.key, key)) out.push(s);
    return out;
  }

  picklingNeighboursOf(uri: string): string[] {
    const own = this.files.get(uri);
    const stem = moduleStem(uri);
    const names = (f: FileSummary) => (f.imports ?? []).flatMap((q) => q.split('.'));
    const ownNames = new Set(own ? names(own) : []);
    const out: string[] = [];
    for (const f of this.files.values()) {
      if (f.uri === uri || !f.pickles) continue;
      // It imports this file, or this file imports it (any component of a dotted name may be the module).
      if (names(f).includes(stem) || ownNames.has(moduleStem(f.uri))) out.push(f.uri);
    }
    return out;
  }

  /** Files that load an artifact the given file saves (they must be re-analysed when it changes). */
  dependentsOf(uri: string, previous?: FileSummary): string[] {
    const saves = [...(this.files.get(uri)?.saves ?? []), ...(previous?.saves ?? [])];
    if (saves.length === 0) return [];
    const out: string[] = [];
    for (const f of this.files.values()) {
      if (f.uri === uri) continue;
      if (f.loads.some((l) => saves.some((s) => keysMatch(s.key, l.key)))) out.push(f.uri);
    }
    return out;
  }

  summary(uri: string): FileSummary | undefined {
    return this.files.get(uri);
  }

  /** Every file's summary (to rebuild the index in the server's analysis thread). */
  summaries(): FileSummary[] {
    return [...this.files.values()];
  }
}

function stripRange(s: ArtifactSave): unknown {
  return { key: s.key, facts: s.facts, line: s.range.start.line };
}
