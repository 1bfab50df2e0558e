// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, plus a few that
// catch real mistakes in this code. Layout is Prettier's (.prettierrc.json), not ESLint's.
//
// Three rules need type information (a promise nobody awaits, or passed where its rejection is
// lost): they use the TypeScript project service, which triples lint time (README, "Lint and
// format"). CEDAR_LINT_UNTYPED=1 leaves them out for a quick run while editing.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const typed = process.env.CEDAR_LINT_UNTYPED !== '1';

export default defineConfig(
  { ignores: ['dist/', '.build-test-*/', 'coverage/', 'test-results/', 'screenshots/', 'data/', 'scratch/', 'public/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-throw-literal': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Migrations and the SQLite dialect work on whatever schema is there: Kysely<any>, as Kysely advises.
    files: ['src/db/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  typed
    ? {
        files: ['**/*.ts'],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
          '@typescript-eslint/no-floating-promises': 'error',
          '@typescript-eslint/no-misused-promises': 'error',
          '@typescript-eslint/await-thenable': 'error',
        },
      }
    : {},
);
