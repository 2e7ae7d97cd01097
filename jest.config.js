/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `tsc --noEmit` in `npm test`; here we only transpile, which is much faster.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  testTimeout: 60000,
  // Most suites wait on child processes (VM scripts, Azurite) and sockets (the ARM emulator), so two workers keep the
  // two cores of CI busy; the default (cores - 1) runs them one by one.
  maxWorkers: 2,
};
