import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModuleIR } from '../model/ir';

export interface TypeScriptFrontEnd {
  /** `cache`: an object kept per document between versions (initially `{}`), for incremental re-lowering. */
  lowerTypeScript(text: string, uri: string, cache?: object): ModuleIR;
}

let loaded: TypeScriptFrontEnd | undefined;

/**
 * The TypeScript compiler is large (megabytes of JavaScript): it is its own bundle (dist/typescript.js),
 * loaded the first time a TypeScript file is analysed, so Python-only sessions never pay for it.
 * When running from source, the front end is required from this folder (server/src/typescript/).
 */
export function typeScriptFrontEnd(): TypeScriptFrontEnd {
  if (!loaded) {
    const bundled = path.join(__dirname, 'typescript.js');
    const target = existsSync(bundled) ? bundled : path.join(__dirname, 'index');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first .ts file, not at start
    loaded = require(target) as TypeScriptFrontEnd;
  }
  return loaded;
}
