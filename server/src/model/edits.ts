import type { TextEdit } from './finding';
import type { Position } from './ir';
import { positionAt } from './text';

/**
 * Between the end of the last argument and the closing bracket there may be whitespace, comments and one
 * comma. Returns the comma's offset, -1 when there is none, undefined when something else is there.
 */
export function trailingComma(text: string, from: number, to: number, lineComment: '#' | '//'): number | undefined {
  let comma = -1;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\\' || ch === '\f') continue;
    if (text.startsWith(lineComment, i)) {
      while (i < to && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (lineComment === '//' && text.startsWith('/*', i)) {
      const endComment = text.indexOf('*/', i + 2);
      if (endComment < 0 || endComment >= to) return undefined;
      i = endComment + 1;
      continue;
    }
    if (ch === ',' && comma < 0) {
      comma = i;
      continue;
    }
    // A closing parenthesis of a parenthesized last argument, or anything unexpected.
    return undefined;
  }
  return comma;
}

/** An insertion of `newText` at `offset`. */
export function insertAt(lineStarts: number[], offset: number, newText: string): TextEdit {
  return { range: point(positionAt(lineStarts, offset)), newText };
}

export function point(p: Position): { start: Position; end: Position } {
  return { start: p, end: p };
}
