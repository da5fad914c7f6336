const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

// LWC_TEST_TARGET=dist runs the same TypeScript tests against the compiled bundles in force-app,
// which proves the JavaScript that deploys behaves like the sources.
const componentDirs =
    process.env.LWC_TEST_TARGET === 'dist'
        ? ['<rootDir>/force-app/main/default/lwc/$1/$1']
        : ['<rootDir>/lwc-src/$1/$1'];

module.exports = {
    ...jestConfig,
    roots: ['<rootDir>/lwc-src'],
    moduleNameMapper: {
        '^c/(.+)$': componentDirs,
        '^lightning/actions$': '<rootDir>/config/jest/mocks/lightning/actions.js',
        '^@salesforce/label/c\\.(.+)$': '<rootDir>/.tmp/jest-labels/$1.js'
    },
    globalSetup: '<rootDir>/config/jest/global-setup.cjs',
    setupFilesAfterEnv: ['<rootDir>/config/jest/setup.js'],
    collectCoverageFrom: ['lwc-src/**/*.ts', '!lwc-src/**/__tests__/**'],
    testTimeout: 10000
};
