/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/embedded-mongo/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // fastify's inject loads cookie@2 and @fastify/static loads content-disposition@3: ES modules
    // that jest's CommonJS loader cannot require. @fastify/cookie import()s cookie@2, which jest's
    // VM refuses without --experimental-vm-modules; compiled here, the import becomes a require.
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!\\.pnpm/cookie@|cookie/|\\.pnpm/content-disposition@|content-disposition/|\\.pnpm/@fastify\\+cookie@|@fastify/cookie/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  verbose: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
