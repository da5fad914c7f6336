// Gate: the Apex compiles. Runs the apex-ls semantic checker (the CheckForIssues entry point of the
// jars bundled in @salesforce/code-analyzer-pmd-engine) over the whole SFDX project, tests included:
// unknown types, fields and methods, wrong argument types and syntax errors are reported here as
// an org would report them on deploy. Needs Java 17. apex-ls does not resolve the names inside
// inline SOQL, so the gate also runs the SOQL field check (soql-fields.mjs): every object, field,
// relationship path and child subquery of every `[SELECT ...]` must exist in force-app's objects or
// in the table of standard objects (soql-standard-objects.mjs).
//
//   node scripts/gates/apex-compile.mjs [projectDir=.]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checkSoqlFields } from './soql-fields.mjs';

const require = createRequire(import.meta.url);
// exit codes of CheckForIssues: 0 clean, 4 issues found; anything else means it could not run.
const CLEAN = 0;
const ISSUES_FOUND = 4;

function countApexFiles(dir) {
    let count = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile() && /\.(cls|trigger)$/.test(entry.name) && !entry.parentPath.includes('node_modules')) {
            count++;
        }
    }
    return count;
}

/**
 * Runs apex-ls and the SOQL field check; returns { files, queries, issues: [{file, line, column,
 * category, message}], failure }.
 */
export function checkApexCompiles(projectDir) {
    const compiled = runCheckForIssues(projectDir);
    if (compiled.failure) {
        return { ...compiled, queries: 0 };
    }
    const soql = checkSoqlFields(projectDir);
    return {
        files: compiled.files,
        queries: soql.queries,
        issues: [...compiled.issues, ...soql.issues],
        failure: soql.failure
    };
}

/** Runs apex-ls CheckForIssues; returns { files, issues, failure }. */
function runCheckForIssues(projectDir) {
    const workspace = resolve(projectDir);
    const javaLib = join(
        require.resolve('@salesforce/code-analyzer-pmd-engine/package.json'),
        '..',
        'dist',
        'java-lib'
    );
    const files = countApexFiles(join(workspace, 'force-app'));
    if (files === 0) {
        return { files, issues: [], failure: 'no Apex classes or triggers found under force-app' };
    }
    const run = spawnSync(
        'java',
        ['-cp', `${javaLib}/*`, 'io.github.apexdevtools.apexls.CheckForIssues', '-w', workspace, '-n', '-f', 'json'],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
    );
    if (run.error) {
        return { files, issues: [], failure: `could not start java: ${run.error.message}` };
    }
    if (run.status !== CLEAN && run.status !== ISSUES_FOUND) {
        return { files, issues: [], failure: `CheckForIssues exited with ${run.status}: ${run.stderr || run.stdout}` };
    }
    const issues = [];
    const jsonStart = run.stdout.indexOf('{');
    if (jsonStart >= 0) {
        const report = JSON.parse(run.stdout.slice(jsonStart));
        for (const file of report.files ?? []) {
            for (const message of file.messages ?? []) {
                issues.push({
                    file: relative(workspace, file.path),
                    line: message.start?.line ?? 0,
                    column: (message.start?.offset ?? 0) + 1,
                    category: message.category,
                    message: message.message
                });
            }
        }
    }
    if (run.status === ISSUES_FOUND && issues.length === 0) {
        return { files, issues, failure: `CheckForIssues reported issues it did not list: ${run.stdout}${run.stderr}` };
    }
    return { files, issues, failure: undefined };
}

function main() {
    const { files, queries, issues, failure } = checkApexCompiles(process.argv[2] ?? '.');
    for (const issue of issues) {
        console.error(`${issue.file}:${issue.line}:${issue.column} ${issue.category}: ${issue.message}`);
    }
    if (failure) {
        console.error(`apex compile: ${failure}`);
        process.exitCode = 1;
    } else if (issues.length > 0) {
        console.error(`apex compile: ${issues.length} issue(s) in ${files} Apex files`);
        process.exitCode = 1;
    } else {
        console.log(`apex compile: ${files} Apex files, ${queries} inline SOQL queries checked, 0 issues`);
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    main();
}
