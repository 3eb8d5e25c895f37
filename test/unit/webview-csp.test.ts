/**
 * The diagram panel's page follows STYLE.md item 11: a Content-Security-Policy with
 * `default-src 'none'`, every script (and style) with the nonce, only local resources (the
 * extension's own files through asWebviewUri), and no data in the page (it comes by postMessage).
 * The CLI's standalone export is checked the same way: no script at all, no URL to fetch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { makeNonce, panelHtml } from '../../webview/src/panelHtml';
import { standaloneHtml } from '../../webview/src/render';

const ROOT = path.join(__dirname, '..', '..');
// What VS Code passes: the webview's CSP source and a resource URI of the extension's dist folder.
const CSP_SOURCE = 'https://*.vscode-cdn.net';
const SCRIPT_URI =
  'https://file+.vscode-resource.vscode-cdn.net/home/user/.vscode/extensions/pipelint/dist/webview/webview.js';

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return new Map(
    m[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0], d.slice(1)]),
  );
}

/** Every URL-looking string in the markup (attribute values and text). */
function urls(html: string): string[] {
  return [...html.matchAll(/\b(?:https?|wss?|ftp):\/\/[^\s"'<>)]+|\/\/[a-z0-9.-]+\.[a-z]{2,}\//gi)].map((m) => m[0]);
}

describe('diagram panel HTML', () => {
  const nonce = makeNonce();
  const html = panelHtml({ cspSource: CSP_SOURCE, scriptUri: SCRIPT_URI, nonce });

  test('has a CSP with default-src none, nonce-only scripts, no unsafe sources', () => {
    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
    assert.ok(csp.get('style-src')?.includes(`'nonce-${nonce}'`));
    for (const [directive, sources] of csp) {
      for (const s of sources) {
        assert.ok(
          !/unsafe-(inline|eval|hashes)|^\*$|^https?:$|^data:$/.test(s) || (directive === 'img-src' && s === 'data:'),
          `${directive} allows ${s}`,
        );
      }
    }
    assert.ok(!csp.has('connect-src'), 'the page connects nowhere');
  });

  test('every script and style element carries the nonce; no inline handlers or style attributes', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length >= 1);
    for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), `script without nonce: ${s}`);
    for (const s of html.matchAll(/<style\b[^>]*>/g))
      assert.ok(s[0].includes(`nonce="${nonce}"`), `style without nonce: ${s[0]}`);
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
    assert.ok(!/\sstyle\s*=/i.test(html), 'no style attributes (blocked by the CSP anyway)');
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(makeNonce(), nonce, 'a fresh nonce each time');
  });

  test('loads only local resources: the script is the extension resource, nothing remote', () => {
    const found = urls(html);
    assert.deepEqual(
      found.filter((u) => u !== SCRIPT_URI && !u.startsWith('https://*.vscode-cdn.net')),
      [],
      'no remote URL in the page',
    );
    const srcs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(srcs, [SCRIPT_URI]);
    assert.ok(!/<link\b/i.test(html) && !/@import/i.test(html));
  });

  test('the page holds no graph data: it arrives by postMessage', () => {
    assert.ok(!/pipelineGraph|"nodes"|"edges"/.test(html));
    const panel = readFileSync(path.join(ROOT, 'client/src/diagramPanel.ts'), 'utf8');
    assert.match(panel, /localResourceRoots: \[dist\]/, 'localResourceRoots limited to the built folder');
    assert.match(panel, /asWebviewUri\(/);
    assert.match(panel, /webview\.postMessage\(/);
    assert.match(panel, /registerWebviewPanelSerializer\(/);
    const main = readFileSync(path.join(ROOT, 'webview/src/main.ts'), 'utf8');
    assert.match(main, /getState\(\)/);
    assert.match(main, /setState\(/);
    assert.ok(!/\beval\(|new Function\(|fetch\(|XMLHttpRequest|WebSocket/.test(main));
  });
});

describe('standalone diagram export', () => {
  const html = standaloneHtml(
    't.py: pipeline diagram',
    '<svg xmlns="http://www.w3.org/2000/svg" class="pl-diagram"></svg>',
  );

  test('no script, a restrictive CSP, no URL but the SVG namespace', () => {
    assert.ok(!/<script\b/i.test(html));
    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.ok(!csp.has('script-src'));
    assert.deepEqual(
      urls(html).filter((u) => u !== 'http://www.w3.org/2000/svg'),
      [],
    );
  });
});
