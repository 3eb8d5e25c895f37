import { canonical, typescriptSyntax } from './syntax';
import type { FrontEnd } from '../model/frontend';
import type { ModuleIR } from '../model/ir';
import { computeLineStarts } from '../model/text';
import { lowerTypeScriptSource } from './lower';

export { moduleQname, scriptKindFor } from './lower';

/**
 * The scikit.js front end: TypeScript or JavaScript source -> the language-neutral pipeline model.
 * `cache` (an opaque object the caller keeps per document, initially `{}`) makes re-lowering after an
 * edit incremental. Never throws: garbage input gives a module with `hasErrors` and whatever statements parsed.
 */
export function lowerTypeScript(text: string, uri: string, cache?: object): ModuleIR {
  try {
    return lowerTypeScriptSource(text, uri, cache);
  } catch {
    if (cache) {
      // Start the document afresh: the incremental state may be what broke.
      for (const k of Object.keys(cache)) delete (cache as Record<string, unknown>)[k];
      return lowerTypeScript(text, uri);
    }
    // Defensive: an unexpected node shape must not take the analysis down.
    return {
      uri,
      language: 'typescript',
      text,
      lineStarts: computeLineStarts(text),
      body: [],
      functions: [],
      imports: [],
      hasErrors: true,
      errorRanges: [{ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }],
      importsEnd: { line: 0, character: 0 },
    };
  }
}

/** The scikit.js front end; its per-document state is the incremental cache of `lowerTypeScript`. */
export const frontEnd: FrontEnd = {
  language: 'typescript',
  syntax: typescriptSyntax,
  canonical,
  newState: () => ({}),
  lower(source, previous) {
    const module = lowerTypeScript(source.text, source.uri, previous);
    if (previous) module.incremental = true;
    return module;
  },
};
