/**
 * The knowledge base: what each library class or function is (roles, parameters, randomness).
 *
 * The JSON files are generated from the real libraries (see generate_sklearn.py) and imported
 * so that esbuild bundles them. To add a library, import its file and append it to KNOWLEDGE_FILES.
 */
import type { EntityInfo, KnowledgeFile, LiteralValue, ParamCondition, ParamInfo } from './types';
import sklearnJson from './sklearn.json';
import imblearnJson from './imblearn.json';
import scikitjsJson from './scikitjs.json';

export * from './types';

/** Every knowledge file, in lookup priority order (an earlier file wins on a name clash). */
export const KNOWLEDGE_FILES: readonly KnowledgeFile[] = [
  sklearnJson as unknown as KnowledgeFile,
  imblearnJson as unknown as KnowledgeFile,
  scikitjsJson as unknown as KnowledgeFile,
];

let byName: Map<string, EntityInfo> | undefined;
let all: EntityInfo[] | undefined;

function index(): Map<string, EntityInfo> {
  if (byName) return byName;
  const map = new Map<string, EntityInfo>();
  const list: EntityInfo[] = [];
  for (const file of KNOWLEDGE_FILES) {
    for (const e of file.entities) {
      if (map.has(e.qname)) continue;
      list.push(e);
      map.set(e.qname, e);
    }
  }
  // aliases never shadow a primary name
  for (const e of list) {
    for (const a of e.aliases ?? []) if (!map.has(a)) map.set(a, e);
  }
  byName = map;
  all = list;
  return map;
}

/** The entity for a qualified name or one of its aliases. */
export function lookupEntity(qname: string): EntityInfo | undefined {
  return index().get(qname);
}

/** Every entity of every knowledge file (each once). */
export function allEntities(): readonly EntityInfo[] {
  index();
  return all!;
}

export function findParam(entity: EntityInfo, name: string): ParamInfo | undefined {
  return entity.params.find((p) => p.name === name);
}

/**
 * Positional index of a parameter (its position in a call), or -1 when it cannot be passed
 * positionally (keyword-only, after `*args`, `**kwargs`, or unknown).
 */
export function paramIndex(entity: EntityInfo, name: string): number {
  let i = 0;
  for (const p of entity.params) {
    if (p.kind !== 'positional') return -1;
    if (p.name === name) return i;
    i++;
  }
  return -1;
}

/** The default of a parameter as written by the library (Python repr), if it has one. */
export function defaultOf(entity: EntityInfo, name: string): string | undefined {
  return findParam(entity, name)?.default;
}

/**
 * Parse a Python repr of a literal (`'lbfgs'`, `"x"`, `True`, `False`, `None`, `5`, `-1.5`).
 * Returns 'unknown' for anything else (objects, functions, tuples...).
 */
export function parsePythonLiteral(repr: string): LiteralValue | 'unknown' {
  const s = repr.trim();
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (s === 'None') return null;
  if (s.length >= 2 && (s[0] === "'" || s[0] === '"') && s[s.length - 1] === s[0]) {
    const body = s.slice(1, -1);
    if (!body.includes('\\')) return body;
    return 'unknown';
  }
  if (/^[-+]?\d+$/.test(s)) return parseInt(s, 10);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(s)) return parseFloat(s);
  return 'unknown';
}

/** Parse a default (Python repr or JS source literal). */
function parseDefault(repr: string): LiteralValue | 'unknown' {
  const s = repr.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null' || s === 'undefined') return null;
  return parsePythonLiteral(s);
}

function sameLiteral(a: LiteralValue, b: LiteralValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return a === b;
}

export type ArgValue = LiteralValue | 'unknown' | 'absent';

/** Does one condition hold: 'yes' | 'no' | 'unknown'. */
export function conditionHolds(
  entity: EntityInfo,
  cond: ParamCondition,
  getArg: (param: string) => ArgValue,
): 'yes' | 'no' | 'unknown' {
  let v = getArg(cond.param);
  if (v === 'absent') {
    const d = defaultOf(entity, cond.param);
    v = d === undefined ? 'unknown' : parseDefault(d);
  }
  if (v === 'unknown') return cond.and?.some((c) => conditionHolds(entity, c, getArg) === 'no') ? 'no' : 'unknown';
  const value = v;
  const inside = cond.values.some((x) => sameLiteral(x, value));
  if (inside === (cond.negate === true)) return 'no';
  let result: 'yes' | 'unknown' = 'yes';
  for (const c of cond.and ?? []) {
    const h = conditionHolds(entity, c, getArg);
    if (h === 'no') return 'no';
    if (h === 'unknown') result = 'unknown';
  }
  return result;
}

/**
 * Whether randomness acts in a call of `entity` whose random_state argument is not a seed.
 *
 * `getArg(param)` gives the literal argument for a parameter of the call, 'unknown' when it is
 * passed but not a literal, 'absent' when it is not passed (then the library default is used).
 * Returns 'no' when the entity takes no random_state, when randomness never acts, when the
 * random_state argument is absent and the library seeds it by default (`seededByDefault`), or
 * when no condition of `randomState.when` holds; 'yes' when it always acts or a condition holds;
 * 'unknown' when a condition depends on an argument that is not a literal.
 */
export function randomnessActs(entity: EntityInfo, getArg: (param: string) => ArgValue): 'yes' | 'no' | 'unknown' {
  const rs = entity.randomState;
  if (!rs) return 'no';
  if (rs.seededByDefault && getArg(rs.param) === 'absent') return 'no';
  switch (rs.acts) {
    case 'always':
      return 'yes';
    case 'never':
      return 'no';
    case 'conditional': {
      let unknown = false;
      for (const c of rs.when ?? []) {
        const h = conditionHolds(entity, c, getArg);
        if (h === 'yes') return 'yes';
        if (h === 'unknown') unknown = true;
      }
      return unknown ? 'unknown' : 'no';
    }
  }
}
