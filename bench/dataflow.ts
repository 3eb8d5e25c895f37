/**
 * Bench for issue 3: lineage analysis on a 3,000-line notebook-style script versus its parse time, and
 * the workspace index over 300 files. Run: node --import tsx bench/dataflow.ts
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lineageOf } from '../server/src/knowledge/lineage';
import { Engine } from '../server/src/analysis/engine';
import { lookupEntity } from '../server/src/knowledge';
import { Semantics } from '../server/src/model/semantics';
import { loadPythonParser, lowerPythonText } from '../server/src/python';
import { analyzeModule } from '../server/src/analysis/analyze';
import { leakageRules } from '../server/src/rules/leakage/all';
import { buildWorkspace } from '../server/src/cli/workspace';
import { WorkspaceIndex, summarizeModule } from '../server/src/workspace/index';

const CELL = (i: number) => `# %%
df${i} = pd.read_csv("data_${i}.csv")
X${i} = df${i}.drop(columns=["y"])
y${i} = df${i}["y"]
X${i} = StandardScaler().fit_transform(X${i})
X_train${i}, X_test${i}, y_train${i}, y_test${i} = train_test_split(X${i}, y${i}, random_state=0)
sc${i} = StandardScaler()
A${i} = sc${i}.fit_transform(X_train${i})
B${i} = sc${i}.fit_transform(X_test${i})
for col in ["a", "b"]:
    X_train${i}[col] = le.fit_transform(X_train${i}[col])
    X_test${i}[col] = le.transform(X_test${i}[col])
m${i} = LogisticRegression().fit(A${i}, y_train${i})
scores${i} = [m${i}.score(B${i}, y_test${i}) for _ in range(3)]
print(max(scores${i}))
joblib.dump(m${i}, "model_${i}.joblib")
`;

/** A notebook-style script of about `lines` lines (exported for bench/run.ts). */
export function script(lines: number): string {
  let s =
    'import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import LabelEncoder, StandardScaler\nle = LabelEncoder()\n';
  for (let i = 0; s.split('\n').length < lines; i++) s += CELL(i);
  return s;
}

function best(n: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function main(): Promise<void> {
  const parser = await loadPythonParser();
  const text = script(3000);
  const parse = best(7, () => lowerPythonText(parser, text, 'bench.py').tree.delete());
  const lowered = lowerPythonText(parser, text, 'bench.py');
  lowered.tree.delete();
  // The lineage is cached per module: analyse a fresh lowering each time.
  const fresh = () => {
    const r = lowerPythonText(parser, text, 'b.py');
    r.tree.delete();
    return r.module;
  };
  const modules = Array.from({ length: 7 }, fresh);
  let k = 0;
  const lineage = best(7, () => lineageOf(new Semantics(modules[k++]), (q) => (q ? lookupEntity(q) : undefined)));
  const modules2 = Array.from({ length: 7 }, fresh);
  k = 0;
  const rules = best(7, () => analyzeModule(modules2[k++], { rules: leakageRules }));
  console.log(
    `3,000-line notebook script (${text.split('\n').length} lines): parse+lower ${parse.toFixed(1)} ms, lineage ${lineage.toFixed(1)} ms, SKL3xx rules incl. semantics ${rules.toFixed(1)} ms (${(rules / parse).toFixed(2)}x parse)`,
  );

  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-bench-ws-'));
  const files = [];
  for (let i = 0; i < 300; i++) {
    const f = path.join(dir, `f${i}.py`);
    writeFileSync(
      f,
      i % 2 === 0
        ? script(120).replace(/model_(\d+)/g, `model_${i}_$1`)
        : `import joblib\nimport pandas as pd\nm = joblib.load("model_${i - 1}_0.joblib")\nprint(m.predict(pd.read_csv("new.csv")))\n` +
            '\n'.repeat(100),
    );
    files.push({ absolute: f, display: `f${i}.py` });
  }
  const engine = await Engine.create();
  const t = performance.now();
  const { workspace } = await buildWorkspace(engine, files);
  console.log(
    `workspace index over 300 files, lowering included (the CLI reuses those lowerings for the analysis): ${(performance.now() - t).toFixed(0)} ms (${workspace.size} files indexed)`,
  );
  // The index itself, over already lowered modules (what the server pays per changed file, and the CLI beyond lowering).
  const { readFileSync } = await import('node:fs');
  const loweredFiles = files.map((f) => engine.lower(f.display, readFileSync(f.absolute, 'utf8'), 'python').module);
  const t2 = performance.now();
  const index = new WorkspaceIndex();
  for (const m of loweredFiles) index.update(summarizeModule(m));
  for (const m of loweredFiles) index.savesOf(`model_${m.uri}.joblib`);
  console.log(
    `workspace index over 300 lowered files (summaries + lookups): ${(performance.now() - t2).toFixed(0)} ms`,
  );
  const t3 = performance.now();
  index.update(summarizeModule(engine.lower('f0.py', readFileSync(files[0].absolute, 'utf8') + '\n', 'python').module));
  console.log(`one file changed (lower + summary + index update): ${(performance.now() - t3).toFixed(1)} ms`);
}

if (require.main === module) void main();
