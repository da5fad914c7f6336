// A running connector for one Salesforce org: the org adapter, the sync engine, and (on a public
// side) the node server, wired together. The CLI, the demo, the tests and the benchmark all start
// connectors through this function.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeClient } from '../node/client.ts';
import { startNodeServer } from '../node/server.ts';
import type { NodeServer } from '../node/server.ts';
import type { NodeLogEntry } from '../node/log.ts';
import { connectOrg, reconnectOrg, SalesforceOrgClient } from '../salesforce/index.ts';
import type { OrgAuthOptions } from '../salesforce/index.ts';
import type { EngineTuning } from '../engine/context.ts';
import type { EngineLogEntry, OrgPort } from '../engine/ports.ts';
import { SyncEngine } from '../engine/sync-engine.ts';

/** How to run a connector for a Salesforce org. */
export interface SalesforceConnectorOptions {
    readonly auth: OrgAuthOptions;
    /** The package namespace in the org (`''` for an org without one). */
    readonly namespace: string;
    /**
     * Serve the node protocol here (a public side). Leave out for a private side, which only opens
     * requests itself.
     */
    readonly listen?: { readonly host?: string; readonly port?: number };
    /** The URL other nodes use to reach this one, when a proxy sits in front (default: the server's URL). */
    readonly publicUrl?: string;
    /** Folder for attachments in transit (default: a new temporary folder). */
    readonly spoolDir?: string;
    readonly log: (entry: ConnectorLogEntry) => void;
    readonly tuning?: Partial<EngineTuning>;
    /** Wake on the org's platform events (default true). */
    readonly streaming?: boolean;
    /** Wraps the org adapter (the benchmark's naive baseline turns batching off with it). */
    readonly wrapOrg?: (org: OrgPort) => OrgPort;
}

/** A log line of the engine or the transport. */
export type ConnectorLogEntry = (EngineLogEntry | NodeLogEntry) & { readonly source: 'engine' | 'node' };

export interface RunningConnector {
    readonly engine: SyncEngine;
    readonly org: SalesforceOrgClient;
    /** This node's URL, or `''` on a private side. */
    readonly nodeUrl: string;
    stop(): Promise<void>;
}

/** Starts a connector: signs in to the org, serves (public side), and starts syncing. */
export async function startSalesforceConnector(options: SalesforceConnectorOptions): Promise<RunningConnector> {
    const connection = await connectOrg(options.auth);
    // The identity URL is not metered: it names the connector's own user, whose comments are mirrors.
    const identity = await connection.identity();
    const org = new SalesforceOrgClient({
        connection,
        namespace: options.namespace,
        reconnect: () => reconnectOrg(options.auth)
    });
    await org.refreshApiUsage();
    const spoolDir = options.spoolDir ?? (await mkdtemp(join(tmpdir(), 'exalate-spool-')));

    let server: NodeServer | undefined;
    let nodeUrl = '';
    const engine = new SyncEngine({
        org: options.wrapOrg ? options.wrapOrg(org) : org,
        instanceUrl: connection.instanceUrl,
        // Known once the server listens, which is before the engine starts.
        nodeUrl: () => nodeUrl,
        remoteFactory: (baseUrl, keys) => new NodeClient({ baseUrl, connectionId: keys.connectionId, keys }),
        log: (entry) => options.log({ ...entry, source: 'engine' }),
        spoolDir,
        connectorUserId: identity.user_id,
        tuning: options.tuning,
        streaming: options.streaming
    });
    if (options.listen !== undefined) {
        server = await startNodeServer({
            host: options.listen.host ?? '127.0.0.1',
            port: options.listen.port ?? 0,
            handlers: engine,
            log: (entry) => options.log({ ...entry, source: 'node' })
        });
        nodeUrl = options.publicUrl ?? server.url;
    }
    await engine.start();
    // A running connector lives until stop(). The engine's own timers do not hold the process (so a
    // test can drop an engine), and a private side without wake events has no socket that would: on
    // its own it would exit quietly right after starting.
    const keepAlive = setInterval(() => undefined, 60 * 60_000);
    return {
        engine,
        org,
        nodeUrl,
        stop: async () => {
            clearInterval(keepAlive);
            await engine.stop();
            await server?.close();
        }
    };
}
