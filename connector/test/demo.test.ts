// `npm run demo` as a newcomer runs it: a child process, public-public and public-private. It must
// exit 0 and say that the Case arrived on B, came back changed on A, and that nothing was duplicated
// or echoed.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface DemoRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function runDemo(args: string[]): Promise<DemoRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'connector/demo/main.ts', ...args], {
            cwd: ROOT,
            stdio: ['ignore', 'pipe', 'pipe']
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** The summary row `label` with its two counts (SalesforceA, SalesforceB). */
function row(stdout: string, label: string): [number, number] {
    const match = new RegExp(`^ +${label.replace(/[()]/g, '\\$&')} +(\\d+) +(\\d+)$`, 'm').exec(stdout);
    assert.ok(match, `the summary has a row "${label}"`);
    return [Number(match[1]), Number(match[2])];
}

for (const privateB of [false, true]) {
    void describe(`npm run demo${privateB ? ' -- --private' : ''}`, () => {
        void it(
            'syncs a Case both ways and exits 0 with nothing duplicated or echoed',
            { timeout: 35_000 },
            async () => {
                const run = await runDemo(privateB ? ['--private'] : []);
                const output = `${run.stdout}\n${run.stderr}`;
                assert.equal(run.code, 0, output);
                assert.match(
                    run.stdout,
                    privateB ? /Connection type: public-private/ : /Connection type: public-public/
                );
                assert.match(run.stdout, /test infrastructure/);
                assert.match(run.stdout, /Invitation code +EXA1-/);
                assert.match(run.stdout, /Connection Active on both sides \d+ ms after Confirm/);
                assert.match(run.stdout, privateB ? /Waiting for remote/ : /Sending/);
                assert.match(run.stdout, /Synchronized \d+ ms after Exalate/);
                assert.match(run.stdout, /Case \d{8} on SalesforceB \(its twin links it to SalesforceA \d{8}\)/);
                assert.match(run.stdout, /Alice Moreau \(SalesforceA\) wrote on /);
                assert.match(run.stdout, /Bob Keller \(SalesforceB\) wrote on /);
                assert.match(run.stdout, /The private comment stayed on SalesforceA/);
                assert.doesNotMatch(run.stdout, /certificate rotation/, 'the private comment is not shown as synced');

                assert.deepEqual(row(run.stdout, 'Cases synced (twins)'), [3, 3]);
                assert.deepEqual(row(run.stdout, 'public comments on them'), [7, 7]);
                assert.deepEqual(row(run.stdout, 'private comments on them'), [1, 0]);
                assert.deepEqual(row(run.stdout, 'files on them'), [1, 1]);
                assert.deepEqual(row(run.stdout, 'duplicated Cases, comments or files'), [0, 0]);
                assert.deepEqual(row(run.stdout, 'echoes (own comment sent back)'), [0, 0]);
                assert.deepEqual(row(run.stdout, 'connector warnings and errors'), [0, 0]);
                const [callsA, callsB] = row(run.stdout, 'total');
                assert.ok(callsA > 0 && callsB > 0, 'API calls are counted');
                assert.match(run.stdout, /All checks passed: 3 Cases synced, 0 duplicates, 0 echoes/);
                assert.match(run.stdout, /Connectors stopped, emulated orgs closed\./);
            }
        );
    });
}
