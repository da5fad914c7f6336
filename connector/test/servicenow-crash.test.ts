// Crash test of the ServiceNow node: an emulated Salesforce org with its connector, an emulated
// ServiceNow instance, and the ServiceNow node as a child process of its command line. A bulk sync
// of Cases to ServiceNow (two public comments each, a file on every 25th) and of urgent incidents to
// Salesforce (through a trigger) runs while the node is killed with SIGKILL three times at seeded
// random moments, each time restarted on the same port and store. Every Case must become exactly one
// incident with its comments and files once each, every urgent incident exactly one Case, nothing
// echoed back, nothing left Failed. By default 1,000 Cases (1,000 incidents created on ServiceNow)
// and 250 incidents; CRASH_CASES sets another size.
//
//   CRASH_SEED=<printed seed> CRASH_CASES=1000 node --import tsx --test connector/test/servicenow-crash.test.ts
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { startServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../emulators/servicenow/index.ts';
import { initiateConnection } from '../emulators/scenario/console-actions.ts';
import { eventually, textOf } from '../emulators/scenario/two-org-stack.ts';
import { startSalesforceConnector } from '../src/runtime/salesforce-connector.ts';
import type { RunningConnector } from '../src/runtime/salesforce-connector.ts';
import { ServiceNowConsole } from '../src/servicenow/console/console.ts';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';
import { seededRandom } from './support/seeded-random.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CASES = Number(process.env.CRASH_CASES ?? 1000);
const INCIDENTS = Math.max(10, Math.round(CASES / 4));
const FILE_EVERY = 25;
const KILLS = 3;
const SYNC_TIMEOUT_MS = 120_000;

function histogram(values: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const value of values) {
        counts[value] = (counts[value] ?? 0) + 1;
    }
    return counts;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** The ServiceNow node run through `npm run servicenow -- run`, restartable on the same port and store. */
class NodeProcess {
    readonly url: string;
    readonly lines: string[] = [];
    #child: ChildProcess | undefined;
    #closed: Promise<void> = Promise.resolve();

    constructor(
        readonly port: number,
        readonly storePath: string,
        readonly instance: ServiceNowEmulator
    ) {
        this.url = `http://127.0.0.1:${port}`;
    }

    async start(): Promise<void> {
        const child = spawn(
            process.execPath,
            [
                '--import',
                'tsx',
                'connector/src/servicenow/cli/main.ts',
                'run',
                '--port',
                String(this.port),
                '--poll-seconds',
                '0.2',
                '--json'
            ],
            {
                cwd: ROOT,
                stdio: ['ignore', 'pipe', 'pipe'],
                env: {
                    ...process.env,
                    EXALATE_SN_STORE: this.storePath,
                    EXALATE_SN_INSTANCE_URL: this.instance.url,
                    EXALATE_SN_USER: this.instance.serviceAccount.userName,
                    EXALATE_SN_PASSWORD: this.instance.serviceAccount.password
                }
            }
        );
        this.#child = child;
        this.#closed = new Promise((resolve) => child.on('close', () => resolve()));
        let buffered = '';
        const started = new Promise<void>((resolve, reject) => {
            child.stdout?.on('data', (chunk: Buffer) => {
                buffered += chunk.toString('utf8');
                const lines = buffered.split('\n');
                buffered = lines.pop() ?? '';
                for (const line of lines) {
                    this.lines.push(line);
                    if (line.includes('"event":"started"')) {
                        resolve();
                    }
                }
            });
            child.stderr?.on('data', (chunk: Buffer) => this.lines.push(chunk.toString('utf8')));
            child.on('close', (code) =>
                reject(new Error(`the node exited (${code}) before it started:\n${this.lines.slice(-10).join('\n')}`))
            );
        });
        await started;
    }

    async kill(): Promise<void> {
        this.#child?.kill('SIGKILL');
        await this.#closed;
    }

    async stop(): Promise<void> {
        this.#child?.kill('SIGTERM');
        await Promise.race([this.#closed, sleep(5000)]);
        this.#child?.kill('SIGKILL');
        await this.#closed;
    }
}

void describe(`ServiceNow node killed with SIGKILL during a bulk sync (${CASES} Cases, ${INCIDENTS} incidents)`, () => {
    let dir: string;
    let org: SalesforceEmulator;
    let instance: ServiceNowEmulator;
    let agent: EmulatorUser;
    let sf: RunningConnector;
    let node: NodeProcess;
    const sfLog: string[] = [];
    const seed = Number(process.env.CRASH_SEED ?? randomInt(1, 2 ** 31));
    const random = seededRandom(seed);

    before(async () => {
        dir = await mkdtemp(join(tmpdir(), 'sn-crash-'));
        org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
        instance = await startServiceNowEmulator();
        agent = org.createUser({ name: 'Alice Agent', username: 'alice@a.example', permissionSets: ['Exalate_User'] });
        sf = await startSalesforceConnector({
            auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
            namespace: org.namespacePrefix,
            listen: { host: '127.0.0.1', port: 0 },
            spoolDir: join(dir, 'sf-spool'),
            log: (entry) => {
                if (entry.level !== 'info') {
                    sfLog.push(`${entry.level} ${entry.event}: ${entry.message}`);
                }
            },
            // Default leases: a delivery is not offered again while its request may still be answered.
            tuning: { retryInitialMs: 200, maxAttempts: 50, pollWaitSeconds: 5 }
        });
        node = new NodeProcess(await freePort(), join(dir, 'servicenow.db'), instance);
        await node.start();
    });
    after(async () => {
        await node?.stop();
        await sf?.stop();
        await org?.close();
        await instance?.close();
        await rm(dir, { recursive: true, force: true });
    });

    void it(`every Case and every urgent incident arrives exactly once (seed ${seed})`, async () => {
        // Salesforce initiates; the ServiceNow admin accepts on the node's store; a trigger on urgency=1.
        const initiated = initiateConnection(org, {
            connectionName: 'Salesforce_to_ServiceNow',
            localInstance: 'Salesforce',
            remoteInstance: 'ServiceNow',
            nodeUrl: sf.nodeUrl,
            destinationUrl: node.url
        });
        await eventually('the Salesforce connector knows the invitation', () =>
            sf.engine.connections.some((live) => live.record.id === initiated.connectionId)
        );
        const store = ServiceNowStore.open(node.storePath);
        let snConnectionId: string;
        try {
            const admin = new ServiceNowConsole({ store });
            snConnectionId = admin.accept(initiated.code).id;
            await eventually('Active on ServiceNow', () => store.findConnection(snConnectionId)?.status === 'Active');
            admin.addTrigger(snConnectionId, 'urgency=1');
        } finally {
            store.close();
        }
        await eventually('Active on Salesforce', () =>
            org
                .records('Sync_Connection__c')
                .some((row) => row.Id === initiated.connectionId && row.Status__c === 'Active')
        );

        // The bulk: Cases exalated in batches, urgent incidents created meanwhile, kills at random moments.
        const killAt = Array.from({ length: KILLS }, () => 300 + Math.floor(random() * 2500)).sort((a, b) => a - b);
        const started = Date.now();
        const kills = (async () => {
            for (const at of killAt) {
                await sleep(Math.max(0, started + at - Date.now()));
                await node.kill();
                await node.start();
            }
        })();
        const caseIds: string[] = [];
        const batches = 10;
        for (let batch = 0; batch < batches; batch += 1) {
            const size = Math.ceil(CASES / batches);
            const first = batch * size;
            const ids = org.insertAs(
                agent.id,
                'Case',
                Array.from({ length: Math.min(size, CASES - first) }, (_, i) => ({
                    Subject: `Bulk case ${first + i}`,
                    Description: `Body ${first + i}`,
                    Status: 'New',
                    Origin: 'Web'
                }))
            );
            org.insertAs(
                agent.id,
                'CaseComment',
                ids.flatMap((id, i) => [
                    { ParentId: id, CommentBody: `first comment ${first + i}`, IsPublished: true },
                    { ParentId: id, CommentBody: `second comment ${first + i}`, IsPublished: true }
                ])
            );
            ids.forEach((id, i) => {
                if ((first + i) % FILE_EVERY === 0) {
                    org.insertAs(agent.id, 'ContentVersion', [
                        {
                            Title: `file-${first + i}`,
                            PathOnClient: `file-${first + i}.txt`,
                            VersionData: Buffer.from(`bytes ${first + i}`).toString('base64'),
                            FirstPublishLocationId: id
                        }
                    ]);
                }
            });
            const twins = org.insertAs(
                agent.id,
                'Sync_Twin__c',
                ids.map((id) => ({
                    Connection__c: initiated.connectionId,
                    Case__c: id,
                    Twin_Key__c: `${initiated.connectionId}:${id}`,
                    Sync_Status__c: 'Preparing'
                }))
            );
            org.insertAs(
                agent.id,
                'Sync_Event__c',
                ids.map((id, i) => ({
                    Connection__c: initiated.connectionId,
                    Twin__c: twins[i],
                    Case__c: id,
                    Direction__c: 'Outgoing',
                    Stage__c: 'Preparing',
                    Next_Attempt__c: new Date().toISOString()
                }))
            );
            org.insertAs(agent.id, 'Sync_Wake__e', [{ Reason__c: 'sync-request' }]);
            caseIds.push(...ids);
            const incidentsNow = Math.round(INCIDENTS / batches);
            for (let i = 0; i < incidentsNow; i += 1) {
                const n = batch * incidentsNow + i;
                instance.createIncidentAs('beth.agent', {
                    short_description: `Urgent incident ${n}`,
                    urgency: '1',
                    comments: `agent comment ${n}`
                });
            }
            await sleep(250);
        }
        await kills;
        const incidentCount = Math.round(INCIDENTS / batches) * batches;

        const mirrored = (): number =>
            instance.incidents().filter((view) => view.record.short_description.startsWith('Bulk case ')).length;
        const urgentCases = (): number =>
            org.records('Case').filter((row) => textOf(row, 'Subject').startsWith('Urgent incident ')).length;
        await eventually(
            'every Case reached ServiceNow and every urgent incident Salesforce, all synchronized',
            () => {
                const twins = org.records('Sync_Twin__c');
                const done = twins.filter((twin) => twin.Sync_Status__c === 'Synchronized').length;
                return mirrored() >= CASES && urgentCases() >= incidentCount && done >= CASES + incidentCount;
            },
            SYNC_TIMEOUT_MS
        ).catch((error: unknown) => {
            throw new Error(
                `${(error as Error).message} (seed ${seed}; incidents ${mirrored()}/${CASES}, Cases ${urgentCases()}/${incidentCount}; Salesforce twins ${JSON.stringify(histogram(org.records('Sync_Twin__c').map((twin) => textOf(twin, 'Sync_Status__c'))))}, events ${JSON.stringify(histogram(org.records('Sync_Event__c').map((event) => `${textOf(event, 'Direction__c')} ${textOf(event, 'Stage__c')}`)))})\n${node.lines
                    .filter((line) => !line.includes('"level":"info"'))
                    .slice(-15)
                    .join('\n')}\nSalesforce:\n${[...new Set(sfLog)].slice(-15).join('\n')}`
            );
        });
        await sleep(1500);

        const bulk = instance.incidents().filter((view) => view.record.short_description.startsWith('Bulk case '));
        assert.equal(bulk.length, CASES, `seed ${seed}: one incident per Case`);
        assert.equal(
            new Set(bulk.map((view) => view.record.short_description)).size,
            CASES,
            `seed ${seed}: no duplicates`
        );
        for (const view of bulk) {
            const n = view.record.short_description.slice('Bulk case '.length);
            assert.deepEqual(
                view.comments.map((comment) => comment.value.split('\n').pop()),
                [`first comment ${n}`, `second comment ${n}`],
                `seed ${seed}: comments of ${view.record.number} once each, in order`
            );
            assert.equal(
                view.attachments.length,
                Number(n) % FILE_EVERY === 0 ? 1 : 0,
                `seed ${seed}: files of ${view.record.number}`
            );
        }
        assert.equal(
            org.records('Case').filter((row) => textOf(row, 'Subject').startsWith('Bulk case ')).length,
            CASES,
            `seed ${seed}: no Case came back as a second Case`
        );
        const urgent = org.records('Case').filter((row) => textOf(row, 'Subject').startsWith('Urgent incident '));
        assert.equal(urgent.length, incidentCount, `seed ${seed}: one Case per urgent incident`);
        assert.equal(new Set(urgent.map((row) => row.Subject)).size, incidentCount);
        const comments = org.records('CaseComment');
        for (const row of urgent) {
            const n = textOf(row, 'Subject').slice('Urgent incident '.length);
            const own = comments.filter((comment) => comment.ParentId === row.Id);
            assert.equal(own.length, 1, `seed ${seed}: the agent comment of incident ${n} once`);
        }
        for (const id of caseIds.slice(0, 20)) {
            assert.equal(
                comments.filter((comment) => comment.ParentId === id).length,
                2,
                `seed ${seed}: nothing echoed back`
            );
        }
        assert.equal(
            org.records('Sync_Event__c').filter((event) => event.Stage__c === 'Failed').length,
            0,
            `seed ${seed}: nothing Failed on Salesforce`
        );
        const check = ServiceNowStore.open(node.storePath);
        try {
            assert.deepEqual(
                check.listEvents({ which: 'failed', limit: 10 }),
                [],
                `seed ${seed}: nothing Failed on ServiceNow`
            );
        } finally {
            check.close();
        }
    });
});
