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
  const csp = [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src ${cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`].join('; ');
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
<div class="pl-toolbar"><span class="pl-status" id="status">Waiting for a Python or TypeScript editor…</span><button id="export" type="button" disabled>Export SVG</button></div>
<div class="pl-canvas" id="canvas"></div>
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
