/**
 * The diagram's stylesheet, shared by the VS Code panel (a `<style nonce>` in the webview's HTML) and
 * the CLI export (inlined in the HTML or SVG file). Colours come from VS Code's theme variables when
 * they exist (light, dark and high-contrast themes follow the editor); a standalone file falls back to
 * its own light or dark palette through `prefers-color-scheme`.
 */
export const DIAGRAM_CSS = `
.pl-diagram {
  --pl-d-fg: #1f2328; --pl-d-bg: #ffffff; --pl-d-muted: #59636e; --pl-d-node: #f6f8fa; --pl-d-border: #8c959f;
  --pl-d-composite: #eef4fb; --pl-d-wrapper: #fbf7ee; --pl-d-edge: #6e7781; --pl-d-accent: #0969da;
  --pl-d-error: #cf222e; --pl-d-warning: #9a6700; --pl-d-info: #0969da; --pl-d-cols: #116329;
}
@media (prefers-color-scheme: dark) {
  .pl-diagram {
    --pl-d-fg: #e6edf3; --pl-d-bg: #0d1117; --pl-d-muted: #9198a1; --pl-d-node: #161b22; --pl-d-border: #6e7681;
    --pl-d-composite: #13233a; --pl-d-wrapper: #2a2213; --pl-d-edge: #8b949e; --pl-d-accent: #4493f8;
    --pl-d-error: #f85149; --pl-d-warning: #d29922; --pl-d-info: #4493f8; --pl-d-cols: #3fb950;
  }
}
.pl-diagram {
  --pl-fg: var(--vscode-editor-foreground, var(--pl-d-fg));
  --pl-bg: var(--vscode-editor-background, var(--pl-d-bg));
  --pl-muted: var(--vscode-descriptionForeground, var(--pl-d-muted));
  --pl-node: var(--vscode-editorWidget-background, var(--pl-d-node));
  --pl-border: var(--vscode-contrastBorder, var(--vscode-editorWidget-border, var(--pl-d-border)));
  --pl-composite: var(--vscode-editor-inactiveSelectionBackground, var(--pl-d-composite));
  --pl-wrapper: var(--vscode-editor-background, var(--pl-d-wrapper));
  --pl-edge: var(--vscode-editorLineNumber-foreground, var(--pl-d-edge));
  --pl-accent: var(--vscode-contrastActiveBorder, var(--vscode-focusBorder, var(--pl-d-accent)));
  --pl-error: var(--vscode-editorError-foreground, var(--pl-d-error));
  --pl-warning: var(--vscode-editorWarning-foreground, var(--pl-d-warning));
  --pl-info: var(--vscode-editorInfo-foreground, var(--pl-d-info));
  --pl-cols: var(--vscode-symbolIcon-fieldForeground, var(--pl-d-cols));
  --pl-selected: var(--vscode-list-activeSelectionBackground, var(--vscode-editor-selectionBackground, var(--pl-d-composite)));
  --pl-font: var(--vscode-font-family, system-ui, 'DejaVu Sans', sans-serif);
  --pl-mono: var(--vscode-editor-font-family, ui-monospace, 'DejaVu Sans Mono', monospace);
  color: var(--pl-fg);
  font-family: var(--pl-font);
}
.pl-diagram text { fill: var(--pl-fg); font-family: var(--pl-font); font-size: 12px; }
.pl-diagram .pl-title { font-weight: 600; font-size: 13px; }
.pl-diagram .pl-class { fill: var(--pl-muted); }
.pl-diagram .pl-param, .pl-diagram .pl-cols, .pl-diagram .pl-out { font-family: var(--pl-mono); font-size: 11px; }
.pl-diagram .pl-param { fill: var(--pl-fg); }
.pl-diagram .pl-param-name { fill: var(--pl-muted); }
.pl-diagram .pl-cols { fill: var(--pl-cols); }
.pl-diagram .pl-out { fill: var(--pl-muted); }
.pl-diagram .pl-heading { font-size: 14px; font-weight: 600; }
.pl-diagram .pl-heading-sub { fill: var(--pl-muted); font-size: 12px; font-weight: normal; }
.pl-diagram .pl-box { fill: var(--pl-node); stroke: var(--pl-border); stroke-width: 1; }
.pl-diagram .pl-kind-composite > .pl-box { fill: var(--pl-composite); fill-opacity: 0.55; }
.pl-diagram .pl-kind-wrapper > .pl-box { fill: var(--pl-wrapper); fill-opacity: 0.6; stroke-dasharray: 6 3; }
.pl-diagram .pl-kind-branch > .pl-box { fill: none; stroke-dasharray: 3 3; }
.pl-diagram .pl-has-error > .pl-box { stroke: var(--pl-error); stroke-width: 1.5; }
.pl-diagram .pl-has-warning > .pl-box { stroke: var(--pl-warning); stroke-width: 1.5; }
.pl-diagram .pl-badge rect { stroke: none; }
.pl-diagram .pl-badge-error rect { fill: var(--pl-error); }
.pl-diagram .pl-badge-warning rect { fill: var(--pl-warning); }
.pl-diagram .pl-badge-information rect, .pl-diagram .pl-badge-hint rect { fill: var(--pl-info); }
.pl-diagram .pl-badge text { fill: var(--pl-bg); font-family: var(--pl-mono); font-size: 10px; font-weight: 600; }
.pl-diagram .pl-edge { fill: none; stroke: var(--pl-edge); stroke-width: 1.3; }
.pl-diagram .pl-arrow { fill: var(--pl-edge); }
.pl-diagram .pl-port { fill: var(--pl-edge); }
.pl-diagram .pl-node { cursor: pointer; }
.pl-diagram .pl-node:focus { outline: none; }
.pl-diagram .pl-node:hover > .pl-box { stroke: var(--pl-accent); stroke-width: 1.5; stroke-dasharray: 4 3; }
.pl-diagram .pl-node:focus-visible > .pl-box { stroke: var(--pl-accent); stroke-width: 2; stroke-dasharray: 2 2; }
.pl-diagram .pl-focus > .pl-box { stroke: var(--pl-accent); stroke-width: 3; stroke-dasharray: none; }
.pl-diagram .pl-selected > .pl-box { stroke: var(--pl-accent); stroke-width: 3.5; stroke-dasharray: none; fill: var(--pl-selected, var(--pl-node)); fill-opacity: 1; }
.pl-diagram .pl-toggle { fill: var(--pl-accent); cursor: pointer; }
.pl-diagram .pl-badge-external rect { fill: var(--pl-bg); stroke-width: 1.5; }
.pl-diagram .pl-badge-external.pl-badge-error rect { stroke: var(--pl-error); }
.pl-diagram .pl-badge-external.pl-badge-warning rect { stroke: var(--pl-warning); }
.pl-diagram .pl-badge-external.pl-badge-information rect, .pl-diagram .pl-badge-external.pl-badge-hint rect { stroke: var(--pl-info); }
.pl-diagram .pl-badge-external.pl-badge-error text { fill: var(--pl-error); }
.pl-diagram .pl-badge-external.pl-badge-warning text { fill: var(--pl-warning); }
.pl-diagram .pl-badge-external.pl-badge-information text, .pl-diagram .pl-badge-external.pl-badge-hint text { fill: var(--pl-info); }
body.vscode-high-contrast .pl-diagram .pl-box, body.vscode-high-contrast-light .pl-diagram .pl-box { stroke-width: 2; fill-opacity: 1; }
body.vscode-high-contrast .pl-diagram .pl-edge, body.vscode-high-contrast-light .pl-diagram .pl-edge { stroke-width: 2; }
@media (forced-colors: active) {
  .pl-diagram .pl-box { stroke: CanvasText; }
  .pl-diagram text { fill: CanvasText; }
  .pl-diagram .pl-edge { stroke: CanvasText; }
}
`;

/** Page chrome of the panel and of the standalone export (not part of an exported SVG). */
export const PAGE_CSS = `
html, body { margin: 0; padding: 0; }
body { background: var(--vscode-editor-background, var(--pl-d-bg)); }
body.pl-standalone { --pl-d-bg: #ffffff; }
@media (prefers-color-scheme: dark) { body.pl-standalone { --pl-d-bg: #0d1117; } }
.pl-toolbar { position: sticky; top: 0; z-index: 1; display: flex; gap: 8px; align-items: center; padding: 6px 12px;
  background: var(--vscode-editor-background, var(--pl-d-bg)); border-bottom: 1px solid var(--vscode-panel-border, #8c959f55);
  font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 12px; color: var(--vscode-descriptionForeground, #59636e); }
.pl-toolbar button { font: inherit; color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0969da);
  border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent)); padding: 3px 10px; border-radius: 2px; cursor: pointer; }
.pl-toolbar button:hover { background: var(--vscode-button-hoverBackground, #0860ca); }
.pl-toolbar .pl-status { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pl-canvas { padding: 12px; width: max-content; }
body.pl-standalone { min-width: max-content; }
/* The panel: toolbar and legend stay put; the canvas scrolls and zooms under them; details beside it. */
.pl-panel { display: flex; flex-direction: column; height: 100vh; }
.pl-panel .pl-toolbar { position: static; flex-wrap: wrap; }
.pl-toolbar .pl-group { display: inline-flex; gap: 4px; align-items: center; }
.pl-toolbar button:disabled { opacity: 0.5; cursor: default; }
.pl-toolbar .pl-zoom-level { min-width: 3.2em; text-align: center; font-variant-numeric: tabular-nums; }
.pl-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 4px 12px; font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 11px;
  color: var(--vscode-descriptionForeground, #59636e); border-bottom: 1px solid var(--vscode-panel-border, #8c959f55); }
.pl-key { display: inline-flex; gap: 5px; align-items: center; white-space: nowrap; }
.pl-swatch { display: inline-block; width: 22px; height: 11px; border-radius: 6px; font-size: 9px; line-height: 11px; text-align: center; }
.pl-swatch-error { background: var(--vscode-editorError-foreground, #cf222e); }
.pl-swatch-warning { background: var(--vscode-editorWarning-foreground, #9a6700); }
.pl-swatch-information { background: var(--vscode-editorInfo-foreground, #0969da); }
.pl-swatch-external { border: 1.5px solid var(--vscode-editorError-foreground, #cf222e); color: var(--vscode-editorError-foreground, #cf222e); }
.pl-shape { display: inline-block; width: 18px; height: 11px; border: 1px solid var(--vscode-editorWidget-border, #8c959f); border-radius: 3px; }
.pl-shape-composite { background: var(--vscode-editor-inactiveSelectionBackground, #eef4fb); }
.pl-shape-wrapper { border-style: dashed; }
.pl-shape-branch { border-style: dotted; background: none; }
.pl-main { flex: 1; min-height: 0; display: flex; }
.pl-panel .pl-canvas { flex: 1; min-width: 0; overflow: auto; width: auto; outline: none; }
.pl-panel .pl-canvas svg { display: block; }
.pl-details { width: 300px; flex: none; overflow: auto; padding: 8px 12px; border-left: 1px solid var(--vscode-panel-border, #8c959f55);
  font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 12px; color: var(--vscode-editor-foreground, #1f2328); }
.pl-details h2 { font-size: 13px; margin: 4px 0 2px; }
.pl-details .pl-d-sub { color: var(--vscode-descriptionForeground, #59636e); margin-bottom: 8px; }
.pl-details dl { margin: 0; }
.pl-details dt { color: var(--vscode-descriptionForeground, #59636e); margin-top: 6px; }
.pl-details dd { margin: 0; font-family: var(--vscode-editor-font-family, monospace); white-space: pre-wrap; word-break: break-word; }
.pl-details .pl-d-finding { margin-top: 6px; }
.pl-details .pl-d-code { font-family: var(--vscode-editor-font-family, monospace); font-weight: 600; }
.pl-details .pl-d-error { color: var(--vscode-editorError-foreground, #cf222e); }
.pl-details .pl-d-warning { color: var(--vscode-editorWarning-foreground, #9a6700); }
.pl-details .pl-d-information, .pl-details .pl-d-hint { color: var(--vscode-editorInfo-foreground, #0969da); }
@media (max-width: 640px) {
  .pl-main { flex-direction: column; }
  .pl-details { width: auto; max-height: 40vh; border-left: none; border-top: 1px solid var(--vscode-panel-border, #8c959f55); }
}
.pl-empty { font-family: var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-descriptionForeground, #59636e); padding: 24px; }
`;
