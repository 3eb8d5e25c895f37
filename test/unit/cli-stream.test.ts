import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { checkFile, type CheckError, type FileResult } from '../../server/src/cli/check';
import { CheckPolicies, type PolicyFlags } from '../../server/src/cli/policy';
import { checkShare, type BaseOptions, type FileOutcome } from '../../server/src/cli/stream';
import { collectFiles } from '../../server/src/source/walk';
import { Engine } from '../../server/src/analysis/engine';
import { buildWorkspace } from '../../server/src/cli/workspace';
import { WorkspaceIndex } from '../../server/src/workspace/index';

/**
 * Issue 18: `pipelint check` reads and lowers each file once and analyses it at once against a workspace
 * that records questions; only files whose rules asked about other files are analysed again, with the
 * whole index. Its findings must equal those of the two-pass check it replaced (every file summarised
 * first, then every file analysed against the whole index), on every fixture; and the worker threads must
 * print what one thread prints.
 */
const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const DIRS = [
  'python',
  'typescript',
  'notebooks',
  'workspaces/bare-model',
  'workspaces/factory-saved-elsewhere',
  'workspaces/notebook-and-service',
  'workspaces/pipeline-saved',
  'workspaces/pipeline-scaled-twice',
  'workspaces/ts-train-serve',
];
const BASE: BaseOptions = { maxFileBytes: 5_000_000, fix: false };

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function flagsFor(dir: string): PolicyFlags {
  return { roots: [dir] };
}

/** What a file's check printed: its findings with their fixes, or its error. */
function shown(r: FileResult | CheckError): unknown {
  if (!('findings' in r)) return r;
  return { file: r.file.display, findings: r.findings, fixed: r.fixed, cells: r.notebook?.cells.length };
}

/** The check before issue 18: the workspace of every file first, then each file read again and analysed. */
async function twoPass(dir: string): Promise<unknown[]> {
  const { files } = await collectFiles([dir], dir);
  const policies = CheckPolicies.create(flagsFor(dir));
  assert.ok(typeof policies !== 'string');
  const { engine: caching, workspace } = await buildWorkspace(engine, files);
  const out: unknown[] = [];
  for (const file of files) {
    const policy = policies.forFile(file, BASE, () => undefined);
    out.push(
      shown(await checkFile(caching, file, { ...policy.options, analyze: { ...policy.options.analyze, workspace } })),
    );
  }
  return out;
}

async function onePass(dir: string): Promise<{ shown: unknown[]; deferred: number }> {
  const { files } = await collectFiles([dir], dir);
  const policies = CheckPolicies.create(flagsFor(dir));
  assert.ok(typeof policies !== 'string');
  const outcomes: FileOutcome[] = [];
  const order: number[] = [];
  let exchanged = false;
  await checkShare(
    engine,
    files.map((file, index) => ({ index, file })),
    policies,
    BASE,
    {
      exchange(summaries) {
        exchanged = true;
        const workspace = new WorkspaceIndex();
        for (const s of summaries) workspace.update(s.summary);
        return Promise.resolve(workspace);
      },
      emit(index, outcome) {
        outcomes[index] = outcome;
        if (exchanged) order.push(index);
      },
    },
  );
  assert.equal(outcomes.filter(Boolean).length, files.length, 'one outcome per file');
  return { shown: outcomes.map((o) => shown(o.result)), deferred: order.length };
}

describe('one pass per file (issue 18)', () => {
  for (const dir of DIRS) {
    test(`${dir}: the same findings as the two-pass check`, async () => {
      const abs = path.join(FIXTURES, dir);
      const { shown: one, deferred } = await onePass(abs);
      assert.deepEqual(one, await twoPass(abs));
      // A workspace fixture is about files that need each other: some of its files wait for the index.
      if (dir.startsWith('workspaces/')) assert.ok(deferred > 0, `${dir}: no file waited for the workspace`);
    });
  }
});

describe('worker threads print what one thread prints (issue 18)', () => {
  test('every fixture, JSON', () => {
    // One directory with every fixture folder, so that the workers get shares of mixed kinds.
    const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-stream-'));
    for (const d of DIRS) cpSync(path.join(FIXTURES, d), path.join(dir, d.replace('/', '_')), { recursive: true });
    const run = (workers: string) => {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pipelint.js'), 'check', '--format', 'json', '.'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PIPELINT_WORKERS: workers },
        maxBuffer: 256 * 1024 * 1024,
        timeout: 300_000,
      });
      const report = JSON.parse(r.stdout);
      delete report.summary.durationMs;
      return report;
    };
    const one = run('0');
    assert.ok(one.findings.length > 200, `${one.findings.length} findings`);
    assert.deepEqual(run('2'), one);
  });
});
