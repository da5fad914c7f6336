import { createRequire } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';

const require = createRequire(import.meta.url);
const lwcConfig = require('@salesforce/eslint-config-lwc');
const lwcPlatform = require('@lwc/eslint-plugin-lwc-platform');
const lightning = require('@salesforce/eslint-plugin-lightning');

const scope = (files, configs) => configs.map((config) => ({ ...config, files }));

export default [
    { ignores: ['node_modules/**', 'coverage/**', 'connector/dist/**', '.tmp/**', '.sf/**', '.sfdx/**'] },

    // TypeScript sources of the components, their tests and the connector: type-aware rules.
    ...scope(['lwc-src/**/*.ts', 'types/**/*.ts', 'connector/**/*.ts'], tseslint.configs.recommendedTypeChecked),
    {
        files: ['lwc-src/**/*.ts', 'types/**/*.ts', 'connector/**/*.ts'],
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname
            }
        },
        // Registered so that LWC rule names in eslint-disable comments, which must survive into the
        // compiled JavaScript, resolve in the TypeScript sources too.
        plugins: { '@lwc/lwc': require('@lwc/eslint-plugin-lwc') },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        rules: {
            '@typescript-eslint/consistent-type-imports': 'error',
            '@typescript-eslint/no-floating-promises': 'error'
        }
    },
    {
        // Ambient declarations of platform modules must speak in `any`, as the platform does.
        files: ['types/**/*.d.ts'],
        rules: { '@typescript-eslint/no-explicit-any': 'off' }
    },
    {
        files: ['lwc-src/**/__tests__/**/*.ts'],
        ...jest.configs['flat/recommended'],
        rules: {
            ...jest.configs['flat/recommended'].rules,
            // Jest mocks of Apex methods are untyped by nature.
            '@typescript-eslint/no-unsafe-assignment': 'off',
            '@typescript-eslint/no-unsafe-member-access': 'off',
            '@typescript-eslint/no-unsafe-call': 'off',
            '@typescript-eslint/no-non-null-assertion': 'off',
            '@typescript-eslint/unbound-method': 'off'
        }
    },

    // The JavaScript that deploys: Salesforce's LWC rules and the platform rules, on the build output.
    ...scope(['force-app/**/lwc/**/*.js'], lwcConfig.configs.recommended),
    ...scope(['force-app/**/lwc/**/*.js'], lwcPlatform.configs.platform),
    {
        files: ['force-app/**/lwc/**/*.js'],
        plugins: { '@salesforce/lightning': lightning },
        rules: {
            '@salesforce/lightning/valid-apex-method-invocation': 'error',
            // `void promise` marks a promise left unawaited on purpose, its errors handled inside;
            // the TypeScript side requires that marker (no-floating-promises).
            'no-void': 'off'
        }
    },

    // Build scripts, gates and their tests run on Node.
    {
        files: ['scripts/**/*.mjs', 'config/**/*.js', '*.config.{js,mjs}', 'jest.config.cjs', '.ci/**/*.mjs'],
        languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: { ...globals.node } }
    },
    // The console outside Salesforce: its entry and the browser stand-ins of platform modules.
    {
        files: ['connector/console-web/**/*.js'],
        languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: { ...globals.browser } }
    },
    {
        files: ['jest.config.cjs'],
        languageOptions: { sourceType: 'commonjs' }
    }
];
