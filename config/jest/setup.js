// Adds toBeAccessible(): every component test checks the rendered DOM with axe (sa11y).
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();

// Templates are compiled by the same LWC compiler version that the platform-compiler gate uses
// (9.x, what orgs run), while sfdx-lwc-jest 7.9 can only run the 8.x engine. The engine says so
// once per suite; that known and accepted difference is the only console error hidden here.
const originalConsoleError = console.error;
console.error = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes('but template was compiled with')) {
        return;
    }
    originalConsoleError(...args);
};
