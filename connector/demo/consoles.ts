// `npm run demo -- --consoles`: the whole product on this machine, for a person to click through.
// An emulated Salesforce org with support Cases and an emulated ServiceNow instance with incidents,
// the connector of each, and each connector's console in the browser (the console outside
// Salesforce, served by the connector's admin API, as `--console-port N` serves it on either
// side). Nothing is connected in advance: the newcomer initiates a connection in the Salesforce
// console, accepts its code in the ServiceNow console and syncs a first incident by its number,
// then a Case the other way. With --two-orgs, two emulated Salesforce orgs instead. Runs until
// Ctrl-C.
//
//   npm run demo -- --consoles [--private] [--two-orgs]
//
//   --private   the destination has no URL: the ServiceNow node (SalesforceB with --two-orgs)
//               serves nothing and long-polls the Salesforce connector
//   --two-orgs  two Salesforce orgs, SalesforceA and SalesforceB
//
// The org is the Salesforce API emulator and the instance the ServiceNow Table API emulator (test
// infrastructure, connector/emulators/); the org also serves the package's connection-secret
// resource that the admin API hands new secrets to.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { CONSOLE_BUILD_DIR, startSalesforceConsole, startServiceNowConsole } from '../src/admin/console.ts';
import type { RunningConsole } from '../src/admin/console.ts';
import { startSalesforceConnector } from '../src/runtime/salesforce-connector.ts';
import type { ConnectorLogEntry, RunningConnector } from '../src/runtime/salesforce-connector.ts';
import { consoleBundle } from '../test/browser/bundle.ts';
import { textOf } from '../emulators/scenario/two-org-stack.ts';
import { startServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import { printer, untilStopped } from './output.ts';
import type { Out } from './output.ts';

export interface ConsolesDemoOptions {
    readonly out: Out;
    /** The destination is private: its connector serves nothing and long-polls the Salesforce connector. */
    readonly privateB?: boolean;
    /** Two Salesforce orgs instead of an org and a ServiceNow instance. */
    readonly twoOrgs?: boolean;
    /** Resolves when the demo should stop (default: the first SIGINT or SIGTERM). */
    readonly stop?: Promise<unknown>;
}

interface ConsoleSide {
    readonly name: string;
    readonly org: SalesforceEmulator;
    readonly agent: EmulatorUser;
    readonly connector: RunningConnector;
    readonly console: RunningConsole;
    readonly log: ConnectorLogEntry[];
}

interface SeedCase {
    readonly subject: string;
    readonly description: string;
    readonly comments: string[];
}

const SEED_A: SeedCase[] = [
    {
        subject: 'Checkout returns 502 Bad Gateway for EU customers',
        description:
            'Since 09:40 CET customers in Germany and Austria get "502 Bad Gateway" when they press Pay. The US storefront is not affected.',
        comments: [
            'Reproduced from Frankfurt with a test card: order 88213 failed at 09:52, no charge was taken.',
            'Told the customer we are on it and will update them within the hour.'
        ]
    },
    {
        subject: 'Password reset email never arrives',
        description: 'Customer jana.novak@example.com has asked for a password reset four times since yesterday.',
        comments: ['The mail log shows messages to example.com deferred with "421 try again later".']
    },
    {
        subject: 'Invoice PDF shows 19% VAT instead of 20% for Austria',
        description: 'Invoices for Austrian customers issued since 1 March show German VAT. Totals are right.',
        comments: ['Affects invoices INV-2024-0311 to INV-2024-0398.']
    }
];

const SEED_B: SeedCase[] = [
    {
        subject: 'Warehouse scanner app crashes when a parcel has two labels',
        description:
            'The handheld app in the Lyon warehouse closes itself when it reads a parcel with two shipping labels.',
        comments: ['Happens on every handheld since the update of 3 March.', 'Workaround: cover the old label.']
    },
    {
        subject: 'Delivery dates shown one day late in the order confirmation',
        description: 'Order confirmations say Thursday for parcels the carrier delivers on Wednesday.',
        comments: ['Only orders placed after 18:00 are affected.']
    }
];

async function startSide(
    name: string,
    agentName: string,
    options: { listen: boolean; spoolDir: string; staticDir: string }
): Promise<ConsoleSide> {
    const org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
    let connector: RunningConnector | undefined;
    try {
        const agent = org.createUser({
            name: agentName,
            username: `${agentName.split(' ')[0].toLowerCase()}@${name.toLowerCase()}.example`,
            permissionSets: ['Exalate_User']
        });
        const log: ConnectorLogEntry[] = [];
        const auth = {
            kind: 'token',
            instanceUrl: org.instanceUrl,
            accessToken: org.connectorUser.accessToken
        } as const;
        connector = await startSalesforceConnector({
            auth,
            namespace: org.namespacePrefix,
            listen: options.listen ? { host: '127.0.0.1', port: 0 } : undefined,
            spoolDir: options.spoolDir,
            log: (entry) => log.push(entry)
        });
        // As `--console-port 0` does: the connector's own sign-in, its API budget, a new admin token,
        // and the package's Apex REST resource for connection secrets.
        const running = await startSalesforceConsole({
            auth,
            namespace: org.namespacePrefix,
            budget: connector.org.budget,
            host: '127.0.0.1',
            port: 0,
            instanceName: name,
            staticDir: options.staticDir
        });
        return { name, org, agent, connector, console: running, log };
    } catch (error) {
        await connector?.stop();
        await org.close();
        throw error;
    }
}

function seed(side: ConsoleSide, cases: SeedCase[]): string[] {
    return cases.map((item) => {
        const [id] = side.org.insertAs(side.agent.id, 'Case', [
            { Subject: item.subject, Description: item.description, Status: 'New', Origin: 'Web' }
        ]);
        side.org.insertAs(
            side.agent.id,
            'CaseComment',
            item.comments.map((body) => ({ ParentId: id, CommentBody: body, IsPublished: true }))
        );
        const created = side.org.records('Case').find((row) => row.Id === id);
        return `${textOf(created, 'CaseNumber')}  ${item.subject}`;
    });
}

/** What changed in the org's connections and twins since the last look, as lines to print. */
function watcher(side: ConsoleSide): () => string[] {
    const known = new Map<string, string>();
    return () => {
        const lines: string[] = [];
        for (const row of side.org.records('Sync_Connection__c')) {
            const state = textOf(row, 'Status__c');
            if (known.get(textOf(row, 'Id')) !== state) {
                known.set(textOf(row, 'Id'), state);
                lines.push(`${side.name}: connection ${textOf(row, 'Name')} is ${state}.`);
            }
        }
        for (const twin of side.org.records('Sync_Twin__c')) {
            const state = textOf(twin, 'Sync_Status__c');
            if (known.get(textOf(twin, 'Id')) !== state) {
                known.set(textOf(twin, 'Id'), state);
                const local = side.org.records('Case').find((row) => row.Id === twin.Case__c);
                lines.push(
                    `${side.name}: Case ${textOf(local, 'CaseNumber')} ${state}` +
                        (twin.Remote_Key__c ? ` (the other side's Case ${textOf(twin, 'Remote_Key__c')})` : '') +
                        '.'
                );
            }
        }
        return lines;
    };
}

export function runConsolesDemo(options: ConsolesDemoOptions): Promise<void> {
    return options.twoOrgs === true ? runTwoOrgConsolesDemo(options) : runServiceNowConsolesDemo(options);
}

async function runTwoOrgConsolesDemo(options: ConsolesDemoOptions): Promise<void> {
    const { say, section } = printer(options.out, 3);
    const privateB = options.privateB === true;
    const stop = options.stop ?? untilStopped();
    say('Exalate Native demo: the console in your browser, one per side (two Salesforce orgs)');
    say(
        `SalesforceB: ${privateB ? 'private (no URL: its connector serves nothing and long-polls SalesforceA)' : 'public'}`
    );

    const staticDir = await prepareConsole(say, section);

    section('Starting two emulated orgs, their connectors and their consoles');
    say('  The orgs are the Salesforce API emulator (test infrastructure, not Salesforce). The connectors');
    say("  and the consoles are the product: each console calls its connector's admin API, which reaches");
    say('  the org through its REST API, as in a real org.');
    say();
    const spool = await mkdtemp(join(tmpdir(), 'exalate-consoles-demo-'));
    const sides: ConsoleSide[] = [];
    try {
        sides.push(
            await startSide('SalesforceA', 'Alice Moreau', { listen: true, spoolDir: join(spool, 'a'), staticDir })
        );
        sides.push(
            await startSide('SalesforceB', 'Bob Keller', { listen: !privateB, spoolDir: join(spool, 'b'), staticDir })
        );
        const [a, b] = sides;
        for (const [side, cases] of [
            [a, SEED_A],
            [b, SEED_B]
        ] as const) {
            say(`  ${side.name}`);
            say(`    org (emulated)     ${side.org.instanceUrl}`);
            say(
                `    connector node     ${side.connector.nodeUrl === '' ? '(none: private, serves nothing)' : side.connector.nodeUrl}`
            );
            say(`    support Cases:`);
            for (const line of seed(side, [...cases])) {
                say(`      ${line}`);
            }
        }

        section('Open the two consoles (Ctrl-C stops everything)');
        say(`  Console A (SalesforceA)   ${a.console.link}`);
        say(`  Console B (SalesforceB)   ${b.console.link}`);
        say();
        say('  Each link carries its console\'s admin token after "#token=": whoever has it is an admin of');
        say("  that side. The page moves it into the tab's session storage.");
        say();
        say('  What to click:');
        say('   1. Console A: Initiate connection.');
        if (privateB) {
            say("      Destination: I don't have a URL (SalesforceB is private). Next; Basic; Next.");
        } else {
            const destination = b.connector.nodeUrl.replace('127.0.0.1', 'localhost');
            say(`      Destination instance URL: ${destination}  (on one machine, name the other side localhost)`);
            say("      Next; Basic; Next; No, I don't have admin access; Next.");
        }
        say('      Remote instance short name: SalesforceB; platform: Salesforce;');
        say(`      This side's Exalate node URL: ${a.connector.nodeUrl}. Initiate, then copy the invitation code.`);
        say('   2. Console B: Accept invitation, paste the code, Check, Confirm. Both consoles show the');
        say('      connection Active.');
        say(`   3. Still in console B, Sync your first case: Case number ${seedNumber(b)}, Exalate, and watch it`);
        say('      go Preparing, Sending (or Waiting for remote), Finalizing, Synchronized. It arrives in');
        say('      SalesforceA; open console A to sync one of its Cases the other way.');
        say();
        say('  What happens in the orgs is printed below as it happens.');
        say();
        const watchers = sides.map(watcher);
        const reported = new Set<ConnectorLogEntry>();
        const report = (): void => {
            for (const watch of watchers) {
                for (const line of watch()) {
                    say(`  ${new Date().toISOString().slice(11, 19)}  ${line}`);
                }
            }
            for (const side of sides) {
                for (const entry of side.log.filter((item) => item.level !== 'info' && !reported.has(item))) {
                    reported.add(entry);
                    say(`  ${side.name} connector ${entry.level}: ${entry.event}: ${entry.message}`);
                }
            }
        };
        const timer = setInterval(report, 500);
        try {
            await stop;
        } finally {
            clearInterval(timer);
        }
        say();
        say('  Stopping...');
    } finally {
        await Promise.allSettled(sides.map((side) => side.console.close()));
        await Promise.allSettled(sides.map((side) => side.connector.stop()));
        await Promise.allSettled(sides.map((side) => side.org.close()));
        await rm(spool, { recursive: true, force: true });
    }
    say('  Consoles, connectors and emulated orgs stopped.');
}

/** The number of the side's first Case. */
function seedNumber(side: ConsoleSide): string {
    const [first] = side.org.records('Case');
    return textOf(first, 'CaseNumber');
}

// ---------------------------------------------------------------------------------------------
// Salesforce and ServiceNow

const SEED_INCIDENTS: { shortDescription: string; description: string; comments: string[] }[] = [
    {
        shortDescription: 'Email delivery to the finance team delayed by two hours',
        description: 'Messages to finance@acme.example arrive about two hours late since the mail relay was patched.',
        comments: ['The relay queue holds 4,000 messages; the spam filter scans each one twice.']
    },
    {
        shortDescription: 'VPN drops every 20 minutes in the Lyon office',
        description: 'Only on the office network; home connections are stable.',
        comments: ['Firewall logs show the tunnel renegotiating at each drop.']
    },
    {
        shortDescription: 'Printer on floor 3 prints blank pages',
        description: 'Jobs from the accounting application come out blank; jobs from the browser print fine.',
        comments: []
    }
];

/** What changed in the org's and the node's connections and twins since the last look, as lines. */
function serviceNowWatcher(stack: ServiceNowStack): () => string[] {
    const known = new Map<string, string>();
    const changed = (key: string, state: string): boolean => {
        if (known.get(key) === state) {
            return false;
        }
        known.set(key, state);
        return true;
    };
    return () => {
        const lines: string[] = [];
        const { org } = stack.sf;
        for (const row of org.records('Sync_Connection__c')) {
            const state = textOf(row, 'Status__c');
            if (changed(`sf:${textOf(row, 'Id')}`, state)) {
                lines.push(`Salesforce: connection ${textOf(row, 'Name')} is ${state}.`);
            }
        }
        for (const twin of org.records('Sync_Twin__c')) {
            const state = textOf(twin, 'Sync_Status__c');
            if (changed(`sf:${textOf(twin, 'Id')}`, state)) {
                const local = org.records('Case').find((row) => row.Id === twin.Case__c);
                lines.push(
                    `Salesforce: Case ${textOf(local, 'CaseNumber')} ${state}` +
                        (twin.Remote_Key__c ? ` (incident ${textOf(twin, 'Remote_Key__c')})` : '') +
                        '.'
                );
            }
        }
        const store = stack.sn.connector.store;
        for (const connection of store.readConnections()) {
            if (changed(`sn:${connection.id}`, connection.status ?? '')) {
                lines.push(`ServiceNow: connection ${connection.name} is ${connection.status ?? ''}.`);
            }
        }
        for (const twin of store.readTwins()) {
            if (changed(`sn:${twin.id}`, twin.syncStatus ?? '')) {
                const incident = twin.caseId === null ? undefined : stack.sn.instance.incident(twin.caseId);
                lines.push(
                    `ServiceNow: incident ${String(incident?.record.number ?? twin.caseId)} ${twin.syncStatus ?? ''}` +
                        (twin.remoteKey ? ` (Case ${twin.remoteKey})` : '') +
                        '.'
                );
            }
        }
        return lines;
    };
}

async function runServiceNowConsolesDemo(options: ConsolesDemoOptions): Promise<void> {
    const { say, section } = printer(options.out, 3);
    const privateNode = options.privateB === true;
    const stop = options.stop ?? untilStopped();
    say('Exalate Native demo: the console in your browser, one per side (Salesforce and ServiceNow)');
    say(
        `ServiceNow node: ${privateNode ? 'private (no URL: it serves nothing and long-polls the Salesforce connector)' : 'public'}`
    );

    const staticDir = await prepareConsole(say, section);

    section('Starting an emulated org and ServiceNow instance, their connectors and their consoles');
    say('  The org is the Salesforce API emulator and the instance the ServiceNow Table API emulator (test');
    say('  infrastructure, not Salesforce nor ServiceNow). The connectors and the consoles are the product:');
    say("  the Salesforce console calls its connector's admin API, which reaches the org through its REST");
    say("  API; the ServiceNow console calls the node's admin API, which works on the node's store.");
    say();
    const stack = await startServiceNowStack({
        initiator: 'salesforce',
        privateSide: privateNode ? 'servicenow' : undefined,
        connect: false,
        // The node reads the instance every second, as `npm run demo -- --servicenow` does.
        feedIntervalMs: 1_000
    });
    const consoles: RunningConsole[] = [];
    try {
        const { org, agent } = stack.sf;
        consoles.push(
            await startSalesforceConsole({
                auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
                namespace: org.namespacePrefix,
                budget: stack.sf.connector.org.budget,
                host: '127.0.0.1',
                port: 0,
                instanceName: 'Salesforce',
                staticDir
            })
        );
        consoles.push(
            await startServiceNowConsole({
                store: stack.sn.connector.store,
                api: stack.sn.connector.api,
                instanceUrl: stack.sn.instance.url,
                host: '127.0.0.1',
                port: 0,
                instanceName: 'ServiceNow',
                staticDir
            })
        );
        const [sfConsole, snConsole] = consoles;

        const cases = seed(
            { name: 'Salesforce', org, agent, connector: stack.sf.connector, console: sfConsole, log: stack.sf.log },
            SEED_A
        );
        const { instance } = stack.sn;
        const incidents = SEED_INCIDENTS.map((item) => {
            const created = instance.createIncidentAs(instance.agent.userName, {
                short_description: item.shortDescription,
                description: item.description
            });
            for (const comment of item.comments) {
                instance.addCommentAs(instance.agent.userName, String(created.record.sys_id), comment);
            }
            return {
                number: String(created.record.number),
                sysId: String(created.record.sys_id),
                line: `${String(created.record.number)}  ${item.shortDescription}`
            };
        });
        say('  Salesforce');
        say(`    org (emulated)          ${org.instanceUrl}`);
        say(`    connector node          ${stack.sf.connector.nodeUrl}`);
        say('    support Cases:');
        for (const line of cases) {
            say(`      ${line}`);
        }
        say('  ServiceNow');
        say(`    instance (emulated)     ${instance.url}`);
        say(
            `    node                    ${stack.sn.connector.nodeUrl === '' ? '(none: private, serves nothing)' : stack.sn.connector.nodeUrl}`
        );
        say('    incidents:');
        for (const incident of incidents) {
            say(`      ${incident.line}`);
        }

        section('Open the two consoles (Ctrl-C stops everything)');
        say(`  Salesforce console   ${sfConsole.link}`);
        say(`  ServiceNow console   ${snConsole.link}`);
        say();
        say('  Each link carries its console\'s admin token after "#token=": whoever has it is an admin of');
        say("  that side. The page moves it into the tab's session storage.");
        say();
        say('  What to click:');
        say('   1. Salesforce console: Initiate connection.');
        if (privateNode) {
            say("      Destination: I don't have a URL (the ServiceNow node is private). Next; Basic; Next.");
        } else {
            const destination = stack.sn.connector.nodeUrl.replace('127.0.0.1', 'localhost');
            say(`      Destination instance URL: ${destination}  (on one machine, name the other side localhost)`);
            say("      Next; Basic; Next; No, I don't have admin access; Next.");
        }
        say('      Remote instance short name: ServiceNow; platform: ServiceNow;');
        say(
            `      This side's Exalate node URL: ${stack.sf.connector.nodeUrl}. Initiate, then copy the invitation code.`
        );
        say('   2. ServiceNow console: Accept invitation, paste the code, Check, Confirm. Both consoles show');
        say('      the connection Active.');
        say(
            `   3. Still in the ServiceNow console, Sync your first case: enter the incident number ${incidents[0].number}`
        );
        say('      (the field is labelled Case number), Exalate, and watch it go Preparing, Sending (or Waiting');
        say('      for remote), Finalizing, Synchronized. It arrives in Salesforce as a Case.');
        const [firstCase] = org.records('Case');
        say(
            `   4. The other way: Case ${textOf(firstCase, 'CaseNumber')}'s page in the Salesforce console, click Exalate:`
        );
        say(
            `      ${sfConsole.url}?c__recordId=${textOf(firstCase, 'Id')}#token=${sfConsole.link.split('#token=')[1]}`
        );
        say(`      and an incident's page in the ServiceNow console (${incidents[1].number}), Exalate:`);
        say(`      ${snConsole.url}?c__recordId=${incidents[1].sysId}#token=${snConsole.link.split('#token=')[1]}`);
        say();
        say('  What happens in the org and on the instance is printed below as it happens.');
        say();
        const watch = serviceNowWatcher(stack);
        const reported = new Set<ConnectorLogEntry>();
        const report = (): void => {
            for (const line of watch()) {
                say(`  ${new Date().toISOString().slice(11, 19)}  ${line}`);
            }
            for (const [name, log] of [
                ['Salesforce', stack.sf.log],
                ['ServiceNow', stack.sn.log]
            ] as const) {
                for (const entry of log.filter((item) => item.level !== 'info' && !reported.has(item))) {
                    reported.add(entry);
                    say(`  ${name} connector ${entry.level}: ${entry.event}: ${entry.message}`);
                }
            }
        };
        const timer = setInterval(report, 500);
        try {
            await stop;
        } finally {
            clearInterval(timer);
        }
        say();
        say('  Stopping...');
    } finally {
        await Promise.allSettled(consoles.map((running) => running.close()));
        await stack.close();
    }
    say('  Consoles, connectors, the emulated org and the emulated instance stopped.');
}

/** Builds the console for the browser (or reuses the build) and says which and how long it took. */
async function prepareConsole(say: (line?: string) => void, section: (title: string) => void): Promise<string> {
    section('The console for the browser');
    const built = existsSync(join(CONSOLE_BUILD_DIR, 'app.js'));
    say(
        built
            ? '  Using connector/dist/console-web (rebuilt first when a source changed since it was built).'
            : '  Not built yet: running npm run build:console-web (about half a minute)...'
    );
    const startedBuild = Date.now();
    const staticDir = await consoleBundle();
    say(`  Ready after ${((Date.now() - startedBuild) / 1000).toFixed(1)} s.`);
    return staticDir;
}
