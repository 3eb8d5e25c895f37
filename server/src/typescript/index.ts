import type { ModuleIR } from '../model/ir';
import { computeLineStarts } from '../model/text';
import { lowerTypeScriptSource } from './lower';

export { moduleQname, scriptKindFor } from './lower';

/**
 * The scikit.js front end: TypeScript or JavaScript source -> the language-neutral pipeline model.
 * Never throws: garbage input gives a module with `hasErrors` and whatever statements parsed.
 */
export function lowerTypeScript(text: string, uri: string): ModuleIR {
  try {
    return lowerTypeScriptSource(text, uri);
  } catch {
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
