import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Imports go one way: client and server may import shared; shared imports neither.
const boundary = (from, forbidden) => ({
  files: [`src/${from}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((dir) => ({
          group: [`**/${dir}/**`, `**/${dir}`],
          message: `src/${from} must not import src/${dir} (see STYLE.md: imports go one way).`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'coverage', 'data', 'bench/results', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/client/**/*.{ts,tsx}', 'test/client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // CommonJS on purpose (no-debug.cjs, the server's --require preload).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  boundary('shared', ['server', 'client', 'agents']),
  boundary('client', ['server', 'agents']),
  boundary('server', ['client']),
  boundary('agents', ['client', 'server']),
  {
    // The one owner of the MQTT connection in the browser.
    files: ['src/client/**/*.{ts,tsx}'],
    ignores: ['src/client/lib/mqtt/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'mqtt', message: 'Only src/client/lib/mqtt may import mqtt.' }],
          patterns: [
            { group: ['**/server/**', '**/agents/**'], message: 'client imports shared only.' },
            { group: ['mqtt/*'], message: 'Only src/client/lib/mqtt may import mqtt.' },
          ],
        },
      ],
    },
  },
);
