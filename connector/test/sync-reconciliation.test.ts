// End to end: the reconciliation (the net for changes whose signal never reached the outbox) sends
// what it finds and then goes quiet, even when one page of its read cannot hold every change.
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
    textOf
} from '../emulators/scenario/two-org-stack.ts';
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';

/** More than one page (2,000 rows) of the reconciliation read, all with the same SystemModstamp. */
const CASES = 30;
const COMMENTS_PER_CASE = 70;

void describe('reconciliation of a large backlog (public-public)', () => {
    let stack: TwoOrgStack;
    before(async () => {
        stack = await startTwoOrgStack({ tuning: { reconcileEveryMs: 1_000 } });
    });
    after(async () => {
        await stack.close();
    });

    void it('sends every comment once, then stops reading', async () => {
        const { a, b } = stack;
        const caseIds = Array.from({ length: CASES }, (_, i) => createCase(a, { subject: `Old ticket ${i + 1}` }));
        for (const caseId of caseIds) {
            exalate(a, caseId);
        }
        const mirrorIds = await Promise.all(
            caseIds.map(async (caseId) =>
                textOf(
                    await eventually('the Case exists on B', () =>
                        mirrorOf(b, textOf(caseById(a, caseId), 'CaseNumber'))
                    ),
                    'Id'
                )
            )
        );
        await a.restart(() => {
            // A data import while the connector is down, whose change signals were lost.
            a.org.insertAs(
                a.agent.id,
                'CaseComment',
                caseIds.flatMap((caseId) =>
                    Array.from({ length: COMMENTS_PER_CASE }, (_, i) => ({
                        ParentId: caseId,
                        CommentBody: `Imported note ${i + 1}`,
                        IsPublished: true
                    }))
                )
            );
            const signals = a.org.records('Sync_Signal__c').map((signal) => textOf(signal, 'Id'));
            a.org.deleteAs(a.org.connectorUser.id, 'Sync_Signal__c', signals);
        });
        await eventually(
            'every comment reaches B',
            () => mirrorIds.every((mirrorId) => publicComments(b, mirrorId).length === COMMENTS_PER_CASE),
            30_000
        );
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);

        // Reconciling every second, an idle connector reads the queue about once a second, no more.
        const before = a.org.apiCalls();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const calls = a.org.apiCalls() - before;
        assert.ok(calls <= 8, `${calls} API calls in 3 s of an idle connector`);
        assert.ok(
            mirrorIds.every((mirrorId) => publicComments(b, mirrorId).length === COMMENTS_PER_CASE),
            'nothing sent twice'
        );
    });
});
