#!/usr/bin/env node
/**
 * Generates scikitjs.json (the knowledge file for scikit.js) from the package's real type declarations.
 *
 *   node server/src/knowledge/generate_scikitjs.mjs [--version 1.24.0] [--from DIR] [--out FILE]
 *
 * The package is fetched with `npm pack scikitjs@<version>` into a temporary directory (its postinstall
 * script runs `cd docs && npm install`, which fails outside its repository, so it is never installed),
 * or read from DIR (an unpacked `package/` directory). Only `.d.ts` files are read:
 *
 * - public names: the exports of `dist/esm/index.d.ts`;
 * - classes: roles from their methods, inherited ones included (transformer: `transform`/`fitTransform`;
 *   predictor: `predict`; splitter: `split`; composite: holds `steps` or `transformers`; meta: holds
 *   `estimators`), classifier/regressor from the mixin they extend, clusterer from the `cluster/` folder;
 * - parameters: the properties of the constructor's options interface (`KMeansParams`), with the default
 *   the JSDoc states (`**default = 8**`, "Defaults to `false`");
 * - functions: positional parameters from the signature (`trainTestSplit(X, y, testSize?, trainSize?, randomState?)`);
 * - incremental learning: `partialFit` when a class has it; `fitContinues` for the classes whose `fit`
 *   keeps training the model it already has (those with `initializeModel`: the SGD family);
 * - randomness: every `randomState` parameter. It acts always, except when its doc says it is used for
 *   shuffling and the class has a boolean `shuffle` option: then only with `shuffle: true` (KFold).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const VERSION = opt('--version', '1.24.0');
const OUT = opt('--out', path.join(here, 'scikitjs.json'));

function fetchPackage() {
  const from = opt('--from');
  if (from) return { dir: from, cleanup: () => {} };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pipelint-scikitjs-'));
  const out = execFileSync('npm', ['pack', `scikitjs@${VERSION}`, '--silent', '--pack-destination', tmp], {
    cwd: tmp,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['xzf', path.join(tmp, out), '-C', tmp]);
  return { dir: path.join(tmp, 'package'), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

const { dir, cleanup } = fetchPackage();
const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const root = path.join(dir, 'dist', 'esm');

const files = new Map();
function sourceFile(rel) {
  const file = path.resolve(root, rel.endsWith('.d.ts') ? rel : `${rel}.d.ts`);
  if (!files.has(file)) {
    if (!existsSync(file)) return undefined;
    files.set(file, ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  }
  return files.get(file);
}

/** Public exports: name -> { file, localName }. */
const exportsOf = new Map();
const index = sourceFile('index');
for (const st of index.statements) {
  if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause))
    continue;
  const from = st.moduleSpecifier.text;
  for (const el of st.exportClause.elements)
    exportsOf.set(el.name.text, { file: from, local: (el.propertyName ?? el.name).text });
}

/** Find a declaration by name in a file, following its imports within the package. */
function findDecl(file, name, seen = new Set()) {
  const key = `${file.fileName}#${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  for (const st of file.statements) {
    if (
      (ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isFunctionDeclaration(st) ||
        ts.isTypeAliasDeclaration(st)) &&
      st.name?.text === name
    )
      return { file, node: st };
  }
  for (const st of file.statements) {
    if (
      !ts.isImportDeclaration(st) ||
      !st.importClause?.namedBindings ||
      !ts.isNamedImports(st.importClause.namedBindings)
    )
      continue;
    const spec = st.moduleSpecifier.text;
    if (!spec.startsWith('.')) continue;
    for (const el of st.importClause.namedBindings.elements) {
      if (el.name.text !== name) continue;
      const target = sourceFile(path.relative(root, path.resolve(path.dirname(file.fileName), spec)));
      if (target) return findDecl(target, (el.propertyName ?? el.name).text, seen);
    }
  }
  return undefined;
}

function jsDocText(node) {
  return (node.jsDoc ?? [])
    .map((d) => (typeof d.comment === 'string' ? d.comment : (d.comment ?? []).map((c) => c.text).join('')))
    .join('\n');
}

/** `**default = 8**`, `Defaults to \`false\`` -> JS source of the default. */
function defaultFromDoc(doc) {
  const m = /\*\*default\s*=\s*([^*]+?)\s*\*\*/i.exec(doc) ?? /Defaults to `([^`]+)`/i.exec(doc);
  if (!m) return undefined;
  const v = m[1].trim();
  if (v === 'undefined') return undefined;
  return v;
}

/** Methods and properties of a class, those of its package base classes included. */
function members(file, cls, seen = new Set()) {
  const out = { methods: new Set(), props: new Set(), bases: [] };
  if (seen.has(cls)) return out;
  seen.add(cls);
  for (const m of cls.members) {
    const n = m.name && ts.isIdentifier(m.name) ? m.name.text : undefined;
    if (!n) continue;
    if (ts.isMethodDeclaration(m)) out.methods.add(n);
    else if (ts.isPropertyDeclaration(m)) out.props.add(n);
  }
  for (const h of cls.heritageClauses ?? []) {
    for (const t of h.types) {
      const baseExpr = t.expression;
      // `extends mixins(Base, A, B)` is typed `any` in the declarations: nothing to follow.
      const baseName = ts.isIdentifier(baseExpr) ? baseExpr.text : undefined;
      if (!baseName) continue;
      out.bases.push(baseName);
      const d = findDecl(file, baseName);
      if (d && (ts.isClassDeclaration(d.node) || ts.isInterfaceDeclaration(d.node))) {
        const inner = members(d.file, d.node, seen);
        inner.methods.forEach((x) => out.methods.add(x));
        inner.props.forEach((x) => out.props.add(x));
        out.bases.push(...inner.bases);
      }
    }
  }
  return out;
}

function optionsParams(file, cls) {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  if (!ctor || ctor.parameters.length === 0) return [];
  const p = ctor.parameters[0];
  const params = [];
  let typeName =
    p.type && ts.isTypeReferenceNode(p.type) && ts.isIdentifier(p.type.typeName) ? p.type.typeName.text : undefined;
  const d = typeName ? findDecl(file, typeName) : undefined;
  if (d && ts.isInterfaceDeclaration(d.node)) {
    for (const m of d.node.members) {
      if (!ts.isPropertySignature(m) || !m.name || !ts.isIdentifier(m.name)) continue;
      const info = { name: m.name.text, kind: 'keyword' };
      const doc = jsDocText(m);
      const def = defaultFromDoc(doc);
      if (def !== undefined) info.default = def;
      const typeText = m.type ? m.type.getText(d.file) : '';
      if (m.type && (ts.isFunctionTypeNode(m.type) || /=>/.test(typeText))) info.callable = true;
      if (['steps', 'transformers', 'estimators', 'estimator', 'remainder'].includes(info.name)) info.estimator = true;
      params.push({ info, doc, typeText });
    }
  } else if (ts.isObjectBindingPattern(p.name)) {
    for (const el of p.name.elements)
      if (ts.isIdentifier(el.name))
        params.push({ info: { name: el.name.text, kind: 'keyword' }, doc: '', typeText: '' });
  } else if (ts.isIdentifier(p.name)) {
    // Plain positional constructor arguments (rare in scikit.js).
    for (const q of ctor.parameters)
      if (ts.isIdentifier(q.name))
        params.push({
          info: { name: q.name.text, kind: q.dotDotDotToken ? 'varargs' : 'positional' },
          doc: '',
          typeText: '',
        });
  }
  return params;
}

function randomStateFor(params, evidenceOwner) {
  const rs = params.find((p) => p.info.name === 'randomState');
  if (!rs) return undefined;
  const shuffle = params.find((p) => p.info.name === 'shuffle' && /boolean/.test(p.typeText));
  const sentence = rs.doc.split(/(?<=\.)\s+/).find((s) => /shuffl/i.test(s));
  if (shuffle && sentence) {
    return {
      param: 'randomState',
      acts: 'conditional',
      when: [{ param: 'shuffle', values: [true] }],
      evidence: `${evidenceOwner}: ${rs.doc.replace(/\s+/g, ' ').trim()}`,
    };
  }
  const out = { param: 'randomState', acts: 'always' };
  if (rs.doc) out.evidence = `${evidenceOwner}: ${rs.doc.replace(/\s+/g, ' ').trim()}`;
  return out;
}

const emptyRoles = () => ({
  transformer: false,
  predictor: false,
  classifier: false,
  regressor: false,
  clusterer: false,
  splitter: false,
  meta: false,
  composite: false,
  resampler: false,
});

const entities = [];
for (const [name, { file: rel, local }] of [...exportsOf].sort((a, b) => a[0].localeCompare(b[0]))) {
  const file = sourceFile(rel);
  if (!file) continue;
  const d = findDecl(file, local);
  if (!d) continue;
  const qname = `scikitjs.${name}`;
  if (ts.isClassDeclaration(d.node)) {
    const mem = members(d.file, d.node);
    const roles = emptyRoles();
    roles.transformer = mem.methods.has('transform') || mem.methods.has('fitTransform');
    roles.predictor = mem.methods.has('predict');
    roles.splitter = mem.methods.has('split') && mem.methods.has('getNumSplits');
    roles.composite = mem.props.has('steps') || mem.props.has('transformers');
    roles.meta = mem.props.has('estimators');
    roles.classifier =
      mem.bases.includes('ClassifierMixin') || /Classifier$|^LogisticRegression$|^LinearSVC$|^GaussianNB$/.test(name);
    roles.regressor =
      !roles.classifier &&
      (mem.bases.includes('RegressorMixin') || /Regressor$|Regression$|^ElasticNet$|^LinearSVR$|^SVR$/.test(name));
    roles.clusterer = /[\\/]cluster[\\/]/.test(d.file.fileName);
    const params = optionsParams(d.file, d.node);
    const entity = { qname, library: 'scikitjs', kind: 'class', roles, params: params.map((p) => p.info) };
    // Incremental learning. No class of 1.24 has \`partialFit\` (kept for a later release). The SGD family
    // (SGDClassifier, SGDRegressor and the classes built on them: LinearRegression, LogisticRegression,
    // RidgeRegression, LassoRegression, ElasticNet, LinearSVC, LinearSVR) declares \`initializeModel\`, which
    // its \`fit\` calls only while the TensorFlow model has no layers (src/linear_model/SgdClassifier.ts):
    // a second \`fit\` trains the same model further. Every other estimator's \`fit\` starts over.
    if (mem.methods.has('partialFit')) entity.partialFit = { classes: false };
    if (mem.methods.has('initializeModel')) entity.fitContinues = true;
    const rs = randomStateFor(params, `${name}Params.randomState`);
    if (rs) entity.randomState = rs;
    entities.push(entity);
  } else if (ts.isFunctionDeclaration(d.node)) {
    // Overloads: the first declaration's parameters.
    const fn = d.node;
    const params = fn.parameters.map((p) => ({
      info: {
        name: ts.isIdentifier(p.name) ? p.name.text : 'options',
        kind: p.dotDotDotToken ? 'varargs' : 'positional',
      },
      doc: '',
      typeText: p.type ? p.type.getText(d.file) : '',
    }));
    const roles = emptyRoles();
    roles.composite = /^make(Pipeline|VotingRegressor|VotingClassifier)$/.test(name);
    roles.meta = /^makeVoting/.test(name);
    // As in sklearn.json, 'splitter' is for CV splitter classes; trainTestSplit is a split function.
    roles.splitter = false;
    const entity = { qname, library: 'scikitjs', kind: 'function', roles, params: params.map((p) => p.info) };
    const rsIndex = params.findIndex((p) => p.info.name === 'randomState');
    if (rsIndex >= 0) {
      // No `shuffle` argument: the split always draws a permutation (sampleWithoutReplacement).
      entity.randomState = {
        param: 'randomState',
        position: rsIndex,
        acts: 'always',
        evidence: `${name}(${params.map((p) => p.info.name).join(', ')}): positional randomState, no shuffle option`,
      };
    }
    if (params.length > 0 && params.some((p) => p.info.kind === 'varargs')) roles.composite ||= name.startsWith('make');
    entities.push(entity);
  }
}

const out = {
  library: 'scikitjs',
  version: pkg.version,
  generatedBy: 'server/src/knowledge/generate_scikitjs.mjs (from the package .d.ts files)',
  entities,
};
writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
cleanup();
console.log(`wrote ${entities.length} entities of scikitjs ${pkg.version} to ${path.relative(process.cwd(), OUT)}`);
