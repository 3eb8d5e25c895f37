import type { Fix } from '../../model/finding';
import type { Stmt } from '../../model/ir';
import { stmtParts } from '../../model/ir';
import { eolOf, lineText } from '../../model/text';
import { attachedStart, blankLinesAbove } from '../../fix/layout';
import type { Rule, RuleContext } from '../rule';
import { findCulprits, holderLabel, type Culprit } from './culprits';

/**
 * SKL102 local-function-in-estimator: a function defined inside a function or method, handed to a
 * library object. pickle saves functions by qualified name; `train.<locals>.clean` cannot be found
 * again, so saving the model fails.
 */
export const localFunctionInEstimator: Rule = {
  meta: {
    code: 'SKL102',
    name: 'local-function-in-estimator',
    summary: 'A function defined inside another function, passed to an estimator, makes the model unpicklable.',
    defaultSeverity: 'warning',
    fix: 'safe',
    languages: ['python'],
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const c of findCulprits(ctx).all) {
      if (c.kind !== 'local-function') continue;
      const key = `${c.fn}:${c.use.range.start.line}:${c.use.range.start.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fn = ctx.sem.fn(c.fn);
      ctx.report({
        range: c.use.range,
        message: `Local function \`${fn.name}\` passed to ${holderLabel(c)} cannot be pickled: joblib.dump or pickle.dump of this model will fail. Define it at module level.`,
        fix: moveToModuleLevel(ctx, c),
        related: [
          { uri: ctx.module.uri, range: fn.nameRange, message: `\`${fn.name}\` is defined inside a function here` },
        ],
      });
    }
  },
};

/** Moves the def, dedented, above the top-level statement that contains it. Only when it captures nothing. */
function moveToModuleLevel(ctx: RuleContext, c: Culprit): Fix | null {
  const { module, sem } = ctx;
  if (module.hasErrors) return null; // the rule runs on Python only (meta.languages): the def is moved by indentation
  const fn = sem.fn(c.fn);
  if (sem.captures(fn.id).length > 0) return null;
  // The name must mean nothing else anywhere in the file, or moving it could change another lookup.
  if (sem.moduleNames().has(fn.name) || module.functions.some((f) => f.id !== fn.id && f.name === fn.name)) return null;
  // A method's parent is a class: moving it would break `self`.
  const parent = fn.parent === null ? null : sem.fn(fn.parent);
  if (!parent || parent.kind === 'class') return null;
  if (!hasSiblings(parent.body, fn.id)) return null;
  let top = parent;
  while (top.parent !== null) top = sem.fn(top.parent);

  const first = fn.range.start.line;
  const last = fn.range.end.line;
  const indent = /^[ \t]*/.exec(lineText(module.text, module.lineStarts, first))![0];
  const lines: string[] = [];
  for (let l = first; l <= last; l++) {
    const text = lineText(module.text, module.lineStarts, l);
    if (text.trim() === '') lines.push('');
    else if (text.startsWith(indent)) lines.push(text.slice(indent.length));
    else return null; // inconsistent indentation (or a multi-line string): leave it to the user
  }
  const eol = eolOf(module.text);
  // Take the blank line that separated the def from the rest of the body with it.
  const end =
    last + 1 < module.lineStarts.length && lineText(module.text, module.lineStarts, last + 1).trim() === ''
      ? last + 1
      : last;
  const lineAfter =
    end + 1 < module.lineStarts.length
      ? { line: end + 1, character: 0 }
      : { line: end, character: lineText(module.text, module.lineStarts, end).length };
  // Above the comments that belong to the enclosing statement, with two blank lines before it (PEP 8).
  const at = { line: attachedStart(module, top.range.start.line), character: 0 };
  return {
    title: `Move \`${fn.name}\` to module level`,
    safety: 'safe',
    edits: [
      ...blankLinesAbove(module, at.line),
      { range: { start: at, end: at }, newText: lines.join(eol) + eol + eol + eol },
      { range: { start: { line: first, character: 0 }, end: lineAfter }, newText: '' },
    ],
  };
}

/** The def is not the only statement of its block (removing it must not leave an empty body). */
function hasSiblings(body: Stmt[], fnId: number): boolean {
  for (const s of body) {
    if (s.k === 'def' && s.fn === fnId) return body.length > 1;
    for (const b of stmtParts(s).blocks) {
      if (b.some((x) => x.k === 'def' && x.fn === fnId)) return b.length > 1;
      if (hasSiblings(b, fnId)) return true;
    }
  }
  return false;
}
