/**
 * tree-sitter's WASM build recurses on deep trees, and a few thousand levels of nesting can overflow its
 * stack and corrupt its memory for the rest of the process (seen by the fuzzer). No real program nests that
 * deep: CPython itself stops at 200 nested brackets and 100 indentation levels. So text whose nesting
 * estimate passes this bound is not parsed at all (it gives no findings) instead of risking the parser.
 */
export const MAX_NESTING = 400;

/**
 * An upper estimate of the syntax tree's depth, in one pass: open brackets, plus on each line the
 * indentation levels, the `lambda` keywords, the longest run of unary operators and the longest
 * attribute chain. Strings are not skipped: a false alarm only means a file too odd to analyse.
 */
// Character codes, compared as numbers: this runs on every keystroke over the whole file.
const SPACE = 32, TAB = 9, LF = 10, CR = 13, HASH = 35, DOT = 46, COMMA = 44, SEMI = 59, EQ = 61;
const L = 108; // 'l' of lambda

export function nestingDepth(text: string): number {
  let brackets = 0;
  let max = 0;
  const indents: number[] = [0];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: indentation levels (counted inside brackets too: error recovery nests them anyway).
    let col = 0;
    let c = text.charCodeAt(i);
    while (i < n && (c === SPACE || c === TAB)) {
      col += c === TAB ? 8 - (col % 8) : 1;
      c = text.charCodeAt(++i);
    }
    if (i < n && c !== LF && c !== CR && c !== HASH) {
      while (indents.length > 1 && col < indents[indents.length - 1]) indents.pop();
      if (col > indents[indents.length - 1]) indents.push(col);
    }
    let deepest = brackets;
    let lambdas = 0;
    let unary = 0;
    let longestUnary = 0;
    let dots = 0;
    let longestDots = 0;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c === LF || c === CR) break;
      switch (c) {
        case 40: // (
        case 91: // [
        case 123: // {
          if (++brackets > deepest) deepest = brackets;
          unary = 0;
          break;
        case 41: // )
        case 93: // ]
        case 125: // }
          if (brackets > 0) brackets--;
          unary = 0;
          break;
        case 45: // -
        case 43: // +
        case 126: // ~
        case 33: // !
          if (++unary > longestUnary) longestUnary = unary;
          break;
        case DOT:
          if (++dots > longestDots) longestDots = dots;
          unary = 0;
          break;
        case SPACE:
          dots = 0;
          break;
        case COMMA:
        case SEMI:
        case EQ:
          dots = 0;
          unary = 0;
          break;
        case L:
          if (text.startsWith('lambda', i)) lambdas++;
          unary = 0;
          break;
        default:
          unary = 0;
      }
    }
    max = Math.max(max, deepest + indents.length - 1 + lambdas + longestUnary + longestDots);
    if (max > MAX_NESTING) return max;
    if (i < n && text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
  }
  return max;
}
