// End to end: what an admin does to a connection on one side (deactivate, activate, delete) is told
// to the other side's connector, so that both show the same status; changes made while the
// connection is deactivated are kept and arrive, in order, once it is active again.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { deleteConnection, setConnectionStatus } from '../emulators/scenario/console-actions.ts';
import type { EmulatorUser } from '../emulators/salesforce/index.ts';
import {
    caseById,
    connectionOf,
    createCase,
    eventually,
    exalate,
    mirrorOf,
    startTwoOrgStack,
    textOf
} from '../emulators/scenario/two-org-stack.ts';
import type { TwoOrgStack } from '../emulators/scenario/two-org-stack.ts';

void describe('connection status told to the other side (public-public)', () => {
    let stack: TwoOrgStack;
    let adminA: EmulatorUser;

    before(async () => {
        stack = await startTwoOrgStack();
        adminA = stack.a.org.createUser({
            name: 'Ada Admin',
            username: 'ada@a.example',
            permissionSets: ['Exalate_Admin']
        });
    });
    after(async () => {
        await stack.close();
    });

    void it('deactivate on A deactivates B; B queues its edits; activate on A delivers them', async () => {
        const { a, b } = stack;
        const caseId = createCase(a, { subject: 'Scanner jams' });
        exalate(a, caseId);
        const mirrorId = textOf(
            await eventually('the Case exists on B', () => mirrorOf(b, textOf(caseById(a, caseId), 'CaseNumber'))),
            'Id'
        );
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);

        setConnectionStatus(a.org, adminA.id, a.connectionId, 'Deactivated');
        await eventually('B is Deactivated', () => connectionOf(b).Status__c === 'Deactivated');
        assert.match(textOf(connectionOf(b), 'Status_Detail__c'), /SalesforceA deactivated this connection/);

        b.org.updateAs(b.agent.id, 'Case', [{ Id: mirrorId, Subject: 'Scanner jams (tray 2)' }]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await b.connector.engine.idle();
        assert.equal(caseById(a, caseId).Subject, 'Scanner jams', 'nothing crosses a deactivated connection');
        assert.ok(
            !b.org.records('Sync_Event__c').some((event) => event.Stage__c === 'Failed'),
            'the edit is kept, not failed'
        );

        setConnectionStatus(a.org, adminA.id, a.connectionId, 'Active');
        await eventually('B is Active again', () => connectionOf(b).Status__c === 'Active');
        await eventually('the edit made meanwhile reaches A', () =>
            caseById(a, caseId).Subject === 'Scanner jams (tray 2)' ? true : undefined
        );
    });

    void it("a deactivation made while A's connector was down is told when it starts", async () => {
        const { a, b } = stack;
        assert.equal(connectionOf(b).Status__c, 'Active');
        await a.restart(() => {
            setConnectionStatus(a.org, adminA.id, a.connectionId, 'Deactivated');
        });
        await eventually('B is Deactivated', () => connectionOf(b).Status__c === 'Deactivated');
        assert.match(textOf(connectionOf(b), 'Status_Detail__c'), /SalesforceA deactivated this connection/);
        setConnectionStatus(a.org, adminA.id, a.connectionId, 'Active');
        await eventually('B is Active again', () => connectionOf(b).Status__c === 'Active');
    });

    void it('delete on A tells B, whose connection stops with the reason', async () => {
        const { a, b } = stack;
        deleteConnection(a.org, adminA.id, a.connectionId);
        await eventually('B is Deactivated', () => connectionOf(b).Status__c === 'Deactivated');
        assert.match(textOf(connectionOf(b), 'Status_Detail__c'), /SalesforceA deleted this connection/);
        assert.ok(
            a.log.some((entry) => entry.event === 'remote-told' && entry.message.includes('deleted')),
            JSON.stringify(a.log.filter((entry) => entry.level !== 'info'))
        );
    });
});

void describe('connection status followed by a private side (B long-polls A)', () => {
    let stack: TwoOrgStack;
    let adminA: EmulatorUser;

    before(async () => {
        stack = await startTwoOrgStack({ privateB: true, tuning: { inactiveAskEveryMs: 300 } });
        adminA = stack.a.org.createUser({
            name: 'Ada Admin',
            username: 'ada@a.example',
            permissionSets: ['Exalate_Admin']
        });
    });
    after(async () => {
        await stack.close();
    });

    void it('deactivate on A shows on B at once; activate on A is followed and delivers what B kept', async () => {
        const { a, b } = stack;
        const caseId = createCase(a, { subject: 'Badge reader offline' });
        exalate(a, caseId);
        const mirrorId = textOf(
            await eventually('the Case exists on B', () => mirrorOf(b, textOf(caseById(a, caseId), 'CaseNumber'))),
            'Id'
        );
        await Promise.all([a.connector.engine.idle(), b.connector.engine.idle()]);

        const deactivatedAt = Date.now();
        setConnectionStatus(a.org, adminA.id, a.connectionId, 'Deactivated');
        await eventually('B is Deactivated', () => connectionOf(b).Status__c === 'Deactivated');
        assert.ok(
            Date.now() - deactivatedAt < 3_000,
            'B hears of it from the answer to the poll that was waiting, not after a whole poll wait'
        );
        assert.match(
            textOf(connectionOf(b), 'Status_Detail__c'),
            /The connection is deactivated on SalesforceA\. Changes made here are kept\./
        );

        b.org.updateAs(b.agent.id, 'Case', [{ Id: mirrorId, Subject: 'Badge reader offline (door 3)' }]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(caseById(a, caseId).Subject, 'Badge reader offline', 'nothing crosses while deactivated');

        setConnectionStatus(a.org, adminA.id, a.connectionId, 'Active');
        await eventually('B is Active again', () => connectionOf(b).Status__c === 'Active');
        assert.equal(connectionOf(b).Status_Detail__c ?? null, null);
        await eventually('the edit B kept reaches A', () =>
            caseById(a, caseId).Subject === 'Badge reader offline (door 3)' ? true : undefined
        );
        a.org.updateAs(a.agent.id, 'Case', [{ Id: caseId, Description: 'Replaced the reader.' }]);
        await eventually('and A reaches B again by long-poll', () =>
            caseById(b, mirrorId).Description === 'Replaced the reader.' ? true : undefined
        );
    });

    void it('delete on A shows on B with the reason', async () => {
        const { a, b } = stack;
        deleteConnection(a.org, adminA.id, a.connectionId);
        await eventually('B is Deactivated', () => connectionOf(b).Status__c === 'Deactivated');
        assert.match(
            textOf(connectionOf(b), 'Status_Detail__c'),
            /The connection was deleted on SalesforceA; its Cases no longer sync\./
        );
    });
});
