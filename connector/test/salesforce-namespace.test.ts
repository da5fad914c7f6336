// The same adapter code in a subscriber org, where every package name carries the namespace
// (`exa__Sync_Twin__c`, `/event/exa__Sync_Wake__e`, `/services/apexrest/exa/...`).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { SalesforceApiError } from '../src/salesforce/errors.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';
import type { WakeEvent } from '../src/salesforce/types.ts';

void describe('Salesforce adapter: namespaced org (exa)', () => {
    let emulator: SalesforceEmulator;
    let client: SalesforceOrgClient;
    let agent: EmulatorUser;
    let connectionId: string;
    let caseId: string;

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0, namespace: 'exa', streamingConnectTimeoutMs: 500 });
        assert.equal(emulator.namespacePrefix, 'exa__');
        client = new SalesforceOrgClient({
            connection: new Connection({
                instanceUrl: emulator.instanceUrl,
                accessToken: emulator.connectorUser.accessToken,
                version: '65.0'
            }),
            namespace: 'exa'
        });
        agent = emulator.createUser({ name: 'Ada Agent', username: 'ada@acme.example' });
        const connectorId = emulator.connectorUser.id;
        [connectionId] = emulator.insertAs(connectorId, 'exa__Sync_Connection__c', [
            {
                Name: 'A_to_B',
                exa__Local_Instance_Name__c: 'A',
                exa__Remote_Instance_Name__c: 'B',
                exa__Status__c: 'Active'
            }
        ]);
        emulator.insertAs(connectorId, 'exa__Sync_Trigger__c', [
            { exa__Connection__c: connectionId, exa__Filter__c: "Priority = 'High'", exa__Active__c: false }
        ]);
        [caseId] = emulator.insertAs(connectorId, 'Case', [{ Subject: 'namespaced' }]);
    });
    after(async () => {
        await emulator.close();
    });

    void it('writes a twin, an event and comments with namespaced names, in 1 call', async () => {
        const before = emulator.apiCalls();
        const result = await client.write({
            upsertTwins: [{ ref: 't', connectionId, caseId, remoteKey: 'INC0010001', syncState: { v: 1 } }],
            createComments: [{ caseId, body: 'mirrored' }],
            updateConnections: [{ id: connectionId, statusDetail: 'all good' }]
        });
        assert.equal(emulator.apiCalls() - before, 1);
        assert.ok(result.upsertTwins[0].ok && result.upsertTwins[0].created === true);
        assert.ok(result.createComments[0].ok);
        assert.ok(result.updateConnections[0].ok);
        const [twin] = emulator.records('exa__Sync_Twin__c');
        assert.equal(twin.exa__Twin_Key__c, `${connectionId}:${caseId}`);
        assert.equal(twin.exa__Sync_State__c, '{"v":1}');

        const events = await client.write({
            createEvents: [
                {
                    connectionId,
                    twinId: twin.Id as string,
                    caseId,
                    direction: 'Outgoing',
                    stage: 'Preparing',
                    nextAttempt: new Date(Date.now() - 1000).toISOString()
                }
            ]
        });
        assert.ok(events.createEvents[0].ok);
    });

    void it('reads twins, work and connections with namespaced names', async () => {
        const twins = await client.readTwins({ caseIds: [caseId] });
        assert.equal(twins.length, 1);
        assert.equal(twins[0].remoteKey, 'INC0010001');
        assert.deepEqual(twins[0].syncState, { v: 1 });
        assert.equal(twins[0].connectionId, connectionId);

        emulator.insertAs(agent.id, 'CaseComment', [
            { ParentId: caseId, CommentBody: 'agent says', IsPublished: true }
        ]);
        const before = emulator.apiCalls();
        const work = await client.readWork();
        assert.equal(emulator.apiCalls() - before, 1);
        assert.deepEqual(
            work.signals.map((signal) => [signal.kind, signal.caseId, signal.underSync]),
            [['Comment', caseId, true]]
        );
        assert.equal(work.dueEvents.length, 1);
        assert.equal(work.dueEvents[0].twinId, twins[0].id);

        const [connection] = await client.readConnections();
        assert.equal(connection.statusDetail, 'all good');
        assert.equal(connection.triggers.length, 1);
        assert.equal(connection.triggers[0].filter, "Priority = 'High'");
    });

    void it('reaches the secret endpoint and the wake channel under the namespace', async () => {
        emulator.setConnectionSecret(connectionId, 'namespaced-secret-value');
        assert.equal(await client.getConnectionSecret(connectionId), 'namespaced-secret-value');

        const wakes: WakeEvent[] = [];
        const unsubscribe = await client.subscribeWake((event) => void wakes.push(event));
        try {
            emulator.insertAs(agent.id, 'CaseComment', [
                { ParentId: caseId, CommentBody: 'wake me', IsPublished: true }
            ]);
            const started = Date.now();
            while (wakes.length === 0 && Date.now() - started < 1000) {
                await new Promise((resolve) => setTimeout(resolve, 5));
            }
            assert.equal(wakes.length, 1);
            assert.equal(wakes[0].reason, 'signals', 'exa__Reason__c is read');
        } finally {
            await unsubscribe();
        }
    });

    void it('a connector configured without the namespace fails with errors that point at it', async () => {
        const wrong = new SalesforceOrgClient({
            connection: new Connection({
                instanceUrl: emulator.instanceUrl,
                accessToken: emulator.connectorUser.accessToken,
                version: '65.0'
            }),
            namespace: ''
        });
        await assert.rejects(
            wrong.readWork(),
            (error: unknown) => error instanceof SalesforceApiError && error.code === 'INVALID_TYPE'
        );
        await assert.rejects(
            wrong.subscribeWake(() => undefined),
            /configured with its namespace/
        );
    });
});
