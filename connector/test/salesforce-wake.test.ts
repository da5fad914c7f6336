// The wake subscription (Sync_Wake__e over CometD): delivery within a second of an agent's change,
// replay, and a fresh session when the streaming server refuses the current one.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { connectOrg, reconnectOrg } from '../src/salesforce/auth.ts';
import type { JwtAuthOptions } from '../src/salesforce/auth.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';
import type { WakeEvent } from '../src/salesforce/types.ts';

const PRIVATE_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
    const started = Date.now();
    while (!predicate()) {
        if (Date.now() - started > timeoutMs) {
            assert.fail(`${what}: not within ${timeoutMs} ms`);
        }
        await sleep(5);
    }
    return Date.now() - started;
}

void describe('Salesforce adapter: wake subscription', () => {
    let emulator: SalesforceEmulator;
    let agent: EmulatorUser;
    let caseId: string;
    let jwt: JwtAuthOptions;

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0, streamingConnectTimeoutMs: 300 });
        agent = emulator.createUser({ name: 'Ada Agent', username: 'ada@acme.example' });
        const connectorId = emulator.connectorUser.id;
        const [connectionId] = emulator.insertAs(connectorId, 'Sync_Connection__c', [
            { Name: 'A_to_B', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' }
        ]);
        [caseId] = emulator.insertAs(connectorId, 'Case', [{ Subject: 'under sync' }]);
        emulator.insertAs(connectorId, 'Sync_Twin__c', [
            { Connection__c: connectionId, Case__c: caseId, Twin_Key__c: `${connectionId}:${caseId}` }
        ]);
        jwt = {
            kind: 'jwt',
            loginUrl: emulator.loginUrl,
            clientId: 'consumer-key',
            username: emulator.connectorUser.username,
            privateKeyPem: PRIVATE_KEY_PEM
        };
    });
    after(async () => {
        await emulator.close();
    });

    const agentComments = (body: string): void => {
        emulator.insertAs(agent.id, 'CaseComment', [{ ParentId: caseId, CommentBody: body, IsPublished: true }]);
    };

    void it("receives the wake of an agent's public comment within 1 s, for no API call", async () => {
        const client = new SalesforceOrgClient({
            connection: new Connection({
                instanceUrl: emulator.instanceUrl,
                accessToken: emulator.connectorUser.accessToken,
                version: '65.0'
            }),
            namespace: ''
        });
        const wakes: WakeEvent[] = [];
        const callsBefore = emulator.apiCalls();
        const unsubscribe = await client.subscribeWake((event) => {
            wakes.push(event);
        });
        try {
            const started = Date.now();
            agentComments('Any news?');
            await waitFor(() => wakes.length === 1, 1000, 'the wake event');
            assert.ok(Date.now() - started < 1000);
            const [wake] = wakes;
            assert.equal(wake.reason, 'signals');
            assert.equal(typeof wake.replayId, 'number');
            assert.match(wake.createdAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
            assert.equal(emulator.apiCalls(), callsBefore, 'streaming is not metered');
            assert.equal(client.apiCalls, 0);
        } finally {
            await unsubscribe();
        }
        agentComments('after unsubscribing');
        await sleep(100);
        assert.equal(wakes.length, 1, 'nothing after unsubscribe');
    });

    void it('replays retained events after a given replay id', async () => {
        const client = new SalesforceOrgClient({ connection: await connectOrg(jwt), namespace: '' });
        const retained = emulator.publishedEvents('/event/Sync_Wake__e') as unknown as {
            data: { event: { replayId: number } };
        }[];
        assert.ok(retained.length >= 2);
        const ids = retained.map((message) => message.data.event.replayId);
        const wakes: WakeEvent[] = [];
        const unsubscribe = await client.subscribeWake((event) => void wakes.push(event), { replayId: ids[0] });
        try {
            await waitFor(() => wakes.length >= ids.length - 1, 1000, 'the replayed events');
            assert.deepEqual(
                wakes.map((wake) => wake.replayId),
                ids.slice(1)
            );
        } finally {
            await unsubscribe();
        }
    });

    void it('gets a fresh session once when the streaming server refuses the current one, and misses nothing', async () => {
        const connection = await connectOrg(jwt);
        let renewals = 0;
        const client = new SalesforceOrgClient({
            connection,
            namespace: '',
            reconnect: () => {
                renewals += 1;
                return reconnectOrg(jwt);
            }
        });
        const wakes: WakeEvent[] = [];
        const errors: Error[] = [];
        const unsubscribe = await client.subscribeWake((event) => void wakes.push(event), {
            onError: (error) => errors.push(error)
        });
        try {
            agentComments('before expiry');
            await waitFor(() => wakes.length === 1, 1000, 'the first wake');
            emulator.expireSession(connection.accessToken as string);
            // The next long-poll (held 300 ms) is refused: 401, reconnect none.
            await waitFor(() => renewals === 1, 2000, 'the renewal');
            agentComments('after expiry');
            await waitFor(() => wakes.length === 2, 2000, 'the wake after renewal');
            await sleep(400);
            assert.equal(wakes.length, 2, 'no event twice');
            assert.ok(wakes[1].replayId > wakes[0].replayId);
            assert.deepEqual(errors, []);
            const callsBefore = emulator.apiCalls();
            assert.equal((await client.readConnections()).length, 1, 'REST goes on with the fresh session');
            assert.equal(emulator.apiCalls() - callsBefore, 1);
        } finally {
            await unsubscribe();
        }
    });

    void it('stops and reports when the fresh session is refused too (no loop)', async () => {
        const connection = await connectOrg(jwt);
        let renewals = 0;
        const client = new SalesforceOrgClient({
            connection,
            namespace: '',
            reconnect: () => {
                renewals += 1;
                return Promise.resolve(
                    new Connection({ instanceUrl: emulator.instanceUrl, accessToken: 'expired-token', version: '65.0' })
                );
            }
        });
        const errors: Error[] = [];
        const unsubscribe = await client.subscribeWake(() => undefined, { onError: (error) => errors.push(error) });
        try {
            emulator.expireSession(connection.accessToken as string);
            await waitFor(() => errors.length === 1, 3000, 'the reported failure');
            await sleep(700);
            assert.equal(renewals, 1);
            assert.equal(errors.length, 1);
            assert.match(errors[0].message, /refused a fresh session too/);
        } finally {
            await unsubscribe();
        }
    });

    void it('refuses to start when no session can be had', async () => {
        const client = new SalesforceOrgClient({
            connection: new Connection({ instanceUrl: emulator.instanceUrl, accessToken: 'nonsense', version: '65.0' }),
            namespace: ''
        });
        await assert.rejects(
            client.subscribeWake(() => undefined),
            /refused the session/
        );
    });
});
