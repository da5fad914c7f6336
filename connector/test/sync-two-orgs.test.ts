// End to end: two emulated orgs, two connectors, real HTTP on 127.0.0.1. A Case brought under sync on
// one side appears on the other with its public comments and files; edits, comments and files flow
// both ways; nothing is duplicated and nothing echoes.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
    addComments,
    addFile,
    caseById,
    connectionOf,
    eventually,
    exalate,
    filesOf,
    mirrorOf,
    publicComments,
    startTwoOrgStack,
    textOf,
    twinOf
} from '../emulators/scenario/two-org-stack.ts';
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';
import { createCase } from '../emulators/scenario/two-org-stack.ts';

async function settle(stack: TwoOrgStack): Promise<void> {
    // Both engines idle twice in a row with no queue work: every echo would have been sent by then.
    for (let round = 0; round < 2; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await Promise.all([stack.a.connector.engine.idle(), stack.b.connector.engine.idle()]);
    }
}

for (const privateB of [false, true]) {
    void describe(`two orgs, ${privateB ? 'public-private (B long-polls A)' : 'public-public'}`, () => {
        let stack: TwoOrgStack;
        before(async () => {
            stack = await startTwoOrgStack({ privateB });
        });
        after(async () => {
            await stack.close();
        });

        void it('makes the connection Active on both sides through the invitation code', () => {
            assert.equal(connectionOf(stack.a).Status__c, 'Active');
            assert.equal(connectionOf(stack.b).Status__c, 'Active');
            assert.equal(connectionOf(stack.a).Accepted_By__c, 'SalesforceB');
            assert.equal(connectionOf(stack.a).Remote_Node_Url__c ?? null, privateB ? null : stack.b.connector.nodeUrl);
        });

        void it('brings a Case across with its public comments only, and links both twins', async () => {
            const { a, b } = stack;
            const caseId = createCase(a, {
                subject: 'Printer on fire',
                description: 'Third floor, the big one.',
                comments: ['Customer called twice.', 'Fire brigade informed.'],
                privateComments: ['Internal: do not tell the customer about the budget.']
            });
            exalate(a, caseId);
            const caseNumber = textOf(caseById(a, caseId), 'CaseNumber');
            const mirror = await eventually('the Case exists on B', () => mirrorOf(b, caseNumber));
            assert.equal(mirror.Subject, 'Printer on fire');
            assert.equal(mirror.Description, 'Third floor, the big one.');
            const comments = publicComments(b, textOf(mirror, 'Id'));
            assert.equal(comments.length, 2);
            assert.match(comments[0], /\(SalesforceA\) wrote on .*\n\nCustomer called twice\./s);
            assert.ok(!comments.some((body) => body.includes('budget')), 'private comments stay private');
            const twinA = await eventually('A records the remote key', () => {
                const twin = twinOf(a, caseId);
                return twin?.Sync_Status__c === 'Synchronized' && twin.Remote_Key__c ? twin : undefined;
            });
            assert.equal(twinA.Remote_Key__c, mirror.CaseNumber);
            const outgoing = a.org.records('Sync_Event__c').filter((event) => event.Case__c === caseId);
            assert.ok(
                outgoing.every((event) => event.Stage__c === 'Synchronized'),
                JSON.stringify(outgoing)
            );
            await settle(stack);
            assert.equal(publicComments(a, caseId).length, 2, 'nothing came back to A');
            assert.equal(publicComments(b, textOf(mirror, 'Id')).length, 2, 'nothing was repeated on B');
        });

        void it('flows edits, comments and files both ways without duplicates or echoes', async () => {
            const { a, b } = stack;
            const caseId = createCase(a, { subject: 'VPN drops every hour', comments: ['First seen Monday.'] });
            exalate(a, caseId);
            const caseNumber = textOf(caseById(a, caseId), 'CaseNumber');
            const mirror = await eventually('the Case exists on B', () => mirrorOf(b, caseNumber));
            const mirrorId = textOf(mirror, 'Id');
            await settle(stack);

            // B edits the subject and answers; A gets both.
            b.org.updateAs(b.agent.id, 'Case', [{ Id: mirrorId, Subject: 'VPN drops every hour (office only)' }]);
            addComments(b, mirrorId, ['Only on the office Wi-Fi.']);
            await eventually('the subject reaches A', () =>
                caseById(a, caseId).Subject === 'VPN drops every hour (office only)' ? true : undefined
            );
            await eventually('the comment reaches A', () =>
                publicComments(a, caseId).some((body) => body.includes('Only on the office Wi-Fi.'))
            );

            // A adds a file and a comment; B gets both.
            addFile(a, caseId, 'vpn.log', Buffer.from('12:00 tunnel down\n12:01 tunnel up\n'));
            addComments(a, caseId, ['Log attached.']);
            await eventually('the file reaches B', () => filesOf(b, mirrorId).length === 1);
            await eventually('the comment reaches B', () =>
                publicComments(b, mirrorId).some((body) => body.includes('Log attached.'))
            );
            const [file] = filesOf(b, mirrorId);
            assert.equal(`${textOf(file, 'Title')}.${textOf(file, 'FileExtension')}`, 'vpn.log');
            assert.equal(file.ContentSize, 34);

            await settle(stack);
            assert.deepEqual(
                publicComments(a, caseId).map((body) => body.split('\n').pop()),
                ['First seen Monday.', 'Only on the office Wi-Fi.', 'Log attached.']
            );
            assert.deepEqual(
                publicComments(b, mirrorId).map((body) => body.split('\n').pop()),
                ['First seen Monday.', 'Only on the office Wi-Fi.', 'Log attached.']
            );
            assert.equal(filesOf(a, caseId).length, 1, 'the file did not come back to A');
            assert.equal(filesOf(b, mirrorId).length, 1, 'the file is on B once');
            assert.equal(caseById(b, mirrorId).Subject, 'VPN drops every hour (office only)');
        });

        void it('still sends a change whose change signal was lost: the reconciliation finds it', async () => {
            const { a, b } = stack;
            const caseId = createCase(a, { subject: 'Badge reader offline' });
            exalate(a, caseId);
            const mirror = await eventually('the Case exists on B', () =>
                mirrorOf(b, textOf(caseById(a, caseId), 'CaseNumber'))
            );
            await settle(stack);
            await a.restart(() => {
                // While A's connector is down, an edit whose trigger signal never made it to the outbox.
                a.org.updateAs(a.agent.id, 'Case', [{ Id: caseId, Subject: 'Badge reader offline (lobby)' }]);
                const signals = a.org.records('Sync_Signal__c').filter((signal) => signal.Case__c === caseId);
                assert.ok(signals.length > 0, 'the edit recorded a signal, which is now lost');
                a.org.deleteAs(
                    a.org.connectorUser.id,
                    'Sync_Signal__c',
                    signals.map((signal) => textOf(signal, 'Id'))
                );
            });
            await eventually('the edit reaches B', () =>
                caseById(b, textOf(mirror, 'Id')).Subject === 'Badge reader offline (lobby)' ? true : undefined
            );
            await settle(stack);
            assert.equal(twinOf(a, caseId)?.Sync_Status__c, 'Synchronized');
        });

        void it('sends a change made while the first message waited for its ack as soon as the ack comes', async () => {
            const { a, b } = stack;
            let caseId = '';
            await b.restart(async () => {
                caseId = createCase(a, { subject: 'Projector flickers' });
                exalate(a, caseId);
                await eventually('the first message waits for B', () =>
                    ['Sending', 'Waiting for remote'].includes(textOf(twinOf(a, caseId), 'Sync_Status__c'))
                );
                addComments(a, caseId, ['Only with the HDMI cable.']);
                await new Promise((resolve) => setTimeout(resolve, 300));
                await a.connector.engine.idle();
            });
            const caseNumber = textOf(caseById(a, caseId), 'CaseNumber');
            const mirror = await eventually('the Case reaches B once B is back', () => mirrorOf(b, caseNumber));
            // Without a wake event or a reconciliation (ten minutes away), only the ack can let the
            // comment go.
            await eventually(
                'the comment made meanwhile follows',
                () => (publicComments(b, textOf(mirror, 'Id')).length === 1 ? true : undefined),
                5_000
            );
        });
    });
}
