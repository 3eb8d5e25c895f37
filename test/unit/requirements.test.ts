import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ProjectFactsResolver } from '../../server/src/project/facts';
import { parseRequirementFile, pinOfConda, pinOfPep440, pinOfPoetry } from '../../server/src/project/requirements';
import { ProjectRoots } from '../../server/src/project/roots';

describe('what pins scikit-learn', () => {
  test('PEP 440 specifiers: one minor series at most', () => {
    const cases: [string, string][] = [
      ['==1.2.1', 'exact'],
      ['===1.2.1', 'exact'],
      ['==1.2.*', 'series'],
      ['~=1.2.1', 'series'],
      ['>=1.2,<1.3', 'series'],
      ['>=1.2.0, <1.3.0', 'series'],
      ['>=1.2.1,<=1.2.9', 'series'],
      ['<1.3,>=1.2', 'series'],
      ['~=1.2', 'range'],
      ['==1.*', 'range'],
      ['>=1.0', 'range'],
      ['>=1.0,<2', 'range'],
      ['<1.3', 'range'],
      ['>=1.1,<1.3', 'range'],
      ['!=1.2.0', 'range'],
    ];
    for (const [spec, pin] of cases) assert.equal(pinOfPep440(spec), pin, spec);
  });

  test("Poetry's and conda's syntax", () => {
    assert.equal(pinOfPoetry('^1.2'), 'range');
    assert.equal(pinOfPoetry('^0.24.2'), 'series');
    assert.equal(pinOfPoetry('~1.2.1'), 'series');
    assert.equal(pinOfPoetry('1.2.1'), 'exact');
    assert.equal(pinOfPoetry('*'), 'none');
    assert.equal(pinOfPoetry('>=1.0'), 'range');
    assert.equal(pinOfConda('=1.2.1'), 'exact');
    assert.equal(pinOfConda('=1.2'), 'series');
    assert.equal(pinOfConda('=1'), 'range');
    assert.equal(pinOfConda('=1.2.1=py310h_0'), 'exact');
    assert.equal(pinOfConda('==1.2.1'), 'exact');
    assert.equal(pinOfConda('>=1.1'), 'range');
    assert.equal(pinOfConda(''), 'none');
  });
});

describe('requirement files', () => {
  const sk = (file: string, text: string) =>
    parseRequirementFile(file, text)!.sklearn.map((e) => `${e.line}:${e.pin}${e.alias ? ':alias' : ''}`);

  test("requirements.txt: comments, extras, markers, continuations, hashes, URLs, includes, the 'sklearn' stub", () => {
    assert.deepEqual(
      sk('/p/requirements.txt', '# pinned\nnumpy\nScikit_Learn[alldeps] == 1.2.1 ; python_version >= "3.8"  # prod\n'),
      ['2:exact'],
    );
    assert.deepEqual(sk('/p/requirements.txt', 'scikit-learn==1.2.1 \\\n    --hash=sha256:abc\n'), ['0:exact']);
    assert.deepEqual(
      sk('/p/requirements.txt', 'scikit-learn @ https://files.example/scikit_learn-1.2.1-cp310-none-any.whl\n'),
      ['0:exact'],
    );
    assert.deepEqual(sk('/p/requirements.txt', 'sklearn\n'), ['0:none:alias']);
    assert.deepEqual(sk('/p/requirements.txt', 'scikit-learn-extra==0.3.0\nscikit-learn\n'), ['1:none']);
    assert.deepEqual(sk('/p/requirements.txt', '-e .\n--index-url https://x\n'), []);
    assert.deepEqual(
      parseRequirementFile('/p/requirements.txt', '-r base.txt\n-c constraints.txt\n--requirement=dev.txt\n')!.includes,
      ['/p/base.txt', '/p/constraints.txt', '/p/dev.txt'],
    );
  });

  test('pyproject.toml: PEP 621, optional and dependency groups, Poetry tables; tool settings alone declare nothing', () => {
    const pep621 =
      '[project]\nname = "x"\ndependencies = [\n  "numpy",\n  "scikit-learn>=1.1",\n]\n[project.optional-dependencies]\nserve = ["scikit-learn==1.2.1"]\n';
    assert.deepEqual(sk('/p/pyproject.toml', pep621), ['4:range', '7:exact']);
    assert.deepEqual(
      sk(
        '/p/pyproject.toml',
        '[tool.poetry.dependencies]\npython = "^3.10"\nscikit-learn = { version = "~1.2.1", optional = true }\n',
      ),
      ['2:series'],
    );
    assert.deepEqual(sk('/p/pyproject.toml', '[tool.poetry.group.ml.dependencies]\nscikit-learn = "^1.2"\n'), [
      '1:range',
    ]);
    const tools = parseRequirementFile('/p/pyproject.toml', '[tool.black]\nline-length = 100\n')!;
    assert.equal(tools.declares, false);
    assert.equal(parseRequirementFile('/p/pyproject.toml', '[project\nbroken')!.declares, false);
  });

  test('setup.cfg, setup.py, environment.yml, Pipfile and lock files', () => {
    assert.deepEqual(
      sk(
        '/p/setup.cfg',
        '[metadata]\nname = x\n[options]\ninstall_requires =\n    numpy\n    scikit-learn>=1.0\npython_requires = >=3.8\n',
      ),
      ['5:range'],
    );
    assert.deepEqual(
      sk(
        '/p/setup.py',
        'from setuptools import setup\nsetup(name="x", install_requires=["numpy", "scikit-learn==1.2.1"])\n',
      ),
      ['1:exact'],
    );
    assert.equal(parseRequirementFile('/p/setup.py', 'import sklearn\n')!.declares, false);
    assert.deepEqual(
      sk(
        '/p/environment.yml',
        'name: x\ndependencies:\n  - python=3.10\n  - scikit-learn=1.2\n  - pip:\n    - scikit-learn>=1.0\n',
      ),
      ['3:series', '5:range'],
    );
    assert.deepEqual(
      sk('/p/Pipfile', '[packages]\nscikit-learn = "*"\n[dev-packages]\n"scikit-learn" = {version = "==1.2.1"}\n'),
      ['1:none', '3:exact'],
    );
    assert.deepEqual(
      sk('/p/poetry.lock', '[[package]]\nname = "numpy"\n\n[[package]]\nname = "scikit-learn"\nversion = "1.2.1"\n'),
      ['4:exact'],
    );
    assert.deepEqual(sk('/p/Pipfile.lock', '{"default": {\n  "scikit-learn": {\n   "version": "==1.2.1"}}}'), [
      '1:exact',
    ]);
  });

  test('facts are read from the file up to the repository root, nearest first, with includes and a requirements/ folder', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pipelint-req-'));
    try {
      writeFileSync(path.join(root, 'requirements.txt'), 'scikit-learn\n'); // above the repository: never read
      const repo = path.join(root, 'repo');
      mkdirSync(path.join(repo, '.git'), { recursive: true });
      mkdirSync(path.join(repo, 'requirements'));
      mkdirSync(path.join(repo, 'svc', 'app'), { recursive: true });
      writeFileSync(path.join(repo, 'requirements', 'prod.txt'), '-r ../constraints.txt\nflask\n');
      writeFileSync(path.join(repo, 'constraints.txt'), 'scikit-learn==1.2.1\n');
      writeFileSync(path.join(repo, 'svc', 'pyproject.toml'), '[tool.ruff]\nline-length = 88\n');
      writeFileSync(path.join(repo, 'svc', 'requirements.in'), 'scikit-learn>=1.0\n');
      const resolver = new ProjectFactsResolver(new ProjectRoots([root]));
      const facts = resolver.factsFor(path.join(repo, 'svc', 'app', 'train.py'), (abs) => path.relative(repo, abs));
      assert.deepEqual(
        facts.requirements.map((f) => [f.uri, f.shown, f.sklearn.map((e) => e.pin).join()]),
        [
          ['svc/requirements.in', '../requirements.in', 'range'],
          ['constraints.txt', '../../constraints.txt', 'exact'],
          ['requirements/prod.txt', '../../requirements/prod.txt', ''],
        ],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
