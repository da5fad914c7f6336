// End to end: an emulated Salesforce org with its connector and an emulated ServiceNow instance with
// its node, real HTTP on 127.0.0.1, connected through an invitation code from either side, public or
// private. A Case becomes an incident and an incident becomes a Case; subject, description, public
// comments and files flow both ways; work notes and private comments never cross; nothing is
// duplicated and nothing echoes.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
    addComments,
    addFile,
    caseById,
    createCase,
    exalate,
    filesOf,
    publicComments,
    textOf
} from '../emulators/scenario/two-org-stack.ts';
import type { Side } from '../emulators/scenario/two-org-stack.ts';
import { eventually } from '../emulators/scenario/two-org-stack.ts';
import { startServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack, ServiceNowStackOptions } from '../emulators/scenario/servicenow-stack.ts';

/** The Salesforce end as the two-org helpers take it. */
function sfSide(stack: ServiceNowStack): Side {
    const { sf } = stack;
    return {
        name: 'Salesforce',
        org: sf.org,
        agent: sf.agent,
        connector: sf.connector,
        connectionId: sf.connectionId,
        log: sf.log,
        restart: () => Promise.reject(new Error('not used'))
    };
}

async function settle(stack: ServiceNowStack): Promise<void> {
    // Both engines idle twice in a row, with the change feed read meanwhile: an echo would be on its way.
    for (let round = 0; round < 3; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await Promise.all([stack.sf.connector.engine.idle(), stack.sn.connector.engine.idle()]);
    }
}

const AGENT = 'beth.agent';

const TOPOLOGIES: { title: string; options: ServiceNowStackOptions }[] = [
    { title: 'Salesforce initiates, public-public', options: { initiator: 'salesforce' } },
    { title: 'ServiceNow initiates, public-public', options: { initiator: 'servicenow' } },
    {
        title: 'Salesforce initiates, ServiceNow private',
        options: { initiator: 'salesforce', privateSide: 'servicenow' }
    },
    {
        title: 'ServiceNow initiates, Salesforce private',
        options: { initiator: 'servicenow', privateSide: 'salesforce' }
    }
];

for (const { title, options } of TOPOLOGIES) {
    void describe(`Salesforce and ServiceNow: ${title}`, () => {
        let stack: ServiceNowStack;
        before(async () => {
            stack = await startServiceNowStack(options);
        });
        after(async () => {
            await stack.close();
        });

        void it('a Case becomes an incident with its public comments and files, and comes back linked', async () => {
            const side = sfSide(stack);
            const { sn } = stack;
            const caseId = createCase(side, {
                subject: 'Printer on fire',
                description: 'Third floor, the big one.',
                comments: ['Customer called twice.'],
                privateComments: ['Internal: the budget is gone.']
            });
            addFile(side, caseId, 'photo.txt', Buffer.from('smoke everywhere\n'));
            exalate(side, caseId);
            const caseNumber = textOf(caseById(side, caseId), 'CaseNumber');
            const incident = await eventually('the incident exists', () =>
                sn.instance.incidents().find((view) => view.record.short_description === 'Printer on fire')
            );
            assert.equal(incident.record.description, 'Third floor, the big one.');
            const full = await eventually('the comment and file are on the incident', () => {
                const view = sn.instance.incident(incident.record.sys_id);
                return view && view.comments.length === 1 && view.attachments.length === 1 ? view : undefined;
            });
            assert.match(full.comments[0].value, /Alice Agent \(Salesforce\) wrote on .*\n\nCustomer called twice\./s);
            assert.equal(full.comments[0].createdBy, sn.instance.serviceAccount.userName);
            assert.equal(full.workNotes.length, 0, 'nothing is written as a work note');
            assert.equal(full.attachments[0].fileName, 'photo.txt');
            assert.equal(full.attachments[0].content.toString(), 'smoke everywhere\n');
            const twin = await eventually('the Salesforce twin knows the incident', () => {
                const row = side.org.records('Sync_Twin__c').find((t) => t.Case__c === caseId);
                return row?.Sync_Status__c === 'Synchronized' && row.Remote_Key__c ? row : undefined;
            });
            assert.equal(twin.Remote_Key__c, incident.record.number);
            assert.match(textOf(twin, 'Remote_Url__c'), /\/nav_to\.do\?uri=incident\.do%3Fsys_id%3D[0-9a-f]{32}$/);
            const snTwin = sn.connector.store.readTwins({ caseIds: [incident.record.sys_id] })[0];
            assert.equal(snTwin.remoteKey, caseNumber);
            await settle(stack);
            assert.equal(
                sn.instance.incidents().filter((v) => v.record.short_description === 'Printer on fire').length,
                1
            );
            assert.equal(publicComments(side, caseId).length, 1, 'nothing echoed back to the Case');
            assert.equal(filesOf(side, caseId).length, 1, 'the file did not come back');
            assert.equal(sn.instance.incident(incident.record.sys_id)?.comments.length, 1, 'no duplicate comment');
        });

        void it('an incident synced by number becomes a Case; edits, comments and files flow both ways; work notes never cross', async () => {
            const side = sfSide(stack);
            const { sn } = stack;
            const created = sn.instance.createIncidentAs(AGENT, {
                short_description: 'VPN drops every hour',
                description: 'Since Monday.',
                comments: 'First seen on the office Wi-Fi.'
            });
            sn.instance.addWorkNoteAs(AGENT, created.record.number, 'Internal: suspect the new firewall.');
            const stages: string[] = [];
            const requested = await sn.console.sync(sn.connectionId, created.record.number);
            const followed = await sn.console.follow(requested.eventId, (stage) => stages.push(stage), {
                timeoutMs: 15_000
            });
            assert.equal(followed.stage, 'Synchronized', `stages: ${stages.join(' > ')}`);
            assert.equal(stages[0], 'Preparing');
            const mirror = await eventually('the Case exists', () => {
                const twin = side.org.records('Sync_Twin__c').find((t) => t.Remote_Key__c === created.record.number);
                return twin === undefined ? undefined : side.org.records('Case').find((c) => c.Id === twin.Case__c);
            });
            const mirrorId = textOf(mirror, 'Id');
            assert.equal(mirror.Subject, 'VPN drops every hour');
            assert.equal(mirror.Description, 'Since Monday.');
            const comments = publicComments(side, mirrorId);
            assert.equal(comments.length, 1);
            assert.match(comments[0], /Beth Agent \(ServiceNow\) wrote on .*\n\nFirst seen on the office Wi-Fi\./s);
            assert.ok(!comments.some((body) => body.includes('firewall')), 'work notes stay in ServiceNow');
            await settle(stack);

            // ServiceNow edits, comments, adds a work note and a file: the Case gets all but the work note.
            sn.instance.updateIncidentAs(AGENT, created.record.number, {
                short_description: 'VPN drops every hour (office only)'
            });
            sn.instance.addCommentAs(AGENT, created.record.number, 'Only on the office Wi-Fi.');
            sn.instance.addWorkNoteAs(AGENT, created.record.number, 'Internal: firewall logs attached.');
            sn.instance.attachFileAs(AGENT, created.record.number, {
                fileName: 'vpn.log',
                contentType: 'text/plain',
                bytes: Buffer.from('12:00 tunnel down\n12:01 tunnel up\n')
            });
            await eventually('the subject reaches the Case', () =>
                caseById(side, mirrorId).Subject === 'VPN drops every hour (office only)' ? true : undefined
            );
            await eventually('the comment reaches the Case', () =>
                publicComments(side, mirrorId).some((body) => body.includes('Only on the office Wi-Fi.'))
            );
            await eventually('the file reaches the Case', () => filesOf(side, mirrorId).length === 1);
            const [file] = filesOf(side, mirrorId);
            assert.equal(`${textOf(file, 'Title')}.${textOf(file, 'FileExtension')}`, 'vpn.log');

            // Salesforce answers with a comment, a private comment and a file: the incident gets the public ones.
            addComments(side, mirrorId, ['Replaced the access point.']);
            addComments(side, mirrorId, ['Internal: cost 300 EUR.'], false);
            addFile(side, mirrorId, 'ap.txt', Buffer.from('new access point installed\n'));
            await eventually('the comment reaches the incident', () =>
                sn.instance
                    .incident(created.record.sys_id)
                    ?.comments.some((c) => c.value.includes('Replaced the access point.'))
            );
            await eventually(
                'the file reaches the incident',
                () => sn.instance.incident(created.record.sys_id)?.attachments.length === 2
            );

            await settle(stack);
            const view = sn.instance.incident(created.record.sys_id);
            assert.deepEqual(
                view?.comments.map((c) => c.value.split('\n').pop()),
                ['First seen on the office Wi-Fi.', 'Only on the office Wi-Fi.', 'Replaced the access point.']
            );
            assert.equal(view?.workNotes.length, 2, 'the node wrote no work note');
            assert.ok(!view?.comments.some((c) => c.value.includes('300 EUR')), 'private comments stay in Salesforce');
            assert.deepEqual(
                publicComments(side, mirrorId).map((body) => body.split('\n').pop()),
                ['First seen on the office Wi-Fi.', 'Only on the office Wi-Fi.', 'Replaced the access point.']
            );
            assert.equal(filesOf(side, mirrorId).length, 2, 'each file once on the Case');
            assert.equal(view?.attachments.length, 2, 'each file once on the incident');
            assert.equal(
                side.org.records('Case').filter((c) => c.Subject === 'VPN drops every hour (office only)').length,
                1,
                'one Case for the incident'
            );
        });
    });
}
