/**
 * The diagram panel's HTML (STYLE.md item 11): `default-src 'none'`, the one script and the one
 * style element carry a fresh nonce, the script is a local file of the extension (through
 * `asWebviewUri`), and the graph arrives later by postMessage, never pasted into the page.
 * Kept free of the `vscode` module so that a unit test can check it.
 */
import { DIAGRAM_CSS, PAGE_CSS } from './style';

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(<extension>/dist/webview/webview.js)`, as a string. */
  scriptUri: string;
  nonce: string;
}

export function panelHtml({ cspSource, scriptUri, nonce }: PanelHtmlInput): string {
  const csp = [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pipeline Diagram</title>
<style nonce="${nonce}">${PAGE_CSS}${DIAGRAM_CSS}</style>
</head>
<body>
<div class="pl-panel">
<div class="pl-toolbar" role="toolbar" aria-label="Diagram">
  <span class="pl-status" id="status">Waiting for a Python or TypeScript editor…</span>
  <span class="pl-group">
    <button id="zoom-out" type="button" title="Zoom out (-)" aria-label="Zoom out">−</button>
    <span id="zoom-level" class="pl-zoom-level" aria-live="polite">100%</span>
    <button id="zoom-in" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
    <button id="fit" type="button" title="Fit to view (0)">Fit</button>
  </span>
  <span class="pl-group">
    <button id="collapse-all" type="button" title="Fold every composite">Collapse all</button>
    <button id="expand-all" type="button" title="Unfold every composite">Expand all</button>
  </span>
  <span class="pl-group">
    <button id="export" type="button" disabled>Export SVG</button>
    <button id="export-png" type="button" disabled>Export PNG</button>
  </span>
</div>
<div class="pl-legend" aria-label="Legend">
  <span class="pl-key"><span class="pl-swatch pl-swatch-error"></span>error</span>
  <span class="pl-key"><span class="pl-swatch pl-swatch-warning"></span>warning</span>
  <span class="pl-key"><span class="pl-swatch pl-swatch-information"></span>info</span>
  <span class="pl-key"><span class="pl-swatch pl-swatch-external">↗</span>finding outside the pipeline (at the dump or fit)</span>
  <span class="pl-key"><span class="pl-shape pl-shape-composite"></span>Pipeline / ColumnTransformer / union</span>
  <span class="pl-key"><span class="pl-shape pl-shape-wrapper"></span>meta-estimator</span>
  <span class="pl-key"><span class="pl-shape pl-shape-branch"></span>passthrough / unknown</span>
  <span class="pl-key">▾ ▸ fold · arrows move · Enter opens the source</span>
</div>
<div class="pl-main">
  <div class="pl-canvas" id="canvas" tabindex="-1"></div>
  <aside class="pl-details" id="details" aria-label="Details" hidden></aside>
</div>
</div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>
`;
}

/** 32 characters from [A-Za-z0-9], from the platform's random source. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}
