// Test infrastructure: an emulator of the Salesforce REST API for one org with the package
// installed, served over HTTP on 127.0.0.1. It is what the connector's tests, demo and benchmarks
// talk to through jsforce instead of a real org. See docs/emulators.md.

import { fileURLToPath } from 'node:url';
import { Auth } from './auth.ts';
import type { Json, JsonObject } from './json.ts';
import { ApiUsage } from './limits.ts';
import { CONNECTOR_PERMISSION_SET, Org } from './org.ts';
import { QueryCursors } from './query-resource.ts';
import { EmulatorServer } from './server.ts';
import type { FaultMatch, FaultResponse } from './server.ts';
import { Streaming } from './streaming.ts';

export interface SalesforceEmulatorOptions {
    /** 0 (default) picks any free port. */
    port?: number;
    /** Version the emulator reports as latest; any vNN.N a client uses is accepted. */
    apiVersion?: string;
    /** The org's daily API request allocation (default 15,000, a Developer Edition org). */
    dailyApiLimit?: number;
    /** The package's force-app directory (default: force-app of this repository). */
    forceAppDir?: string;
    /** Package namespace ('' default): custom names become `<ns>__Name__c`. */
    namespace?: string;
    /** How long a CometD /meta/connect is held without events (default 25 s; tests use less). */
    streamingConnectTimeoutMs?: number;
}

export interface EmulatorUser {
    id: string;
    username: string;
    accessToken: string;
    refreshToken: string;
}

export interface SalesforceEmulator {
    readonly instanceUrl: string;
    readonly loginUrl: string;
    readonly apiVersion: string;
    readonly orgId: string;
    /** The package namespace prefix ('' or `<ns>__`). */
    readonly namespacePrefix: string;
    /** A user with the Exalate_Connector permission set, created at start. */
    readonly connectorUser: EmulatorUser;
    close(): Promise<void>;
    createUser(options: { name: string; username: string; permissionSets?: string[] }): EmulatorUser;
    /** API calls counted so far (as Sforce-Limit-Info reports them). */
    apiCalls(): number;
    resetApiCalls(): void;
    /** Copies of the live records of a type, fields as the API answers them. */
    records(sobjectType: string): JsonObject[];
    /** Direct, all-or-none writes as a user in the UI would make them; triggers run. Returns the ids. */
    insertAs(userId: string, sobjectType: string, records: JsonObject[]): string[];
    updateAs(userId: string, sobjectType: string, records: JsonObject[]): void;
    deleteAs(userId: string, sobjectType: string, ids: string[]): void;
    /** The next request matching `match` gets `response` instead (not counted as an API call). */
    failNext(match: FaultMatch, response: FaultResponse): void;
    /** Stores a connection's secret in the protected setting, as the package's Apex does. */
    setConnectionSecret(connectionId: string, secret: string | null): void;
    /** Ends a session as if it expired: requests with the token get 401 INVALID_SESSION_ID. */
    expireSession(accessToken: string): void;
    /** Platform event messages retained on a channel, e.g. '/event/Sync_Wake__e', as delivered. */
    publishedEvents(channel: string): JsonObject[];
}

const DEFAULT_FORCE_APP = fileURLToPath(new URL('../../../force-app', import.meta.url));

export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
    const apiVersion = options.apiVersion ?? '65.0';
    const namespace = options.namespace ?? '';
    const org = new Org({ forceAppDir: options.forceAppDir ?? DEFAULT_FORCE_APP, namespace, apiVersion });
    const auth = new Auth({ userIdByUsername: (username) => org.userIdByUsername(username), orgId: org.orgId });
    const streaming = new Streaming(org.schema, { connectHoldMs: options.streamingConnectTimeoutMs ?? 25_000 });
    org.onCommit = (events) => streaming.publish(events);
    const apiUsage = new ApiUsage(options.dailyApiLimit ?? 15_000);
    const cursors = new QueryCursors(org.ids);
    const latest = Math.floor(Number(apiVersion));
    const server = new EmulatorServer({
        org,
        auth,
        streaming,
        apiUsage,
        cursors,
        firstApiVersion: 31,
        latestApiVersion: latest,
        identityUrl: (userId) => auth.identityUrl(userId)
    });
    const port = await server.listen(options.port ?? 0);
    const instanceUrl = `http://127.0.0.1:${port}`;
    auth.instanceUrl = instanceUrl;
    auth.loginUrl = instanceUrl;

    const createUser = (user: { name: string; username: string; permissionSets?: string[] }): EmulatorUser => {
        const id = org.createUser(user);
        return {
            id,
            username: user.username,
            accessToken: auth.issue(id).token,
            refreshToken: auth.issueRefreshToken(id)
        };
    };
    const connectorUser = createUser({
        name: 'Exalate Connector',
        username: 'connector@exalate.emulator',
        permissionSets: [CONNECTOR_PERMISSION_SET]
    });

    return {
        instanceUrl,
        loginUrl: instanceUrl,
        apiVersion,
        orgId: org.orgId,
        namespacePrefix: org.schema.namespacePrefix,
        connectorUser,
        close: () => server.close(),
        createUser,
        apiCalls: () => apiUsage.count(),
        resetApiCalls: () => apiUsage.reset(),
        records: (sobjectType) => {
            const object = org.schema.object(sobjectType);
            if (!object) {
                throw new Error(`unknown sObject type ${sobjectType}`);
            }
            return org.store.live(object.name).map((record) => {
                const fields = JSON.parse(JSON.stringify(org.recordJson(object, record, apiVersion))) as JsonObject;
                delete fields.attributes;
                return fields;
            });
        },
        insertAs: (userId, sobjectType, records) => org.saveAs(userId, 'insert', sobjectType, records),
        updateAs: (userId, sobjectType, records) => {
            org.saveAs(userId, 'update', sobjectType, records);
        },
        deleteAs: (userId, sobjectType, ids) => {
            org.saveAs(userId, 'delete', sobjectType, ids);
        },
        failNext: (match, response) => server.failNext(match, response),
        setConnectionSecret: (connectionId, secret) => org.setConnectionSecret(connectionId, secret),
        expireSession: (accessToken) => auth.expire(accessToken),
        publishedEvents: (channel) =>
            streaming.retainedEvents(channel).map((message) => JSON.parse(JSON.stringify(message)) as JsonObject)
    };
}

export type { FaultMatch, FaultResponse, Json, JsonObject };
