// ESLint for the whole repository (run by `npm test` through `npm run lint`): JavaScript's and
// typescript-eslint's recommended rules, eslint-plugin-svelte's for the apps. Formatting is
// Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/build/',
      '**/.svelte-kit/',
      '.tools/',
      '.data/',
      '.turbo/',
      'clients/e2e/artifacts/',
      'clients/shared/src/graphql-env.d.ts',
      'subgraphs/*/src/generated/',
      'clients/sdk-example/src/generated/',
      'infra/bench/results/',
      'clients/operations/test/fixtures/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused names that start with _ are deliberate (destructuring that drops fields).
      // The apps are served at the root (no `paths.base`), so links need no resolve().
      'svelte/no-navigation-without-resolve': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
