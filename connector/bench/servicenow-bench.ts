// The ServiceNow rows of `npm run bench`: an emulated org with its Salesforce connector and an
// emulated ServiceNow instance with its ServiceNow node, each connector in a process of its own,
// connected through an invitation code (Salesforce initiates, the ServiceNow admin accepts on the
// node's console). Measured in one run, for the node as it ships and for its naive baseline:
//
// - REST calls of the ServiceNow instance (counted by the emulator, service account only) and
//   Salesforce API calls (counted by the emulated org) per synced record, for a Bulk Exalate of Cases
//   into incidents and for incidents that a ServiceNow trigger brings over as Cases;
// - latency of single edits both ways: a Case Subject edit until the incident's short_description
//   shows it, and an incident short_description edit until the Case's Subject shows it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { startServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../emulators/servicenow/index.ts';
import { bulkExalate, exalateCase, initiateConnection } from '../emulators/scenario/console-actions.ts';
import { ServiceNowConsole } from '../src/servicenow/console/console.ts';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';
import { fmt, killProcess, NAIVE_POLL_MS, percentile, sleep, spawnConnectorProcess, text, until } from './harness.ts';
import type { ConnectorStats, RunningProcess } from './harness.ts';

/** How often the node as it ships reads the instance for changes in the benchmark (`--poll-seconds 1`). */
export const SN_FEED_MS = 1_000;
/** Incidents with this urgency come under sync through the node's trigger. */
const TRIGGER = 'urgency=1';

interface ServiceNowPair {
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    readonly instance: ServiceNowEmulator;
    readonly sf: RunningProcess;
    readonly sn: RunningProcess;
    /** The bench's own handle on the node's store (the admin's console opens it the same way). */
    readonly store: ServiceNowStore;
    readonly sfConnectionId: string;
    readonly snConnectionId: string;
    close(): Promise<{ sf: ConnectorStats; sn: ConnectorStats }>;
    /** Stops everything at once, for a pair that cannot be measured. */
    kill(): Promise<void>;
}

interface PairMode {
    readonly naive: boolean;
}

async function startServiceNowPair(mode: PairMode): Promise<ServiceNowPair> {
    const dir = await mkdtemp(join(tmpdir(), 'exalate-bench-sn-'));
    const org = await startSalesforceEmulator({ dailyApiLimit: 50_000_000 });
    const instance = await startServiceNowEmulator();
    let sf: RunningProcess | undefined;
    let sn: RunningProcess | undefined;
    let store: ServiceNowStore | undefined;
    const kill = async (): Promise<void> => {
        await Promise.all([killProcess(sf), killProcess(sn)]);
        store?.close();
        await Promise.allSettled([org.close(), instance.close()]);
        await rm(dir, { recursive: true, force: true });
    };
    try {
        const agent = org.createUser({
            name: 'Alice Agent',
            username: 'alice@a.example',
            permissionSets: ['Exalate_User']
        });
        sf = await spawnConnectorProcess('connector/bench/connector-process.ts', {
            instanceUrl: org.instanceUrl,
            accessToken: org.connectorUser.accessToken,
            private: false,
            naive: mode.naive,
            pollEveryMs: NAIVE_POLL_MS
        });
        const storePath = join(dir, 'servicenow.db');
        sn = await spawnConnectorProcess('connector/bench/servicenow-process.ts', {
            instanceUrl: instance.url,
            userName: instance.serviceAccount.userName,
            password: instance.serviceAccount.password,
            storePath,
            spoolDir: join(dir, 'sn-spool'),
            private: false,
            naive: mode.naive,
            feedEveryMs: mode.naive ? NAIVE_POLL_MS : SN_FEED_MS,
            pollEveryMs: NAIVE_POLL_MS
        });
        const initiated = initiateConnection(org, {
            connectionName: 'Salesforce_to_ServiceNow',
            localInstance: 'Salesforce',
            remoteInstance: 'ServiceNow',
            nodeUrl: sf.nodeUrl,
            destinationUrl: sn.nodeUrl
        });
        org.updateAs(org.connectorUser.id, 'Sync_Connection__c', [
            { Id: initiated.connectionId, Remote_Platform__c: 'ServiceNow' }
        ]);
        // The ServiceNow admin pastes the code once the Salesforce node could read its new connection
        // (an acceptance that comes earlier is refused and retried with back-off, which would only be slower).
        await sleep(mode.naive ? NAIVE_POLL_MS + 500 : 1_000);
        store = ServiceNowStore.open(storePath);
        const admin = new ServiceNowConsole({ store });
        const snConnectionId = admin.accept(initiated.code).id;
        const opened = store;
        await until(
            'the Salesforce <-> ServiceNow connection to be Active',
            () =>
                opened.findConnection(snConnectionId)?.status === 'Active' &&
                org
                    .records('Sync_Connection__c')
                    .some((row) => row.Id === initiated.connectionId && row.Status__c === 'Active'),
            60_000,
            50
        );
        admin.addTrigger(snConnectionId, TRIGGER, 'Benchmark: urgent incidents');
        const running = { sf, sn };
        return {
            org,
            agent,
            instance,
            sf,
            sn,
            store,
            sfConnectionId: initiated.connectionId,
            snConnectionId,
            kill,
            close: async () => {
                const [sfStats, snStats] = await Promise.allSettled([running.sf.stop(), running.sn.stop()]);
                opened.close();
                await Promise.allSettled([org.close(), instance.close()]);
                await rm(dir, { recursive: true, force: true });
                if (sfStats.status === 'rejected' || snStats.status === 'rejected') {
                    throw new Error(
                        `a connector left no figures: ${[sfStats, snStats]
                            .map((settled) => (settled.status === 'rejected' ? String(settled.reason) : ''))
                            .join(' ')
                            .trim()}`
                    );
                }
                return { sf: sfStats.value, sn: snStats.value };
            }
        };
    } catch (error) {
        const said = [sf?.errors() ?? '', sn?.errors() ?? ''].join('').trim();
        await kill();
        throw new Error(
            `${(error as Error).message}${said === '' ? '' : `; the connectors said: ${said.slice(0, 500)}`}`,
            { cause: error }
        );
    }
}

function createCases(pair: ServiceNowPair, count: number, prefix: string): string[] {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 200) {
        const size = Math.min(200, count - start);
        const created = pair.org.insertAs(
            pair.agent.id,
            'Case',
            Array.from({ length: size }, (_, i) => ({
                Subject: `${prefix} ${start + i + 1}: printer offline`,
                Description: 'The customer reports the printer is offline since this morning.',
                Status: 'New',
                Origin: 'Web'
            }))
        );
        pair.org.insertAs(
            pair.agent.id,
            'CaseComment',
            created.flatMap((caseId) => [
                { ParentId: caseId, CommentBody: 'Customer called.', IsPublished: true },
                { ParentId: caseId, CommentBody: 'Asked for a log.', IsPublished: true }
            ])
        );
        ids.push(...created);
    }
    return ids;
}

/** Waits until the org sees no API call for `quietMs` (the node reads the instance all the time). */
async function quietOrg(pair: ServiceNowPair, quietMs: number): Promise<void> {
    let last = -1;
    let since = Date.now();
    for (;;) {
        const now = pair.org.apiCalls();
        if (now !== last) {
            last = now;
            since = Date.now();
        } else if (Date.now() - since >= quietMs) {
            return;
        }
        await sleep(20);
    }
}

function sfTwinOf(pair: ServiceNowPair, caseId: string): string {
    return text(
        pair.org.records('Sync_Twin__c').find((row) => row.Case__c === caseId),
        'Sync_Status__c'
    );
}

function snTwinSynchronized(pair: ServiceNowPair, sysId: string): boolean {
    return pair.store.readTwins({ caseIds: [sysId] }).every((twin) => twin.syncStatus === 'Synchronized');
}

export interface Latencies {
    /** Case Subject edit until the incident's short_description shows it, ms. */
    readonly toServiceNow: number[];
    /** Incident short_description edit until the Case's Subject shows it, ms. */
    readonly toSalesforce: number[];
}

/**
 * One Case under sync; `count` edits each way, one at a time, each until it is acknowledged. Each
 * edit waits a random part of `pollMs` first: edits made right after the previous one arrived would
 * all land just after a poll of the instance (or of the naive queue) and wait for the next one in full.
 */
async function latency(pair: ServiceNowPair, count: number, pollMs: number): Promise<Latencies> {
    const subject = `SN latency ${Date.now()}`;
    const [caseId] = pair.org.insertAs(pair.agent.id, 'Case', [
        { Subject: subject, Description: 'Latency probe.', Status: 'New', Origin: 'Web' }
    ]);
    exalateCase(pair.org, pair.agent.id, pair.sfConnectionId, caseId);
    await until('the latency Case to become an incident', () => sfTwinOf(pair, caseId) === 'Synchronized', 30_000);
    const incident = pair.instance.incidents().find((view) => view.record.short_description === subject);
    if (incident === undefined) {
        throw new Error('benchmark: the latency Case is Synchronized but no incident has its Subject');
    }
    const sysId = incident.record.sys_id;
    const caseRow = (): string =>
        text(
            pair.org.records('Case').find((row) => row.Id === caseId),
            'Subject'
        );
    const toServiceNow: number[] = [];
    for (let i = 0; i < count; i += 1) {
        const edited = `Salesforce edit ${i}`;
        await sleep(Math.random() * pollMs);
        const started = performance.now();
        pair.org.updateAs(pair.agent.id, 'Case', [{ Id: caseId, Subject: edited }]);
        await until(
            'a Case edit to reach ServiceNow',
            () => pair.instance.incident(sysId)?.record.short_description === edited,
            30_000,
            1
        );
        toServiceNow.push(performance.now() - started);
        await until('the edit to be acknowledged', () => sfTwinOf(pair, caseId) === 'Synchronized', 30_000, 1);
    }
    // The node's own writes are echoes it must skip: let its feed read them before the other way.
    await sleep(SN_FEED_MS * 2);
    const toSalesforce: number[] = [];
    for (let i = 0; i < count; i += 1) {
        const edited = `ServiceNow edit ${i}`;
        await sleep(Math.random() * pollMs);
        const started = performance.now();
        pair.instance.updateIncidentAs(pair.instance.agent.userName, sysId, { short_description: edited });
        await until('an incident edit to reach Salesforce', () => caseRow() === edited, 30_000, 1);
        toSalesforce.push(performance.now() - started);
        await until('the edit to be acknowledged', () => snTwinSynchronized(pair, sysId), 30_000, 2);
    }
    return { toServiceNow, toSalesforce };
}

/** REST calls per hour of the node with nothing to do (measured over `windowMs`). */
async function idle(pair: ServiceNowPair, windowMs: number): Promise<number> {
    // Rows of the last changed second are read again until that second is final (1 s + 2 s settle).
    await sleep(4_000);
    await quietOrg(pair, 500);
    pair.instance.resetApiCalls();
    await sleep(windowMs);
    return (counters(pair).restCalls * 3_600_000) / windowMs;
}

export interface BulkCalls {
    readonly count: number;
    /** REST calls of the node's service account on the instance. */
    readonly restCalls: number;
    /** API calls of the Salesforce connector on the org. */
    readonly sfCalls: number;
    readonly seconds: number;
}

function counters(pair: ServiceNowPair): { restCalls: number; sfCalls: number } {
    return {
        restCalls: pair.instance.apiCalls(pair.instance.serviceAccount.userName),
        sfCalls: pair.org.apiCalls()
    };
}

/**
 * Bulk Exalate of `count` Cases with two public comments each into incidents: the Cases exist first,
 * then an admin runs a trigger that matches exactly them once; counted from the request until every
 * Case is an incident with both comments and every twin on Salesforce is Synchronized.
 */
async function bulkToServiceNow(pair: ServiceNowPair, count: number): Promise<BulkCalls> {
    const prefix = `SN bulk ${count}`;
    createCases(pair, count, prefix);
    await quietOrg(pair, 500);
    const [triggerId] = pair.org.insertAs(pair.org.connectorUser.id, 'Sync_Trigger__c', [
        {
            Connection__c: pair.sfConnectionId,
            Filter__c: `Subject LIKE '${prefix} %'`,
            Active__c: true,
            Notes__c: 'Bulk Exalate'
        }
    ]);
    pair.org.insertAs(pair.org.connectorUser.id, 'Sync_Wake__e', [{ Reason__c: 'connection' }]);
    await sleep(500);
    await quietOrg(pair, 300);
    pair.org.resetApiCalls();
    pair.instance.resetApiCalls();
    const admin = pair.org.createUser({
        name: 'Bench Admin',
        username: `sn-admin-${count}-${Date.now()}@bench.example`,
        permissionSets: ['Exalate_Admin']
    });
    const started = performance.now();
    bulkExalate(pair.org, admin.id, triggerId);
    const arrived = (): boolean =>
        pair.instance
            .incidents()
            .filter((view) => view.record.short_description.startsWith(`${prefix} `) && view.comments.length >= 2)
            .length >= count;
    await until(`${count} Cases to become incidents with their comments`, arrived, 600_000, 500);
    const synced = (): boolean =>
        pair.org.records('Sync_Twin__c').every((row) => row.Sync_Status__c === 'Synchronized');
    await until('every twin on Salesforce to be Synchronized', synced, 600_000, 500);
    const seconds = (performance.now() - started) / 1000;
    await quietOrg(pair, 1000);
    const calls = counters(pair);
    pair.org.updateAs(pair.org.connectorUser.id, 'Sync_Trigger__c', [{ Id: triggerId, Active__c: false }]);
    return { count, ...calls, seconds };
}

/**
 * `count` incidents (two additional comments each) created by an agent with the trigger's urgency:
 * counted from their creation until every one is a Case with both comments and every twin on the
 * node is Synchronized.
 */
async function bulkToSalesforce(pair: ServiceNowPair, count: number): Promise<BulkCalls> {
    const prefix = `SN incident bulk ${count}`;
    await quietOrg(pair, 500);
    pair.org.resetApiCalls();
    pair.instance.resetApiCalls();
    const started = performance.now();
    const agent = pair.instance.agent.userName;
    for (let i = 0; i < count; i += 1) {
        const created = pair.instance.createIncidentAs(agent, {
            short_description: `${prefix} ${i + 1}: VPN down`,
            description: 'The VPN drops every few minutes.',
            urgency: '1',
            comments: 'Customer called.'
        });
        pair.instance.addCommentAs(agent, created.record.sys_id, 'Asked for a log.');
    }
    const arrived = (): boolean => {
        const cases = new Set(
            pair.org
                .records('Case')
                .filter((row) => text(row, 'Subject').startsWith(`${prefix} `))
                .map((row) => row.Id)
        );
        if (cases.size < count) {
            return false;
        }
        const comments = pair.org.records('CaseComment').filter((row) => cases.has(row.ParentId)).length;
        return comments >= 2 * count;
    };
    await until(`${count} incidents to become Cases with their comments`, arrived, 600_000, 500);
    const synced = (): boolean =>
        pair.store.readTwins({ connectionId: pair.snConnectionId }).every((twin) => twin.syncStatus === 'Synchronized');
    await until('every twin on the node to be Synchronized', synced, 600_000, 500);
    const seconds = (performance.now() - started) / 1000;
    await quietOrg(pair, 1000);
    return { count, ...counters(pair), seconds };
}

export interface PairResult {
    readonly latency: Latencies;
    readonly idlePerHour: number;
    readonly toServiceNow: BulkCalls;
    readonly toSalesforce: BulkCalls;
    readonly stats: { sf: ConnectorStats; sn: ConnectorStats };
}

/** A pair's figures, or why it could not be measured (every process it started is stopped). */
export type Measured =
    { readonly ok: true; readonly result: PairResult } | { readonly ok: false; readonly reason: string };

export interface ServiceNowPlan {
    readonly edits: number;
    readonly naiveEdits: number;
    readonly bulk: number;
    readonly naiveBulk: number;
    readonly idleWindowMs: number;
    readonly log: (line: string) => void;
}

async function measurePair(naive: boolean, edits: number, bulk: number, idleWindowMs: number): Promise<Measured> {
    let pair: ServiceNowPair | undefined;
    try {
        pair = await startServiceNowPair({ naive });
        const latencies = await latency(pair, edits, naive ? NAIVE_POLL_MS : SN_FEED_MS);
        const idlePerHour = await idle(pair, idleWindowMs);
        const toServiceNow = await bulkToServiceNow(pair, bulk);
        const toSalesforce = await bulkToSalesforce(pair, bulk);
        const measured = pair;
        pair = undefined;
        const stats = await measured.close();
        return { ok: true, result: { latency: latencies, idlePerHour, toServiceNow, toSalesforce, stats } };
    } catch (error) {
        const said = pair === undefined ? '' : [pair.sf.errors(), pair.sn.errors()].join('').trim();
        await pair?.kill();
        const reason = (error as Error).message.replace(/^benchmark: /, '');
        return { ok: false, reason: `${reason}${said === '' ? '' : `; the connectors said: ${said.slice(0, 300)}`}` };
    }
}

export interface ServiceNowResults {
    readonly plan: ServiceNowPlan;
    readonly fast: Measured;
    readonly naive: Measured;
}

export async function measureServiceNow(plan: ServiceNowPlan): Promise<ServiceNowResults> {
    plan.log('bench: Salesforce <-> ServiceNow, optimized node');
    const fast = await measurePair(false, plan.edits, plan.bulk, plan.idleWindowMs);
    if (!fast.ok) {
        plan.log(`bench: Salesforce <-> ServiceNow pair not measured: ${fast.reason}`);
    }
    plan.log('bench: Salesforce <-> ServiceNow, naive baseline');
    const naive = await measurePair(true, plan.naiveEdits, plan.naiveBulk, plan.idleWindowMs);
    if (!naive.ok) {
        plan.log(`bench: naive Salesforce <-> ServiceNow pair not measured: ${naive.reason}`);
    }
    return { plan, fast, naive };
}

/** The table's ServiceNow rows, and the notes printed under the table. */
export function serviceNowRows(results: ServiceNowResults): {
    rows: [string, string, string, string][];
    notes: string[];
} {
    const { plan, fast, naive } = results;
    const ms = (value: number): string => `${fmt(value, 0)} ms`;
    const cell = (measured: Measured, show: (result: PairResult) => string): string =>
        measured.ok ? show(measured.result) : 'not measured';
    const perRecord = (bulk: BulkCalls): string =>
        `${fmt(bulk.restCalls / bulk.count, 2)} / ${fmt(bulk.sfCalls / bulk.count, 4)}`;
    const naiveAt = (bulk: BulkCalls): string =>
        bulk.count === plan.bulk ? perRecord(bulk) : `${perRecord(bulk)} (at ${bulk.count})`;
    const pct = (values: readonly number[]): string => `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`;
    const size = plan.bulk.toLocaleString('en-US');
    const rows: [string, string, string, string][] = [
        [
            `ServiceNow REST / Salesforce API calls per record, bulk ${size} Cases → incidents (2 comments each)`,
            cell(fast, (r) => perRecord(r.toServiceNow)),
            cell(naive, (r) => naiveAt(r.toServiceNow)),
            ''
        ],
        [
            `ServiceNow REST / Salesforce API calls per record, bulk ${size} incidents → Cases (2 comments each)`,
            cell(fast, (r) => perRecord(r.toSalesforce)),
            cell(naive, (r) => naiveAt(r.toSalesforce)),
            ''
        ],
        [
            `Latency p50 / p99, Salesforce → ServiceNow (${plan.edits} edits; naive ${plan.naiveEdits})`,
            cell(fast, (r) => pct(r.latency.toServiceNow)),
            cell(naive, (r) => pct(r.latency.toServiceNow)),
            '< 1 s / < 3 s'
        ],
        [
            `Latency p50 / p99, ServiceNow → Salesforce (${plan.edits} edits; naive ${plan.naiveEdits})`,
            cell(fast, (r) => pct(r.latency.toSalesforce)),
            cell(naive, (r) => pct(r.latency.toSalesforce)),
            '< 1 s / < 3 s'
        ],
        [
            `ServiceNow REST calls per hour, idle node (instance read every ${SN_FEED_MS / 1000} s; naive ${NAIVE_POLL_MS / 1000} s)`,
            cell(fast, (r) => fmt(r.idlePerHour, 0)),
            cell(naive, (r) => fmt(r.idlePerHour, 0)),
            ''
        ],
        [
            'Peak memory per connector (Salesforce / ServiceNow node)',
            cell(fast, (r) => `${mib(r.stats.sf.peakRssBytes)} / ${mib(r.stats.sn.peakRssBytes)}`),
            cell(naive, (r) => `${mib(r.stats.sf.peakRssBytes)} / ${mib(r.stats.sn.peakRssBytes)}`),
            '< 256 MB'
        ]
    ];
    const notes = [
        `ServiceNow: the node reads the instance for changes every ${SN_FEED_MS / 1000} s (naive: every ${NAIVE_POLL_MS / 1000} s, one record per REST read); its feed's reads during a bulk are counted in it.`
    ];
    if (!fast.ok) {
        notes.push(`ServiceNow pair not measured: ${fast.reason}`);
    }
    if (!naive.ok) {
        notes.push(`Naive ServiceNow pair not measured: ${naive.reason}`);
    }
    return { rows, notes };
}

function mib(bytes: number): string {
    return `${fmt(bytes / 1024 / 1024, 0)} MiB`;
}
