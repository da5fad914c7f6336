// Serves the custom labels of lwc-src/*/labels.json to the component tests, so that tests see the
// same words a user sees: each label becomes a module that @salesforce/label/c.<Name> maps to.
// Files are replaced atomically (write, then rename) so that Jest runs started side by side never
// read a half-written label.
const { mkdirSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async function globalSetup(config) {
    const { collectLabels } = await import('../../scripts/build/labels.mjs');
    const labels = collectLabels(join(config.rootDir, 'lwc-src'));
    const dir = join(config.rootDir, '.tmp', 'jest-labels');
    mkdirSync(dir, { recursive: true });
    for (const [name, label] of labels) {
        const file = join(dir, `${name}.js`);
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, `module.exports = { default: ${JSON.stringify(label.value)} };\n`);
        renameSync(partial, file);
    }
};
