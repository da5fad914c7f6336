// `npm run demo`: two emulated Salesforce orgs, a connector for each, connected through an invitation
// code as two admins would connect them; a support Case synced from A to B, changed on B and synced
// back, with what happened printed as it happens.
//
//   node --import tsx connector/demo/two-orgs.ts [--private] [--keep]
//
//   --private   B has no URL: its connector serves nothing and long-polls A (default: both public)
//   --keep      leave everything running until Ctrl-C, with the URLs and tokens to poke at it
//
// The orgs are the Salesforce API emulator (test infrastructure, connector/emulators/); the
// connectors are the product's own code, reaching their org only through jsforce over HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { JsonObject } from '../emulators/salesforce/index.ts';
import { acceptInvitation, initiateConnection } from '../emulators/scenario/console-actions.ts';
import {
    addComments,
    caseById,
    connectionOf,
    createCase,
    exalate,
    filesOf,
    mirrorOf,
    publicComments,
    textOf,
    twinOf
} from '../emulators/scenario/two-org-stack.ts';
import type { Side } from '../emulators/scenario/two-org-stack.ts';
import { startSalesforceConnector } from '../src/runtime/salesforce-connector.ts';
import type { ConnectorLogEntry, RunningConnector } from '../src/runtime/salesforce-connector.ts';
import { decodeInvitation } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import { bodyOf, fileLabel, outgoingEvents, privateComments } from './case-records.ts';
import { indent, ms, printer, shorten, sleep, table, until as untilHolds, watch as watchRows, wrap } from './output.ts';

const { values: flags } = parseArgs({
    options: { private: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } }
});
const privateB = flags.private === true;
const keep = flags.keep === true;

const STAGES = ['Preparing', 'Sending', 'Waiting for remote', 'Finalizing', 'Synchronized'];
const TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Output

const { say, section } = printer((line) => process.stdout.write(`${line}\n`), 6);

/** Prints a row each time one of `columns` changes, until `done` holds; answers the time it held. */
function watch(
    header: string[],
    columns: () => string[],
    done: (values: string[]) => boolean,
    since: number,
    what: string
): Promise<number> {
    return watchRows(say, { header, columns, done, since, what, timeoutMs: TIMEOUT_MS });
}

/** Polls until `check` holds; answers the time at which it did. */
function until(what: string, check: () => boolean, since: number): Promise<number> {
    return untilHolds(what, check, since, TIMEOUT_MS, 1);
}

// ---------------------------------------------------------------------------------------------
// The stack

async function startSide(
    name: string,
    agent: { name: string; username: string },
    isPublic: boolean,
    spoolDir: string
): Promise<Side> {
    const org = await startSalesforceEmulator();
    const user = org.createUser({ ...agent, permissionSets: ['Exalate_User'] });
    const log: ConnectorLogEntry[] = [];
    const start = (port = 0): Promise<RunningConnector> =>
        startSalesforceConnector({
            auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
            namespace: org.namespacePrefix,
            listen: isPublic ? { host: '127.0.0.1', port } : undefined,
            spoolDir,
            log: (entry) => log.push(entry)
        });
    const side: Side = {
        name,
        org,
        agent: user,
        connector: await start(),
        connectionId: '',
        log,
        restart: async () => {
            const port = side.connector.nodeUrl === '' ? 0 : Number(new URL(side.connector.nodeUrl).port);
            await side.connector.stop();
            side.connector = await start(port);
        }
    };
    return side;
}

/** API calls each org has counted since the last call of this function. */
function apiMeter(a: Side, b: Side): () => [number, number] {
    // Every call the emulators counted was made by a connector: the agents' writes here go straight
    // into the org, as a user's clicks would, and are not API calls.
    let seen: [number, number] = [0, 0];
    return () => {
        const now: [number, number] = [a.org.apiCalls(), b.org.apiCalls()];
        const used: [number, number] = [now[0] - seen[0], now[1] - seen[1]];
        seen = now;
        return used;
    };
}

/** Both engines idle twice in a row: any echo or repeat would have been written by then. */
async function settle(a: Side, b: Side): Promise<void> {
    for (let round = 0; round < 2; round += 1) {
        await sleep(200);
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);
    }
}

// ---------------------------------------------------------------------------------------------
// What the agents write

interface SeedCase {
    readonly subject: string;
    readonly description: string;
    readonly comments: [string, string];
    readonly privateComment?: string;
    readonly file?: { readonly name: string; readonly text: string };
}

const SEED: SeedCase[] = [
    {
        subject: 'Checkout returns 502 Bad Gateway for EU customers',
        description:
            'Since 09:40 CET customers in Germany and Austria get "502 Bad Gateway" when they press Pay. ' +
            'The US storefront is not affected. About 40 failed orders so far.',
        comments: [
            'Reproduced from Frankfurt with a test card: order 88213 failed at 09:52, no charge was taken.',
            'Told the customer we are on it and will update them within the hour.'
        ],
        privateComment:
            "Internal: probably last night's certificate rotation on the EU load balancer. Do not tell the customer yet.",
        file: {
            name: 'gateway-errors.log',
            text:
                '09:41:07 ERROR upstream=eu-lb-fra status=502 path=/checkout/pay latency=30001ms\n' +
                '09:41:12 ERROR upstream=eu-lb-fra status=502 path=/checkout/pay latency=30000ms\n' +
                '09:41:15 INFO  upstream=us-lb-iad status=200 path=/checkout/pay latency=212ms\n'
        }
    },
    {
        subject: 'Password reset email never arrives',
        description:
            'Customer jana.novak@example.com has requested a password reset four times since yesterday; nothing in inbox or spam.',
        comments: [
            'Checked the mail log: messages to example.com are deferred with "421 try again later".',
            'Asked the customer to add noreply@shop.example to their allow list in the meantime.'
        ]
    },
    {
        subject: 'Invoice PDF shows 19% VAT instead of 20% for Austria',
        description:
            'Invoices for Austrian customers issued since 1 March show German VAT (19%). Totals are right, only the label and the VAT line are wrong.',
        comments: [
            'Affects invoices INV-2024-0311 to INV-2024-0398, all generated by the new PDF template.',
            'Finance needs corrected copies before the end of the month.'
        ]
    }
];

/** The agent uploads a file to the Case, as the Files related list does (Title without the extension). */
function uploadFile(side: Side, caseId: string, name: string, text: string): void {
    side.org.insertAs(side.agent.id, 'ContentVersion', [
        {
            Title: name.replace(/\.[^.]*$/, ''),
            PathOnClient: name,
            VersionData: Buffer.from(text).toString('base64'),
            FirstPublishLocationId: caseId
        }
    ]);
}

// ---------------------------------------------------------------------------------------------
// The demo

async function main(): Promise<void> {
    const mode = privateB ? 'public-private (SalesforceB has no URL and long-polls SalesforceA)' : 'public-public';
    say('Exalate Native demo: two Salesforce orgs syncing Cases both ways');
    say(`Connection type: ${mode}`);

    // 1 ---------------------------------------------------------------------------------------
    section('Starting two emulated orgs and their connectors');
    say('  The two orgs are the Salesforce API emulator from connector/emulators/: test infrastructure,');
    say('  not Salesforce. The connectors are the product itself; they reach their org only through its');
    say('  REST API (jsforce) and each other only through the signed node protocol, over real HTTP.');
    say();
    const startedAt = performance.now();
    const spool = await mkdtemp(join(tmpdir(), 'exalate-demo-'));
    const a = await startSide(
        'SalesforceA',
        { name: 'Alice Moreau', username: 'alice@a.example' },
        true,
        join(spool, 'a')
    );
    const b = await startSide(
        'SalesforceB',
        { name: 'Bob Keller', username: 'bob@b.example' },
        !privateB,
        join(spool, 'b')
    );
    const sides = [a, b];
    const close = async (): Promise<void> => {
        await Promise.allSettled(sides.map((side) => side.connector.stop()));
        await Promise.allSettled(sides.map((side) => side.org.close()));
        await rm(spool, { recursive: true, force: true });
    };
    try {
        for (const side of sides) {
            say(`  ${side.name}`);
            say(`    org (emulated)    ${side.org.instanceUrl}`);
            say(
                `    connector node    ${side.connector.nodeUrl === '' ? '(none: private, serves nothing, opens every request itself)' : side.connector.nodeUrl}`
            );
        }
        say();
        say(`  Both connectors signed in and running after ${ms(performance.now() - startedAt)}.`);
        const meter = apiMeter(a, b);
        const callsByStep: { step: string; calls: [number, number] }[] = [];
        const hop = (step: string): void => {
            const calls = meter();
            callsByStep.push({ step, calls });
            say(`  Salesforce API calls for this step: SalesforceA ${calls[0]}, SalesforceB ${calls[1]}.`);
        };
        callsByStep.push({ step: 'connectors start', calls: meter() });

        // 2 -----------------------------------------------------------------------------------
        section('Connecting them through an invitation code');
        say('  SalesforceA admin: Exalate console > Initiate connection');
        say(`    destination URL   ${privateB ? "I don't have a URL (private destination)" : b.connector.nodeUrl}`);
        say('    mode              Basic');
        const initiated = initiateConnection(a.org, {
            connectionName: 'SalesforceA_to_SalesforceB',
            localInstance: 'SalesforceA',
            remoteInstance: 'SalesforceB',
            nodeUrl: a.connector.nodeUrl,
            destinationUrl: privateB ? '' : b.connector.nodeUrl
        });
        a.connectionId = initiated.connectionId;
        const decoded = decodeInvitation(initiated.code, Math.floor(Date.now() / 1000));
        say();
        say(`  Invitation code   ${shorten(initiated.code)}`);
        if (decoded.ok) {
            const invitation = decoded.invitation;
            say(
                `    connection        ${invitation.connectionName} (${invitation.connectionType}, ${invitation.mode})`
            );
            say(
                `    from              ${invitation.initiatorInstance} (${invitation.initiatorPlatform}), node ${invitation.initiatorNodeUrl}`
            );
            say(`    expires           ${new Date(invitation.expiresAt * 1000).toISOString()}`);
            say('    also              a single-use secret (proved on accept, never sent) and a checksum');
        }
        say();
        say('  SalesforceB admin: Exalate console > Accept invitation, pastes the code, Confirm');
        const acceptedAt = performance.now();
        b.connectionId = acceptInvitation(b.org, initiated.code);
        say();
        const activeAt = await watch(
            ['SalesforceA connection', 'SalesforceB connection'],
            () => sides.map((side) => textOf(connectionOf(side), 'Status__c')),
            (values) => values.every((value) => value === 'Active'),
            acceptedAt,
            'the connection to be Active on both sides'
        );
        say();
        say(`  Connection Active on both sides ${ms(activeAt - acceptedAt)} after Confirm.`);
        hop('connect');

        // 3 -----------------------------------------------------------------------------------
        section('Seeding SalesforceA with support Cases, then syncing the first one by its number');
        const seeded = SEED.map((seed) => {
            const caseId = createCase(a, {
                subject: seed.subject,
                description: seed.description,
                comments: [...seed.comments],
                privateComments: seed.privateComment === undefined ? [] : [seed.privateComment]
            });
            if (seed.file !== undefined) {
                uploadFile(a, caseId, seed.file.name, seed.file.text);
            }
            return { caseId, caseNumber: textOf(caseById(a, caseId), 'CaseNumber'), seed };
        });
        for (const { caseId, caseNumber, seed } of seeded) {
            const extras = [
                `${publicComments(a, caseId).length} public comments`,
                ...(seed.privateComment === undefined ? [] : ['1 private comment']),
                ...filesOf(a, caseId).map((file) => `file ${fileLabel(file)}`)
            ];
            say(`  ${caseNumber}  ${seed.subject}`);
            say(`            ${extras.join(', ')}`);
        }
        const first = seeded[0];
        say();
        say(`  SalesforceA admin: Sync your first case > Case number ${first.caseNumber} > Exalate`);
        say("  Stages as SalesforceA's Sync_Event__c and Sync_Twin__c show them, and the Case on SalesforceB:");
        say();
        const found = a.org.records('Case').find((row) => row.CaseNumber === first.caseNumber);
        if (found === undefined) {
            throw new Error(`no Case ${first.caseNumber} on SalesforceA`);
        }
        const exalatedAt = performance.now();
        exalate(a, textOf(found, 'Id'));
        const seen = new Set<string>();
        const firstDone = await watch(
            ['Sync_Event__c (Outgoing)', 'Sync_Twin__c', 'Case on SalesforceB'],
            () => {
                const events = outgoingEvents(a, first.caseId);
                const stage = textOf(events[events.length - 1], 'Stage__c') || '-';
                const status = textOf(twinOf(a, first.caseId), 'Sync_Status__c') || '-';
                seen.add(stage).add(status);
                const mirror = mirrorOf(b, first.caseNumber);
                const mirrorText =
                    mirror === undefined
                        ? '-'
                        : `${textOf(mirror, 'CaseNumber')}, ${publicComments(b, textOf(mirror, 'Id')).length} comments, ` +
                          `${filesOf(b, textOf(mirror, 'Id')).length} file`;
                return [stage, status, mirrorText];
            },
            ([stage, status, mirrorText]) =>
                stage === 'Synchronized' && status === 'Synchronized' && mirrorText.endsWith(', 2 comments, 1 file'),
            exalatedAt,
            `Case ${first.caseNumber} to be Synchronized`
        );
        const notSeen = STAGES.filter((stage) => !seen.has(stage));
        say();
        say(`  Synchronized ${ms(firstDone - exalatedAt)} after Exalate.`);
        if (notSeen.length > 0) {
            say(`  Stages the org did not show in this run: ${notSeen.join(', ')}.`);
        }
        hop('first Case A -> B');

        // 4 -----------------------------------------------------------------------------------
        section(`The Case on SalesforceB, then changed there`);
        const mirror = mirrorOf(b, first.caseNumber);
        if (mirror === undefined) {
            throw new Error('the Case is not on SalesforceB');
        }
        const mirrorId = textOf(mirror, 'Id');
        const mirrorNumber = textOf(mirror, 'CaseNumber');
        say(`  Case ${mirrorNumber} on SalesforceB (its twin links it to SalesforceA ${first.caseNumber})`);
        say(`    Subject       ${textOf(mirror, 'Subject')}`);
        say(`    Description   ${wrap(textOf(mirror, 'Description'), 80, '                  ')}`);
        for (const file of filesOf(b, mirrorId)) {
            say(`    File          ${fileLabel(file)}`);
        }
        const mirroredComments = publicComments(b, mirrorId);
        say(`    Comments (${mirroredComments.length}):`);
        for (const comment of mirroredComments) {
            say(indent(comment, '      | '));
            say('      |');
        }
        const leaked = publicComments(b, mirrorId)
            .concat(privateComments(b, mirrorId))
            .some((comment) => comment.includes('certificate rotation'));
        say(
            `    The private comment ${leaked ? 'LEAKED to SalesforceB' : 'stayed on SalesforceA (Basic mode syncs public comments only)'}.`
        );

        say();
        const newSubject = 'Checkout returns 502 for EU customers (Frankfurt load balancer only)';
        const answer =
            'Traffic through Paris is fine; only the Frankfurt load balancer fails. Rolling back its certificate now.';
        say('  Bob Keller on SalesforceB edits the subject and adds a comment:');
        say(`    Subject       ${newSubject}`);
        say(`    Comment       ${wrap(answer, 80, '                  ')}`);
        say();
        const editedAt = performance.now();
        b.org.updateAs(b.agent.id, 'Case', [{ Id: mirrorId, Subject: newSubject }]);
        const commentedAt = performance.now();
        addComments(b, mirrorId, [answer]);
        const subjectArrived = until(
            'the subject to reach SalesforceA',
            () => textOf(caseById(a, first.caseId), 'Subject') === newSubject,
            editedAt
        );
        const commentArrived = until(
            'the comment to reach SalesforceA',
            () => publicComments(a, first.caseId).some((comment) => comment.endsWith(answer)),
            commentedAt
        );
        const subjectAt = await subjectArrived;
        const commentAt = await commentArrived;
        const backOnA = publicComments(a, first.caseId).find((comment) => comment.endsWith(answer)) ?? '';
        say(`  On SalesforceA, Case ${first.caseNumber}:`);
        say(
            `    ${`+${ms(subjectAt - editedAt)}`.padStart(8)}   Subject       ${textOf(caseById(a, first.caseId), 'Subject')}`
        );
        say(`    ${`+${ms(commentAt - commentedAt)}`.padStart(8)}   new comment:`);
        say(indent(backOnA, '                | '));
        say();
        await settle(a, b);
        hop('change B -> A');

        // 5 -----------------------------------------------------------------------------------
        section('The other two Cases, and the summary');
        say('  Alice Moreau clicks Exalate on the other two Cases on SalesforceA.');
        const restAt = performance.now();
        for (const { caseId } of seeded.slice(1)) {
            exalate(a, caseId);
        }
        const restDone = await until(
            'the other Cases to reach SalesforceB',
            () =>
                seeded.every(({ caseNumber }) => {
                    const copy = mirrorOf(b, caseNumber);
                    return copy !== undefined && publicComments(b, textOf(copy, 'Id')).length >= 2;
                }),
            restAt
        );
        say(`  Both on SalesforceB with their comments ${ms(restDone - restAt)} after Exalate.`);
        await settle(a, b);
        hop('two more Cases A -> B');

        // Counts and checks, read from both orgs after both connectors went idle.
        const twinsA = a.org.records('Sync_Twin__c').filter((twin) => twin.Connection__c === a.connectionId);
        const twinsB = b.org.records('Sync_Twin__c').filter((twin) => twin.Connection__c === b.connectionId);
        const pairs = seeded.map(({ caseId, caseNumber }) => {
            const copy = mirrorOf(b, caseNumber);
            return { caseA: caseId, caseB: textOf(copy, 'Id') };
        });
        const count = (side: Side, ids: string[], read: (s: Side, id: string) => unknown[]): number =>
            ids.reduce((sum, id) => sum + read(side, id).length, 0);
        const idsA = pairs.map((pair) => pair.caseA);
        const idsB = pairs.map((pair) => pair.caseB);
        const duplicates = (side: Side, ids: string[]): number =>
            ids.reduce((sum, id) => {
                const bodies = publicComments(side, id).map(bodyOf);
                const titles = filesOf(side, id).map((file) => textOf(file, 'Title'));
                return sum + (bodies.length - new Set(bodies).size) + (titles.length - new Set(titles).size);
            }, 0) +
            (side.org.records('Case').length - seeded.length);
        const echoes = (side: Side, ids: string[]): number =>
            count(side, ids, (s, id) =>
                publicComments(s, id).filter((comment) => comment.includes(`(${s.name}) wrote on`))
            );
        const notSynced = (twins: JsonObject[]): number =>
            twins.filter((twin) => twin.Sync_Status__c !== 'Synchronized').length;
        const warnings = sides.map((side) => side.log.filter((entry) => entry.level !== 'info').length);
        const totalCalls = callsByStep.reduce<[number, number]>(
            (sum, { calls }) => [sum[0] + calls[0], sum[1] + calls[1]],
            [0, 0]
        );
        const checks = {
            duplicates: duplicates(a, idsA) + duplicates(b, idsB),
            echoes: echoes(a, idsA) + echoes(b, idsB),
            commentsDiffer: count(a, idsA, publicComments) !== count(b, idsB, publicComments),
            filesDiffer: count(a, idsA, filesOf) !== count(b, idsB, filesOf),
            leaked: count(b, idsB, privateComments) > 0 || leaked,
            unsynced: notSynced(twinsA) + notSynced(twinsB),
            missing: twinsA.length !== seeded.length || twinsB.length !== seeded.length
        };

        const rows: string[][] = [
            ['', 'SalesforceA', 'SalesforceB'],
            ['Cases synced (twins)', String(twinsA.length), String(twinsB.length)],
            ['public comments on them', String(count(a, idsA, publicComments)), String(count(b, idsB, publicComments))],
            [
                'private comments on them',
                String(count(a, idsA, privateComments)),
                String(count(b, idsB, privateComments))
            ],
            ['files on them', String(count(a, idsA, filesOf)), String(count(b, idsB, filesOf))],
            ['twins not Synchronized', String(notSynced(twinsA)), String(notSynced(twinsB))],
            ['duplicated Cases, comments or files', String(duplicates(a, idsA)), String(duplicates(b, idsB))],
            ['echoes (own comment sent back)', String(echoes(a, idsA)), String(echoes(b, idsB))],
            ['Salesforce API calls, by step:', '', ''],
            ...callsByStep.map(({ step, calls }) => [`  ${step}`, String(calls[0]), String(calls[1])]),
            ['  total', String(totalCalls[0]), String(totalCalls[1])],
            ['connector warnings and errors', String(warnings[0]), String(warnings[1])]
        ];
        say();
        for (const line of table(rows)) {
            say(`  ${line}`);
        }
        say();
        say('  Latency:');
        say(
            `    first Case A -> B, Exalate to Synchronized (comments and file included)   ${ms(firstDone - exalatedAt)}`
        );
        say(
            `    subject edit B -> A                                                       ${ms(subjectAt - editedAt)}`
        );
        say(
            `    new comment B -> A                                                        ${ms(commentAt - commentedAt)}`
        );
        say(`    two more Cases A -> B                                                     ${ms(restDone - restAt)}`);
        for (const side of sides) {
            for (const entry of side.log.filter((line) => line.level !== 'info')) {
                say(`  ${side.name} connector ${entry.level}: ${entry.event}: ${entry.message}`);
            }
        }
        const failed = [
            checks.duplicates > 0 ? `${checks.duplicates} duplicates` : '',
            checks.echoes > 0 ? `${checks.echoes} echoes` : '',
            checks.commentsDiffer ? 'comment counts differ' : '',
            checks.filesDiffer ? 'file counts differ' : '',
            checks.leaked ? 'a private comment reached SalesforceB' : '',
            checks.unsynced > 0 ? `${checks.unsynced} twins not Synchronized` : '',
            checks.missing ? `not every Case has a twin on both sides` : ''
        ].filter((problem) => problem !== '');
        say();
        if (failed.length === 0) {
            say(
                `  All checks passed: ${seeded.length} Cases synced, 0 duplicates, 0 echoes, the private comment stayed private.`
            );
        } else {
            say(`  CHECKS FAILED: ${failed.join('; ')}.`);
            process.exitCode = 1;
        }

        // 6 -----------------------------------------------------------------------------------
        if (keep) {
            section('Keeping the stack running (Ctrl-C to stop)');
            say('  Poke at it with jsforce or curl. The agent tokens act as a support agent: their writes are');
            say("  synced. The connector's own writes are treated as mirrors and never sent back.");
            for (const side of sides) {
                say();
                say(`  ${side.name}`);
                say(`    instance URL            ${side.org.instanceUrl}`);
                say(
                    `    connector node          ${side.connector.nodeUrl === '' ? '(none: private)' : side.connector.nodeUrl}`
                );
                say(`    connector user token    ${side.org.connectorUser.accessToken}`);
                say(`    agent user              ${side.agent.username}`);
                say(`    agent token             ${side.agent.accessToken}`);
            }
            say();
            say('  For example (the tokens hold a "!": keep them in single quotes in a shell):');
            say(
                `    curl -s -H 'Authorization: Bearer ${a.org.connectorUser.accessToken}' \\\n` +
                    `      '${a.org.instanceUrl}/services/data/v${a.org.apiVersion}/query?q=SELECT+CaseNumber,Subject,Status+FROM+Case'`
            );
            say(
                `    new jsforce.Connection({ instanceUrl: '${b.org.instanceUrl}', accessToken: '<agent token>', version: '${b.org.apiVersion}' })`
            );
            await new Promise<void>((resolve) => {
                process.once('SIGINT', resolve);
                process.once('SIGTERM', resolve);
            });
            say();
        } else {
            section('Stopping');
        }
    } finally {
        await close();
    }
    say(
        '  Connectors stopped, emulated orgs closed. (--keep leaves them running; --private makes SalesforceB private.)'
    );
}

try {
    await main();
} catch (error) {
    process.stderr.write(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
}
