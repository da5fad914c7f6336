// An emulated Salesforce org and an emulated ServiceNow instance (test infrastructure), each with its
// real connector (servicenow-stack.ts, nothing connected), and each connector's console: the
// Salesforce console's admin API over jsforce (new connection secrets go to the org's
// ConnectorSecretResource), the ServiceNow console's over the node's store. The browser tests
// connect them through the two consoles.
import { newAdminToken, startSalesforceConsole, startServiceNowConsole } from '../../src/admin/console.ts';
import type { RunningConsole } from '../../src/admin/console.ts';
import { startServiceNowStack } from '../../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack } from '../../emulators/scenario/servicenow-stack.ts';

export interface ServiceNowConsoleStack {
    readonly stack: ServiceNowStack;
    readonly sfConsole: RunningConsole;
    readonly snConsole: RunningConsole;
    /** The console's link opening a record page (`?c__recordId=`) for this id. */
    recordPage(console: RunningConsole, recordId: string): string;
    /** A Case created by the org's agent, with a public comment. */
    createCase(subject: string, description: string): { id: string; caseNumber: string };
    /** An incident created by the instance's agent. */
    createIncident(shortDescription: string, description: string): { sysId: string; number: string };
    /** The last log lines of both connectors, for a failure message. */
    logTail(): string;
    close(): Promise<void>;
}

export async function startServiceNowConsoleStack(options: {
    readonly staticDir: string;
    readonly initiator: 'salesforce' | 'servicenow';
    /** The destination of the invitation has no URL: its connector serves nothing and long-polls. */
    readonly privateDestination?: boolean;
}): Promise<ServiceNowConsoleStack> {
    const privateSide =
        options.privateDestination === true
            ? options.initiator === 'salesforce'
                ? 'servicenow'
                : 'salesforce'
            : undefined;
    const stack = await startServiceNowStack({
        initiator: options.initiator,
        privateSide,
        connect: false,
        // A delivery that cannot get through fails after its second attempt, within a second.
        tuning: { retryInitialMs: 200, retryMaxMs: 400, maxAttempts: 2, pollWaitSeconds: 5 }
    });
    const consoles: RunningConsole[] = [];
    try {
        const { org } = stack.sf;
        consoles.push(
            await startSalesforceConsole({
                auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
                namespace: org.namespacePrefix,
                budget: stack.sf.connector.org.budget,
                token: newAdminToken(),
                instanceName: 'Salesforce',
                staticDir: options.staticDir
            })
        );
        consoles.push(
            await startServiceNowConsole({
                store: stack.sn.connector.store,
                api: stack.sn.connector.api,
                instanceUrl: stack.sn.instance.url,
                token: newAdminToken(),
                instanceName: 'ServiceNow',
                staticDir: options.staticDir
            })
        );
    } catch (error) {
        await Promise.allSettled(consoles.map((running) => running.close()));
        await stack.close();
        throw error;
    }
    const [sfConsole, snConsole] = consoles;
    return {
        stack,
        sfConsole,
        snConsole,
        recordPage: (running, recordId) =>
            `${running.url}?c__recordId=${encodeURIComponent(recordId)}#token=${running.link.split('#token=')[1]}`,
        createCase: (subject, description) => {
            const { org, agent } = stack.sf;
            const [id] = org.insertAs(agent.id, 'Case', [
                { Subject: subject, Description: description, Status: 'New', Origin: 'Web' }
            ]);
            org.insertAs(agent.id, 'CaseComment', [
                { ParentId: id, CommentBody: 'Reproduced with a second account.', IsPublished: true }
            ]);
            const created = org.records('Case').find((row) => row.Id === id);
            return { id, caseNumber: created?.CaseNumber as string };
        },
        createIncident: (shortDescription, description) => {
            const { instance } = stack.sn;
            const created = instance.createIncidentAs(instance.agent.userName, {
                short_description: shortDescription,
                description
            });
            return { sysId: String(created.record.sys_id), number: String(created.record.number) };
        },
        logTail: () =>
            [
                ...stack.sf.log.map((e) => `Salesforce ${e.level} ${e.event}: ${e.message}`),
                ...stack.sn.log.map((e) => `ServiceNow ${e.level} ${e.event}: ${e.message}`)
            ]
                .slice(-15)
                .join('\n'),
        close: async () => {
            await Promise.allSettled(consoles.map((running) => running.close()));
            await stack.close();
        }
    };
}
