// Typed view of the `pipelint.*` settings declared in package.json `contributes.configuration`.
// The server reads the analysis settings itself (workspace/configuration, per document URI); the client
// reads only what it needs to start the server and lists the settings that need a restart.
import * as vscode from 'vscode';

export const SECTION = 'pipelint';

export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type TraceLevel = 'off' | 'messages' | 'verbose';

/** Mirrors package.json `contributes.configuration.properties`; keep both in step. */
export interface PipelintSettings {
  enable: boolean;
  seed: number;
  select: string[];
  ignore: string[];
  severity: Record<string, SeverityOverride>;
  maxFileSizeKb: number;
  trace: { server: TraceLevel };
  server: { path: string };
}

export const DEFAULTS: PipelintSettings = {
  enable: true,
  seed: 42,
  select: [],
  ignore: [],
  severity: {},
  maxFileSizeKb: 2048,
  trace: { server: 'off' },
  server: { path: '' },
};

/**
 * Settings the running server cannot pick up: changing one restarts the server.
 * (`trace.server` is applied live by vscode-languageclient; the analysis settings by the server.)
 */
export const RESTART_SETTINGS: readonly string[] = [`${SECTION}.server.path`];

export function getSettings(scope?: vscode.ConfigurationScope): PipelintSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    enable: c.get('enable', DEFAULTS.enable),
    seed: c.get('seed', DEFAULTS.seed),
    select: c.get('select', DEFAULTS.select),
    ignore: c.get('ignore', DEFAULTS.ignore),
    severity: c.get('severity', DEFAULTS.severity),
    maxFileSizeKb: c.get('maxFileSizeKb', DEFAULTS.maxFileSizeKb),
    trace: { server: c.get('trace.server', DEFAULTS.trace.server) },
    // Machine-scoped in the manifest: a workspace can never point it at a program of its own.
    server: { path: c.inspect<string>('server.path')?.globalValue ?? DEFAULTS.server.path },
  };
}

/** True when a configuration change touches a setting that needs a server restart. */
export function needsRestart(e: vscode.ConfigurationChangeEvent): boolean {
  return RESTART_SETTINGS.some((s) => e.affectsConfiguration(s));
}
