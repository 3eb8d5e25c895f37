import type { Severity } from '../model/finding';
import { EDITOR_MAX_FILE_KB } from '../source/limits';

/**
 * Settings as the VS Code extension declares them in package.json (`pipelint.*`). The server reads them
 * per document URI through workspace/configuration and caches them until didChangeConfiguration.
 */
export interface ServerSettings {
  enable: boolean;
  seed: number;
  select: string[];
  ignore: string[];
  severity: Record<string, Severity | 'off'>;
  maxFileSizeKb: number;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  enable: true,
  seed: 42,
  select: [],
  ignore: [],
  severity: {},
  maxFileSizeKb: EDITOR_MAX_FILE_KB,
};

/** Accepts whatever the client sent; anything malformed falls back to the default for that key. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase()) : [];
  const severity: ServerSettings['severity'] = {};
  if (r.severity && typeof r.severity === 'object') {
    for (const [k, v] of Object.entries(r.severity as Record<string, unknown>)) {
      if (v === 'error' || v === 'warning' || v === 'information' || v === 'hint' || v === 'off')
        severity[k.toUpperCase()] = v;
    }
  }
  return {
    enable: typeof r.enable === 'boolean' ? r.enable : DEFAULT_SERVER_SETTINGS.enable,
    seed:
      Number.isInteger(r.seed) && (r.seed as number) >= 0 && (r.seed as number) <= 2 ** 32 - 1
        ? (r.seed as number)
        : DEFAULT_SERVER_SETTINGS.seed,
    select: strings(r.select),
    ignore: strings(r.ignore),
    severity,
    maxFileSizeKb:
      typeof r.maxFileSizeKb === 'number' && r.maxFileSizeKb > 0
        ? r.maxFileSizeKb
        : DEFAULT_SERVER_SETTINGS.maxFileSizeKb,
  };
}
