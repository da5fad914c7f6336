// The package's triggers (change signals and the Sync_Wake__e platform event) and the Streaming
// API of the Salesforce emulator, with jsforce's streaming client (Faye, CometD long-polling).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import type { Client } from 'faye';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, idOf, putUnderSync, sleep } from './salesforce-fixture.ts';

const CHANNEL = '/event/Sync_Wake__e';

interface WakeMessage {
    schema: string;
    payload: { Reason__c: string; CreatedDate: string; CreatedById: string };
    event: { replayId: number };
}

interface SignalRow {
    Case__c: string | null;
    Case_Ref__c: string;
    Kind__c: string;
    Record_Ref__c: string;
    Under_Sync__c: boolean;
}

interface Subscriber {
    messages: WakeMessage[];
    close(): Promise<void>;
}

async function disconnect(client: Client): Promise<void> {
    await (client as unknown as { disconnect(): PromiseLike<void> }).disconnect();
}

/** Subscribes the way the connector will: conn.streaming.topic(channel).subscribe(callback). */
async function subscribeTopic(conn: Connection): Promise<Subscriber> {
    const messages: WakeMessage[] = [];
    const subscription = conn.streaming.topic(CHANNEL).subscribe((message) => {
        messages.push(message as unknown as WakeMessage);
    });
    await subscription;
    return {
        messages,
        close: async () => {
            subscription.cancel();
            await disconnect(conn.streaming._getFayeClient(CHANNEL));
        }
    };
}

/** Subscribes with the durable replay extension (-1 new only, -2 every retained event, or a replayId). */
async function subscribeFrom(conn: Connection, replayId: number): Promise<Subscriber> {
    const messages: WakeMessage[] = [];
    const client = conn.streaming.createClient([new StreamingExtension.Replay(CHANNEL, replayId)]);
    const subscription = client.subscribe(CHANNEL, (message: WakeMessage) => {
        messages.push(message);
    });
    await subscription;
    return {
        messages,
        close: async () => {
            subscription.cancel();
            await disconnect(client);
        }
    };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (!predicate()) {
        if (Date.now() - started > timeoutMs) {
            assert.fail(`condition not met within ${timeoutMs} ms`);
        }
        await sleep(5);
    }
    return Date.now() - started;
}

void describe('Salesforce emulator: package triggers and streaming', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;
    let agent: EmulatorUser;
    let agentConn: Connection;

    before(async () => {
        emulator = await startSalesforceEmulator({ streamingConnectTimeoutMs: 2000 });
        conn = connectionAs(emulator);
        agent = emulator.createUser({
            name: 'Support Agent',
            username: 'agent@example.com',
            permissionSets: ['Exalate_User']
        });
        agentConn = connectionAs(emulator, agent);
    });
    after(async () => {
        await emulator.close();
    });

    async function signalsOf(caseId: string): Promise<SignalRow[]> {
        const result = await conn.query<SignalRow>(
            `SELECT Case__c, Case_Ref__c, Kind__c, Record_Ref__c, Under_Sync__c FROM Sync_Signal__c WHERE Case_Ref__c = '${caseId}' ORDER BY Name`
        );
        return result.records.map(({ Case__c, Case_Ref__c, Kind__c, Record_Ref__c, Under_Sync__c }) => ({
            Case__c,
            Case_Ref__c,
            Kind__c,
            Record_Ref__c,
            Under_Sync__c
        }));
    }

    void it('wakes a jsforce subscriber within 1 s when a user comments on a Case under sync', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'under sync' }));
        await putUnderSync(conn, caseId);
        assert.deepEqual(await signalsOf(caseId), [], "the connector's own writes are not signalled");

        const subscriber = await subscribeTopic(conn);
        try {
            const callsBefore = emulator.apiCalls();
            const started = Date.now();
            const [commentId] = emulator.insertAs(agent.id, 'CaseComment', [
                { ParentId: caseId, CommentBody: 'Any news?', IsPublished: true }
            ]);
            await waitFor(() => subscriber.messages.length > 0, 1000);
            assert.ok(Date.now() - started < 1000);
            assert.equal(emulator.apiCalls(), callsBefore, 'triggers and streaming cost no API call');

            const [message] = subscriber.messages;
            assert.equal(message.payload.Reason__c, 'signals');
            assert.equal(message.payload.CreatedById, agent.id);
            assert.match(message.payload.CreatedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            assert.equal(typeof message.event.replayId, 'number');
            assert.equal(typeof message.schema, 'string');

            assert.deepEqual(await signalsOf(caseId), [
                {
                    Case__c: caseId,
                    Case_Ref__c: caseId,
                    Kind__c: 'Comment',
                    Record_Ref__c: commentId,
                    Under_Sync__c: true
                }
            ]);
        } finally {
            await subscriber.close();
        }
    });

    void it('publishes one wake per request however many signals it records', async () => {
        const caseA = idOf(await conn.sobject('Case').create({ Subject: 'batch A' }));
        const caseB = idOf(await conn.sobject('Case').create({ Subject: 'batch B' }));
        await putUnderSync(conn, caseA, 'batch-a');
        await putUnderSync(conn, caseB, 'batch-b');
        const wakesBefore = emulator.publishedEvents(CHANNEL).length;
        const results = await agentConn.sobject('CaseComment').create([
            { ParentId: caseA, CommentBody: 'one', IsPublished: true },
            { ParentId: caseB, CommentBody: 'two', IsPublished: true },
            { ParentId: caseA, CommentBody: 'private', IsPublished: false }
        ]);
        assert.equal(results.length, 3);
        assert.equal(emulator.publishedEvents(CHANNEL).length, wakesBefore + 1);
        assert.equal((await signalsOf(caseA)).length, 1, 'private comments are not signalled');
        assert.equal((await signalsOf(caseB)).length, 1);
    });

    void it('records no signal for the connector user', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'connector writes' }));
        await putUnderSync(conn, caseId, 'connector-writes');
        const wakesBefore = emulator.publishedEvents(CHANNEL).length;
        await conn.sobject('CaseComment').create({ ParentId: caseId, CommentBody: 'mirrored', IsPublished: true });
        await conn.sobject('Case').update({ Id: caseId, Subject: 'mirrored subject' });
        assert.deepEqual(await signalsOf(caseId), []);
        assert.equal(emulator.publishedEvents(CHANNEL).length, wakesBefore);
    });

    void it('signals Case changes of Subject or Description only, files and deletions', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'watched' }));
        const { twinId } = await putUnderSync(conn, caseId, 'watched');
        await agentConn.sobject('Case').update({ Id: caseId, Priority: 'High' });
        assert.equal((await signalsOf(caseId)).length, 0, 'a Priority change is not signalled');
        await agentConn.sobject('Case').update({ Id: caseId, Description: 'more detail' });
        const versionId = idOf(
            await agentConn.sobject('ContentVersion').create({
                Title: 'log',
                PathOnClient: 'log.txt',
                VersionData: Buffer.from('log').toString('base64'),
                FirstPublishLocationId: caseId
            })
        );
        const version = (await conn.sobject('ContentVersion').retrieve(versionId)) as unknown as {
            ContentDocumentId: string;
        };
        await agentConn.sobject('Case').destroy(caseId);
        const signals = await signalsOf(caseId);
        assert.deepEqual(
            signals.map((signal) => [signal.Kind__c, signal.Record_Ref__c, signal.Under_Sync__c]),
            [
                ['Case', caseId, true],
                ['File', version.ContentDocumentId, true],
                // The deletion clears the twin's Case lookup: the signal names the twin instead.
                ['Deleted', twinId, true]
            ]
        );
        assert.ok(
            signals.every((signal) => signal.Case__c === null),
            'Case__c is cleared with the Case, Case_Ref__c stays'
        );
    });

    void it('signals every Case, not under sync, while an active Sync_Trigger__c exists', async () => {
        const loose = idOf(await agentConn.sobject('Case').create({ Subject: 'not under sync' }));
        assert.equal((await signalsOf(loose)).length, 0);
        const connectionId = idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: 'triggered', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
        const triggerId = idOf(
            await conn
                .sobject('Sync_Trigger__c')
                .create({ Connection__c: connectionId, Filter__c: "Priority = 'High'", Active__c: true })
        );
        const caught = idOf(await agentConn.sobject('Case').create({ Subject: 'caught by a trigger' }));
        assert.deepEqual(
            (await signalsOf(caught)).map((signal) => [signal.Kind__c, signal.Under_Sync__c]),
            [['Case', false]]
        );
        await conn.sobject('Sync_Trigger__c').update({ Id: triggerId, Active__c: false });
    });

    void it('wakes nobody when the transaction rolls back', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'rollback' }));
        await putUnderSync(conn, caseId, 'rollback');
        const wakesBefore = emulator.publishedEvents(CHANNEL).length;
        const base = `/services/data/v${API_VERSION}`;
        await agentConn.requestPost(`${base}/composite`, {
            allOrNone: true,
            compositeRequest: [
                {
                    method: 'POST',
                    url: `${base}/sobjects/CaseComment`,
                    referenceId: 'ok',
                    body: { ParentId: caseId, CommentBody: 'x', IsPublished: true }
                },
                { method: 'POST', url: `${base}/sobjects/CaseComment`, referenceId: 'bad', body: { ParentId: caseId } }
            ]
        });
        assert.equal(emulator.publishedEvents(CHANNEL).length, wakesBefore);
        assert.deepEqual(await signalsOf(caseId), []);
    });

    void it('replays retained events: -2 all of them, a replayId the ones after it', async () => {
        const retained = emulator.publishedEvents(CHANNEL) as unknown as { data: WakeMessage }[];
        assert.ok(retained.length >= 3);
        const replayIds = retained.map((message) => message.data.event.replayId);
        assert.deepEqual(
            replayIds,
            [...replayIds].sort((a, b) => a - b),
            'replay ids increase'
        );

        const all = await subscribeFrom(conn, -2);
        try {
            await waitFor(() => all.messages.length >= retained.length, 2000);
            assert.deepEqual(
                all.messages.map((message) => message.event.replayId),
                replayIds
            );
        } finally {
            await all.close();
        }

        const later = await subscribeFrom(conn, replayIds[1]);
        try {
            await waitFor(() => later.messages.length >= retained.length - 2, 2000);
            await sleep(50);
            assert.deepEqual(
                later.messages.map((message) => message.event.replayId),
                replayIds.slice(2)
            );
        } finally {
            await later.close();
        }

        const fresh = await subscribeFrom(conn, -1);
        try {
            await sleep(100);
            assert.equal(fresh.messages.length, 0, '-1 delivers new events only');
            emulator.insertAs(agent.id, 'Case', [{ Subject: 'new after subscribe' }]);
            const caseId = idOf(await conn.sobject('Case').create({ Subject: 'to be synced' }));
            await putUnderSync(conn, caseId, 'fresh');
            emulator.insertAs(agent.id, 'CaseComment', [{ ParentId: caseId, CommentBody: 'fresh', IsPublished: true }]);
            await waitFor(() => fresh.messages.length === 1, 1000);
        } finally {
            await fresh.close();
        }
    });

    void it('keeps a long-poll open until the hold time when nothing happens', async (t) => {
        const quiet = await startSalesforceEmulator({ streamingConnectTimeoutMs: 300 });
        t.after(() => quiet.close());
        const subscriber = await subscribeTopic(connectionAs(quiet));
        await sleep(800);
        assert.equal(subscriber.messages.length, 0);
        assert.equal(quiet.apiCalls(), 0, 'CometD traffic is not counted');
        await subscriber.close();
    });
});
