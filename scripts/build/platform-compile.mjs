// Runs Salesforce's platform LWC compiler (@lwc/sfdc-lwc-compiler, the compiler an org uses on
// deploy) over every bundle: what it rejects here, an org would reject too.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { compile } = require('@lwc/sfdc-lwc-compiler');

// @lwc/errors DiagnosticLevel: 0 Fatal, 1 Error, 2 Warning, 3 Log.
const FAILING_LEVELS = new Set([0, 1]);
const BUNDLE_FILE = /\.(js|html|css|svg)$/;

/** Compiles one bundle folder; returns the problems as `bundle/file:line:column message` lines. */
export async function compileBundle(bundleDir, name) {
    const files = {};
    for (const file of readdirSync(bundleDir, { recursive: true })) {
        const path = String(file);
        if (BUNDLE_FILE.test(path)) {
            files[path] = readFileSync(join(bundleDir, path), 'utf8');
        }
    }
    if (!files[`${name}.js`]) {
        return [`${name}: no ${name}.js in the bundle`];
    }
    const output = await compile({ bundle: { type: 'platform', name, namespace: 'c', files } });
    const diagnostics = [
        ...(output.diagnostics ?? []),
        ...(output.results ?? []).flatMap((result) => result.diagnostics ?? [])
    ];
    const problems = diagnostics
        .filter((diagnostic) => FAILING_LEVELS.has(diagnostic.level))
        .map((diagnostic) => {
            const where = diagnostic.filename ? `${name}/${diagnostic.filename.split('/').pop()}` : name;
            const position = diagnostic.location ? `:${diagnostic.location.line}:${diagnostic.location.column}` : '';
            return `${where}${position} ${diagnostic.message}`;
        });
    if (!output.success && problems.length === 0) {
        problems.push(`${name}: the platform compiler failed without a diagnostic`);
    }
    return [...new Set(problems)];
}

/** Compiles every bundle under lwcDir; an empty folder is a failure, not a pass. */
export async function compileBundles(lwcDir) {
    const bundles = readdirSync(lwcDir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    if (bundles.length === 0) {
        return [`${lwcDir}: no bundles to compile`];
    }
    const problems = [];
    for (const bundle of bundles) {
        problems.push(...(await compileBundle(join(lwcDir, bundle.name), bundle.name)));
    }
    return problems;
}
