// Crash test: two emulated orgs, two connectors as child processes of the CLI, a Bulk Exalate of
// 1,000 Cases (two public comments each, a file on every 50th) while connector A is killed with
// SIGKILL three times and connector B once, each restarted on the same port. Every Case must end up
// on the other side exactly once, with its comments and files once each, nothing echoed back, and
// nothing left Failed or stuck.
//
// The kill moments come from a seeded random source; the seed is printed. Replay a failure with
//   CRASH_SEED=<seed> node --import tsx --test connector/test/sync-crash.test.ts
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, JsonObject, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { acceptInvitation, initiateConnection } from '../emulators/scenario/console-actions.ts';
import { seededRandom } from './support/seeded-random.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CASES = 1000;
const BATCHES = 20;
const BATCH_GAP_MS = 250;
const FILE_EVERY = 50;
/** Which connectors are killed: A three times, B once, in an order drawn from the seed. */
const KILLS: readonly ('A' | 'B')[] = ['A', 'A', 'B', 'A'];
const SYNC_TIMEOUT_MS = 90_000;
const LOG_LINES_KEPT = 4000;

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ports that were free a moment ago on 127.0.0.1 (distinct), so that a restarted connector keeps its URL. */
async function freePorts(count: number): Promise<number[]> {
    const servers = Array.from({ length: count }, () => createServer());
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    const ports = servers.map((server) => (server.address() as AddressInfo).port);
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    return ports;
}

function text(record: JsonObject | undefined, field: string): string {
    const value = record?.[field];
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** One connector run through the CLI, restartable on the same port; its output is kept for diagnostics. */
class ConnectorProcess {
    readonly name: string;
    readonly url: string;
    readonly #args: string[];
    readonly #lines: string[] = [];
    #child: ChildProcess | undefined;
    #exited: Promise<void> = Promise.resolve();
    generation = 0;

    constructor(name: string, org: SalesforceEmulator, port: number, spoolDir: string) {
        this.name = name;
        this.url = `http://127.0.0.1:${port}`;
        this.#args = [
            '--import',
            'tsx',
            'connector/src/cli.ts',
            'run',
            '--instance-url',
            org.instanceUrl,
            '--access-token',
            org.connectorUser.accessToken,
            '--host',
            '127.0.0.1',
            '--port',
            String(port),
            '--spool',
            spoolDir,
            '--json'
        ];
    }

    get running(): boolean {
        return this.#child !== undefined;
    }

    #keep(stream: string, chunk: string): void {
        for (const line of chunk.split('\n')) {
            if (line !== '') {
                this.#lines.push(`${this.name}#${this.generation} ${stream}: ${line}`);
            }
        }
        if (this.#lines.length > LOG_LINES_KEPT) {
            this.#lines.splice(0, this.#lines.length - LOG_LINES_KEPT);
        }
    }

    /** Starts the process and waits for its `started` line. */
    async start(): Promise<void> {
        this.generation += 1;
        const child = spawn(process.execPath, this.#args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        this.#child = child;
        this.#exited = new Promise<void>((resolve) => {
            child.once('exit', (code, signal) => {
                this.#keep('exit', `code ${code} signal ${signal}`);
                if (this.#child === child) {
                    this.#child = undefined;
                }
                resolve();
            });
        });
        let pending = '';
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${this.name} did not start within 30 s`)), 30_000);
            child.stdout?.setEncoding('utf8');
            child.stderr?.setEncoding('utf8');
            child.stderr?.on('data', (chunk: string) => this.#keep('stderr', chunk));
            child.stdout?.on('data', (chunk: string) => {
                pending += chunk;
                const end = pending.lastIndexOf('\n');
                if (end >= 0) {
                    const complete = pending.slice(0, end);
                    pending = pending.slice(end + 1);
                    this.#keep('out', complete);
                    if (complete.includes('"event":"started"')) {
                        clearTimeout(timer);
                        resolve();
                    }
                }
            });
            child.once('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`${this.name} exited with ${code} before it started`));
            });
        });
    }

    /** kill -9, and wait until the process is gone. */
    async kill(): Promise<void> {
        const child = this.#child;
        if (child !== undefined) {
            child.kill('SIGKILL');
            await this.#exited;
        }
    }

    /** Asks the process to stop (SIGTERM), then kills it if it is still there after 3 s. */
    async stop(): Promise<void> {
        const child = this.#child;
        if (child === undefined) {
            return;
        }
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await this.#exited;
        clearTimeout(timer);
    }

    /** Last resort when the test process itself exits. */
    killNow(): void {
        this.#child?.kill('SIGKILL');
    }

    tail(count: number): string[] {
        return this.#lines.slice(-count);
    }

    /** Lines worth reading after a failure: errors and warnings, then the very last lines. */
    diagnostics(): string {
        const notable = this.#lines.filter((line) => /"level":"(error|warn)"|stderr|exit:/.test(line)).slice(-60);
        return [
            `--- ${this.name}: errors and warnings`,
            ...notable,
            `--- ${this.name}: last lines`,
            ...this.tail(40)
        ].join('\n');
    }
}

interface Side {
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    readonly connector: ConnectorProcess;
    connectionId: string;
}

/** What the orgs hold right now, for progress, the wait and the assertions. */
interface Census {
    readonly casesA: JsonObject[];
    readonly twinsA: JsonObject[];
    readonly synchronizedA: number;
    readonly mirrorsB: JsonObject[];
    readonly mirroredCommentsB: number;
    readonly mirroredFilesB: number;
    readonly signalsA: number;
    readonly openEventsA: number;
    readonly failedEvents: JsonObject[];
}

function caseFiles(org: SalesforceEmulator): Map<string, JsonObject[]> {
    const versions = new Map(
        org
            .records('ContentVersion')
            .filter((version) => version.IsLatest === true)
            .map((version) => [text(version, 'ContentDocumentId'), version])
    );
    const byCase = new Map<string, JsonObject[]>();
    for (const link of org.records('ContentDocumentLink')) {
        const caseId = text(link, 'LinkedEntityId');
        const version = versions.get(text(link, 'ContentDocumentId'));
        if (caseId.startsWith('500') && version !== undefined) {
            byCase.set(caseId, [...(byCase.get(caseId) ?? []), version]);
        }
    }
    return byCase;
}

function commentsByCase(org: SalesforceEmulator): Map<string, JsonObject[]> {
    const byCase = new Map<string, JsonObject[]>();
    for (const comment of org.records('CaseComment')) {
        const caseId = text(comment, 'ParentId');
        byCase.set(caseId, [...(byCase.get(caseId) ?? []), comment]);
    }
    return byCase;
}

function census(a: Side, b: Side): Census {
    const casesA = a.org.records('Case').filter((row) => row.Origin === 'Web');
    const twinsA = a.org.records('Sync_Twin__c');
    const mirrorsB = b.org.records('Case').filter((row) => row.Origin === 'Exalate');
    const mirrorIds = new Set(mirrorsB.map((row) => text(row, 'Id')));
    const eventsA = a.org.records('Sync_Event__c');
    const open = (event: JsonObject): boolean => event.Stage__c !== 'Synchronized' && event.Stage__c !== 'Failed';
    return {
        casesA,
        twinsA,
        synchronizedA: twinsA.filter((twin) => twin.Sync_Status__c === 'Synchronized').length,
        mirrorsB,
        mirroredCommentsB: b.org
            .records('CaseComment')
            .filter((row) => row.IsPublished === true && mirrorIds.has(text(row, 'ParentId'))).length,
        mirroredFilesB: [...caseFiles(b.org)].filter(([caseId]) => mirrorIds.has(caseId)).length,
        signalsA: a.org.records('Sync_Signal__c').length,
        openEventsA: eventsA.filter(open).length,
        failedEvents: [...eventsA, ...b.org.records('Sync_Event__c')].filter((event) => event.Stage__c === 'Failed')
    };
}

/** The open events of a side, grouped by stage, attempts, error and when they are due. */
function openEventSummary(side: Side): string {
    const groups = new Map<string, number>();
    for (const event of side.org.records('Sync_Event__c')) {
        if (event.Stage__c === 'Synchronized' || event.Stage__c === 'Failed') {
            continue;
        }
        const due = Math.round((Date.parse(text(event, 'Next_Attempt__c')) - Date.now()) / 1000);
        const key = `${text(event, 'Direction__c')} ${text(event, 'Stage__c')}, attempts ${text(event, 'Attempts__c')}, due in ${Number.isNaN(due) ? '-' : `${due} s`}, error ${text(event, 'Error__c').slice(0, 80) || '-'}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    return [...groups].map(([key, count]) => `${count} × ${key}`).join('\n') || 'none';
}

function progress(c: Census): string {
    return (
        `A: ${c.casesA.length} Cases, ${c.twinsA.length} twins (${c.synchronizedA} Synchronized), ` +
        `${c.signalsA} signals, ${c.openEventsA} open events; ` +
        `B: ${c.mirrorsB.length} mirrors, ${c.mirroredCommentsB} comments, ${c.mirroredFilesB} files`
    );
}

function fileBytes(index: number): Buffer {
    return Buffer.from(`log of case ${index}\n`.repeat(3 + (index % 7)));
}

void describe('crash: kill -9 the connectors during a bulk sync of 1,000 Cases', () => {
    const seed = process.env.CRASH_SEED !== undefined ? Number(process.env.CRASH_SEED) : randomInt(2 ** 31);
    const random = seededRandom(seed);
    let spool = '';
    let a: Side | undefined;
    let b: Side | undefined;
    const emulators: SalesforceEmulator[] = [];
    const killAll = (): void => {
        a?.connector.killNow();
        b?.connector.killNow();
    };

    before(async () => {
        process.stdout.write(`# crash test seed ${seed} (replay with CRASH_SEED=${seed})\n`);
        process.once('exit', killAll);
        spool = await mkdtemp(join(tmpdir(), 'exalate-crash-'));
        const orgA = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000, dailyApiLimit: 1_000_000 });
        emulators.push(orgA);
        const orgB = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000, dailyApiLimit: 1_000_000 });
        emulators.push(orgB);
        const [portA, portB] = await freePorts(2);
        a = {
            org: orgA,
            agent: orgA.createUser({
                name: 'Alice Agent',
                username: 'alice@a.example',
                permissionSets: ['Exalate_User']
            }),
            connector: new ConnectorProcess('A', orgA, portA, join(spool, 'a')),
            connectionId: ''
        };
        b = {
            org: orgB,
            agent: orgB.createUser({ name: 'Bob Agent', username: 'bob@b.example', permissionSets: ['Exalate_User'] }),
            connector: new ConnectorProcess('B', orgB, portB, join(spool, 'b')),
            connectionId: ''
        };
        await Promise.all([a.connector.start(), b.connector.start()]);
    });

    after(async () => {
        await Promise.allSettled([a?.connector.stop(), b?.connector.stop()]);
        await Promise.allSettled(emulators.map((org) => org.close()));
        if (spool !== '') {
            await rm(spool, { recursive: true, force: true });
        }
        process.removeListener('exit', killAll);
    });

    void it('syncs every Case exactly once, with all its comments and files', async (t: TestContext) => {
        assert.ok(a !== undefined && b !== undefined);
        const sideA = a;
        const sideB = b;
        const started = Date.now();
        const note = (line: string): void => {
            t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`);
        };
        try {
            // The admins connect the orgs: A initiates with both URLs, B accepts the code.
            const initiated = initiateConnection(sideA.org, {
                connectionName: 'SalesforceA_to_SalesforceB',
                localInstance: 'SalesforceA',
                remoteInstance: 'SalesforceB',
                nodeUrl: sideA.connector.url,
                destinationUrl: sideB.connector.url
            });
            sideA.connectionId = initiated.connectionId;
            sideB.connectionId = acceptInvitation(sideB.org, initiated.code);
            const active = (side: Side): boolean =>
                side.org
                    .records('Sync_Connection__c')
                    .some((row) => row.Id === side.connectionId && row.Status__c === 'Active');
            for (let waited = 0; !(active(sideA) && active(sideB)); waited += 50) {
                assert.ok(waited < 20_000, 'the connection did not become Active on both sides');
                await sleep(50);
            }

            // Bulk Exalate: an active trigger on A's connection; the console tells the connector.
            const callsBefore = sideA.org.apiCalls();
            sideA.org.insertAs(sideA.org.connectorUser.id, 'Sync_Trigger__c', [
                {
                    Connection__c: sideA.connectionId,
                    Filter__c: "Origin = 'Web'",
                    Active__c: true,
                    Notes__c: 'Bulk Exalate (crash test)'
                }
            ]);
            sideA.org.insertAs(sideA.org.connectorUser.id, 'Sync_Wake__e', [{ Reason__c: 'connection' }]);
            // The connector rereads its connections (1 call) and runs a pass (1 call).
            for (let waited = 0; sideA.org.apiCalls() - callsBefore < 2; waited += 20) {
                assert.ok(waited < 10_000, 'connector A did not reread its connections');
                await sleep(20);
            }
            await sleep(200);

            // The agents' work: 1,000 Cases in batches, two public comments each, a file on every 50th.
            const subjects = new Map<string, number>();
            let batchesDone = 0;
            const createCases = async (): Promise<void> => {
                const perBatch = CASES / BATCHES;
                for (let batch = 0; batch < BATCHES; batch += 1) {
                    const indexes = Array.from({ length: perBatch }, (_, i) => batch * perBatch + i + 1);
                    const ids = sideA.org.insertAs(
                        sideA.agent.id,
                        'Case',
                        indexes.map((index) => ({
                            Subject: `Crash ${index}: printer offline`,
                            Description: `Case ${index} of the crash test.`,
                            Status: 'New',
                            Origin: 'Web'
                        }))
                    );
                    ids.forEach((id, i) => subjects.set(id, indexes[i]));
                    sideA.org.insertAs(
                        sideA.agent.id,
                        'CaseComment',
                        ids.flatMap((id, i) => [
                            { ParentId: id, CommentBody: `Case ${indexes[i]}: customer called.`, IsPublished: true },
                            { ParentId: id, CommentBody: `Case ${indexes[i]}: asked for a log.`, IsPublished: true }
                        ])
                    );
                    const withFiles = ids.flatMap((id, i) => (indexes[i] % FILE_EVERY === 0 ? [[id, indexes[i]]] : []));
                    if (withFiles.length > 0) {
                        sideA.org.insertAs(
                            sideA.agent.id,
                            'ContentVersion',
                            withFiles.map(([id, index]) => ({
                                Title: `case-${index}`,
                                PathOnClient: `case-${index}.log`,
                                VersionData: fileBytes(Number(index)).toString('base64'),
                                FirstPublishLocationId: id
                            }))
                        );
                    }
                    batchesDone += 1;
                    await sleep(BATCH_GAP_MS);
                }
            };

            // The crashes, at random moments while the Cases are created and synced.
            const kills: string[] = [];
            const order = [...KILLS];
            for (let i = order.length - 1; i > 0; i -= 1) {
                const j = Math.floor(random() * (i + 1));
                [order[i], order[j]] = [order[j], order[i]];
            }
            const crash = async (): Promise<void> => {
                for (const [n, which] of order.entries()) {
                    const delay = 100 + Math.floor(random() * 1400);
                    await sleep(delay);
                    const side = which === 'A' ? sideA : sideB;
                    const c = census(sideA, sideB);
                    const phase =
                        `kill ${n + 1} of ${which} after ${delay} ms: ${batchesDone}/${BATCHES} batches created; ` +
                        progress(c);
                    await side.connector.kill();
                    kills.push(phase);
                    note(phase);
                    await side.connector.start();
                    note(`${which} restarted`);
                }
            };
            await Promise.all([createCases(), crash()]);
            note(`all Cases created and ${kills.length} kills done; ${progress(census(sideA, sideB))}`);

            // Wait (bounded) until everything arrived and nothing is left in A's outbox or queue.
            let last = census(sideA, sideB);
            let lastReport = Date.now();
            const done = (c: Census): boolean =>
                c.casesA.length === CASES &&
                c.twinsA.length >= CASES &&
                c.synchronizedA === c.twinsA.length &&
                c.mirrorsB.length >= CASES &&
                c.mirroredCommentsB >= 2 * CASES &&
                c.mirroredFilesB >= CASES / FILE_EVERY &&
                c.signalsA === 0 &&
                c.openEventsA === 0;
            while (!done(last)) {
                if (Date.now() - started > SYNC_TIMEOUT_MS) {
                    assert.fail(`the bulk sync did not finish within ${SYNC_TIMEOUT_MS / 1000} s: ${progress(last)}`);
                }
                if (last.failedEvents.length > 0) {
                    assert.fail(`events failed: ${JSON.stringify(last.failedEvents.slice(0, 3))}`);
                }
                if (Date.now() - lastReport > 5_000) {
                    lastReport = Date.now();
                    note(progress(last));
                }
                await sleep(250);
                last = census(sideA, sideB);
            }
            note(`synced: ${progress(last)}`);

            // Quiet: no API call on either org for a second, so that any echo or repeat has happened.
            for (let calls = -1, since = Date.now(); ; await sleep(100)) {
                const now = sideA.org.apiCalls() + sideB.org.apiCalls();
                if (now !== calls) {
                    calls = now;
                    since = Date.now();
                } else if (Date.now() - since > 1_000) {
                    break;
                }
                assert.ok(Date.now() - started < SYNC_TIMEOUT_MS + 15_000, 'the connectors never went quiet');
            }
            const final = census(sideA, sideB);
            note(`quiet: ${progress(final)}`);

            // A: every Case has one twin, Synchronized and linked; nothing came back.
            const commentsA = commentsByCase(sideA.org);
            const filesA = caseFiles(sideA.org);
            assert.equal(final.casesA.length, CASES);
            assert.equal(sideA.org.records('Case').length, CASES, 'no Case came back to A');
            assert.equal(sideB.org.records('Case').length, CASES, 'B has no Case besides the mirrors');
            assert.equal(final.twinsA.length, CASES, 'one twin per Case on A');
            assert.equal(final.signalsA, 0, 'nothing left in A outbox');
            assert.equal(final.openEventsA, 0, 'no event of A is left open');
            assert.deepEqual(final.failedEvents, [], 'no event Failed on either side');
            const twinOfCaseA = new Map(final.twinsA.map((twin) => [text(twin, 'Case__c'), twin]));
            assert.equal(twinOfCaseA.size, CASES, 'no Case of A has two twins');

            // B: exactly one mirror per Case of A, found by its twin's remote key and by its link key.
            const twinsB = sideB.org.records('Sync_Twin__c');
            assert.equal(final.mirrorsB.length, CASES, 'B has exactly 1,000 mirrored Cases');
            const linkKeys = new Set(final.mirrorsB.map((row) => text(row, 'Exalate_Link_Key__c')));
            assert.equal(linkKeys.size, CASES, 'distinct link keys on B');
            assert.ok(!linkKeys.has(''), 'every mirror has a link key');
            assert.equal(twinsB.length, CASES, 'one twin per mirror on B');
            const twinsByRemoteKey = new Map<string, JsonObject[]>();
            for (const twin of twinsB) {
                const key = text(twin, 'Remote_Key__c');
                twinsByRemoteKey.set(key, [...(twinsByRemoteKey.get(key) ?? []), twin]);
            }
            const mirrorById = new Map(final.mirrorsB.map((row) => [text(row, 'Id'), row]));
            const commentsB = commentsByCase(sideB.org);
            const filesB = caseFiles(sideB.org);
            const problems: string[] = [];
            for (const caseA of final.casesA) {
                const caseId = text(caseA, 'Id');
                const caseNumber = text(caseA, 'CaseNumber');
                const index = subjects.get(caseId) ?? 0;
                const expectedBodies = [`Case ${index}: customer called.`, `Case ${index}: asked for a log.`];
                const hasFile = index % FILE_EVERY === 0;
                const own = commentsA.get(caseId) ?? [];
                if (own.length !== 2 || (filesA.get(caseId) ?? []).length !== (hasFile ? 1 : 0)) {
                    problems.push(
                        `A ${caseNumber}: ${own.length} comments, ${(filesA.get(caseId) ?? []).length} files`
                    );
                }
                const twinA = twinOfCaseA.get(caseId);
                if (twinA?.Sync_Status__c !== 'Synchronized') {
                    problems.push(`A ${caseNumber}: twin ${text(twinA, 'Sync_Status__c') || 'missing'}`);
                }
                const remoteTwins = twinsByRemoteKey.get(caseNumber) ?? [];
                if (remoteTwins.length !== 1) {
                    problems.push(`A ${caseNumber}: ${remoteTwins.length} twins on B`);
                    continue;
                }
                const [twinB] = remoteTwins;
                const mirror = mirrorById.get(text(twinB, 'Case__c'));
                if (mirror === undefined) {
                    problems.push(`A ${caseNumber}: the twin on B has no mirrored Case`);
                    continue;
                }
                if (twinB.Sync_Status__c !== 'Synchronized') {
                    problems.push(`B ${text(mirror, 'CaseNumber')}: twin ${text(twinB, 'Sync_Status__c')}`);
                }
                if (text(twinA, 'Remote_Key__c') !== text(mirror, 'CaseNumber')) {
                    problems.push(`A ${caseNumber}: remote key ${text(twinA, 'Remote_Key__c')} is not the mirror`);
                }
                if (text(mirror, 'Subject') !== text(caseA, 'Subject')) {
                    problems.push(`B ${text(mirror, 'CaseNumber')}: subject ${text(mirror, 'Subject')}`);
                }
                const mirrored = (commentsB.get(text(mirror, 'Id')) ?? []).filter((row) => row.IsPublished === true);
                const bodies = mirrored.map((row) => text(row, 'CommentBody').split('\n').pop());
                if (JSON.stringify(bodies) !== JSON.stringify(expectedBodies)) {
                    problems.push(`B ${text(mirror, 'CaseNumber')}: comments ${JSON.stringify(bodies)}`);
                }
                const files = filesB.get(text(mirror, 'Id')) ?? [];
                const expectedMd5 = hasFile ? createHash('md5').update(fileBytes(index)).digest('hex') : undefined;
                if (
                    files.length !== (hasFile ? 1 : 0) ||
                    (hasFile &&
                        (text(files[0], 'Checksum') !== expectedMd5 || text(files[0], 'Title') !== `case-${index}`))
                ) {
                    problems.push(
                        `B ${text(mirror, 'CaseNumber')}: files ${JSON.stringify(files.map((f) => f.Title))}`
                    );
                }
            }
            assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
            note(`passed after ${kills.length} kills`);
        } catch (error) {
            process.stderr.write(
                `\ncrash test failed (seed ${seed}); ${progress(census(sideA, sideB))}\n` +
                    `--- open events of A:\n${openEventSummary(sideA)}\n--- open events of B:\n${openEventSummary(sideB)}\n` +
                    `${sideA.connector.diagnostics()}\n${sideB.connector.diagnostics()}\n`
            );
            throw error;
        }
    });
});
