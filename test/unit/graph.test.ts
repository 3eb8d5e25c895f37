/**
 * The pipeline graph built from the model, on the diagram fixtures (test/fixtures/diagram): which
 * constructions become nodes, in which order and nesting, with which names, columns, non-default
 * parameters and finding codes; and the renderer's output in Node (layout, escaping).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { selectRootAtLine } from '../../server/src/cli/diagram';
import { Engine } from '../../server/src/analysis/engine';
import { buildPipelineGraph, pipelineConstructions } from '../../server/src/graph/build';
import type { GraphNode, PipelineGraph } from '../../server/src/graph/types';
import { Semantics } from '../../server/src/model/semantics';
import { renderDiagram } from '../../webview/src/render';

const DIR = path.join(__dirname, '..', 'fixtures', 'diagram');
let engine: Engine;

function graphOf(name: string, text = readFileSync(path.join(DIR, name), 'utf8')): PipelineGraph {
  const kind = name.endsWith('.ts') ? 'typescript' : 'python';
  const { module, findings } = engine.analyze(name, text, kind);
  return buildPipelineGraph(module, findings);
}

function node(g: PipelineGraph, id: string): GraphNode {
  return g.nodes.find((n) => n.id === id)!;
}

function children(g: PipelineGraph, n: GraphNode): GraphNode[] {
  return n.children.map((c) => node(g, c));
}

function byPath(g: PipelineGraph, p: string): GraphNode {
  const n = g.nodes.find((x) => x.path === p);
  assert.ok(n, `no node with path ${p}; paths: ${g.nodes.map((x) => x.path).join(', ')}`);
  return n;
}

function params(n: GraphNode): Record<string, string> {
  return Object.fromEntries(n.params.map((p) => [p.name, p.value]));
}

/** Sequence edges of a container, as "a>b" between child names. */
function sequence(g: PipelineGraph, n: GraphNode): string[] {
  const ids = new Set(n.children);
  return g.edges
    .filter((e) => e.kind === 'sequence' && ids.has(e.source))
    .map((e) => `${node(g, e.source).name}>${node(g, e.target).name}`);
}

describe('pipeline graph', () => {
  before(async () => {
    engine = await Engine.create();
  });

  test('a 3-step Pipeline: steps in order, parameters that differ from the defaults', () => {
    const g = graphOf('three_steps.py');
    assert.equal(g.roots.length, 1);
    const root = node(g, g.roots[0]);
    assert.deepEqual(
      [root.kind, root.name, root.className, root.qname],
      ['composite', 'pipe', 'Pipeline', 'sklearn.pipeline.Pipeline'],
    );
    assert.deepEqual(
      children(g, root).map((c) => `${c.name}:${c.className}`),
      ['scaler:StandardScaler', 'pca:PCA', 'clf:LogisticRegression'],
    );
    assert.deepEqual(sequence(g, root), ['scaler>pca', 'pca>clf']);
    assert.deepEqual(params(byPath(g, 'scaler')), {});
    assert.deepEqual(params(byPath(g, 'pca')), { n_components: '10', random_state: '0' });
    assert.deepEqual(byPath(g, 'clf').params, [
      { name: 'C', value: '0.5', default: '1.0' },
      { name: 'max_iter', value: '1000', default: '100' },
    ]);
    assert.equal(byPath(g, 'clf').range.start.line, 8);
  });

  test('a literal argument equal to the default is not shown', () => {
    const g = graphOf(
      'x.py',
      'from sklearn.pipeline import Pipeline\nfrom sklearn.svm import SVC\np = Pipeline([("svc", SVC(C=1.0, kernel="rbf", degree=4))])\n',
    );
    assert.deepEqual(params(byPath(g, 'svc')), { degree: '4' });
  });

  test('a ColumnTransformer: branches with their columns, a nested Pipeline from a variable, remainder, findings, output names', () => {
    const g = graphOf('column_transformer.py');
    assert.equal(g.roots.length, 1, 'preprocess and numeric are drawn inside model, not as roots');
    const root = node(g, g.roots[0]);
    assert.equal(root.name, 'model');
    const ct = byPath(g, 'preprocess');
    assert.deepEqual([ct.kind, ct.className, ct.arrangement], ['composite', 'ColumnTransformer', 'parallel']);
    assert.deepEqual(
      children(g, ct).map((c) => `${c.kind}:${c.name}:${c.className}`),
      [
        'composite:num:Pipeline',
        'step:cat:OneHotEncoder',
        'step:log:FunctionTransformer',
        'branch:remainder:passthrough',
      ],
    );
    assert.equal(byPath(g, 'preprocess__num').columns, 'numeric_features = ["age", "fare"]');
    assert.equal(byPath(g, 'preprocess__log').columns, 'make_column_selector(dtype_include=np.number)');
    assert.deepEqual(
      children(g, byPath(g, 'preprocess__num')).map((c) => c.name),
      ['impute', 'scale'],
    );
    assert.deepEqual(params(byPath(g, 'preprocess__num__impute')), { strategy: '"median"' });
    // Every branch is fed by the transformer's input and feeds its output.
    for (const c of ct.children) {
      assert.ok(g.edges.some((e) => e.kind === 'enter' && e.source === ct.id && e.target === c));
      assert.ok(g.edges.some((e) => e.kind === 'exit' && e.source === c && e.target === ct.id));
    }
    // The lambda (SKL101) is inside the FunctionTransformer; the unseeded forest (SKL201) on the forest.
    assert.deepEqual(byPath(g, 'preprocess__log').findings, ['SKL101']);
    assert.deepEqual(byPath(g, 'forest').findings, ['SKL201']);
    assert.deepEqual(ct.findings, []);
    assert.deepEqual(ct.outputs, [
      'num__age',
      'num__fare',
      'cat__embarked_*',
      'cat__sex_*',
      'cat__pclass_*',
      'log__*',
      'remainder__*',
    ]);
  });

  test('a finding outside every node (SKL104 at the dump) goes to the header of the pipeline it is about', () => {
    const g = graphOf('column_transformer.py');
    const root = node(g, g.roots[0]);
    assert.deepEqual(
      root.external?.map((e) => [e.code, e.severity, e.line + 1]),
      [['SKL104', 'error', 32]],
    );
    assert.match(root.external[0].message, /^joblib\.dump will fail/);
    assert.deepEqual(root.findings, [], 'not one of its own findings');
  });

  test('long column lists and grids are kept in full (the renderer shortens what it draws)', () => {
    const g = graphOf('long_columns.py');
    assert.equal(
      byPath(g, 'estimator__pre__num').columns,
      'numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls_90d", "late_payments_12m", "avg_session_minutes", "days_since_last_login"]',
    );
    const grid = node(g, g.roots[0]).params.find((p) => p.name === 'param_grid')!;
    assert.equal(
      grid.value,
      '{"gb__n_estimators": [100, 200, 400], "gb__learning_rate": [0.03, 0.1, 0.3], "gb__max_depth": [2, 3, 4]}',
    );
  });

  test('GridSearchCV around a Pipeline holding a FeatureUnion: wrapper, set_params paths', () => {
    const g = graphOf('grid_union.py');
    assert.equal(g.roots.length, 1);
    const search = node(g, g.roots[0]);
    assert.deepEqual([search.kind, search.name, search.className], ['wrapper', 'search', 'GridSearchCV']);
    assert.deepEqual(params(search).cv, '5');
    assert.deepEqual(params(search).n_jobs, '-1');
    assert.match(params(search).param_grid, /^param_grid = \{"features__pca__n_components"/);
    const pipe = byPath(g, 'estimator');
    assert.deepEqual([pipe.kind, pipe.className], ['composite', 'Pipeline']);
    const union = byPath(g, 'estimator__features');
    assert.deepEqual([union.className, union.arrangement], ['FeatureUnion', 'parallel']);
    assert.deepEqual(
      children(g, union).map((c) => c.path),
      ['estimator__features__pca', 'estimator__features__svd', 'estimator__features__kbest'],
    );
    assert.deepEqual(sequence(g, pipe), ['features>svm']);
  });

  test('a 30-step pipeline from a steps variable', () => {
    const g = graphOf('long_pipeline.py');
    const root = node(g, g.roots[0]);
    assert.equal(root.children.length, 30);
    const names = children(g, root).map((c) => c.name);
    assert.deepEqual(names.slice(0, 3), ['step_01', 'step_02', 'step_03']);
    assert.equal(names[29], 'ridge');
    assert.equal(sequence(g, root).length, 29);
    assert.deepEqual(params(byPath(g, 'step_02')), { feature_range: '(-1, 1)' });
  });

  test('make_pipeline / make_union / make_column_transformer names, StackingClassifier', () => {
    const g = graphOf('make_helpers.py');
    assert.deepEqual(
      g.roots.map((r) => node(g, r).name),
      ['union', 'model'],
    );
    const model = node(g, g.roots[1]);
    assert.deepEqual(
      children(g, model).map((c) => c.name),
      ['columntransformer', 'standardscaler', 'stackingclassifier'],
    );
    assert.deepEqual(
      children(g, byPath(g, 'columntransformer')).map((c) => `${c.name}:${c.columns}`),
      ['standardscaler:["a", "b"]', 'onehotencoder:["c"]'],
    );
    const stack = byPath(g, 'stackingclassifier');
    assert.equal(stack.kind, 'wrapper');
    assert.deepEqual(
      children(g, stack).map((c) => c.name),
      ['rf', 'lr', 'final_estimator'],
    );
    // Base estimators feed the final estimator.
    assert.deepEqual(sequence(g, stack), ['rf>final_estimator', 'lr>final_estimator']);
    assert.deepEqual(
      children(g, byPath(g, 'stackingclassifier__lr')).map((c) => c.name),
      ['standardscaler', 'logisticregression'],
    );
    assert.deepEqual(params(children(g, model)[1]), { with_mean: 'False' });
  });

  test('make_pipeline numbers duplicate generated names as scikit-learn does', () => {
    const g = graphOf(
      'x.py',
      'from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\np = make_pipeline(StandardScaler(), StandardScaler(), "passthrough")\n',
    );
    assert.deepEqual(
      children(g, node(g, g.roots[0])).map((c) => `${c.kind}:${c.name}`),
      ['step:standardscaler-1', 'step:standardscaler-2', 'branch:passthrough'],
    );
  });

  test('a scikit.js pipeline (options objects, camelCase defaults)', () => {
    const g = graphOf('scikitjs_pipeline.ts');
    assert.equal(g.language, 'typescript');
    assert.equal(g.roots.length, 1);
    const model = node(g, g.roots[0]);
    assert.deepEqual([model.name, model.qname], ['model', 'scikitjs.Pipeline']);
    assert.deepEqual(
      children(g, model).map((c) => c.name),
      ['preprocess', 'regress'],
    );
    const ct = byPath(g, 'preprocess');
    assert.deepEqual(
      children(g, ct).map((c) => `${c.name}:${c.className}:${c.columns}`),
      ['num:Pipeline:[0, 1]', 'minmax:MinMaxScaler:[2]', 'remainder:passthrough:remaining columns'],
    );
    assert.deepEqual(params(byPath(g, 'preprocess__num__impute')), { strategy: "'median'" });
    assert.deepEqual(params(byPath(g, 'regress')), { fitIntercept: 'false' });
  });

  test('constructions for CodeLens, and --line selects one pipeline', () => {
    const text = readFileSync(path.join(DIR, 'make_helpers.py'), 'utf8');
    const { module, findings } = engine.analyze('make_helpers.py', text, 'python');
    const lines = pipelineConstructions(new Semantics(module)).map((c) => c.call.range.start.line + 1);
    assert.deepEqual([...new Set(lines)], [9, 14, 15, 16, 19]);
    const g = buildPipelineGraph(module, findings);
    assert.deepEqual(
      selectRootAtLine(g, 13).roots.map((r) => node(g, r).name),
      ['union'],
    );
    const model = selectRootAtLine(g, 15);
    assert.deepEqual(
      model.roots.map((r) => node(g, r).name),
      ['model'],
    );
    assert.ok(
      model.nodes.every((n) => n.id === model.roots[0] || n.parent),
      'only the selected tree is kept',
    );
  });

  test('unresolvable steps become branch nodes; nothing crashes on broken code', () => {
    const g = graphOf(
      'x.py',
      'from sklearn.pipeline import Pipeline\ndef build(est):\n    return Pipeline([("pre", est), ("clf", None)])\nbroken = Pipeline([("a", \n',
    );
    const root = node(g, g.roots[0]);
    assert.deepEqual(
      children(g, root).map((c) => `${c.kind}:${c.name}:${c.className}`),
      ['branch:pre:est', 'branch:clf:None'],
    );
  });

  test('a custom step shows its class and the findings inside its class definition', () => {
    const g = graphOf('custom_steps.py');
    const noise = byPath(g, 'noise');
    assert.equal(noise.kind, 'step');
    assert.equal(noise.className, 'GaussianNoise');
    assert.ok(noise.definition, 'the class definition is attached');
    assert.deepEqual(noise.findings, ['SKL202', 'SKL701', 'SKL702']);
    assert.equal(noise.definition.start.line, 7);
    assert.deepEqual(byPath(g, 'scale').findings, []);
    assert.equal(byPath(g, 'scale').definition, undefined, 'library steps have no definition');
  });

  test('the renderer lays out in Node, escapes source text, and marks findings', async () => {
    const g = graphOf(
      'x.py',
      'from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import FunctionTransformer\np = Pipeline([("<script>alert(1)</script>", FunctionTransformer(func=lambda x: x < 1 and "&"))])\n',
    );
    const { svg, layout } = await renderDiagram(g, { embedStyle: true });
    assert.ok(!svg.includes('<script'), 'step names are escaped');
    assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(svg.includes('data-code="SKL101"'));
    assert.ok(layout.boxes.size === g.nodes.length);
    assert.ok(layout.width > 0 && layout.height > 0);
  });
});
