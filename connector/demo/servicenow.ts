// `npm run demo -- --servicenow`: an emulated Salesforce org with its connector and an emulated
// ServiceNow instance with its node, connected through an invitation code as their admins would
// connect them; support Cases become incidents, an incident synced by its number becomes a Case,
// comments and files cross both ways, private comments and work notes stay home, and a summary
// checks that nothing was lost, duplicated or echoed.
//
//   npm run demo -- --servicenow [--private] [--keep]
//
//   --private   the ServiceNow node has no URL: it serves nothing and long-polls Salesforce
//   --keep      leave everything running until Ctrl-C, with the URLs and users to poke at it
//
// The org and the instance are the emulators (test infrastructure, connector/emulators/); the
// connector and the node are the product's own code, over real HTTP on 127.0.0.1.
import { performance } from 'node:perf_hooks';
import type { IncidentView } from '../emulators/servicenow/index.ts';
import { initiateConnection } from '../emulators/scenario/console-actions.ts';
import { startServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import {
    addComments,
    caseById,
    eventually,
    exalate,
    filesOf,
    publicComments,
    textOf,
    twinOf
} from '../emulators/scenario/two-org-stack.ts';
import type { Side } from '../emulators/scenario/two-org-stack.ts';
import { decodeInvitation } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import { bodyOf, fileLabel, outgoingEvents, privateComments } from './case-records.ts';
import { indent, ms, printer, shorten, sleep, table, until, untilStopped, watch, wrap } from './output.ts';
import type { Out } from './output.ts';

export interface ServiceNowDemoOptions {
    readonly out: Out;
    /** The ServiceNow node is private: it serves nothing and long-polls the Salesforce connector. */
    readonly privateServiceNow?: boolean;
    /** Leave everything running until SIGINT or SIGTERM, then close it. */
    readonly keep?: boolean;
}

export interface ServiceNowDemoResult {
    /** What the final checks found wrong; empty when everything arrived once and nothing echoed. */
    readonly problems: string[];
}

/** How often the node reads the instance for changes in the demo (the node's default is 5 s). */
const FEED_INTERVAL_MS = 1_000;
const TIMEOUT_MS = 20_000;
const CONNECTION_NAME = 'Salesforce_to_ServiceNow';
/** The support agent the stack creates in the org. */
const SF_AGENT = 'Alice Agent';

interface SeedCase {
    readonly subject: string;
    readonly description: string;
    readonly comments: [string, string];
    readonly privateComment?: string;
    readonly file?: { readonly name: string; readonly text: string };
}

const SEED: SeedCase[] = [
    {
        subject: 'Nightly order export to the warehouse stops with a timeout',
        description:
            'Since Tuesday the 02:00 export of shipped orders to the warehouse system stops after 30 minutes. ' +
            'About 300 orders a night are not picked until someone runs the export again by hand.',
        comments: [
            'Ran the export again at 07:15 by hand; it finished in 4 minutes.',
            "The warehouse team asks whether tonight's run will work."
        ],
        privateComment:
            "Internal: the export user's password was rotated on Monday. Check the stored credential first.",
        file: {
            name: 'export-job.log',
            text:
                '02:00:01 INFO  export started, 312 orders\n' +
                '02:30:01 ERROR warehouse endpoint did not answer within 1800 s\n' +
                '02:30:01 ERROR export aborted, 0 orders sent\n'
        }
    },
    {
        subject: 'Customer portal sign-in loops back to the login page',
        description:
            'Customers who sign in with a company account are sent back to the login page after entering their password. ' +
            'Personal accounts work.',
        comments: [
            'Reproduced with the test tenant: the redirect after sign-in drops the session cookie.',
            'Two enterprise customers have called about it this morning.'
        ]
    },
    {
        subject: 'Shared mailbox support@ stopped receiving mail',
        description: 'Nothing has arrived in the support@ mailbox since 11:20. Customers get no bounce.',
        comments: [
            'Mail to sales@ arrives normally, so the mail server itself is up.',
            'Forwarding to the on-call phone is switched on until this is fixed.'
        ]
    }
];

const INCIDENT = {
    short_description: 'VPN drops every hour for the Lyon office',
    description:
        'Users in the Lyon office lose the VPN tunnel at about five past every hour and must reconnect. Other offices are fine.',
    comment: 'Twelve users have reported it since Monday; reconnecting works at once.',
    workNote: 'Internal: firewall rule 4471 went live on Monday; suspect its idle timeout.',
    file: {
        fileName: 'vpn-client.log',
        contentType: 'text/plain',
        text: '10:05:02 tunnel lyon-gw down: peer idle timeout\n10:05:09 tunnel lyon-gw up\n'
    }
};

function incidentText(incident: IncidentView | undefined): string {
    if (incident === undefined) {
        return '-';
    }
    const files = incident.attachments.length;
    const comments = incident.comments.length;
    return `${String(incident.record.number)}, ${comments} comment${comments === 1 ? '' : 's'}, ${files} attachment${files === 1 ? '' : 's'}`;
}

/** The Salesforce end of the stack as the scenario helpers see a side. */
function salesforceSide(stack: ServiceNowStack): Side {
    return {
        name: 'Salesforce',
        org: stack.sf.org,
        agent: stack.sf.agent,
        get connector() {
            return stack.sf.connector;
        },
        get connectionId() {
            return stack.sf.connectionId;
        },
        log: stack.sf.log,
        restart: () => Promise.reject(new Error('not part of the demo'))
    };
}

export async function runServiceNowDemo(options: ServiceNowDemoOptions): Promise<ServiceNowDemoResult> {
    const { say, section } = printer(options.out, 7);
    const privateSn = options.privateServiceNow === true;
    say('Exalate Native demo: Salesforce Cases and ServiceNow incidents syncing both ways');
    say(
        `Connection type: ${privateSn ? 'public-private (ServiceNow has no URL and long-polls Salesforce)' : 'public-public'}`
    );

    // 1 -------------------------------------------------------------------------------------------
    section('Starting an emulated org and an emulated ServiceNow instance, with their connectors');
    say('  The org and the instance are the Salesforce API and ServiceNow Table API emulators from');
    say('  connector/emulators/: test infrastructure, not Salesforce or ServiceNow. The Salesforce connector');
    say('  and the ServiceNow node are the product itself; they reach their system only through its REST');
    say('  API and each other only through the signed node protocol, over real HTTP.');
    say();
    const startedAt = performance.now();
    const stack = await startServiceNowStack({
        initiator: 'salesforce',
        privateSide: privateSn ? 'servicenow' : undefined,
        connect: false,
        feedIntervalMs: FEED_INTERVAL_MS
    });
    try {
        const { sf, sn } = stack;
        const side = salesforceSide(stack);
        const snAgent = sn.instance.agent;
        const snService = sn.instance.serviceAccount.userName;
        say('  Salesforce');
        say(`    org (emulated)          ${sf.org.instanceUrl}`);
        say(`    connector node          ${sf.connector.nodeUrl}`);
        say('  ServiceNow');
        say(`    instance (emulated)     ${sn.instance.url}`);
        say(
            `    node                    ${sn.connector.nodeUrl === '' ? '(none: private, serves nothing, opens every request itself)' : sn.connector.nodeUrl}`
        );
        say(`    reads incident changes  every ${FEED_INTERVAL_MS / 1000} s here (--poll-seconds, 5 by default)`);
        say();
        say(`  Both running after ${ms(performance.now() - startedAt)}.`);

        let seen: [number, number] = [0, 0];
        const meter = (): [number, number] => {
            const now: [number, number] = [sf.org.apiCalls(), sn.instance.apiCalls(snService)];
            const used: [number, number] = [now[0] - seen[0], now[1] - seen[1]];
            seen = now;
            return used;
        };
        const callsByStep: { step: string; calls: [number, number] }[] = [{ step: 'start', calls: meter() }];
        const hop = (step: string): void => {
            const calls = meter();
            callsByStep.push({ step, calls });
            say(`  API calls for this step: Salesforce ${calls[0]}, ServiceNow REST ${calls[1]}.`);
        };
        /** Both engines idle after the node has read the instance again, twice: any echo would be written by then. */
        const settle = async (): Promise<void> => {
            for (let round = 0; round < 2; round += 1) {
                await sleep(FEED_INTERVAL_MS + 200);
                await Promise.all([sf.connector.engine.idle(), sn.connector.engine.idle()]);
            }
        };

        // 2 ---------------------------------------------------------------------------------------
        section('Connecting them through an invitation code');
        say('  Salesforce admin: Exalate console > Initiate connection');
        say(`    destination URL   ${privateSn ? "I don't have a URL (private destination)" : sn.connector.nodeUrl}`);
        say('    mode              Basic');
        const initiated = initiateConnection(sf.org, {
            connectionName: CONNECTION_NAME,
            localInstance: 'Salesforce',
            remoteInstance: 'ServiceNow',
            nodeUrl: sf.connector.nodeUrl,
            destinationUrl: privateSn ? '' : sn.connector.nodeUrl
        });
        sf.org.updateAs(sf.org.connectorUser.id, 'Sync_Connection__c', [
            { Id: initiated.connectionId, Remote_Platform__c: 'ServiceNow' }
        ]);
        sf.connectionId = initiated.connectionId;
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
        }
        // The other admin pastes the code once the initiating connector has read the new connection.
        await eventually('the Salesforce connector reads the new connection', () =>
            sf.connector.engine.connections.some((live) => live.record.id === initiated.connectionId)
        );
        say();
        say('  ServiceNow admin, on the command line:');
        say(`    $ npm run servicenow -- accept ${shorten(initiated.code, 12).replace(/ {2}\(.*$/, '')}`);
        const acceptedAt = performance.now();
        sn.connectionId = sn.console.accept(initiated.code).id;
        say();
        const activeAt = await watch(say, {
            header: ['Salesforce connection', 'ServiceNow connection'],
            columns: () => [
                textOf(
                    sf.org.records('Sync_Connection__c').find((row) => row.Id === sf.connectionId),
                    'Status__c'
                ) || '-',
                sn.connector.store.findConnection(sn.connectionId)?.status ?? '-'
            ],
            done: (values) => values.every((value) => value === 'Active'),
            since: acceptedAt,
            what: 'the connection to be Active on both sides',
            timeoutMs: TIMEOUT_MS
        });
        say();
        say(`  Connection Active on both sides ${ms(activeAt - acceptedAt)} after accept.`);
        hop('connect');

        // 3 ---------------------------------------------------------------------------------------
        section('Seeding Salesforce with support Cases, then syncing the first one by its number');
        const seeded = SEED.map((seed) => {
            const [caseId] = sf.org.insertAs(sf.agent.id, 'Case', [
                { Subject: seed.subject, Description: seed.description, Status: 'New', Origin: 'Web' }
            ]);
            addComments(side, caseId, [...seed.comments]);
            addComments(side, caseId, seed.privateComment === undefined ? [] : [seed.privateComment], false);
            if (seed.file !== undefined) {
                sf.org.insertAs(sf.agent.id, 'ContentVersion', [
                    {
                        Title: seed.file.name.replace(/\.[^.]*$/, ''),
                        PathOnClient: seed.file.name,
                        VersionData: Buffer.from(seed.file.text).toString('base64'),
                        FirstPublishLocationId: caseId
                    }
                ]);
            }
            return { caseId, caseNumber: textOf(caseById(side, caseId), 'CaseNumber'), seed };
        });
        for (const { caseId, caseNumber, seed } of seeded) {
            const extras = [
                `${publicComments(side, caseId).length} public comments`,
                ...(seed.privateComment === undefined ? [] : ['1 private comment']),
                ...filesOf(side, caseId).map((file) => `file ${fileLabel(file)}`)
            ];
            say(`  ${caseNumber}  ${seed.subject}`);
            say(`            ${extras.join(', ')}`);
        }
        const first = seeded[0];
        const incidentOf = (subject: string): IncidentView | undefined =>
            sn.instance.incidents().find((view) => view.record.short_description === subject);
        say();
        say(`  ${SF_AGENT} clicks Exalate on Case ${first.caseNumber}.`);
        say("  Stages as Salesforce's Sync_Event__c and Sync_Twin__c show them, and the incident on ServiceNow:");
        say();
        const exalatedAt = performance.now();
        exalate(side, first.caseId);
        const firstDone = await watch(say, {
            header: ['Sync_Event__c (Outgoing)', 'Sync_Twin__c', 'Incident on ServiceNow'],
            columns: () => {
                const events = outgoingEvents(side, first.caseId);
                return [
                    textOf(events[events.length - 1], 'Stage__c') || '-',
                    textOf(twinOf(side, first.caseId), 'Sync_Status__c') || '-',
                    incidentText(incidentOf(first.seed.subject))
                ];
            },
            done: ([stage, status, incident]) =>
                stage === 'Synchronized' &&
                status === 'Synchronized' &&
                incident.endsWith(', 2 comments, 1 attachment'),
            since: exalatedAt,
            what: `Case ${first.caseNumber} to be Synchronized`,
            timeoutMs: TIMEOUT_MS
        });
        say();
        say(`  Synchronized ${ms(firstDone - exalatedAt)} after Exalate.`);
        hop('first Case to ServiceNow');

        // 4 ---------------------------------------------------------------------------------------
        section('The incident on ServiceNow, then changed there');
        const firstIncident = incidentOf(first.seed.subject);
        if (firstIncident === undefined) {
            throw new Error('the incident is not on ServiceNow');
        }
        const firstNumber = String(firstIncident.record.number);
        say(`  ${firstNumber} on ServiceNow (its twin links it to Salesforce Case ${first.caseNumber})`);
        say(`    short_description   ${String(firstIncident.record.short_description)}`);
        say(
            `    description         ${wrap(String(firstIncident.record.description), 76, '                        ')}`
        );
        for (const file of firstIncident.attachments) {
            say(`    attachment          ${file.fileName} (${file.sizeBytes} bytes)`);
        }
        say(`    additional comments (${firstIncident.comments.length}):`);
        for (const comment of firstIncident.comments) {
            say(indent(comment.value, '      | '));
            say('      |');
        }
        say(
            `    work notes: ${firstIncident.workNotes.length}. The private CaseComment stayed in Salesforce (Basic mode syncs public comments only).`
        );
        say();
        const newSummary = 'Nightly order export stops with a timeout: warehouse endpoint unreachable';
        const answer = 'The warehouse endpoint moved to a new address on Monday. Updating the export job tonight.';
        const note = 'Internal: change request CHG0030117 raised for the new address; waiting for CAB approval.';
        say(`  ${snAgent.name} on ServiceNow edits the short description, adds an additional comment and a work note:`);
        say(`    short_description   ${newSummary}`);
        say(`    comment             ${wrap(answer, 76, '                        ')}`);
        say(`    work note           ${wrap(note, 76, '                        ')}`);
        say();
        const editedAt = performance.now();
        sn.instance.updateIncidentAs(snAgent.userName, firstNumber, { short_description: newSummary });
        sn.instance.addCommentAs(snAgent.userName, firstNumber, answer);
        sn.instance.addWorkNoteAs(snAgent.userName, firstNumber, note);
        const subjectAt = until(
            'the new short description to reach Salesforce',
            () => textOf(caseById(side, first.caseId), 'Subject') === newSummary,
            editedAt,
            TIMEOUT_MS
        );
        const commentAt = until(
            'the comment to reach Salesforce',
            () => publicComments(side, first.caseId).some((comment) => comment.endsWith(answer)),
            editedAt,
            TIMEOUT_MS
        );
        const [subjectDone, commentDone] = [await subjectAt, await commentAt];
        const backOnSf = publicComments(side, first.caseId).find((comment) => comment.endsWith(answer)) ?? '';
        say(`  On Salesforce, Case ${first.caseNumber}:`);
        say(
            `    ${`+${ms(subjectDone - editedAt)}`.padStart(8)}   Subject       ${textOf(caseById(side, first.caseId), 'Subject')}`
        );
        say(`    ${`+${ms(commentDone - editedAt)}`.padStart(8)}   new comment:`);
        say(indent(backOnSf, '                | '));
        say('  (The node reads the instance for changes every second here: most of that time is the wait for it.)');
        await settle();
        const noteCrossed = [...publicComments(side, first.caseId), ...privateComments(side, first.caseId)].some(
            (comment) => comment.includes('CHG0030117')
        );
        say(
            `  The work note ${noteCrossed ? 'CROSSED to Salesforce' : 'stayed in ServiceNow (Basic mode never reads work notes)'}.`
        );
        hop('change on ServiceNow to Salesforce');

        // 5 ---------------------------------------------------------------------------------------
        section('An incident synced from ServiceNow by its number');
        const created = sn.instance.createIncidentAs(snAgent.userName, {
            short_description: INCIDENT.short_description,
            description: INCIDENT.description,
            comments: INCIDENT.comment
        });
        const incidentNumber = String(created.record.number);
        sn.instance.addWorkNoteAs(snAgent.userName, incidentNumber, INCIDENT.workNote);
        sn.instance.attachFileAs(snAgent.userName, incidentNumber, {
            fileName: INCIDENT.file.fileName,
            contentType: INCIDENT.file.contentType,
            bytes: Buffer.from(INCIDENT.file.text)
        });
        say(`  ${snAgent.name} opens ${incidentNumber}  ${INCIDENT.short_description}`);
        say('            1 additional comment, 1 work note, attachment vpn-client.log');
        say();
        say('  ServiceNow admin, on the command line:');
        say(`    $ npm run servicenow -- sync ${CONNECTION_NAME} ${incidentNumber}`);
        const requestedAt = performance.now();
        const requested = await sn.console.sync(sn.connectionId, incidentNumber);
        say(`    Syncing ${requested.incidentNumber} (${requested.eventName})`);
        const followed = await sn.console.follow(
            requested.eventId,
            (stage) => say(`    ${`+${ms(performance.now() - requestedAt)}`.padStart(8)}   ${stage}`),
            { timeoutMs: TIMEOUT_MS, everyMs: 5 }
        );
        const incidentDone = performance.now();
        if (followed.stage !== 'Synchronized') {
            throw new Error(
                `${incidentNumber} ended ${followed.stage ?? 'without a stage'}: ${followed.event?.error ?? ''}`
            );
        }
        say(`    ${incidentNumber} is Synchronized as Case ${followed.twin?.remoteKey ?? '?'}.`);
        const mirrorId = await eventually('the Case on Salesforce', () => {
            const twin = sf.org.records('Sync_Twin__c').find((row) => row.Remote_Key__c === incidentNumber);
            return twin === undefined ? undefined : textOf(twin, 'Case__c');
        });
        await until(
            'its comment and file on the Case',
            () => publicComments(side, mirrorId).length === 1 && filesOf(side, mirrorId).length === 1,
            requestedAt,
            TIMEOUT_MS
        );
        const mirror = caseById(side, mirrorId);
        say();
        say(
            `  Case ${textOf(mirror, 'CaseNumber')} on Salesforce, ${ms(incidentDone - requestedAt)} after the sync request`
        );
        say(`    Subject       ${textOf(mirror, 'Subject')}`);
        for (const file of filesOf(side, mirrorId)) {
            say(`    File          ${fileLabel(file)}`);
        }
        say(`    Comments (${publicComments(side, mirrorId).length}):`);
        for (const comment of publicComments(side, mirrorId)) {
            say(indent(comment, '      | '));
        }
        const workNoteCrossed = [...publicComments(side, mirrorId), ...privateComments(side, mirrorId)].some(
            (comment) => comment.includes('4471')
        );
        say(`    The work note ${workNoteCrossed ? 'CROSSED to Salesforce' : 'stayed in ServiceNow'}.`);
        say();
        const reply = 'Moved the Lyon users to the backup gateway; please confirm the drops have stopped.';
        say(`  ${SF_AGENT} answers on the Case with a public comment:`);
        say(`    ${wrap(reply, 88, '    ')}`);
        const repliedAt = performance.now();
        addComments(side, mirrorId, [reply]);
        const replyDone = await until(
            `the comment to reach ${incidentNumber}`,
            () => sn.instance.incident(incidentNumber)?.comments.some((entry) => entry.value.endsWith(reply)) === true,
            repliedAt,
            TIMEOUT_MS
        );
        say(`    +${ms(replyDone - repliedAt)}   on ${incidentNumber} as an additional comment.`);
        await settle();
        hop('incident to Salesforce and back');

        // 6 ---------------------------------------------------------------------------------------
        section('The other two Cases, and the summary');
        say(`  ${SF_AGENT} clicks Exalate on the other two Cases.`);
        const restAt = performance.now();
        for (const { caseId } of seeded.slice(1)) {
            exalate(side, caseId);
        }
        const restDone = await until(
            'the other Cases to reach ServiceNow',
            () => seeded.slice(1).every(({ seed }) => (incidentOf(seed.subject)?.comments.length ?? 0) >= 2),
            restAt,
            TIMEOUT_MS
        );
        say(`  Both on ServiceNow with their comments ${ms(restDone - restAt)} after Exalate.`);
        await settle();
        hop('two more Cases to ServiceNow');

        // Counts and checks, read from the org and the instance after both sides went idle.
        const expected = seeded.length + 1;
        const sfTwins = sf.org.records('Sync_Twin__c').filter((twin) => twin.Connection__c === sf.connectionId);
        const snTwins = sn.connector.store.readTwins({ connectionId: sn.connectionId });
        const pairs = sfTwins.map((twin) => ({
            caseId: textOf(twin, 'Case__c'),
            incident: sn.instance.incident(textOf(twin, 'Remote_Key__c'))
        }));
        const caseIds = pairs.map((pair) => pair.caseId);
        const incidents = pairs.flatMap((pair) => (pair.incident === undefined ? [] : [pair.incident]));
        const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
        const sfCounts = {
            comments: sum(caseIds.map((id) => publicComments(side, id).length)),
            private: sum(caseIds.map((id) => privateComments(side, id).length)),
            files: sum(caseIds.map((id) => filesOf(side, id).length)),
            unsynced: sfTwins.filter((twin) => twin.Sync_Status__c !== 'Synchronized').length,
            duplicates:
                sf.org.records('Case').length -
                expected +
                sum(
                    caseIds.map((id) => {
                        const bodies = publicComments(side, id).map(bodyOf);
                        const titles = filesOf(side, id).map((file) => textOf(file, 'Title'));
                        return bodies.length - new Set(bodies).size + titles.length - new Set(titles).size;
                    })
                ),
            echoes: sum(
                caseIds.map((id) => publicComments(side, id).filter((c) => c.includes('(Salesforce) wrote on')).length)
            )
        };
        const snCounts = {
            comments: sum(incidents.map((view) => view.comments.length)),
            private: sum(incidents.map((view) => view.workNotes.length)),
            files: sum(incidents.map((view) => view.attachments.length)),
            unsynced: snTwins.filter((twin) => twin.syncStatus !== 'Synchronized').length,
            duplicates:
                sn.instance.incidents().length -
                expected +
                sum(
                    incidents.map((view) => {
                        const bodies = view.comments.map((entry) => bodyOf(entry.value));
                        const names = view.attachments.map((file) => file.fileName);
                        return bodies.length - new Set(bodies).size + names.length - new Set(names).size;
                    })
                ),
            echoes: sum(
                incidents.map(
                    (view) => view.comments.filter((entry) => entry.value.includes('(ServiceNow) wrote on')).length
                )
            )
        };
        const workNoteTexts = [note, INCIDENT.workNote];
        const privateTexts = SEED.flatMap((seed) => (seed.privateComment === undefined ? [] : [seed.privateComment]));
        const leakedToSf = caseIds.some((id) =>
            [...publicComments(side, id), ...privateComments(side, id)].some((c) =>
                workNoteTexts.some((text) => c.includes(text))
            )
        );
        const leakedToSn = incidents.some((view) =>
            [...view.comments, ...view.workNotes].some((entry) =>
                privateTexts.some((text) => entry.value.includes(text))
            )
        );
        const warnings = [sf.log, sn.log].map((log) => log.filter((entry) => entry.level !== 'info'));
        const total = callsByStep.reduce<[number, number]>(
            (acc, { calls }) => [acc[0] + calls[0], acc[1] + calls[1]],
            [0, 0]
        );
        const rows: string[][] = [
            ['', 'Salesforce', 'ServiceNow'],
            ['Cases / incidents synced (twins)', String(sfTwins.length), String(snTwins.length)],
            ['public comments / additional comments', String(sfCounts.comments), String(snCounts.comments)],
            ['private comments / work notes', String(sfCounts.private), String(snCounts.private)],
            ['files / attachments', String(sfCounts.files), String(snCounts.files)],
            ['twins not Synchronized', String(sfCounts.unsynced), String(snCounts.unsynced)],
            ['duplicated records, comments or files', String(sfCounts.duplicates), String(snCounts.duplicates)],
            ['echoes (own comment sent back)', String(sfCounts.echoes), String(snCounts.echoes)],
            ['API calls (Salesforce API, ServiceNow REST), by step:', '', ''],
            ...callsByStep.map(({ step, calls }) => [`  ${step}`, String(calls[0]), String(calls[1])]),
            ['  total', String(total[0]), String(total[1])],
            ['connector warnings and errors', String(warnings[0].length), String(warnings[1].length)]
        ];
        say();
        for (const line of table(rows)) {
            say(`  ${line}`);
        }
        say();
        say(`  The ServiceNow node reads the instance every second here: 2 REST calls a second while idle.`);
        say('  Latency:');
        say(
            `    first Case to ServiceNow, Exalate to Synchronized (comments and file)   ${ms(firstDone - exalatedAt)}`
        );
        say(
            `    short description edit to Salesforce                                    ${ms(subjectDone - editedAt)}`
        );
        say(
            `    additional comment to Salesforce                                        ${ms(commentDone - editedAt)}`
        );
        say(
            `    incident synced by number, request to Synchronized                      ${ms(incidentDone - requestedAt)}`
        );
        say(`    public comment to ServiceNow                                            ${ms(replyDone - repliedAt)}`);
        say(`    two more Cases to ServiceNow                                            ${ms(restDone - restAt)}`);
        for (const [index, name] of ['Salesforce', 'ServiceNow'].entries()) {
            for (const entry of warnings[index]) {
                say(`  ${name} connector ${entry.level}: ${entry.event}: ${entry.message}`);
            }
        }
        const problems = [
            sfCounts.duplicates + snCounts.duplicates > 0
                ? `${sfCounts.duplicates + snCounts.duplicates} duplicates`
                : '',
            sfCounts.echoes + snCounts.echoes > 0 ? `${sfCounts.echoes + snCounts.echoes} echoes` : '',
            sfCounts.comments !== snCounts.comments ? 'comment counts differ' : '',
            sfCounts.files !== snCounts.files ? 'file counts differ' : '',
            leakedToSf || noteCrossed || workNoteCrossed ? 'a work note reached Salesforce' : '',
            leakedToSn ? 'a private comment reached ServiceNow' : '',
            sfCounts.unsynced + snCounts.unsynced > 0
                ? `${sfCounts.unsynced + snCounts.unsynced} twins not Synchronized`
                : '',
            sfTwins.length !== expected || snTwins.length !== expected || incidents.length !== expected
                ? 'not every Case has its incident and twins on both sides'
                : ''
        ].filter((problem) => problem !== '');
        say();
        if (problems.length === 0) {
            say(
                `  All checks passed: ${expected} Cases and incidents synced, 0 duplicates, 0 echoes, work notes and the private comment stayed home.`
            );
        } else {
            say(`  CHECKS FAILED: ${problems.join('; ')}.`);
        }

        // 7 ---------------------------------------------------------------------------------------
        if (options.keep === true) {
            section('Keeping everything running (Ctrl-C to stop)');
            say('  Salesforce');
            say(`    instance URL            ${sf.org.instanceUrl}`);
            say(`    connector node          ${sf.connector.nodeUrl}`);
            say(`    connector user token    ${sf.org.connectorUser.accessToken}`);
            say(`    agent token             ${sf.agent.accessToken}  (${sf.agent.username}: its writes are synced)`);
            say('  ServiceNow');
            say(`    instance URL            ${sn.instance.url}`);
            say(
                `    node                    ${sn.connector.nodeUrl === '' ? '(none: private)' : sn.connector.nodeUrl}`
            );
            say(`    agent (basic auth)      ${snAgent.userName} / ${snAgent.password}  (its writes are synced)`);
            say(`    the node's store        ${sn.storePath}`);
            say();
            say('  For example:');
            say(
                `    curl -s -u '${snAgent.userName}:${snAgent.password}' '${sn.instance.url}/api/now/table/incident?sysparm_fields=number,short_description'`
            );
            say(
                `    EXALATE_SN_STORE='${sn.storePath}' EXALATE_SN_INSTANCE_URL=${sn.instance.url} npm run servicenow -- connections`
            );
            await untilStopped();
            say();
        } else {
            section('Stopping');
        }
        return { problems };
    } finally {
        await stack.close();
        say('  Connector and node stopped, emulated org and instance closed.');
    }
}
