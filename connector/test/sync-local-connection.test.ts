// End to end: a Local connection keeps two Cases of the same org in sync, through one connector and
// no network. Exalate on a Case creates its twin Case in the same org with the public comments and
// files; edits, comments and files then flow both ways, exactly once, with no echo; a restart of the
// connector carries on from the org.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { addTrigger, createLocalConnection } from '../emulators/scenario/console-actions.ts';
import {
    addComments,
    addFile,
    caseById,
    createCase,
    eventually,
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

void describe('a Local connection (two Cases of one org, no network)', () => {
    let org: SalesforceEmulator;
    let spool: string;
    let side: Side;
    let adminId: string;

    async function settle(): Promise<void> {
        for (let round = 0; round < 2; round += 1) {
            await new Promise((resolve) => setTimeout(resolve, 150));
            await side.connector.engine.idle();
        }
    }

    before(async () => {
        spool = await mkdtemp(join(tmpdir(), 'exalate-local-'));
        org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2_000 });
        const agent = org.createUser({
            name: 'Alice Agent',
            username: 'alice@a.example',
            permissionSets: ['Exalate_User']
        });
        const admin = org.createUser({
            name: 'Ada Admin',
            username: 'ada@a.example',
            permissionSets: ['Exalate_Admin']
        });
        const log: ConnectorLogEntry[] = [];
        const start = (): Promise<RunningConnector> =>
            startSalesforceConnector({
                auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
                namespace: org.namespacePrefix,
                spoolDir: spool,
                log: (entry) => log.push(entry),
                tuning: { retryInitialMs: 200 }
            });
        side = {
            name: 'Support',
            org,
            agent,
            connector: await start(),
            connectionId: '',
            log,
            restart: async (whileStopped) => {
                await side.connector.stop();
                await whileStopped?.();
                side.connector = await start();
            }
        };
        adminId = admin.id;
        side.connectionId = createLocalConnection(org, admin.id, {
            connectionName: 'Support_to_Field_Service',
            localInstance: 'Support',
            remoteInstance: 'FieldService'
        });
        await eventually('the connector knows the new Local connection', () =>
            side.connector.engine.connections.some((connection) => connection.local)
        );
    });
    after(async () => {
        await side.connector.stop();
        await org.close();
        await rm(spool, { recursive: true, force: true });
    });

    void it('creates the twin Case in the same org with the public comments and files', async () => {
        const caseId = createCase(side, {
            subject: 'Boiler pressure low',
            description: 'Building C, basement.',
            comments: ['Customer reports 0.5 bar.', 'Technician booked for Monday.'],
            privateComments: ['Internal: warranty expired last month.']
        });
        addFile(side, caseId, 'gauge.jpg', Buffer.from('a photo of the gauge'));
        exalate(side, caseId);
        const caseNumber = textOf(caseById(side, caseId), 'CaseNumber');

        const twinCase = await eventually('the twin Case exists', () => mirrorOf(side, caseNumber));
        const twinCaseId = textOf(twinCase, 'Id');
        assert.notEqual(twinCaseId, caseId, 'a second Case, not the same one');
        assert.equal(twinCase.Subject, 'Boiler pressure low');
        assert.equal(twinCase.Description, 'Building C, basement.');
        await eventually('both comments are on the twin Case', () => publicComments(side, twinCaseId).length === 2);
        const comments = publicComments(side, twinCaseId);
        assert.ok(comments[0].includes('Customer reports 0.5 bar.'), comments[0]);
        assert.ok(comments[0].includes('Alice Agent'), 'the author is named in the comment');
        assert.ok(!comments.some((body) => body.includes('warranty')), 'private comments stay private');
        await eventually('the file is on the twin Case', () => filesOf(side, twinCaseId).length === 1);
        const [file] = filesOf(side, twinCaseId);
        assert.equal(`${textOf(file, 'Title')}.${textOf(file, 'FileExtension')}`, 'gauge.jpg');
        assert.equal(file.ContentSize, Buffer.byteLength('a photo of the gauge'));

        await eventually('the first twin is Synchronized and knows the other Case', () =>
            twinOf(side, caseId)?.Sync_Status__c === 'Synchronized' ? true : undefined
        );
        assert.equal(twinOf(side, caseId)?.Remote_Key__c, textOf(twinCase, 'CaseNumber'));
        await settle();
        assert.equal(org.records('Case').length, 2, 'exactly two Cases: nothing duplicated, nothing echoed');
        assert.equal(publicComments(side, caseId).length, 2, 'no comment came back to the first Case');
        assert.equal(filesOf(side, caseId).length, 1, 'no file came back to the first Case');
        assert.equal(side.connector.engine.stats.deliveryFailures, 0);
    });

    void it('flows edits and comments both ways, once each', async () => {
        const [first, second] = org.records('Case').map((record) => textOf(record, 'Id'));
        org.updateAs(side.agent.id, 'Case', [{ Id: second, Subject: 'Boiler pressure low (valve replaced)' }]);
        await eventually('the edit of the twin Case reaches the first Case', () =>
            caseById(side, first).Subject === 'Boiler pressure low (valve replaced)' ? true : undefined
        );
        addComments(side, first, ['Customer confirms pressure is back to 1.5 bar.']);
        await eventually('the new comment reaches the twin Case', () =>
            publicComments(side, second).some((body) => body.includes('1.5 bar')) ? true : undefined
        );
        await settle();
        assert.equal(org.records('Case').length, 2);
        assert.equal(publicComments(side, first).length, 3);
        assert.equal(publicComments(side, second).length, 3);
        assert.equal(
            publicComments(side, second).filter((body) => body.includes('1.5 bar')).length,
            1,
            'the comment is added once'
        );
    });

    void it('carries on after a restart: a change made while the connector was down arrives', async () => {
        const [first, second] = org.records('Case').map((record) => textOf(record, 'Id'));
        await side.restart(() => {
            org.updateAs(side.agent.id, 'Case', [{ Id: first, Description: 'Building C, basement. Closed out.' }]);
        });
        await eventually('the edit made while stopped reaches the twin Case', () =>
            caseById(side, second).Description === 'Building C, basement. Closed out.' ? true : undefined
        );
        await settle();
        assert.equal(org.records('Case').length, 2);
        assert.equal(publicComments(side, second).length, 3);
    });

    void it('brings matching Cases under sync by trigger, and never twins the twin Case again', async () => {
        addTrigger(org, adminId, side.connectionId, "Subject LIKE 'Outage%'");
        await new Promise((resolve) => setTimeout(resolve, 200));
        const caseId = createCase(side, { subject: 'Outage in hall 4', comments: ['Power is off since 9:00.'] });
        const caseNumber = textOf(caseById(side, caseId), 'CaseNumber');
        const twinCase = await eventually('the matching Case gets its twin Case', () => mirrorOf(side, caseNumber));
        const twinCaseId = textOf(twinCase, 'Id');
        assert.equal(twinCase.Subject, 'Outage in hall 4', 'the twin Case matches the trigger too');
        await eventually('the comment is on the twin Case', () => publicComments(side, twinCaseId).length === 1);
        await settle();
        const outageCases = org.records('Case').filter((record) => textOf(record, 'Subject').startsWith('Outage'));
        assert.equal(outageCases.length, 2, 'the twin Case is not twinned again');
        assert.equal(
            org.records('Sync_Twin__c').filter((twin) => twin.Case__c === twinCaseId).length,
            1,
            'the twin Case has only the twin that links it back'
        );
    });

    void it('answers no request from outside for a Local connection', async () => {
        const live = side.connector.engine.connections.find((connection) => connection.local);
        assert.ok(live !== undefined, 'the Local connection is known to the engine');
        assert.equal(await side.connector.engine.keysFor(live.id), undefined);
        assert.equal(await side.connector.engine.invitationKeys(live.id), undefined);
    });
});
