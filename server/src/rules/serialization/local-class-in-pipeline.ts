import type { Rule } from '../rule';
import { findCulprits, holderLabel } from './culprits';

/**
 * SKL103 local-class-in-pipeline: an instance of a class defined inside a function, used as a step or
 * estimator. pickle stores the class by qualified name (`make_model.<locals>.Clipper`), which cannot be
 * imported back, so saving fails.
 */
export const localClassInPipeline: Rule = {
  meta: {
    code: 'SKL103',
    name: 'local-class-in-pipeline',
    summary: 'A class defined inside a function, used as a pipeline step or estimator, makes the model unpicklable.',
    defaultSeverity: 'warning',
    fix: 'none',
    languages: ['python'],
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const c of findCulprits(ctx).all) {
      if (c.kind !== 'local-class') continue;
      const key = `${c.use.range.start.line}:${c.use.range.start.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const cls = ctx.sem.fn(c.fn);
      ctx.report({
        range: c.use.range,
        message: `\`${cls.name}\` is defined inside a function; used in ${holderLabel(c)} it makes the model unpicklable. Define the class at module level.`,
        related: [{ uri: ctx.module.uri, range: cls.nameRange, message: `\`${cls.name}\` is defined here` }],
      });
    }
  },
};
