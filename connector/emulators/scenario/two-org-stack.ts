// Two emulated orgs, each with its connector, connected through an invitation code exactly as two
// admins would connect them: the end-to-end tests, the demo and the benchmark stand on this.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../salesforce/index.ts';
import type { EmulatorUser, JsonObject, SalesforceEmulator } from '../salesforce/index.ts';
import type { EngineTuning } from '../../src/engine/context.ts';
import { startSalesforceConnector } from '../../src/runtime/salesforce-connector.ts';
import type { ConnectorLogEntry, RunningConnector } from '../../src/runtime/salesforce-connector.ts';
import { acceptInvitation, exalateCase, initiateConnection } from './console-actions.ts';

/** One side: its org, its connector, an agent who works there. */
export interface Side {
    readonly name: string;
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    connector: RunningConnector;
    /** The connection record id on this side. */
    connectionId: string;
    readonly log: ConnectorLogEntry[];
    /**
     * Restarts the connector (a new process would do the same: everything comes from the org);
     * `whileStopped` runs while no connector runs.
     */
    restart(whileStopped?: () => void | Promise<void>): Promise<void>;
}

export interface StackOptions {
    /** B is private: it serves nothing and long-polls A. */
    readonly privateB?: boolean;
    readonly tuning?: Partial<EngineTuning>;
    readonly streaming?: boolean;
}

export interface TwoOrgStack {
    readonly a: Side;
    readonly b: Side;
    close(): Promise<void>;
}

const FAST_TUNING: Partial<EngineTuning> = { retryInitialMs: 200, pollWaitSeconds: 5 };

async function startSide(
    name: string,
    org: SalesforceEmulator,
    agent: EmulatorUser,
    listen: boolean,
    options: StackOptions,
    spoolDir: string
): Promise<Side> {
    const log: ConnectorLogEntry[] = [];
    const start = (port?: number): Promise<RunningConnector> =>
        startSalesforceConnector({
            auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
            namespace: org.namespacePrefix,
            listen: listen ? { host: '127.0.0.1', port: port ?? 0 } : undefined,
            spoolDir,
            log: (entry) => log.push(entry),
            tuning: { ...FAST_TUNING, ...options.tuning },
            streaming: options.streaming
        });
    const side: Side = {
        name,
        org,
        agent,
        connector: await start(),
        connectionId: '',
        log,
        restart: async (whileStopped) => {
            const port = side.connector.nodeUrl === '' ? undefined : Number(new URL(side.connector.nodeUrl).port);
            await side.connector.stop();
            await whileStopped?.();
            side.connector = await start(port);
        }
    };
    return side;
}

/** Polls `check` until it answers something other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
    what: string,
    check: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 10_000
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

/** Starts two orgs and their connectors and connects them (A initiates, B accepts). */
export async function startTwoOrgStack(options: StackOptions = {}): Promise<TwoOrgStack> {
    const spool = await mkdtemp(join(tmpdir(), 'exalate-stack-'));
    const orgA = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
    const orgB = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
    const agentA = orgA.createUser({
        name: 'Alice Agent',
        username: 'alice@a.example',
        permissionSets: ['Exalate_User']
    });
    const agentB = orgB.createUser({ name: 'Bob Agent', username: 'bob@b.example', permissionSets: ['Exalate_User'] });
    const a = await startSide('SalesforceA', orgA, agentA, true, options, join(spool, 'a'));
    const b = await startSide('SalesforceB', orgB, agentB, options.privateB !== true, options, join(spool, 'b'));
    const initiated = initiateConnection(orgA, {
        connectionName: 'SalesforceA_to_SalesforceB',
        localInstance: 'SalesforceA',
        remoteInstance: 'SalesforceB',
        nodeUrl: a.connector.nodeUrl,
        destinationUrl: options.privateB === true ? '' : b.connector.nodeUrl
    });
    a.connectionId = initiated.connectionId;
    b.connectionId = acceptInvitation(orgB, initiated.code);
    await eventually('both sides of the connection are Active', () =>
        [a, b].every((side) => connectionOf(side).Status__c === 'Active')
    );
    return {
        a,
        b,
        close: async () => {
            await Promise.allSettled([a.connector.stop(), b.connector.stop()]);
            await Promise.allSettled([orgA.close(), orgB.close()]);
            await rm(spool, { recursive: true, force: true });
        }
    };
}

/** A text field of an emulator record ('' when it is not a text). */
export function textOf(record: JsonObject | undefined, field: string): string {
    const value = record?.[field];
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function connectionOf(side: Side): JsonObject {
    const record = side.org.records('Sync_Connection__c').find((row) => row.Id === side.connectionId);
    if (record === undefined) {
        throw new Error(`${side.name} has no connection ${side.connectionId}`);
    }
    return record;
}

/** The agent creates a Case (and its public and private comments). */
export function createCase(
    side: Side,
    fields: { subject: string; description?: string; comments?: string[]; privateComments?: string[] }
): string {
    const [caseId] = side.org.insertAs(side.agent.id, 'Case', [
        { Subject: fields.subject, Description: fields.description ?? '', Status: 'New', Origin: 'Web' }
    ]);
    addComments(side, caseId, fields.comments ?? []);
    addComments(side, caseId, fields.privateComments ?? [], false);
    return caseId;
}

export function addComments(side: Side, caseId: string, bodies: string[], published = true): void {
    if (bodies.length > 0) {
        side.org.insertAs(
            side.agent.id,
            'CaseComment',
            bodies.map((body) => ({ ParentId: caseId, CommentBody: body, IsPublished: published }))
        );
    }
}

export function addFile(side: Side, caseId: string, name: string, bytes: Buffer): void {
    side.org.insertAs(side.agent.id, 'ContentVersion', [
        { Title: name, PathOnClient: name, VersionData: bytes.toString('base64'), FirstPublishLocationId: caseId }
    ]);
}

export function exalate(side: Side, caseId: string): string {
    return exalateCase(side.org, side.agent.id, side.connectionId, caseId);
}

export function twinOf(side: Side, caseId: string): JsonObject | undefined {
    return side.org.records('Sync_Twin__c').find((twin) => twin.Case__c === caseId);
}

/** The Case on this side that mirrors a remote key (via its twin). */
export function mirrorOf(side: Side, remoteKey: string): JsonObject | undefined {
    const twin = side.org.records('Sync_Twin__c').find((row) => row.Remote_Key__c === remoteKey);
    return twin === undefined ? undefined : side.org.records('Case').find((row) => row.Id === twin.Case__c);
}

export function caseById(side: Side, caseId: string): JsonObject {
    const record = side.org.records('Case').find((row) => row.Id === caseId);
    if (record === undefined) {
        throw new Error(`${side.name} has no Case ${caseId}`);
    }
    return record;
}

export function publicComments(side: Side, caseId: string): string[] {
    return side.org
        .records('CaseComment')
        .filter((row) => row.ParentId === caseId && row.IsPublished === true)
        .map((row) => textOf(row, 'CommentBody'));
}

export function filesOf(side: Side, caseId: string): JsonObject[] {
    const documents = new Set(
        side.org
            .records('ContentDocumentLink')
            .filter((link) => link.LinkedEntityId === caseId)
            .map((link) => link.ContentDocumentId)
    );
    return side.org
        .records('ContentVersion')
        .filter((version) => documents.has(version.ContentDocumentId) && version.IsLatest === true);
}
