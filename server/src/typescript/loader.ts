import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FrontEnd } from '../model/frontend';

let loaded: FrontEnd | undefined;

/**
 * The TypeScript compiler is large (megabytes of JavaScript): it is its own bundle (dist/typescript.js),
 * loaded the first time a TypeScript file is analysed, so Python-only sessions never pay for it.
 * When running from source, the front end is required from this folder (server/src/typescript/).
 */
export function typeScriptFrontEnd(): FrontEnd {
  if (!loaded) {
    const bundled = path.join(__dirname, 'typescript.js');
    const target = existsSync(bundled) ? bundled : path.join(__dirname, 'index');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first .ts file, not at start
    loaded = (require(target) as typeof import('./index')).frontEnd;
  }
  return loaded;
}
