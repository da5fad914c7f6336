// `npm test`: every offline deploy gate, the linters and every test suite, in one run.
// Each step prints its own output; a table and the closing `total: N passed, N failed` line follow.
// A step that cannot run fails: nothing is skipped.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const reportDir = join(root, '.tmp', 'test-reports');

function testFiles(dir, pattern) {
    return readdirSync(join(root, dir), { recursive: true })
        .map(String)
        .filter((file) => pattern.test(file) && !file.includes('node_modules'))
        .map((file) => relative(root, join(root, dir, file)))
        .sort();
}

/** kind: 'gate' counts as one check; 'jest' and 'node' count the tests they ran. */
const STEPS = [
    { name: 'format (prettier)', kind: 'gate', command: [bin('prettier'), '--check', '--log-level', 'warn', '.'] },
    { name: 'lint (eslint)', kind: 'gate', command: [bin('eslint'), '--max-warnings', '0', '.'] },
    { name: 'types: components', kind: 'gate', command: [bin('tsc'), '-p', 'tsconfig.json'] },
    { name: 'types: connector', kind: 'gate', command: [bin('tsc'), '-p', 'connector/tsconfig.json', '--noEmit'] },
    { name: 'gate: lwc platform compiler', kind: 'gate', command: ['node', 'scripts/build/build-lwc.mjs', '--check'] },
    {
        name: 'gate: metadata structure',
        kind: 'gate',
        command: ['node', 'scripts/gates/metadata-structure.mjs', 'force-app']
    },
    {
        name: 'gate: metadata content',
        kind: 'gate',
        command: ['node', 'scripts/gates/metadata-content.mjs', 'force-app']
    },
    { name: 'gate: apex compiles', kind: 'gate', command: ['node', 'scripts/gates/apex-compile.mjs', '.'] },
    { name: 'gate: apex security', kind: 'gate', command: ['node', 'scripts/gates/apex-security.mjs', 'force-app'] },
    { name: 'gate: dto contract (apex/ts)', kind: 'gate', command: ['node', 'scripts/gates/dto-contract.mjs', '.'] },
    { name: 'jest: components (lwc-src)', kind: 'jest', env: {}, report: 'jest-source.json' },
    { name: 'jest: components (compiled)', kind: 'jest', env: { LWC_TEST_TARGET: 'dist' }, report: 'jest-dist.json' },
    {
        name: 'node: gates and connector',
        kind: 'node',
        files: () => [...testFiles('scripts/test', /\.test\.mjs$/), ...testFiles('connector/test', /\.test\.ts$/)]
    }
];

function run(command, env) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(command[0], command.slice(1), {
            cwd: root,
            env: { ...process.env, ...env },
            stdio: ['ignore', 'inherit', 'inherit']
        });
        child.on('error', (error) => {
            console.error(`could not start ${command[0]}: ${error.message}`);
            resolve({ code: 127, seconds: (Date.now() - started) / 1000 });
        });
        child.on('close', (code) => resolve({ code: code ?? 1, seconds: (Date.now() - started) / 1000 }));
    });
}

async function runStep(step) {
    if (step.kind === 'gate') {
        const { code, seconds } = await run(step.command, step.env);
        return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, seconds };
    }
    if (step.kind === 'jest') {
        const report = join(reportDir, step.report);
        const { code, seconds } = await run(
            [bin('sfdx-lwc-jest'), '--', '--ci', '--json', `--outputFile=${report}`],
            step.env
        );
        try {
            const result = JSON.parse(readFileSync(report, 'utf8'));
            const failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
            const ran = result.numPassedTests + failed;
            return {
                passed: result.numPassedTests,
                failed: failed + (code !== 0 && failed === 0 ? 1 : 0) + (ran === 0 ? 1 : 0),
                seconds
            };
        } catch {
            return { passed: 0, failed: 1, seconds };
        }
    }
    const files = step.files();
    if (files.length === 0) {
        console.error('no test files found');
        return { passed: 0, failed: 1, seconds: 0 };
    }
    const tap = join(reportDir, 'node.tap');
    const { code, seconds } = await run([
        'node',
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tap}`,
        ...files
    ]);
    const text = readFileSync(tap, 'utf8');
    const count = (label) => Number(text.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
    const passed = count('pass');
    const failed = count('fail') + count('cancelled');
    return { passed, failed: failed + (code !== 0 && failed === 0 ? 1 : 0) + (passed + failed === 0 ? 1 : 0), seconds };
}

async function main() {
    rmSync(reportDir, { recursive: true, force: true });
    mkdirSync(reportDir, { recursive: true });
    const only = process.argv.slice(2).join(' ').toLowerCase();
    const steps = only ? STEPS.filter((step) => step.name.toLowerCase().includes(only)) : STEPS;
    if (steps.length === 0) {
        console.error(`no step matches "${only}"; steps: ${STEPS.map((step) => step.name).join(', ')}`);
        process.exit(1);
    }
    const results = [];
    for (const step of steps) {
        console.log(`\n=== ${step.name} ===`);
        results.push({ step, ...(await runStep(step)) });
    }
    const width = Math.max(...results.map((result) => result.step.name.length));
    console.log(`\n${'step'.padEnd(width)}  result  passed  failed  seconds`);
    for (const result of results) {
        const verdict = result.failed === 0 ? 'ok' : 'FAILED';
        console.log(
            `${result.step.name.padEnd(width)}  ${verdict.padEnd(6)}  ${String(result.passed).padStart(6)}  ${String(result.failed).padStart(6)}  ${result.seconds.toFixed(1).padStart(7)}`
        );
    }
    const passed = results.reduce((sum, result) => sum + result.passed, 0);
    const failed = results.reduce((sum, result) => sum + result.failed, 0);
    console.log(`\ntotal: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
}

await main();
