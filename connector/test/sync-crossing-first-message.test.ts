// The other side writes about the Case it created for our first message before this side has
// recorded that message's ack (the ack is still on its way, or its answer was lost). Its message
// names our Case by `receiverKey`: it must update our Case, never create a second one.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
    caseById,
    createCase,
    eventually,
    exalate,
    startTwoOrgStack,
    textOf,
    twinOf
} from '../emulators/scenario/two-org-stack.ts';
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';
import type { SyncMessage } from '../src/protocol/messages.ts';

void describe('a message about the remote twin that crosses our first message', () => {
    let stack: TwoOrgStack;
    before(async () => {
        stack = await startTwoOrgStack();
    });
    after(async () => {
        await stack.close();
    });

    void it('finds our twin by its receiverKey while the ack that would name the remote Case is not recorded', async () => {
        const { a, b } = stack;
        await b.restart(async () => {
            // B is unreachable: A's first message about the Case is sent and not acknowledged.
            const caseId = createCase(a, { subject: 'Elevator stuck on floor 3' });
            exalate(a, caseId);
            await eventually('the first message waits for its ack', () =>
                a.org
                    .records('Sync_Event__c')
                    .some((event) => event.Case__c === caseId && typeof event.Message_Id__c === 'string')
            );
            assert.equal(twinOf(a, caseId)?.Remote_Key__c ?? null, null, 'A does not know the remote key yet');
            const caseNumber = textOf(caseById(a, caseId), 'CaseNumber');
            const casesBefore = a.org.records('Case').length;

            // What B sends about the Case it created for that message, whose ack A has not recorded.
            const live = a.connector.engine.connections[0];
            const message: SyncMessage = {
                protocol: 1,
                messageId: randomUUID(),
                connectionId: live.id,
                twinKey: '00009001',
                receiverKey: caseNumber,
                sequence: 1,
                sentAt: new Date().toISOString(),
                kind: 'entity-upsert',
                replica: {
                    key: '00009001',
                    url: '',
                    summary: 'Elevator stuck on floor 3',
                    description: 'Technician on the way.',
                    comments: [],
                    attachments: []
                }
            };
            const answer = await a.connector.engine.receiveMessages(live.id, { messages: [message] });
            assert.ok(answer.ok);
            assert.equal(answer.acks[0].status, 'applied');
            assert.equal(answer.acks[0].remoteKey, caseNumber, 'the ack names our Case');

            assert.equal(a.org.records('Case').length, casesBefore, 'no second Case');
            assert.equal(caseById(a, caseId).Description, 'Technician on the way.', 'the change went to our Case');
            assert.equal(twinOf(a, caseId)?.Remote_Key__c, '00009001', 'the twin now knows the remote key');
            assert.equal(
                a.org.records('Sync_Twin__c').filter((twin) => twin.Remote_Key__c === '00009001').length,
                1,
                'one twin for the remote Case'
            );
        });
    });
});
