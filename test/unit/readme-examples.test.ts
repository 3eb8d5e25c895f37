import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parseConfigText } from '../../server/src/config';

/**
 * Runs the examples of docs/configuration.md, in order, in one scratch project: fenced blocks with a
 * `title="path"` are written to that path; `console` blocks are `$ command` lines followed by the
 * expected output (stdout and stderr), where `...` stands for any text. TOML blocks must also be valid
 * configuration (except the one that shows a mistake), and the CI recipes (GitHub Actions `run:` steps,
 * pre-commit hooks) are run as a CI would.
 */
const ROOT = path.join(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'configuration.md');

interface Block {
  lang: string;
  title?: string;
  body: string;
  line: number;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)?(?:\s+title="([^"]+)")?\s*$/.exec(lines[i]);
    if (!open || !open[1]) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    out.push({ lang: open[1], title: open[2], body: body.join('\n') + '\n', line: start + 1 });
  }
  return out;
}

function shim(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipelint-bin-'));
  const file = path.join(dir, 'pipelint');
  writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'pipelint.js')}" "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

function run(command: string, cwd: string, bin: string) {
  const r = spawnSync('bash', ['-c', `{ ${command}\n} 2>&1`], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: r.status, output: r.stdout };
}

function matches(expected: string, actual: string): boolean {
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.replace(/\s+$/, ''))
      .join('\n')
      .replace(/\n+$/, '');
  const pattern = norm(expected)
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(`^${pattern}$`).test(norm(actual));
}

/** `$ command` lines and the output expected after each. */
function consoleSteps(body: string): { command: string; expected: string }[] {
  const steps: { command: string; expected: string }[] = [];
  for (const line of body.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: '' });
    else steps[steps.length - 1].expected += line + '\n';
  }
  return steps;
}

describe('docs/configuration.md examples', () => {
  const doc = readFileSync(DOC, 'utf8');
  const all = blocks(doc);
  let bin: string;
  before(() => {
    if (!existsSync(path.join(ROOT, 'dist', 'cli.js')))
      spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    bin = shim();
  });

  test('the documented files and commands behave as shown', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'pipelint-doc-'));
    let commands = 0;
    for (const b of all) {
      if (b.lang === 'yaml') continue;
      if (b.title) {
        mkdirSync(path.dirname(path.join(project, b.title)), { recursive: true });
        writeFileSync(path.join(project, b.title), b.body);
      } else if (b.lang === 'console') {
        for (const step of consoleSteps(b.body)) {
          const r = run(step.command, project, bin);
          assert.ok(
            matches(step.expected, r.output),
            `docs/configuration.md:${b.line}: \`${step.command}\` printed:\n${r.output}\nexpected:\n${step.expected}`,
          );
          commands++;
        }
      }
    }
    assert.ok(commands >= 8, `ran ${commands} commands`);
  });

  test("README's configuration example is valid configuration", () => {
    const readme = blocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).filter((b) => b.lang === 'toml');
    assert.equal(readme.length, 1);
    const config = parseConfigText(readme[0].body, '/x/pyproject.toml');
    assert.ok(config, 'README.md: the [tool.pipelint] example parses');
  });

  test('TOML examples are valid configuration, except the one showing a mistake', () => {
    const tomls = all.filter((b) => b.lang === 'toml');
    assert.ok(tomls.length >= 2);
    for (const b of tomls) {
      const file = `/x/${b.title ?? 'pipelint.toml'}`;
      if (b.body.includes('fail_on')) assert.throws(() => parseConfigText(b.body, file), /fail_on: unknown key/);
      else assert.ok(parseConfigText(b.body, file), `docs/configuration.md:${b.line}`);
    }
  });

  test('the GitHub Actions steps run as shown', () => {
    const workflow = all.find((b) => b.title === '.github/workflows/pipelint.yml');
    assert.ok(workflow);
    const steps = [...workflow.body.matchAll(/^\s*- run: (pipelint .*)$/gm)].map((m) => m[1]);
    assert.deepEqual(steps, ['pipelint check --format github', 'pipelint check --format sarif > pipelint.sarif']);
    const project = mkdtempSync(path.join(tmpdir(), 'pipelint-ci-'));
    writeFileSync(
      path.join(project, 'train.py'),
      'from sklearn.ensemble import RandomForestClassifier\nmodel = RandomForestClassifier()\n',
    );
    const annotations = run(steps[0], project, bin);
    assert.equal(annotations.status, 1, 'findings fail the step');
    assert.match(annotations.output, /^::warning file=train\.py,line=2,col=9,/);
    const sarif = run(steps[1], project, bin);
    assert.equal(sarif.status, 1);
    assert.equal(JSON.parse(readFileSync(path.join(project, 'pipelint.sarif'), 'utf8')).version, '2.1.0');
  });

  test('the pre-commit hooks exist and run on the files pre-commit passes', () => {
    const hooksText = readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    const hooks = [...hooksText.matchAll(/^- id: (\S+)\n(?:\s+.*\n)*?\s+entry: (.+)$/gm)].map((m) => ({
      id: m[1],
      entry: m[2],
    }));
    assert.deepEqual(
      hooks.map((h) => h.id),
      ['pipelint', 'pipelint-fix'],
    );
    const config = all.find((b) => b.title === '.pre-commit-config.yaml')!;
    for (const m of config.body.matchAll(/- id: (\S+)/g))
      assert.ok(
        hooks.some((h) => h.id === m[1]),
        `hook ${m[1]} is not defined`,
      );
    const project = mkdtempSync(path.join(tmpdir(), 'pipelint-hook-'));
    const src = 'from sklearn.ensemble import RandomForestClassifier\nmodel = RandomForestClassifier()\n';
    writeFileSync(path.join(project, 'a.py'), src);
    assert.equal(run(`${hooks[0].entry} a.py`, project, bin).status, 1, 'the check hook fails on findings');
    const fixed = run(`${hooks[1].entry} a.py`, project, bin);
    assert.equal(fixed.status, 0, fixed.output);
    assert.notEqual(readFileSync(path.join(project, 'a.py'), 'utf8'), src, 'the fix hook rewrote the file');
    cpSync(path.join(project, 'a.py'), path.join(project, 'b.py'));
    assert.equal(run(`${hooks[0].entry} b.py`, project, bin).status, 0);
  });
});
