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
 * attribute chain. Comments and strings are skipped (401 `[` in a docstring are no nesting), except
 * f-strings, whose replacement fields tree-sitter parses as code: their brackets count.
 */
// Character codes, compared as numbers: this runs on every keystroke over the whole file.
const SPACE = 32,
  TAB = 9,
  LF = 10,
  CR = 13,
  HASH = 35,
  DOT = 46,
  COMMA = 44,
  SEMI = 59,
  EQ = 61;
const L = 108; // 'l' of lambda
const DQ = 34,
  SQ = 39,
  BACKSLASH = 92;

/** Whether the quote at `i` opens an f-string: its prefix (up to 3 letters of r, b, f, u, t) has an f or t. */
function isFString(text: string, i: number): boolean {
  let j = i - 1;
  let f = false;
  while (j >= 0 && i - j <= 3) {
    const c = text.charCodeAt(j) | 0x20; // lower case
    if (c === 102 /* f */ || c === 116 /* t */) f = true;
    else if (c !== 114 /* r */ && c !== 98 /* b */ && c !== 117 /* u */) break;
    j--;
  }
  if (!f) return false;
  // The prefix must start a token: not the tail of a longer name (`elif"x"` is not an f-string).
  const before = j >= 0 ? text.charCodeAt(j) : 32;
  return !(
    (before >= 48 && before <= 57) ||
    ((before | 0x20) >= 97 && (before | 0x20) <= 122) ||
    before === 95 ||
    before > 127
  );
}

/** The scan's state from one line to the next. */
interface Scan {
  text: string;
  skipStrings: boolean;
  /** Where the scan is. */
  i: number;
  /** Open brackets. */
  brackets: number;
  // The string being read (its quote character, 0 if none), triple-quoted or not, f-string or not.
  quote: number;
  triple: boolean;
  fstring: boolean;
}

export function nestingDepth(text: string, skipStrings = true): number {
  return scanNesting(text, skipStrings).depth;
}

/** What one pass over a text finds: its nesting estimate, and the comment lines tree-sitter need not read. */
export interface NestingScan {
  depth: number;
  /**
   * The runs of lines that hold only a comment (and the blank lines between them), outside strings and not
   * after a line that ends in a backslash: four numbers each, the run's start offset and row and the start
   * offset and row of the line after it. Empty for a text with a NUL or that ends inside a string (the
   * parser may then read a comment as code).
   */
  comments: number[];
  /** The row and column of the text's end. */
  endRow: number;
  endColumn: number;
}

export function scanNesting(text: string, skipStrings = true): NestingScan {
  // tree-sitter's lexers read NUL as the end of input: a string or comment holding one ends there for the
  // parser, and what follows is parsed as code. Count everything then (the long fuzz run found two
  // deep files hidden this way that crashed tree-sitter).
  if (skipStrings && text.includes('\0')) return scanNesting(text, false);
  let max = 0;
  const indents: number[] = [0];
  const n = text.length;
  const scan: Scan = { text, skipStrings, i: 0, brackets: 0, quote: 0, triple: false, fstring: false };
  const comments: number[] = [];
  // The run of comment lines under way: its start offset and row (runStart -1: none), and the line after it.
  let runStart = -1;
  let runRow = 0;
  let runEnd = 0;
  let runEndRow = 0;
  let row = 0;
  let endRow = 0;
  let endColumn = 0;
  while (scan.i < n) {
    const lineStart = scan.i;
    let comment = false;
    let blank = false;
    if (scan.quote === 0) {
      // Start of a line: indentation levels (counted inside brackets too: error recovery nests them anyway).
      let i = scan.i;
      let c = text.charCodeAt(i);
      let col = 0;
      while (i < n && (c === SPACE || c === TAB)) {
        col += c === TAB ? 8 - (col % 8) : 1;
        c = text.charCodeAt(++i);
      }
      if (i < n && c !== LF && c !== CR && c !== HASH) {
        while (indents.length > 1 && col < indents[indents.length - 1]) indents.pop();
        if (col > indents[indents.length - 1]) indents.push(col);
      } else if (c === HASH) comment = skipStrings && !continuesLine(text, lineStart);
      else blank = true;
      scan.i = i;
    }
    max = Math.max(max, scanLine(scan) + indents.length - 1);
    if (max > MAX_NESTING) return { depth: max, comments: [], endRow: 0, endColumn: 0 };
    let i = scan.i;
    if (i < n && text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
    scan.i = i + 1;
    if (comment) {
      if (runStart < 0) {
        runStart = lineStart;
        runRow = row;
      }
      runEnd = Math.min(scan.i, n);
      runEndRow = row + 1;
    } else if (!blank && runStart >= 0) {
      comments.push(runStart, runRow, runEnd, runEndRow);
      runStart = -1;
    }
    // The end: on this row when the text ends without a line break, else at the start of the next.
    if (scan.i > n) {
      endRow = row;
      endColumn = n - lineStart;
    } else {
      endRow = row + 1;
      endColumn = 0;
    }
    row++;
  }
  // A string still open at the end: the parser's error recovery may read its text as code, so count it.
  if (skipStrings && scan.quote !== 0) return scanNesting(text, false);
  if (runStart >= 0) comments.push(runStart, runRow, runEnd, runEndRow);
  return { depth: max, comments, endRow, endColumn };
}

/** Whether the line starting at `lineStart` continues the one before it: that one ends in a backslash. */
function continuesLine(text: string, lineStart: number): boolean {
  let end = lineStart - 1; // the line break before the line
  if (end > 0 && text.charCodeAt(end) === LF && text.charCodeAt(end - 1) === CR) end--;
  return end > 0 && text.charCodeAt(end - 1) === BACKSLASH;
}

/*
 * Runs of characters that cannot change the estimate are skipped by sticky regular expressions: V8 compiles
 * them to native code at once, where scanLine's loop runs in V8's interpreter and baseline tiers for most of a
 * `pipelint check` (about 90 ns a character there, 10 once optimized). Each matches from just after a
 * character that the loop has handled, so a run never starts a token that counts.
 */
/** Code, when no unary run and no attribute chain is open: everything but line ends, comments, strings,
 * brackets, unary operators, dots and `lambda` (letters, digits, spaces, `,;=:*` ...) only resets them. */
const CODE_RUN = /(?:[^\n\r#"'()[\]{}\-+~!.l]|l(?!ambda))+/y;
/** Code inside a name or a number: these reset a unary run and leave an attribute chain open. */
const NAME_RUN = /(?:[^\n\r#"'()[\]{}\-+~!. ,;=l]|l(?!ambda))+/y;
/** The rest of a comment. */
const COMMENT_RUN = /[^\n\r]*/y;
/** Inside a string: anything but its quote, a backslash and a line end; in an f-string, brackets too. */
const DQ_RUN = /[^"\\\n\r]+/y;
const SQ_RUN = /[^'\\\n\r]+/y;
const DQ_FIELD_RUN = /[^"\\\n\r()[\]{}]+/y;
const SQ_FIELD_RUN = /[^'\\\n\r()[\]{}]+/y;

/** Where the run of `run` that starts at `from` ends (the index of its last character), or `from - 1`. */
function skip(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  return run.test(text) ? run.lastIndex - 1 : from - 1;
}

/**
 * Scans the rest of a line from `scan.i` to its end (where it leaves `scan.i`); returns its nesting without
 * indentation: the deepest bracket level, its `lambda`s, its longest run of unary operators and its longest
 * attribute chain. A function of its own so that V8 optimizes it apart from the line loop: one function was
 * compiled three times per check of the 285 scikit-learn examples (on-stack, then whole, then after a rare
 * branch deoptimized it), 105-122 ms of compiler time on a background thread for about 18 ms of scanning;
 * split, 34-77 ms (3 runs each, load 3.6).
 */
function scanLine(scan: Scan): number {
  const { text, skipStrings } = scan;
  const n = text.length;
  let { i, brackets, quote, triple, fstring } = scan;
  let deepest = brackets;
  let lambdas = 0;
  let unary = 0;
  let longestUnary = 0;
  let dots = 0;
  let longestDots = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) {
      // A one-line string ends at the line's end, unless the newline is escaped (handled below).
      if (quote !== 0 && !triple) quote = 0;
      break;
    }
    if (quote !== 0) {
      if (c === BACKSLASH) {
        const next = text.charCodeAt(i + 1);
        // An escaped newline continues the string on the next line.
        if (next === LF || next === CR) {
          if (next === CR && text.charCodeAt(i + 2) === LF) i++;
          i++;
          break;
        }
        i++;
      } else if (c === quote) {
        if (!triple) quote = 0;
        else if (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote) {
          quote = 0;
          i += 2;
        }
      } else if (fstring && (c === 40 || c === 91 || c === 123)) {
        if (++brackets > deepest) deepest = brackets;
      } else if (fstring && (c === 41 || c === 93 || c === 125)) {
        if (brackets > 0) brackets--;
      } else i = skip(quote === DQ ? (fstring ? DQ_FIELD_RUN : DQ_RUN) : fstring ? SQ_FIELD_RUN : SQ_RUN, text, i + 1);
      continue;
    }
    switch (c) {
      case HASH:
        // A comment: the rest of the line.
        if (!skipStrings) break;
        i = skip(COMMENT_RUN, text, i + 1);
        break;
      case DQ:
      case SQ:
        if (!skipStrings) break;
        quote = c;
        triple = text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c;
        if (triple) i += 2;
        fstring = isFString(text, i - (triple ? 2 : 0));
        unary = 0;
        dots = 0;
        break;
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
        if (unary === 0) i = skip(CODE_RUN, text, i + 1);
        break;
      case COMMA:
      case SEMI:
      case EQ:
        dots = 0;
        unary = 0;
        i = skip(CODE_RUN, text, i + 1);
        break;
      case L:
        unary = 0;
        if (text.startsWith('lambda', i)) lambdas++;
        // An `l` that starts no `lambda` is a letter like the others.
        else i = skip(dots === 0 ? CODE_RUN : NAME_RUN, text, i + 1);
        break;
      default:
        unary = 0;
        i = skip(dots === 0 ? CODE_RUN : NAME_RUN, text, i + 1);
    }
  }
  scan.i = i;
  scan.brackets = brackets;
  scan.quote = quote;
  scan.triple = triple;
  scan.fstring = fstring;
  return deepest + lambdas + longestUnary + longestDots;
}

/**
 * Every branch of scanLine, run once when this module loads: a branch first reached after V8 had optimized
 * scanLine (an escaped quote or line end in a string, say) found no type feedback there, deoptimized it, and V8
 * compiled it again: 7 ms of compiler time per check of the 285 scikit-learn examples.
 */
nestingDepth(
  [
    `x = f"{a[1]} {b(2)}" + 'it\\'s' + "q\\"" + r'\\d' + """doc "x"`,
    `more""" + '''y'''  # comment`,
    `s = "line \\`,
    `next"\r`,
    `y = -+~!z.a.b.c ; lambda q: (q, [1], {2: 3})`,
    `\tif x: pass`,
    '',
  ].join('\n'),
);
