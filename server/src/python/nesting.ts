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
export function nestingDepth(text: string): number {
  let brackets = 0;
  let max = 0;
  const indents: number[] = [0];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: indentation levels (counted inside brackets too: error recovery nests them anyway).
    let col = 0;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) {
      col += text[i] === '\t' ? 8 - (col % 8) : 1;
      i++;
    }
    if (i < n && text[i] !== '\n' && text[i] !== '\r' && text[i] !== '#') {
      while (indents.length > 1 && col < indents[indents.length - 1]) indents.pop();
      if (col > indents[indents.length - 1]) indents.push(col);
    }
    let deepest = brackets;
    let lambdas = 0;
    let unary = 0;
    let longestUnary = 0;
    let dots = 0;
    let longestDots = 0;
    for (; i < n && text[i] !== '\n' && text[i] !== '\r'; i++) {
      const c = text[i];
      if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++brackets);
      else if (c === ')' || c === ']' || c === '}') brackets = Math.max(0, brackets - 1);
      if (c === '-' || c === '+' || c === '~' || c === '!') longestUnary = Math.max(longestUnary, ++unary);
      else if (c !== ' ') unary = 0;
      if (c === '.') longestDots = Math.max(longestDots, ++dots);
      else if (c === ' ' || c === ',' || c === ';' || c === '=') dots = 0;
      if (c === 'l' && text.startsWith('lambda', i)) lambdas++;
    }
    max = Math.max(max, deepest + indents.length - 1 + lambdas + longestUnary + longestDots);
    if (max > MAX_NESTING) return max;
    if (i < n && text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
  }
  return max;
}
