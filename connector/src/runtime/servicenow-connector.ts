// A running connector for one ServiceNow instance: the side's store (SQLite), the REST adapter, the
// shared sync engine over the side's OrgPort, and (on a public side) the node server, wired together.
// The CLI, the demo and the tests start ServiceNow connectors through this function.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeClient } from '../node/client.ts';
import { startNodeServer } from '../node/server.ts';
import type { NodeServer } from '../node/server.ts';
import type { EngineTuning } from '../engine/context.ts';
import { SyncEngine } from '../engine/sync-engine.ts';
import type { IncidentApi } from '../servicenow/incident-api.ts';
import { RestIncidentApi } from '../servicenow/rest/index.ts';
import type { ServiceNowAuth } from '../servicenow/rest/index.ts';
import { ServiceNowSide } from '../servicenow/engine/servicenow-side.ts';
import type { ChangeFeedOptions } from '../servicenow/engine/change-feed.ts';
import { incidentLinkRewriter, serviceNowHandlers, serviceNowRemote } from '../servicenow/engine/incident-links.ts';
import { ServiceNowStore } from '../servicenow/store/servicenow-store.ts';
import { SETTING_NODE_URL } from '../servicenow/console/console.ts';
import type { ConnectorLogEntry } from './salesforce-connector.ts';

export type { ConnectorLogEntry } from './salesforce-connector.ts';

/** The instance URL, written for the console next to the node URL. */
export const SETTING_INSTANCE_URL = 'instance_url';

/** How to run a connector for a ServiceNow instance. */
export interface ServiceNowConnectorOptions {
    /** The store file (created when missing). */
    readonly storePath: string;
    readonly instanceUrl: string;
    readonly auth: ServiceNowAuth;
    /** Serve the node protocol here (a public side); leave out for a private side. */
    readonly listen?: { readonly host?: string; readonly port?: number };
    /** The URL other nodes use to reach this one, when a proxy sits in front (default: the server's URL). */
    readonly publicUrl?: string;
    /** Folder for attachments in transit (default: a new temporary folder). */
    readonly spoolDir?: string;
    readonly log: (entry: ConnectorLogEntry) => void;
    readonly tuning?: Partial<EngineTuning>;
    /** Change detection: how often the instance is read (default 5 s), settle time, page size. */
    readonly feed?: Partial<Pick<ChangeFeedOptions, 'intervalMs' | 'settleMs' | 'pageLimit'>>;
    /** How often the store's wake counter is read (default 250 ms). */
    readonly wakeCheckMs?: number;
    /** Replaces the REST adapter (the benchmark counts calls with it). */
    readonly api?: IncidentApi;
}

export interface RunningServiceNowConnector {
    readonly engine: SyncEngine;
    readonly side: ServiceNowSide;
    readonly store: ServiceNowStore;
    /** The node's REST client of the instance (the console finds incidents through it, counted with the node's calls). */
    readonly api: IncidentApi;
    readonly instanceUrl: string;
    /** This node's URL, or `''` on a private side. */
    readonly nodeUrl: string;
    stop(): Promise<void>;
}

/** Starts a ServiceNow connector: opens the store, serves (public side), and starts syncing. */
export async function startServiceNowConnector(
    options: ServiceNowConnectorOptions
): Promise<RunningServiceNowConnector> {
    const store = ServiceNowStore.open(options.storePath);
    try {
        const api = options.api ?? new RestIncidentApi({ instanceUrl: options.instanceUrl, auth: options.auth });
        const log = options.log;
        const side = new ServiceNowSide({
            store,
            api,
            log: (entry) => log({ ...entry, source: 'engine' }),
            feed: options.feed,
            wakeCheckMs: options.wakeCheckMs
        });
        const spoolDir = options.spoolDir ?? (await mkdtemp(join(tmpdir(), 'exalate-spool-')));
        const rewrite = incidentLinkRewriter(options.instanceUrl);
        let nodeUrl = '';
        const engine = new SyncEngine({
            org: side,
            instanceUrl: options.instanceUrl,
            nodeUrl: () => nodeUrl,
            remoteFactory: (baseUrl, keys) =>
                serviceNowRemote(new NodeClient({ baseUrl, connectionId: keys.connectionId, keys }), rewrite),
            log: (entry) => log({ ...entry, source: 'engine' }),
            spoolDir,
            connectorUserId: api.userName,
            tuning: options.tuning
        });
        let server: NodeServer | undefined;
        if (options.listen !== undefined) {
            server = await startNodeServer({
                host: options.listen.host ?? '127.0.0.1',
                port: options.listen.port ?? 0,
                handlers: serviceNowHandlers(engine, rewrite),
                log: (entry) => log({ ...entry, source: 'node' })
            });
            nodeUrl = options.publicUrl ?? server.url;
        }
        store.transaction(() => {
            store.writeSetting(SETTING_NODE_URL, nodeUrl);
            store.writeSetting(SETTING_INSTANCE_URL, options.instanceUrl);
        });
        await engine.start();
        return {
            engine,
            side,
            store,
            api,
            instanceUrl: options.instanceUrl,
            nodeUrl,
            stop: async () => {
                await engine.stop();
                await server?.close();
                store.close();
            }
        };
    } catch (error) {
        store.close();
        throw error;
    }
}
