import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@azure/arm-*', '@azure/monitor-query*', '@azure/data-tables', '@azure/identity'],
              message: 'Only src/shared/gateways may import an Azure SDK.',
            },
            { group: ['**/sandbox/**', '**/test/**'], message: 'The app must not depend on the sandbox or tests.' },
          ],
        },
      ],
    },
  },
);
