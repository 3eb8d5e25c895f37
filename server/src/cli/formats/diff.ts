/**
 * A unified diff (`diff -u` / `git diff` style) of two versions of one file, for `pipelint check --diff`.
 * The common head and tail are cut first, so the line LCS only runs over the part that changed.
 */

/**
 * Lines as git and patch see them: ended by `\n` only, a `\r` before it (CRLF) or inside (old Mac CR
 * files) is part of the line, so `git apply` finds the context byte for byte.
 */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Op = { kind: ' ' | '-' | '+'; line: string };

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  const n = midA.length;
  const m = midB.length;
  if (n * m > 4_000_000) {
    // Too large a change to align line by line: show it as one replacement.
    ops.push(
      ...midA.map((line) => ({ kind: '-' as const, line })),
      ...midB.map((line) => ({ kind: '+' as const, line })),
    );
  } else {
    // lcs[i][j]: length of the LCS of midA[i..] and midB[j..].
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ kind: ' ', line: midA[i] });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) ops.push({ kind: '+', line: midB[j++] });
      else ops.push({ kind: '-', line: midA[i++] });
    }
  }
  ops.push(...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })));
  return ops;
}

function show(op: Op): string[] {
  const bare = op.line.endsWith('\n') ? op.line.slice(0, -1) : op.line;
  const out = [`${op.kind}${bare}`];
  if (bare === op.line) out.push('\\ No newline at end of file');
  return out;
}

/** The unified diff from `before` to `after`; '' when they are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const changed = ops.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  const out = [`--- a/${path}`, `+++ b/${path}`];
  // Group changes whose contexts touch into hunks.
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = changed[k];
    while (k + 1 < changed.length && changed[k + 1] - end <= 2 * context + 1) end = changed[++k];
    end = Math.min(ops.length - 1, end + context);
    k++;
    let oldLine = 1;
    let newLine = 1;
    for (let i = 0; i < start; i++) {
      if (ops[i].kind !== '+') oldLine++;
      if (ops[i].kind !== '-') newLine++;
    }
    const hunk = ops.slice(start, end + 1);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    const range = (line: number, count: number) =>
      count === 1 ? `${line}` : `${count === 0 ? line - 1 : line},${count}`;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`);
    for (const op of hunk) out.push(...show(op));
  }
  return out.join('\n') + '\n';
}
