// An emulated Salesforce org and an emulated ServiceNow instance, each with its connector, connected
// through an invitation code as their admins would connect them: from either side, public-public or
// with one side private. The ServiceNow end-to-end tests and the demo stand on this.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../salesforce/index.ts';
import { startServiceNowEmulator } from '../servicenow/index.ts';
import type { ServiceNowEmulator } from '../servicenow/index.ts';
import type { EngineTuning } from '../../src/engine/context.ts';
import { startSalesforceConnector } from '../../src/runtime/salesforce-connector.ts';
import type { ConnectorLogEntry, RunningConnector } from '../../src/runtime/salesforce-connector.ts';
import { startServiceNowConnector } from '../../src/runtime/servicenow-connector.ts';
import type { RunningServiceNowConnector } from '../../src/runtime/servicenow-connector.ts';
import { ServiceNowConsole } from '../../src/servicenow/console/console.ts';
import { RestIncidentApi } from '../../src/servicenow/rest/index.ts';
import { acceptInvitation, initiateConnection } from './console-actions.ts';
import { eventually } from './two-org-stack.ts';

export interface ServiceNowStackOptions {
    /** Who creates the invitation. */
    readonly initiator: 'salesforce' | 'servicenow';
    /** The side that serves nothing and long-polls the other (the destination of the invitation). */
    readonly privateSide?: 'salesforce' | 'servicenow';
    readonly tuning?: Partial<EngineTuning>;
    /** Leave the two sides unconnected (the test connects them itself). */
    readonly connect?: boolean;
    /** How often the ServiceNow node reads the instance's changes, default 100 ms. */
    readonly feedIntervalMs?: number;
}

export interface SalesforceEnd {
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    connector: RunningConnector;
    connectionId: string;
    readonly log: ConnectorLogEntry[];
}

export interface ServiceNowEnd {
    readonly instance: ServiceNowEmulator;
    connector: RunningServiceNowConnector;
    /** The admin's console over the node's store (and the instance, for sync by number). */
    console: ServiceNowConsole;
    connectionId: string;
    readonly storePath: string;
    readonly log: ConnectorLogEntry[];
    /** Stops the node and starts it again on the same store (and port, when public). */
    restart(): Promise<void>;
}

export interface ServiceNowStack {
    readonly sf: SalesforceEnd;
    readonly sn: ServiceNowEnd;
    close(): Promise<void>;
}

const FAST_TUNING: Partial<EngineTuning> = { retryInitialMs: 200, pollWaitSeconds: 5 };

/** Starts both sides and connects them as the options say; resolves once the connection is Active on both. */
export async function startServiceNowStack(options: ServiceNowStackOptions): Promise<ServiceNowStack> {
    const dir = await mkdtemp(join(tmpdir(), 'exalate-sn-stack-'));
    const org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
    const instance = await startServiceNowEmulator();
    const agent = org.createUser({
        name: 'Alice Agent',
        username: 'alice@a.example',
        permissionSets: ['Exalate_User']
    });
    const tuning = { ...FAST_TUNING, ...options.tuning };

    const sfLog: ConnectorLogEntry[] = [];
    const sfConnector = await startSalesforceConnector({
        auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
        namespace: org.namespacePrefix,
        listen: options.privateSide === 'salesforce' ? undefined : { host: '127.0.0.1', port: 0 },
        spoolDir: join(dir, 'sf-spool'),
        log: (entry) => sfLog.push(entry),
        tuning
    });

    const snLog: ConnectorLogEntry[] = [];
    const storePath = join(dir, 'servicenow.db');
    const auth = {
        kind: 'basic',
        userName: instance.serviceAccount.userName,
        password: instance.serviceAccount.password
    } as const;
    const startNode = (port?: number): Promise<RunningServiceNowConnector> =>
        startServiceNowConnector({
            storePath,
            instanceUrl: instance.url,
            auth,
            listen: options.privateSide === 'servicenow' ? undefined : { host: '127.0.0.1', port: port ?? 0 },
            spoolDir: join(dir, 'sn-spool'),
            log: (entry) => snLog.push(entry),
            tuning,
            feed: { intervalMs: options.feedIntervalMs ?? 100, settleMs: 0 },
            wakeCheckMs: 50
        });
    const consoleOf = (connector: RunningServiceNowConnector): ServiceNowConsole =>
        new ServiceNowConsole({
            store: connector.store,
            api: new RestIncidentApi({ instanceUrl: instance.url, auth })
        });
    const snConnector = await startNode();
    const sf: SalesforceEnd = { org, agent, connector: sfConnector, connectionId: '', log: sfLog };
    const sn: ServiceNowEnd = {
        instance,
        connector: snConnector,
        console: consoleOf(snConnector),
        connectionId: '',
        storePath,
        log: snLog,
        restart: async () => {
            const port = sn.connector.nodeUrl === '' ? undefined : Number(new URL(sn.connector.nodeUrl).port);
            await sn.connector.stop();
            sn.connector = await startNode(port);
            sn.console = consoleOf(sn.connector);
        }
    };

    const close = async (): Promise<void> => {
        await Promise.allSettled([sf.connector.stop(), sn.connector.stop()]);
        await Promise.allSettled([org.close(), instance.close()]);
        await rm(dir, { recursive: true, force: true });
    };
    if (options.connect === false) {
        return { sf, sn, close };
    }
    try {
        if (options.initiator === 'salesforce') {
            const initiated = initiateConnection(org, {
                connectionName: 'Salesforce_to_ServiceNow',
                localInstance: 'Salesforce',
                remoteInstance: 'ServiceNow',
                nodeUrl: sfConnector.nodeUrl,
                destinationUrl: options.privateSide === 'servicenow' ? '' : snConnector.nodeUrl
            });
            org.updateAs(org.connectorUser.id, 'Sync_Connection__c', [
                { Id: initiated.connectionId, Remote_Platform__c: 'ServiceNow' }
            ]);
            sf.connectionId = initiated.connectionId;
            // The other admin pastes the code once the initiating node has read the new invitation.
            await eventually('the Salesforce connector knows the invitation', () =>
                sf.connector.engine.connections.some((live) => live.record.id === initiated.connectionId)
            );
            sn.connectionId = sn.console.accept(initiated.code).id;
        } else {
            const initiated = sn.console.initiate({
                destinationUrl: options.privateSide === 'salesforce' ? undefined : sfConnector.nodeUrl,
                localInstance: 'ServiceNow',
                remoteInstance: 'Salesforce',
                connectionName: 'ServiceNow_to_Salesforce'
            });
            sn.connectionId = initiated.connection.id;
            await eventually('the ServiceNow node knows the invitation', () =>
                sn.connector.engine.connections.some((live) => live.record.id === initiated.connection.id)
            );
            sf.connectionId = acceptInvitation(org, initiated.code);
        }
        await eventually('the connection is Active on both sides', () => {
            const sfRecord = org.records('Sync_Connection__c').find((row) => row.Id === sf.connectionId);
            const snRecord = sn.connector.store.findConnection(sn.connectionId);
            return sfRecord?.Status__c === 'Active' && snRecord?.status === 'Active';
        });
    } catch (error) {
        // Nothing is left running when the stack cannot start; the logs say why.
        await close();
        const lines = [
            ...sfLog.map((e) => `Salesforce ${e.level} ${e.event}: ${e.message}`),
            ...snLog.map((e) => `ServiceNow ${e.level} ${e.event}: ${e.message}`)
        ];
        throw new Error(`${(error as Error).message}\n${lines.slice(-20).join('\n')}`, { cause: error });
    }
    return {
        sf,
        sn,
        close
    };
}
