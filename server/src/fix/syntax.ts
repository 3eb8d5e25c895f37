import type { Syntax } from '../model/syntax';
import { canonical as pythonCanonical, pythonSyntax } from '../python/syntax';
import { canonical as typescriptCanonical, typescriptSyntax } from '../typescript/syntax';

/** The printer of a module's language (the one place that picks it by language). */
export function syntaxOf(language: 'python' | 'typescript'): Syntax {
  return language === 'python' ? pythonSyntax : typescriptSyntax;
}

/** The library concept a name of the language stands for (`fitTransform` -> `fit_transform` in scikit.js). */
export function canonicalOf(language: 'python' | 'typescript'): (name: string) => string {
  return language === 'python' ? pythonCanonical : typescriptCanonical;
}
