// `npm run demo -- --servicenow` as a newcomer runs it: a child process, public-public and with the
// ServiceNow node private. It must exit 0 and say that a Case became an incident, an incident synced
// by its number became a Case, comments crossed both ways, work notes and the private comment stayed
// home, and that nothing was lost, duplicated or echoed.
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
        const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** The summary row `label` with its two counts (Salesforce, ServiceNow). */
function row(stdout: string, label: string): [number, number] {
    const match = new RegExp(`^ +${label.replace(/[()/]/g, '\\$&')} +(\\d+) +(\\d+)$`, 'm').exec(stdout);
    assert.ok(match, `the summary has a row "${label}"`);
    return [Number(match[1]), Number(match[2])];
}

// The two runs spend most of their time waiting for the node's once-a-second reads: run them side by side.
void describe('npm run demo -- --servicenow', { concurrency: true }, () => {
    for (const privateSn of [false, true]) {
        void describe(`npm run demo -- --servicenow${privateSn ? ' --private' : ''}`, () => {
            void it(
                'syncs Cases and incidents both ways and exits 0 with nothing lost, duplicated or echoed',
                { timeout: 45_000 },
                async () => {
                    const run = await runDemo(privateSn ? ['--servicenow', '--private'] : ['--servicenow']);
                    const output = `${run.stdout}\n${run.stderr}`;
                    assert.equal(run.code, 0, output);
                    assert.match(
                        run.stdout,
                        privateSn
                            ? /Connection type: public-private \(ServiceNow has no URL/
                            : /Connection type: public-public/
                    );
                    assert.match(run.stdout, /test infrastructure/);
                    assert.match(run.stdout, /Invitation code +EXA1-/);
                    assert.match(run.stdout, /\$ npm run servicenow -- accept EXA1-/);
                    assert.match(run.stdout, /Connection Active on both sides \d+ ms after accept/);
                    assert.match(run.stdout, /Synchronized \d+ ms after Exalate/);
                    assert.match(run.stdout, /INC\d{7} on ServiceNow \(its twin links it to Salesforce Case \d{8}\)/);
                    assert.match(run.stdout, /Alice Agent \(Salesforce\) wrote on /);
                    assert.match(run.stdout, /Beth Agent \(ServiceNow\) wrote on /);
                    assert.match(run.stdout, /The private CaseComment stayed in Salesforce/);
                    assert.match(
                        run.stdout,
                        /The work note stayed in ServiceNow \(Basic mode never reads work notes\)/
                    );
                    assert.match(
                        run.stdout,
                        /\$ npm run servicenow -- sync Salesforce_to_ServiceNow INC\d{7}\n {4}Syncing INC\d{7} \(EV-\d{8}\)\n +\+\d+ ms {3}Preparing\n[\s\S]*\+\d+ ms {3}Synchronized\n {4}INC\d{7} is Synchronized as Case \d{8}\./
                    );
                    assert.match(run.stdout, /on INC\d{7} as an additional comment/);
                    assert.doesNotMatch(run.stdout, /CROSSED|LEAKED/);
                    assert.doesNotMatch(
                        run.stdout,
                        /password was rotated/,
                        'the private comment is not shown as synced'
                    );

                    assert.deepEqual(row(run.stdout, 'Cases / incidents synced (twins)'), [4, 4]);
                    assert.deepEqual(row(run.stdout, 'public comments / additional comments'), [9, 9]);
                    assert.deepEqual(row(run.stdout, 'private comments / work notes'), [1, 2]);
                    assert.deepEqual(row(run.stdout, 'files / attachments'), [2, 2]);
                    assert.deepEqual(row(run.stdout, 'twins not Synchronized'), [0, 0]);
                    assert.deepEqual(row(run.stdout, 'duplicated records, comments or files'), [0, 0]);
                    assert.deepEqual(row(run.stdout, 'echoes (own comment sent back)'), [0, 0]);
                    assert.deepEqual(row(run.stdout, 'connector warnings and errors'), [0, 0]);
                    const [sfCalls, snCalls] = row(run.stdout, 'total');
                    assert.ok(sfCalls > 0 && snCalls > 0, 'API calls are counted on both sides');
                    assert.match(run.stdout, /All checks passed: 4 Cases and incidents synced, 0 duplicates, 0 echoes/);
                    assert.match(run.stdout, /Connector and node stopped, emulated org and instance closed\./);
                }
            );
        });
    }
});

void it('npm run demo refuses --servicenow with --consoles, and an unknown option, with its usage', async () => {
    for (const args of [['--servicenow', '--consoles'], ['--servicenw']]) {
        const run = await runDemo(args);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /usage: npm run demo -- \[--servicenow \| --consoles\] \[--private\] \[--keep\]/);
    }
});
