// End to end: a Case under sync is deleted on one side. The other side keeps its Case, its twin says
// in words an admin understands that the remote Case was deleted, the console's error list shows it,
// later edits of the kept Case send nothing, and syncing it again starts a new twin. The deletion is
// announced exactly once, also when the connector restarts between the deletion and the send.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
    addComments,
    caseById,
    createCase,
    eventually,
    exalate,
    mirrorOf,
    publicComments,
    startTwoOrgStack,
    textOf,
    twinOf
} from '../emulators/scenario/two-org-stack.ts';
import type { Side, TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';
import type { JsonObject } from '../emulators/salesforce/index.ts';
import { SalesforceAdmin } from '../src/admin/salesforce-admin.ts';
import type { SyncEventDto } from '../../types/exalate-dto.d.ts';
import { apexRestSecretStore } from '../src/admin/secret-store.ts';
import { ApiBudget } from '../src/salesforce/api-budget.ts';
import { connectOrg } from '../src/salesforce/auth.ts';
import { apiNames } from '../src/salesforce/names.ts';
import { startServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';

const NOTICE =
    /^The remote Case (\d{8}) was deleted on SalesforceA on \d{4}-\d\d-\d\d \d\d:\d\d UTC; this Case is kept and no longer syncs\./;

async function settle(stack: TwoOrgStack): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await Promise.all([stack.a.connector.engine.idle(), stack.b.connector.engine.idle()]);
    }
}

/** The console's admin code of a side (what the Errors tab calls), over the emulated org. */
async function consoleAdmin(side: Side): Promise<SalesforceAdmin> {
    const budget = new ApiBudget();
    const connection = await connectOrg({
        kind: 'token',
        instanceUrl: side.org.instanceUrl,
        accessToken: side.org.connectorUser.accessToken
    });
    const names = apiNames(side.org.namespacePrefix);
    return new SalesforceAdmin({
        connection,
        names,
        budget,
        secrets: apexRestSecretStore({ connection: () => connection, names, budget }),
        actor: { userId: side.agent.id, name: 'Admin' }
    });
}

/** The console's error list of a side (the Errors tab). */
async function errorList(side: Side): Promise<SyncEventDto[]> {
    return (await consoleAdmin(side)).listErrors({ connectionId: side.connectionId });
}

/** The Case that mirrors a remote key through a twin that still has its Case (an ended twin may not). */
function liveMirrorOf(side: Side, remoteKey: string): JsonObject | undefined {
    const twin = side.org
        .records('Sync_Twin__c')
        .find((row) => row.Remote_Key__c === remoteKey && typeof row.Case__c === 'string');
    return twin === undefined ? undefined : caseById(side, textOf(twin, 'Case__c'));
}

function twinById(side: Side, twinId: string): JsonObject {
    const twin = side.org.records('Sync_Twin__c').find((row) => row.Id === twinId);
    assert.ok(twin, `${side.name} has twin ${twinId}`);
    return twin;
}

function eventsOfTwin(side: Side, twinId: string): JsonObject[] {
    return side.org.records('Sync_Event__c').filter((event) => event.Twin__c === twinId);
}

function deletionEvents(side: Side, twinId: string): JsonObject[] {
    return eventsOfTwin(side, twinId).filter(
        (event) =>
            event.Direction__c === 'Outgoing' &&
            (JSON.parse(textOf(event, 'Payload__c')) as { kind: string }).kind === 'entity-deleted'
    );
}

/** A Case created on `from`, synced to `to`, with both twins Synchronized. */
async function syncedCase(
    from: Side,
    to: Side,
    subject: string
): Promise<{ caseId: string; twinId: string; mirrorId: string; mirrorTwinId: string; caseNumber: string }> {
    const caseId = createCase(from, { subject, description: 'Kept on the other side.', comments: ['First note.'] });
    exalate(from, caseId);
    const caseNumber = textOf(caseById(from, caseId), 'CaseNumber');
    const mirror = await eventually(`${subject} exists on ${to.name}`, () => mirrorOf(to, caseNumber));
    const twin = await eventually(`${from.name} records the link`, () => {
        const found = twinOf(from, caseId);
        return found?.Sync_Status__c === 'Synchronized' && found.Remote_Key__c ? found : undefined;
    });
    const mirrorTwin = twinOf(to, textOf(mirror, 'Id'));
    assert.ok(mirrorTwin);
    return {
        caseId,
        twinId: textOf(twin, 'Id'),
        mirrorId: textOf(mirror, 'Id'),
        mirrorTwinId: textOf(mirrorTwin, 'Id'),
        caseNumber
    };
}

for (const privateB of [false, true]) {
    void describe(`a deleted Case, ${privateB ? 'public-private (B long-polls A)' : 'public-public'}`, () => {
        let stack: TwoOrgStack;
        before(async () => {
            stack = await startTwoOrgStack({ privateB });
        });
        after(async () => {
            await stack.close();
        });

        void it('ends the twin on the other side: its Case is kept, the twin and the error list say why', async () => {
            const { a, b } = stack;
            const synced = await syncedCase(a, b, 'Router keeps rebooting');

            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);

            const ended = await eventually('B ends the twin', () => {
                const twin = twinById(b, synced.mirrorTwinId);
                return twin.Sync_Status__c === 'Remote deleted' ? twin : undefined;
            });
            const notice = textOf(ended, 'Last_Error__c');
            assert.match(notice, NOTICE);
            assert.equal(NOTICE.exec(notice)?.[1], synced.caseNumber, 'the notice names the deleted Case');
            assert.match(notice, /Sync it again to send it to SalesforceA as a new Case\.$/);
            assert.equal(ended.Case__c, synced.mirrorId, 'the twin still links the kept Case');
            const kept = caseById(b, synced.mirrorId);
            assert.equal(kept.Subject, 'Router keeps rebooting', 'the Case on B is kept as it was');
            assert.equal(publicComments(b, synced.mirrorId).length, 1, 'with its comments');

            const errors = await errorList(b);
            const listed = errors.filter((row) => row.caseId === synced.mirrorId);
            assert.equal(listed.length, 1, JSON.stringify(errors));
            assert.equal(listed[0].direction, 'Incoming');
            assert.equal(listed[0].error, notice);

            const told = await eventually('A records that B was told', () => {
                const twin = twinById(a, synced.twinId);
                return twin.Sync_Status__c === 'Unlinked' ? twin : undefined;
            });
            assert.equal(told.Case__c ?? null, null);
            assert.match(
                textOf(told, 'Last_Error__c'),
                /^This Case was deleted here on .* UTC\. SalesforceB was told on .* UTC and keeps its record \d{8}; this twin no longer syncs\.$/
            );
            const sent = deletionEvents(a, synced.twinId);
            assert.equal(sent.length, 1, 'announced once');
            assert.equal(sent[0].Stage__c, 'Synchronized');
            assert.equal(sent[0].Sequence__c, 2, 'after the first message, with the next sequence');
            const received = b.org
                .records('Sync_Event__c')
                .filter((event) => event.Message_Id__c === sent[0].Message_Id__c);
            assert.equal(received.length, 1, 'applied once');
            assert.equal(received[0].Stage__c, 'Failed');
        });

        void it('sends nothing for a later edit of the kept Case, and syncing it again starts a new twin', async () => {
            const { a, b } = stack;
            const synced = await syncedCase(a, b, 'Printer jams on page two');
            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);
            await eventually(
                'B ends the twin',
                () => twinById(b, synced.mirrorTwinId).Sync_Status__c === 'Remote deleted'
            );
            await settle(stack);

            const casesOnA = a.org.records('Case').length;
            const eventsOnB = eventsOfTwin(b, synced.mirrorTwinId).length;
            b.org.updateAs(b.agent.id, 'Case', [{ Id: synced.mirrorId, Subject: 'Printer jams on page two (B)' }]);
            addComments(b, synced.mirrorId, ['Bob: still jamming after the deletion.']);
            await settle(stack);
            assert.equal(eventsOfTwin(b, synced.mirrorTwinId).length, eventsOnB, 'no message on the ended twin');
            assert.equal(a.org.records('Case').length, casesOnA, 'nothing reached A');
            assert.equal(twinById(b, synced.mirrorTwinId).Sync_Status__c, 'Remote deleted');
            assert.equal(b.org.records('Sync_Signal__c').length, 0, 'the edits left no signal behind in the outbox');

            // The agent on B syncs the kept Case again: the same twin starts over, A gets a new Case.
            exalate(b, synced.mirrorId);
            const caseNumberB = textOf(caseById(b, synced.mirrorId), 'CaseNumber');
            const fresh = await eventually('A has a new Case for B', () => liveMirrorOf(a, caseNumberB));
            assert.equal(fresh.Subject, 'Printer jams on page two (B)');
            assert.deepEqual(
                publicComments(a, textOf(fresh, 'Id')).map((body) => body.replace(/^.*\n\n/s, '')),
                ['Bob: still jamming after the deletion.'],
                "B's own comment goes; the mirror of A's deleted comment does not come back"
            );
            const restarted = await eventually('B links the new Case', () => {
                const twin = twinById(b, synced.mirrorTwinId);
                return twin.Sync_Status__c === 'Synchronized' && twin.Remote_Key__c === fresh.CaseNumber
                    ? twin
                    : undefined;
            });
            assert.equal(restarted.Last_Error__c ?? null, null);
            // And it syncs both ways again.
            a.org.updateAs(a.agent.id, 'Case', [{ Id: textOf(fresh, 'Id'), Subject: 'Fixed by a new roller' }]);
            await eventually(
                'the change on A reaches B',
                () => caseById(b, synced.mirrorId).Subject === 'Fixed by a new roller'
            );
        });

        void it('announces a Case deleted on B to A the same way', async () => {
            const { a, b } = stack;
            const caseId = createCase(b, { subject: 'VPN drops at noon', comments: ['From B.'] });
            exalate(b, caseId);
            const caseNumber = textOf(caseById(b, caseId), 'CaseNumber');
            const mirror = await eventually('the Case exists on A', () => mirrorOf(a, caseNumber));
            const twinB = await eventually('B links it', () => {
                const twin = twinOf(b, caseId);
                return twin?.Sync_Status__c === 'Synchronized' ? twin : undefined;
            });
            const twinA = twinOf(a, textOf(mirror, 'Id'));
            assert.ok(twinA);

            b.org.deleteAs(b.agent.id, 'Case', [caseId]);

            const ended = await eventually('A ends the twin', () => {
                const twin = twinById(a, textOf(twinA, 'Id'));
                return twin.Sync_Status__c === 'Remote deleted' ? twin : undefined;
            });
            assert.match(
                textOf(ended, 'Last_Error__c'),
                new RegExp(`^The remote Case ${caseNumber} was deleted on SalesforceB on .* UTC; this Case is kept`)
            );
            assert.equal(caseById(a, textOf(mirror, 'Id')).Subject, 'VPN drops at noon');
            await eventually(
                'B records that A was told',
                () => twinById(b, textOf(twinB, 'Id')).Sync_Status__c === 'Unlinked'
            );
            assert.equal(deletionEvents(b, textOf(twinB, 'Id')).length, 1);

            // The admin on A clicks Retry on the notice in the error list: the kept Case goes to B anew.
            const admin = await consoleAdmin(a);
            const notice = (await admin.listErrors({ connectionId: a.connectionId })).find(
                (row) => row.caseId === textOf(mirror, 'Id')
            );
            assert.ok(notice);
            await admin.retryEvent({ eventId: notice.id });
            const caseNumberA = textOf(caseById(a, textOf(mirror, 'Id')), 'CaseNumber');
            const again = await eventually('B has a new Case for the kept one', () => liveMirrorOf(b, caseNumberA));
            assert.equal(again.Subject, 'VPN drops at noon');
            await eventually('A links it', () => {
                const twin = twinById(a, textOf(twinA, 'Id'));
                return twin.Sync_Status__c === 'Synchronized' && twin.Remote_Key__c === again.CaseNumber;
            });
            assert.equal(
                (await admin.listErrors({ connectionId: a.connectionId })).filter(
                    (row) => row.caseId === textOf(mirror, 'Id')
                ).length,
                0,
                'the notice left the error list'
            );
        });
    });
}

void describe('a deleted Case and a restarting connector', () => {
    let stack: TwoOrgStack;
    before(async () => {
        stack = await startTwoOrgStack();
    });
    after(async () => {
        await stack.close();
    });

    void it('announces a Case deleted while its connector was stopped exactly once', async () => {
        const { a, b } = stack;
        const synced = await syncedCase(a, b, 'Badge reader offline');
        await a.restart(() => {
            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);
        });
        await eventually('B ends the twin', () => twinById(b, synced.mirrorTwinId).Sync_Status__c === 'Remote deleted');
        await eventually('A records the ack', () => twinById(a, synced.twinId).Sync_Status__c === 'Unlinked');
        await settle(stack);
        const sent = deletionEvents(a, synced.twinId);
        assert.equal(sent.length, 1);
        const notices = eventsOfTwin(b, synced.mirrorTwinId).filter((event) => event.Stage__c === 'Failed');
        assert.equal(notices.length, 1, 'one notice in the error list');
        assert.equal(notices[0].Message_Id__c, sent[0].Message_Id__c);
    });

    void it('retries a failed announcement on its own back-off once the other side is back', async () => {
        const { a, b } = stack;
        const synced = await syncedCase(a, b, 'Printer queue frozen');
        await b.restart(async () => {
            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);
            await eventually('the announcement failed while B is down', () => {
                const [event] = deletionEvents(a, synced.twinId);
                return /Delivery to the other side failed/.test(textOf(event, 'Error__c'));
            });
        });
        // No wake event and no reconciliation (ten minutes away): only the retry timer sends it.
        await eventually(
            'B ends the twin once it is back',
            () => twinById(b, synced.mirrorTwinId).Sync_Status__c === 'Remote deleted',
            10_000
        );
        await eventually('A records the ack', () => twinById(a, synced.twinId).Sync_Status__c === 'Unlinked');
        assert.equal(deletionEvents(a, synced.twinId).length, 1, 'one message, sent again with the same id');
    });

    void it('sends the announcement once when the other side is down and the sender restarts before it gets through', async () => {
        const { a, b } = stack;
        const synced = await syncedCase(a, b, 'Lift stuck on floor 3');
        await b.restart(async () => {
            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);
            await eventually('the announcement failed while B is down', () => {
                const [event] = deletionEvents(a, synced.twinId);
                return /Delivery to the other side failed/.test(textOf(event, 'Error__c'));
            });
            await a.restart();
        });
        await eventually(
            'B ends the twin once it is back',
            () => twinById(b, synced.mirrorTwinId).Sync_Status__c === 'Remote deleted',
            20_000
        );
        await eventually('A records the ack', () => twinById(a, synced.twinId).Sync_Status__c === 'Unlinked');
        await settle(stack);
        const sent = deletionEvents(a, synced.twinId);
        assert.equal(sent.length, 1, 'one message, sent again with the same id');
        assert.equal(sent[0].Stage__c, 'Synchronized');
        const applied = b.org.records('Sync_Event__c').filter((event) => event.Message_Id__c === sent[0].Message_Id__c);
        assert.equal(applied.length, 1, 'applied once');
        assert.equal(caseById(b, synced.mirrorId).Subject, 'Lift stuck on floor 3');
    });

    void it('refuses a change of the other side that crossed the deletion, without creating the Case again', async () => {
        const { a, b } = stack;
        const synced = await syncedCase(a, b, 'Projector flickers');
        b.org.updateAs(b.agent.id, 'Case', [{ Id: synced.mirrorId, Subject: 'Projector flickers (room 2)' }]);
        await eventually(
            'the first change of B reached A',
            () => caseById(a, synced.caseId).Subject === 'Projector flickers (room 2)'
        );
        const casesOnA = a.org.records('Case').length;
        await a.restart(async () => {
            // While A's connector is down, B changes its Case again (its message waits) and A deletes its own.
            addComments(b, synced.mirrorId, ['Bob: it flickers in room 2 as well.']);
            await eventually('the change of B waits for A', () =>
                eventsOfTwin(b, synced.mirrorTwinId).some((event) =>
                    /Delivery to the other side failed/.test(textOf(event, 'Error__c'))
                )
            );
            a.org.deleteAs(a.agent.id, 'Case', [synced.caseId]);
        });
        await eventually('B ends the twin', () => twinById(b, synced.mirrorTwinId).Sync_Status__c === 'Remote deleted');
        const refused = await eventually(
            'the crossing change is refused, not left out of order',
            () =>
                eventsOfTwin(b, synced.mirrorTwinId).find(
                    (event) => event.Direction__c === 'Outgoing' && event.Stage__c === 'Failed'
                ),
            20_000
        );
        assert.match(
            textOf(refused, 'Error__c'),
            /^The other side refused this change: The sync of \d{8} ended here on /
        );
        await settle(stack);
        assert.equal(a.org.records('Case').length, casesOnA - 1, 'A did not create the deleted Case again');
        assert.equal(
            twinById(b, synced.mirrorTwinId).Sync_Status__c,
            'Remote deleted',
            'the twin still says why it ended'
        );
        assert.match(textOf(twinById(b, synced.mirrorTwinId), 'Last_Error__c'), NOTICE);
    });
});

void describe('a Case deleted in Salesforce, synced with a ServiceNow incident', () => {
    let stack: ServiceNowStack;
    before(async () => {
        stack = await startServiceNowStack({ initiator: 'salesforce' });
    });
    after(async () => {
        await stack.close();
    });

    void it('keeps the incident, ends its twin with the notice in the console errors, and sends nothing after', async () => {
        const { sf, sn } = stack;
        const side: Side = {
            name: 'Salesforce',
            org: sf.org,
            agent: sf.agent,
            connector: sf.connector,
            connectionId: sf.connectionId,
            log: sf.log,
            restart: () => Promise.reject(new Error('not used'))
        };
        const caseId = createCase(side, { subject: 'Scanner offline', comments: ['Tried a reboot.'] });
        exalate(side, caseId);
        const caseNumber = textOf(caseById(side, caseId), 'CaseNumber');
        const incident = await eventually('the incident exists', () =>
            sn.instance.incidents().find((view) => view.record.short_description === 'Scanner offline')
        );
        const sysId = incident.record.sys_id;
        await eventually(
            'Salesforce links the incident',
            () => twinOf(side, caseId)?.Sync_Status__c === 'Synchronized'
        );

        sf.org.deleteAs(sf.agent.id, 'Case', [caseId]);

        const twin = await eventually('the ServiceNow twin ends', () => {
            const found = sn.connector.store.readTwins({ caseIds: [sysId] })[0];
            return found?.lastError?.startsWith('The remote Case') === true ? found : undefined;
        });
        assert.match(
            twin.lastError ?? '',
            new RegExp(
                `^The remote Case ${caseNumber} was deleted on Salesforce on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC; this incident is kept and no longer syncs\\.`
            )
        );
        assert.equal(sn.instance.incident(sysId)?.record.short_description, 'Scanner offline', 'the incident is kept');
        const errors = sn.console.errors();
        const listed = errors.filter((row) => row.incident === sysId);
        assert.equal(listed.length, 1, JSON.stringify(errors));
        assert.equal(listed[0].error, twin.lastError);
        assert.equal(listed[0].direction, 'Incoming');

        const eventsBefore = sn.connector.store.eventsOfTwin(twin.id).length;
        const casesBefore = sf.org.records('Case').length;
        sn.instance.updateIncidentAs('beth.agent', incident.record.number, { short_description: 'Scanner back' });
        sn.instance.addCommentAs('beth.agent', incident.record.number, 'Works again.');
        for (let round = 0; round < 4; round += 1) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            await Promise.all([sf.connector.engine.idle(), sn.connector.engine.idle()]);
        }
        assert.equal(sn.connector.store.eventsOfTwin(twin.id).length, eventsBefore, 'no message on the ended twin');
        assert.equal(sf.org.records('Case').length, casesBefore, 'nothing reached Salesforce');
        await eventually('Salesforce records that ServiceNow was told', () =>
            sf.org
                .records('Sync_Twin__c')
                .some((row) => row.Remote_Key__c === incident.record.number && row.Sync_Status__c === 'Unlinked')
        );
    });
});
