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

// Inside the client, imports go one way too: app → features → components, hooks and lib
// (bulletproof-react's rule). A feature may use another only through auth (who is signed
// in) and connection (whether the broker is up), which every feature needs. Each block
// repeats the client's base restrictions: in a flat config the last block that sets
// `no-restricted-imports` for a file replaces the earlier ones.
const FEATURES = [
  'admin',
  'agent-board',
  'auth',
  'chat',
  'connection',
  'notifications',
  'presence',
];
const SHARED_BY_FEATURES = ['auth', 'connection'];
const clientBase = {
  paths: [{ name: 'mqtt', message: 'Only src/client/lib/mqtt may import mqtt.' }],
  patterns: [
    { group: ['**/server/**', '**/agents/**'], message: 'client imports shared only.' },
    { group: ['mqtt/*'], message: 'Only src/client/lib/mqtt may import mqtt.' },
  ],
};
const restrictClient = (files, patterns, { ignores = [], mqtt = false } = {}) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      mqtt
        ? { patterns: [clientBase.patterns[0], ...patterns] }
        : { paths: clientBase.paths, patterns: [...clientBase.patterns, ...patterns] },
    ],
  },
});
const noApp = { group: ['**/app/**', '**/app'], message: 'Only src/client/app composes features.' };
const noFeatures = {
  group: ['**/features/**'],
  message: 'components, hooks and lib serve features, not the other way.',
};
// Relative paths from any depth in a feature (the folder itself included), and any path
// through `features/`: a pattern like `**/chat` would also catch `shared/chat.ts`.
const RELATIVE_DEPTHS = ['../', '../../', '../../../', '../../../../', '../../../../../'];
const otherFeatures = (feature) => ({
  group: FEATURES.filter((f) => f !== feature && !SHARED_BY_FEATURES.includes(f)).flatMap((f) => [
    `**/features/${f}`,
    `**/features/${f}/**`,
    ...RELATIVE_DEPTHS.flatMap((up) => [`${up}${f}`, `${up}${f}/**`]),
  ]),
  message: `A feature uses another only through ${SHARED_BY_FEATURES.join(' and ')}; compose them in src/client/app.`,
});
const MQTT_OWNER = 'src/client/lib/mqtt/**';
const clientLayers = [
  restrictClient(['src/client/**/*.{ts,tsx}'], [], { ignores: [MQTT_OWNER] }),
  // The one owner of the MQTT connection in the browser.
  restrictClient([`${MQTT_OWNER}/*.{ts,tsx}`], [noApp, noFeatures], { mqtt: true }),
  ...FEATURES.map((feature) =>
    restrictClient(
      [`src/client/features/${feature}/**/*.{ts,tsx}`],
      [noApp, otherFeatures(feature)],
    ),
  ),
  restrictClient(['src/client/{components,hooks,lib}/**/*.{ts,tsx}'], [noApp, noFeatures], {
    ignores: [MQTT_OWNER],
  }),
];

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
  ...clientLayers,
);
