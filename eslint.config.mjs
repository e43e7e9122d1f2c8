// Flat ESLint config for every project. Generated contracts are ignored (they are regenerated and diffed
// in CI instead of linted).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      'libs/contracts/src/gen/**',
      '**/vitest.config.ts',
      'vitest.shared.ts',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, 'import-x': importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      // import-x must resolve imports to the .ts sources, or no-cycle sees no edges at all. Workspace
      // packages (@modelserving/*) resolve through the '@modelserving/source' export condition (the same
      // one the tsconfigs list in customConditions) to their src, so cycles across packages count too.
      // ignoreExternal (below) keeps no-cycle out of node_modules, where it spent most of its time;
      // workspace packages are internal so that cycles through them are still followed.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/internal-regex': '^@modelserving/',
      // One lint run never sees a file change; the default 30 s lifetime re-resolved everything.
      'import-x/cache': { lifetime: Infinity },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          conditionNames: ['@modelserving/source', 'types', 'import', 'require', 'node', 'default'],
          extensions: ['.ts', '.d.ts', '.js', '.json', '.node'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            // Format libraries depend on model-core only, never on gRPC or the apps.
            { sourceTag: 'type:format', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
            // The list of every format (one factory per model type) for the services and the CLI.
            { sourceTag: 'type:formats', onlyDependOnLibsWithTags: ['type:core', 'type:format'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:lib'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:lib', 'type:format'],
            },
            // Apps never import another app.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:lib',
                'type:format',
                'type:formats',
              ],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:lib',
                'type:format',
                'type:formats',
                'type:testing',
                'type:app',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // Tests (and their support files) may use the testing library from any project.
    files: ['**/*.spec.ts', '**/*.test.ts', '**/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:lib',
                'type:format',
                'type:formats',
                'type:testing',
              ],
            },
            {
              sourceTag: '*',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:contracts',
                'type:lib',
                'type:format',
                'type:formats',
                'type:testing',
                'type:app',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
