import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// One no-restricted-imports per file wins (a later config replaces, not merges, the options), so each config below
// lists every pattern that applies to its files.
const AZURE_SDK = {
  // @azure/functions is the host's API, used by src/functions; every other @azure package is an Azure SDK.
  group: ['@azure/*', '!@azure/functions'],
  message: 'Only src/shared/gateways may import an Azure SDK.',
};
const NOT_THE_APP = {
  group: ['**/sandbox/**', '**/test/**'],
  message: 'The app must not depend on the sandbox or tests.',
};
const ADAPTERS = {
  group: ['**/gateways', '**/gateways/**'],
  message:
    'The core must not import adapters: ports and domain types live in src/shared/azure, wiring in src/composition.',
};
const DATA_ONLY = {
  group: ['**/report', '**/report/**'],
  message: 'Parsers and runs only produce data: rendering lives in src/shared/report, which imports them, not back.',
};
const BUILT_BY_COMPOSITION = {
  group: ['**/gateways/**', '!**/gateways/azureCredential', '!**/gateways/azureClients'],
  message: 'Build gateways in src/composition (the one composition root), not in a function or a command.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', '*.config.js', '*.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Plain Node scripts run before anything is compiled (test set-up, the sandbox certificate).
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core decides; only gateways talk to Azure SDKs (DESIGN.md, "Shape").
    files: ['src/**/*.ts'],
    ignores: ['src/shared/gateways/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AZURE_SDK, NOT_THE_APP] }] },
  },
  {
    // The core owns its ports and vocabulary (src/shared/azure); adapters depend on it, never the other way round.
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/gateways/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AZURE_SDK, NOT_THE_APP, ADAPTERS] }] },
  },
  {
    // Parsers and the run model produce data; src/shared/report renders it (one escaping policy in one place).
    files: ['src/shared/parsers/**/*.ts', 'src/shared/runs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AZURE_SDK, NOT_THE_APP, ADAPTERS, DATA_ONLY] }] },
  },
  {
    // The functions and the CLI get their gateways from the composition root; they may only sign in directly.
    files: ['src/functions/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AZURE_SDK, NOT_THE_APP, BUILT_BY_COMPOSITION] }] },
  },
);
