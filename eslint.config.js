import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', '.gpukit'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
      // One import statement per module (a type-only one may stand beside it). Import cycles,
      // type-only ones included, are checked by madge in `npm run lint`.
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
  // Layers: the engine never imports the worker or the UI; the worker never imports the UI.
  // (Tests may, to compare what two layers compute.)
  {
    files: ['src/engine/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/worker/*', '**/ui/*'], message: 'engine must not import worker or ui' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/worker/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/ui/*'], message: 'worker must not import ui' }] },
      ],
    },
  },
  // Pure modules: no tfjs, no React (and so no engine, worker or UI).
  {
    files: [
      'src/config/**',
      'src/tricks/**',
      'src/architecture/**',
      'src/data/**',
      'src/experiments/**',
      'src/benchmark-report/**',
      'src/run-control/**',
      'src/errors.ts',
      'src/worker/run-events.ts',
      'src/run/**',
      'src/tuning-plan/**',
      'src/storage/**',
      'src/timm/**',
      'src/lessons/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', 'react', 'react-dom', 'recharts'],
              message: 'pure modules import no tfjs or React',
            },
            {
              group: ['**/engine/*', '**/worker/*', '**/ui/*'],
              message: 'pure modules import no engine, worker or UI code',
            },
          ],
        },
      ],
    },
  },
);
