// @ts-check
// typescript-eslint's strict-type-checked preset, with the few departures below; each says why.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'out/',
      'node_modules/',
      '.cache/',
      '.test-artifacts/',
      'test/fixtures/',
      'test/e2e/workspace/',
      'test/e2e/out/',
      'examples/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers and booleans print as expected in messages; objects and nullish values stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Tree-sitter children, regex groups and Map lookups after `has` are non-null by construction;
      // `!` says so where it happens (`noUncheckedIndexedAccess` is off for the same reason).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // node:test's test/describe return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] },
          ],
        },
      ],
      // `() => void expr` in callbacks is clearer than a block with one statement.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Without `noUncheckedIndexedAccess` (off: see above) every guarded `arr[0]` or `record[key]` reads as
      // "always truthy", and removing those guards would crash on half-typed code.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `'unknown' | string` names the sentinel a caller must handle, though the union reduces to string.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // process.env and rule-keyed tables (JSON shapes, not Maps) are pruned by key.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // TypeScript checks names itself (typescript-eslint's advice).
      'no-undef': 'off',
    },
  },
  {
    // Tests read JSON from the CLI and the server and assert on it: the assertion is the check, so
    // typing every response would add noise without catching anything.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // Figures in assertion messages print arrays of numbers as they are.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowArray: true },
      ],
      // node:test takes sync and async test bodies alike; an async body without await is harmless.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Custom LSP messages follow vscode-languageserver's own `XRequest.type` namespaces, shared with the client.
    files: ['server/src/lsp/protocol.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    files: ['**/*.cjs', 'bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
