// End to end: Bulk Exalate. Cases that existed before a trigger did are brought under sync when the
// admin runs the trigger once over every matching Case; each arrives once with its comments, the
// outcome is written on the trigger, and running it again sends nothing twice.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { addTrigger, bulkExalate } from '../emulators/scenario/console-actions.ts';
import type { EmulatorUser, JsonObject } from '../emulators/salesforce/index.ts';
import { eventually, startTwoOrgStack, textOf } from '../emulators/scenario/two-org-stack.ts';
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';

const MATCHING = 250;

function mirrors(stack: TwoOrgStack): JsonObject[] {
    return stack.b.org.records('Case').filter((row) => row.Origin === 'Exalate');
}

function trigger(stack: TwoOrgStack, triggerId: string): JsonObject {
    const found = stack.a.org.records('Sync_Trigger__c').find((row) => row.Id === triggerId);
    assert.ok(found, 'the trigger exists');
    return found;
}

void describe('Bulk Exalate (public-public)', () => {
    let stack: TwoOrgStack;
    let admin: EmulatorUser;
    let triggerId: string;

    before(async () => {
        stack = await startTwoOrgStack();
        admin = stack.a.org.createUser({
            name: 'Ada Admin',
            username: 'ada@a.example',
            permissionSets: ['Exalate_Admin']
        });
        const { a } = stack;
        const matching = a.org.insertAs(
            a.agent.id,
            'Case',
            Array.from({ length: MATCHING }, (_, i) => ({ Subject: `Legacy ${i + 1}`, Origin: 'Phone' }))
        );
        a.org.insertAs(
            a.agent.id,
            'CaseComment',
            matching.map((caseId) => ({ ParentId: caseId, CommentBody: 'Logged by phone.', IsPublished: true }))
        );
        a.org.insertAs(a.agent.id, 'Case', [{ Subject: 'Not for the partner', Origin: 'Web' }]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await a.connector.engine.idle();
        triggerId = addTrigger(a.org, admin.id, a.connectionId, "Origin = 'Phone'");
        await new Promise((resolve) => setTimeout(resolve, 300));
        await Promise.all([a.connector.engine.idle(), stack.b.connector.engine.idle()]);
    });
    after(async () => {
        await stack.close();
    });

    void it('a trigger alone does not touch Cases that existed before it', () => {
        assert.equal(mirrors(stack).length, 0);
    });

    void it('brings every matching Case across once, with its comment, and records the outcome', async () => {
        const { a, b } = stack;
        bulkExalate(a.org, admin.id, triggerId);
        await eventually(
            'the outcome is on the trigger',
            () => trigger(stack, triggerId).Bulk_Completed__c ?? undefined,
            60_000
        );
        assert.equal(textOf(trigger(stack, triggerId), 'Bulk_Result__c'), `${MATCHING} Cases brought under sync`);
        await eventually('every matching Case is on B', () => mirrors(stack).length === MATCHING, 60_000);
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);
        const subjects = mirrors(stack).map((row) => textOf(row, 'Subject'));
        assert.equal(new Set(subjects).size, MATCHING, 'no Case twice');
        assert.ok(!subjects.includes('Not for the partner'));
        const comments = b.org.records('CaseComment');
        assert.equal(comments.length, MATCHING, 'one comment each');
        await eventually(
            'every twin on A is Synchronized',
            () =>
                a.org.records('Sync_Twin__c').filter((twin) => twin.Sync_Status__c === 'Synchronized').length ===
                MATCHING
        );
    });

    void it('run again, it finds nothing new and sends nothing twice', async () => {
        const { a, b } = stack;
        bulkExalate(a.org, admin.id, triggerId);
        await eventually(
            'the outcome is on the trigger',
            () => trigger(stack, triggerId).Bulk_Completed__c ?? undefined,
            30_000
        );
        assert.equal(textOf(trigger(stack, triggerId), 'Bulk_Result__c'), '0 Cases brought under sync');
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);
        assert.equal(mirrors(stack).length, MATCHING);
    });
});
