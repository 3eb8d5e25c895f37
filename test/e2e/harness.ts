// Runs the packaged extension in a real VS Code: code-server 4.100.3 (scripts/install-code-server.sh)
// driven by Debian's chromium through playwright-core. Every run gets its own folder with isolated XDG
// dirs, TMPDIR, user data, extensions and a copy of the fixture workspace (the tests edit it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURE_WORKSPACE = path.join(ROOT, 'test/e2e/workspace');
export const ARTIFACTS = path.join(ROOT, '.test-artifacts', 'e2e');
export const CODE_SERVER =
  process.env.PIPELINT_CODE_SERVER ??
  path.join(process.env.PIPELINT_CODE_SERVER_DIR ?? '/opt/pipelint-code-server', 'bin', 'code-server');
export const CHROMIUM = process.env.PIPELINT_CHROMIUM ?? '/usr/bin/chromium';

export interface ExpectedFile {
  path: string;
  codes: string[];
  quickfix?: string;
}

export function expectedFiles(): ExpectedFile[] {
  return (
    JSON.parse(fs.readFileSync(path.join(FIXTURE_WORKSPACE, 'expected.json'), 'utf8')) as { files: ExpectedFile[] }
  ).files;
}

/** The vsix under test: $PIPELINT_VSIX or the newest out/*.vsix (scripts/package-vsix.sh). */
export function findVsix(): string {
  if (process.env.PIPELINT_VSIX) return process.env.PIPELINT_VSIX;
  const dir = path.join(ROOT, 'out');
  const vsix = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.vsix')) : [];
  if (!vsix.length) throw new Error('no .vsix in out/: run scripts/package-vsix.sh first');
  return vsix.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Resolves with fn's first truthy result, checking every `intervalMs`; never a fixed sleep. */
export async function poll<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface EditorSession {
  dir: string;
  workspace: string;
  page: Page;
  /** Milliseconds spent in each phase, for the report. */
  timings: Record<string, number>;
  /** Saves a screenshot and the logs into .test-artifacts/e2e/<label>-<name>.*; returns the png path. */
  capture(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface SessionOptions {
  label: string;
  vsix: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'files.autoSave': 'off',
  'editor.lightbulb.enabled': 'on',
  'editor.minimap.enabled': false,
  'chat.commandCenter.enabled': false,
  'notebook.output.textLineLimit': 10,
};

export async function startSession(opts: SessionOptions): Promise<EditorSession> {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pipelint-e2e-${opts.label}-`));
  const xdg = {
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    XDG_STATE_HOME: path.join(dir, 'xdg-state'),
    TMPDIR: path.join(dir, 'tmp'),
  };
  for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true });
  const env = { ...process.env, ...xdg, ...opts.env };
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  const userData = path.join(dir, 'user-data');
  const extensions = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  if (!fs.existsSync(CODE_SERVER)) throw new Error(`${CODE_SERVER} not found: run scripts/install-code-server.sh`);
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensions];
  const install = spawnSync(CODE_SERVER, [...dirs, '--install-extension', opts.vsix, '--force'], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (install.status !== 0)
    throw new Error(`--install-extension failed (${install.status}): ${install.stdout}\n${install.stderr}`);
  timings.installExtension = Date.now() - t0;

  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'code-server.log'), 'a');
  const server: ChildProcess = spawn(
    CODE_SERVER,
    [
      ...dirs,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    { env, stdio: ['ignore', log, log], detached: true },
  );
  let serverExit: string | undefined;
  server.on('exit', (code, signal) => (serverExit = `code-server exited (${code ?? signal})`));
  const base = `http://127.0.0.1:${port}`;
  const t1 = Date.now();
  await poll(
    'code-server /healthz',
    async () => {
      if (serverExit) throw new Error(serverExit);
      const res = await fetch(`${base}/healthz`).catch(() => undefined);
      return res?.ok;
    },
    60_000,
    250,
  );
  timings.codeServerUp = Date.now() - t1;

  let browser: Browser | undefined;
  const closeAll = async () => {
    await browser?.close().catch(() => undefined);
    if (server.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM'); // its process group: code-server, extension host, language server
      } catch {
        /* already gone */
      }
      await poll(
        'code-server to exit',
        () => server.exitCode !== null || server.signalCode !== null,
        10_000,
        100,
      ).catch(() => {
        try {
          process.kill(-server.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      });
    }
    fs.closeSync(log);
  };
  try {
    const t2 = Date.now();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      env,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    timings.workbench = Date.now() - t2;

    const capture = async (name: string): Promise<string> => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const stem = path.join(ARTIFACTS, `${opts.label}-${name.replace(/[^\w.-]+/g, '_')}`);
      await page.screenshot({ path: `${stem}.png` }).catch(() => undefined);
      fs.writeFileSync(`${stem}.console.log`, consoleLines.join('\n'));
      for (const f of ['code-server.log']) {
        if (fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), `${stem}.${f}`);
      }
      // The extension host's and pipelint's own logs live under the user-data dir.
      const logs = path.join(userData, 'logs');
      if (fs.existsSync(logs)) fs.cpSync(logs, `${stem}.logs`, { recursive: true });
      return `${stem}.png`;
    };
    return {
      dir,
      workspace,
      page,
      timings,
      capture,
      close: async () => {
        await closeAll();
        if (!process.env.PIPELINT_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Opens a workspace file by clicking it in the Explorer and waits for its editor tab. */
export async function openInExplorer(page: Page, name: string): Promise<void> {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).click();
  await page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).waitFor({ timeout: 60_000 });
}

/** Runs a command by its palette label (F1, type, wait for the focused row, Enter). */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-box input');
  await input.waitFor();
  await input.fill(`>${label}`);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Text of the visible lines of the active editor. */
export async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(
    /\u00a0/g,
    ' ',
  );
}

export interface ProblemRow {
  /** resource: a file heading; marker: a finding; related: a finding's related location. */
  kind: 'resource' | 'marker' | 'related' | 'other';
  text: string;
}

/** Rows of the Problems panel, top to bottom (opens it if needed). */
export async function problems(page: Page): Promise<ProblemRow[]> {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible().catch(() => false))) await runCommand(page, 'View: Focus Problems');
  return panel.locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => ({
      kind: row.querySelector('.resource-label-container')
        ? ('resource' as const)
        : row.querySelector('.related-info-resource')
          ? ('related' as const)
          : row.querySelector('.marker-message, .marker-code')
            ? ('marker' as const)
            : ('other' as const),
      text: (row as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
    })),
  );
}

/** Problems rows of the findings listed under `file` (the rows between its heading and the next). */
export async function problemsOf(page: Page, file: string): Promise<string[]> {
  const out: string[] = [];
  let inFile = false;
  for (const row of await problems(page)) {
    if (row.kind === 'resource')
      inFile = row.text.startsWith(`${path.basename(file)} `) || row.text === path.basename(file);
    else if (row.kind === 'marker' && inFile) out.push(row.text);
  }
  return out;
}

/** Moves the cursor of the active editor to a 1-based line and column (palette ":line:column"). */
export async function goToLine(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-box input');
  await input.waitFor();
  await input.fill(`:${line}:${column}`);
  await page.locator('.quick-input-list .monaco-list-row.focused').waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await poll(`the cursor at Ln ${line}, Col ${column}`, async () =>
    (
      await page
        .locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ })
        .first()
        .innerText()
    ).includes(`Ln ${line}, Col ${column}`),
  );
}

/** Runs the CLI on a workspace file: the findings (1-based ranges) and fix titles the editor should show. */
export interface CliFinding {
  code: string;
  message: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
  fix: { title: string; safety: string } | null;
}
export function cliFindings(file: string): CliFinding[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pipelint.js'), 'check', '--format', 'json', file], {
    encoding: 'utf8',
    cwd: path.dirname(file),
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`pipelint check failed (${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: CliFinding[] }).findings;
}

/** The active editor's cursor from the status bar ("Ln 14, Col 19"), 1-based; undefined while hidden. */
export async function cursorPosition(page: Page): Promise<{ line: number; column: number } | undefined> {
  const item = page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first();
  if (!(await item.isVisible().catch(() => false))) return undefined;
  const m = /Ln (\d+), Col (\d+)/.exec(await item.innerText());
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/**
 * The frame of the pipeline diagram webview. A VS Code webview is an outer `iframe.webview` holding the
 * page in an inner `#active-frame`; other webviews (a notebook's outputs) may be in the page too, so
 * this looks for the frame whose document has the panel's canvas and toolbar (webview/src/panelHtml.ts).
 * The panel does not keep its context when hidden: look the frame up again after it was hidden.
 */
export async function diagramFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  return poll(
    'the pipeline diagram webview',
    async () => {
      for (const outer of await page.locator('iframe.webview').elementHandles()) {
        const host = await outer.contentFrame();
        const inner = await host?.$('#active-frame');
        const frame = await inner?.contentFrame();
        await outer.dispose();
        await inner?.dispose();
        if (frame && (await frame.locator('#canvas.pl-canvas').count()) > 0) return frame;
      }
      return undefined;
    },
    timeoutMs,
    250,
  );
}
