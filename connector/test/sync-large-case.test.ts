// End to end: the first sync of a Case with 2,500 public comments (every tenth one 4,000 characters
// long) and a full 32,000-character description. Its change does not fit one queued message
// (Sync_Event__c.Payload__c holds 131,072 characters), so it goes as several messages of the same
// twin; every comment arrives once, in order, and every queued message fits the payload field.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
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
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';

const COMMENTS = 2_500;
const PAYLOAD_FIELD_CHARS = 131_072;

function body(index: number): string {
    const head = `Comment ${String(index).padStart(4, '0')}: `;
    // Quotes and line breaks take two characters each in JSON: the budget must count them.
    return index % 10 === 0 ? head + 'Log line "42"\n'.repeat(300).slice(0, 4_000 - head.length) : head + 'ok';
}

for (const privateB of [false, true]) {
    void describe(`a Case with ${COMMENTS.toLocaleString('en-US')} comments, ${privateB ? 'public-private' : 'public-public'}`, () => {
        let stack: TwoOrgStack;
        before(async () => {
            stack = await startTwoOrgStack({ privateB });
        });
        after(async () => {
            await stack.close();
        });

        void it('syncs completely to the other org, every comment once and in order', async () => {
            const { a, b } = stack;
            const caseId = createCase(a, {
                subject: 'Nightly export fails',
                description: 'Stack trace "below"\n'.repeat(1_600).slice(0, 32_000),
                comments: Array.from({ length: COMMENTS }, (_, index) => body(index))
            });
            exalate(a, caseId);
            const caseNumber = textOf(caseById(a, caseId), 'CaseNumber');
            const mirror = await eventually('the Case exists on B', () => mirrorOf(b, caseNumber), 30_000);
            const mirrorId = textOf(mirror, 'Id');
            await eventually('every comment reached B', () => publicComments(b, mirrorId).length >= COMMENTS, 60_000);
            const twin = await eventually(
                'A is Synchronized',
                () => {
                    const found = twinOf(a, caseId);
                    return found?.Sync_Status__c === 'Synchronized' ? found : undefined;
                },
                30_000
            );
            await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);

            const received = publicComments(b, mirrorId).map((text) => text.replace(/^.*? wrote on .*?:\n\n/s, ''));
            // A 4,000-character comment with its author line is split into two parts on B.
            const joined: string[] = [];
            for (const part of received) {
                const match = /^\(part (\d+)\/(\d+)\) /.exec(part);
                if (match !== null && match[1] !== '1') {
                    joined[joined.length - 1] += part.slice(match[0].length);
                } else {
                    joined.push(match === null ? part : part.slice(match[0].length));
                }
            }
            const withoutAuthors = joined.map((text) => text.replace(/^.*? wrote on .*?:\n\n/s, ''));
            assert.equal(withoutAuthors.length, COMMENTS, 'each comment once');
            assert.deepEqual(
                withoutAuthors,
                Array.from({ length: COMMENTS }, (_, index) => body(index)),
                'in the order they were written'
            );
            assert.equal(caseById(b, mirrorId).Description, caseById(a, caseId).Description);

            const events = a.org.records('Sync_Event__c').filter((event) => event.Twin__c === twin.Id);
            assert.ok(events.length > 1, `the change went as ${events.length} messages`);
            for (const event of events) {
                assert.equal(event.Stage__c, 'Synchronized');
                assert.ok(textOf(event, 'Payload__c').length <= PAYLOAD_FIELD_CHARS);
            }
            assert.deepEqual(
                events.map((event) => event.Sequence__c).sort((x, y) => Number(x) - Number(y)),
                events.map((_, index) => index + 1),
                'consecutive sequences of one twin'
            );
            assert.equal(twin.Last_Outgoing_Seq__c, events.length);
            assert.ok(
                !a.log.some((entry) => entry.event === 'write-failed'),
                JSON.stringify(a.log.filter((entry) => entry.level !== 'info').slice(0, 3))
            );
            assert.equal(a.org.records('Sync_Signal__c').length, 0, 'nothing left in the outbox');

            // Nothing echoes back, and a new comment afterwards goes as one more message.
            await new Promise((resolve) => setTimeout(resolve, 300));
            await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);
            assert.equal(publicComments(a, caseId).length, COMMENTS, 'nothing came back to A');
            assert.equal(publicComments(b, mirrorId).length, received.length, 'nothing repeated on B');
        });
    });
}
