import type { RelatedLocation } from '../../model/finding';
import { persistenceSites, type PersistenceSite } from '../../knowledge/persistence';
import { allArguments, walkConstructions } from '../../model/reach';
import type { RequirementFileFacts } from '../../project/facts';
import { isPinned, type SklearnEntry } from '../../project/requirements';
import { customClasses } from '../custom-steps';
import type { Rule, RuleContext } from '../rule';

/** Libraries whose objects are scikit-learn estimators (their pickles record `_sklearn_version`). */
const ESTIMATOR_LIBRARIES = new Set(['sklearn', 'imblearn']);
/** Custom classes derived from these record `_sklearn_version` too (BaseEstimator's `__getstate__`). */
const ESTIMATOR_BASE = /^(sklearn|imblearn)\./;
/** Test modules save models to check a round trip in one environment: no other version ever loads them. */
const TEST_FILE = /(^|[\\/])(test_[^\\/]*|[^\\/]*_test|conftest)\.py$/;

/**
 * SKL501 model-saved-unpinned-sklearn: a scikit-learn model is saved (joblib, pickle, skops, cloudpickle,
 * dill) while the project's requirement files, found from the file's directory up to the project root,
 * do not pin scikit-learn to one release series (see `project/requirements.ts` for what counts as
 * pinned). scikit-learn records its version in the pickle and supports loading only with that version:
 * another one warns (InconsistentVersionWarning) and may fail or predict differently.
 *
 * Silent when the project has no requirement file at all (a notebook or an exploration: no deployment is
 * declared, and there is no file to pin in), when any requirement or lock file pins scikit-learn, when the
 * saved object is not known to hold a scikit-learn estimator, and in test modules.
 */
export const modelSavedUnpinnedSklearn: Rule = {
  meta: {
    code: 'SKL501',
    name: 'model-saved-unpinned-sklearn',
    summary:
      "A scikit-learn model is saved while the project's requirement files do not pin scikit-learn: another version may load it.",
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    if (TEST_FILE.test(ctx.module.uri)) return;
    const sites = persistenceSites(ctx.sem).filter(
      (s) => s.kind === 'save' && s.object && !s.api.startsWith('scikitjs.'),
    );
    if (sites.length === 0) return;
    const models = sites.filter((s) => savesEstimator(ctx, s));
    if (models.length === 0) return;
    const facts = ctx.project();
    if (!facts || facts.requirements.length === 0) return;
    if (facts.requirements.some((f) => f.sklearn.some((e) => isPinned(e.pin)))) return;
    const listed = facts.requirements.filter((f) => f.sklearn.length > 0);
    const { why, related } = listed.length > 0 ? unpinned(listed) : unlisted(facts.requirements);
    for (const site of models) {
      const api = site.api.replace(/^sklearn\.externals\./, '');
      ctx.report({
        range: site.call.range,
        message: `${api} saves a scikit-learn model, but ${why}: the environment that loads it may have another version, and scikit-learn does not support loading a model across versions (InconsistentVersionWarning at best; changed internals can make loading or \`predict\` fail or differ). Pin the version you train with (\`scikit-learn==X.Y.Z\`, or \`~=X.Y.Z\` for its bug-fix releases).`,
        related,
      });
    }
  },
};

const MAX_RELATED = 5;

function at(file: RequirementFileFacts, line: number, message: string): RelatedLocation {
  return { uri: file.uri, range: { start: { line, character: 0 }, end: { line, character: 0 } }, message };
}

/** Every requirement naming scikit-learn leaves the version open. */
function unpinned(listed: RequirementFileFacts[]): { why: string; related: RelatedLocation[] } {
  const first = listed[0];
  const e = first.sklearn[0];
  const others =
    listed.length > 1 ? ` (and ${listed.length - 1} other requirement file${listed.length > 2 ? 's' : ''})` : '';
  const related: RelatedLocation[] = [];
  for (const f of listed)
    for (const x of f.sklearn)
      if (related.length < MAX_RELATED) related.push(at(f, x.line, `${describe(x)}: not pinned`));
  return { why: `${first.shown}${others} ${leaves(e)}`, related };
}

function describe(e: SklearnEntry): string {
  return `\`${e.text.length > 80 ? `${e.text.slice(0, 77)}...` : e.text}\``;
}

function leaves(e: SklearnEntry): string {
  if (e.alias)
    return `lists ${describe(e)}, the deprecated \`sklearn\` package, which installs whatever scikit-learn is newest`;
  if (e.pin === 'none') return `lists scikit-learn without a version (${describe(e)})`;
  return `admits several scikit-learn releases (${describe(e)})`;
}

/** The project declares its dependencies, but scikit-learn is not among them. */
function unlisted(files: RequirementFileFacts[]): { why: string; related: RelatedLocation[] } {
  const names = files.slice(0, 3).map((f) => f.shown);
  const shown =
    files.length > 3
      ? `${names.join(', ')} and ${files.length - 3} more`
      : names.join(files.length === 2 ? ' and ' : ', ');
  return {
    why: `the project's requirements (${shown}) do not list scikit-learn`,
    related: files.slice(0, MAX_RELATED).map((f) => at(f, 0, 'scikit-learn is not listed here')),
  };
}

/** The saved object holds a scikit-learn (or imbalanced-learn) estimator, or an instance of a class derived from one. */
function savesEstimator(ctx: RuleContext, site: PersistenceSite): boolean {
  const custom = customClasses(ctx);
  let found = false;
  walkConstructions(
    ctx.sem,
    { expr: site.object!, scope: site.scope },
    (call, scope) => {
      if (found) return [];
      const info = ctx.lookup(ctx.sem.qname(call.callee, scope));
      if (
        info &&
        ESTIMATOR_LIBRARIES.has(info.library) &&
        (info.kind === 'class' ? !info.roles.splitter : info.roles.composite)
      ) {
        found = true;
        return [];
      }
      const cls = ctx.sem.userClass(call.callee, scope);
      const base = cls !== undefined ? custom.get(cls)?.libraryBase : undefined;
      if (base && ESTIMATOR_BASE.test(base)) {
        found = true;
        return [];
      }
      // A wrapper or container of the file's own may hold the model in its arguments.
      return allArguments(call, scope);
    },
    { throughAttributes: true },
  );
  return found;
}
