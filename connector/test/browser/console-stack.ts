// The whole product on this machine for the browser tests: two emulated Salesforce orgs, a real
// connector for each, and each connector's console (the admin server with the console's browser
// build and its admin API over jsforce). Only the emulators are test infrastructure; the consoles
// hand new connection secrets to the emulated org's ConnectorSecretResource (Apex REST), as they
// do to the package in an org.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { EmulatorUser, JsonObject, SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { startSalesforceConnector } from '../../src/runtime/salesforce-connector.ts';
import type { ConnectorLogEntry, RunningConnector } from '../../src/runtime/salesforce-connector.ts';
import { newAdminToken, startSalesforceConsole } from '../../src/admin/console.ts';
import type { RunningConsole } from '../../src/admin/console.ts';

export interface ConsoleSide {
    readonly name: string;
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    /** The side's connector now (it changes when stopped and started again). */
    readonly connector: RunningConnector;
    readonly console: RunningConsole;
    /** Stops the connector (its node goes away; the console stays). */
    stopConnector(): Promise<void>;
    /** Starts the connector again, on the same port. */
    startConnector(): Promise<void>;
    readonly log: ConnectorLogEntry[];
    /** Cases the agent created, by subject. */
    createCase(subject: string, description?: string, comments?: string[]): { id: string; caseNumber: string };
    records(type: string): JsonObject[];
}

export interface ConsoleStack {
    readonly a: ConsoleSide;
    readonly b: ConsoleSide;
    close(): Promise<void>;
}

async function startSide(
    name: string,
    options: { staticDir: string; listen: boolean; spoolDir: string }
): Promise<ConsoleSide> {
    const org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
    const agent = org.createUser({
        name: `${name} Agent`,
        username: `agent@${name.toLowerCase()}.example`,
        permissionSets: ['Exalate_User']
    });
    const log: ConnectorLogEntry[] = [];
    const auth = { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken } as const;
    const start = (port: number): Promise<RunningConnector> =>
        startSalesforceConnector({
            auth,
            namespace: org.namespacePrefix,
            listen: options.listen ? { host: '127.0.0.1', port } : undefined,
            spoolDir: options.spoolDir,
            log: (entry) => log.push(entry),
            // A delivery that cannot get through fails after its second attempt, within a second.
            tuning: { retryInitialMs: 200, retryMaxMs: 400, maxAttempts: 2, pollWaitSeconds: 5 }
        });
    let connector: RunningConnector | undefined;
    let stopped = false;
    try {
        connector = await start(0);
        const port = options.listen ? Number(new URL(connector.nodeUrl).port) : 0;
        const running = await startSalesforceConsole({
            auth,
            namespace: org.namespacePrefix,
            budget: connector.org.budget,
            token: newAdminToken(),
            instanceName: name,
            staticDir: options.staticDir
        });
        return {
            name,
            org,
            agent,
            get connector(): RunningConnector {
                return connector!;
            },
            console: running,
            log,
            stopConnector: async () => {
                if (!stopped) {
                    stopped = true;
                    await connector!.stop();
                }
            },
            startConnector: async () => {
                connector = await start(port);
                stopped = false;
            },
            createCase: (subject, description = '', comments = []) => {
                const [id] = org.insertAs(agent.id, 'Case', [
                    { Subject: subject, Description: description, Status: 'New', Origin: 'Web' }
                ]);
                if (comments.length > 0) {
                    org.insertAs(
                        agent.id,
                        'CaseComment',
                        comments.map((body) => ({ ParentId: id, CommentBody: body, IsPublished: true }))
                    );
                }
                const created = org.records('Case').find((row) => row.Id === id);
                return { id, caseNumber: created?.CaseNumber as string };
            },
            records: (type) => org.records(type)
        };
    } catch (error) {
        await connector?.stop();
        await org.close();
        throw error;
    }
}

/** Starts both sides (B private when asked: its connector serves nothing and long-polls A). */
export async function startConsoleStack(options: { staticDir: string; privateB?: boolean }): Promise<ConsoleStack> {
    const spool = await mkdtemp(join(tmpdir(), 'exalate-console-stack-'));
    const a = await startSide('SalesforceA', {
        staticDir: options.staticDir,
        listen: true,
        spoolDir: join(spool, 'a')
    });
    let b: ConsoleSide;
    try {
        b = await startSide('SalesforceB', {
            staticDir: options.staticDir,
            listen: options.privateB !== true,
            spoolDir: join(spool, 'b')
        });
    } catch (error) {
        await Promise.allSettled([a.console.close(), a.stopConnector()]);
        await a.org.close();
        throw error;
    }
    return {
        a,
        b,
        close: async () => {
            await Promise.allSettled([a.console.close(), b.console.close()]);
            await Promise.allSettled([a, b].map((side) => side.stopConnector()));
            await Promise.allSettled([a.org.close(), b.org.close()]);
            await rm(spool, { recursive: true, force: true });
        }
    };
}
