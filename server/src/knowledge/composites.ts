/**
 * How each composite of scikit-learn, imbalanced-learn and scikit.js holds its steps, once: the pipeline
 * graph draws from it, the lineage models (calls.ts) recognise the composite functions by it. Keyed by the
 * library concept (scikit-learn's name); a front end's `canonical` maps its spelling (`makePipeline`).
 */
export interface CompositeSpec {
  className: string;
  arrangement: 'sequence' | 'parallel';
  /** Parameter holding the list, or varargs (the estimators are the positional arguments). */
  items: { param: string } | 'varargs';
  /** Shape of one item: `(name, est)`, bare `est`, `(name, est, columns)`, `(est, columns)`. */
  shape: 'named' | 'bare' | 'named-columns' | 'columns';
  remainder?: boolean;
}

const COMPOSITES: Record<string, CompositeSpec> = {
  Pipeline: { className: 'Pipeline', arrangement: 'sequence', items: { param: 'steps' }, shape: 'named' },
  make_pipeline: { className: 'Pipeline', arrangement: 'sequence', items: 'varargs', shape: 'bare' },
  FeatureUnion: {
    className: 'FeatureUnion',
    arrangement: 'parallel',
    items: { param: 'transformer_list' },
    shape: 'named',
  },
  make_union: { className: 'FeatureUnion', arrangement: 'parallel', items: 'varargs', shape: 'bare' },
  ColumnTransformer: {
    className: 'ColumnTransformer',
    arrangement: 'parallel',
    items: { param: 'transformers' },
    shape: 'named-columns',
    remainder: true,
  },
  make_column_transformer: {
    className: 'ColumnTransformer',
    arrangement: 'parallel',
    items: 'varargs',
    shape: 'columns',
    remainder: true,
  },
};

/** How the composite class or function named `name` (its last segment) holds its steps, if it is one. */
export function compositeSpec(name: string, canonical: (name: string) => string): CompositeSpec | undefined {
  const key = canonical(name);
  return Object.hasOwn(COMPOSITES, key) ? COMPOSITES[key] : undefined;
}

/** The composite functions (`make_pipeline`...) by qualified name: their positional arguments are the steps. */
export const COMPOSITE_FUNCTIONS = new RegExp(
  `\\.(${Object.keys(COMPOSITES)
    .filter((k) => COMPOSITES[k].items === 'varargs')
    .join('|')})$`,
);
