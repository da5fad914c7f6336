// Long-polls over real HTTP on 127.0.0.1: the public node answers a held poll the moment a message is
// in the outbox, the PollLoop of the private node hands it to the engine in well under a second and
// acks it through its next POST; closing the server ends held polls at once; the loop comes back by
// itself when the public node restarts on the same port; back-off delays double from 250 ms to 30 s.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { backoffDelay } from '../src/node/backoff.ts';
import { NodeClient } from '../src/node/client.ts';
import { NodeUnreachable } from '../src/node/errors.ts';
import type { PollMessagesResult, PollRequest } from '../src/node/handlers.ts';
import { PollLoop } from '../src/node/long-poll.ts';
import { MemoryHandlers } from '../src/node/memory-handlers.ts';
import { startNodeServer } from '../src/node/server.ts';
import type { NodeServer } from '../src/node/server.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';
import type { Ack, SyncMessage } from '../src/protocol/messages.ts';
import { signRequest } from '../src/protocol/signing.ts';

interface Connection {
    readonly id: string;
    /** The public node's side. */
    readonly initiator: ConnectionKeys;
    /** The private node's side. */
    readonly acceptor: ConnectionKeys;
}

function newConnection(): Connection {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    return {
        id,
        initiator: deriveConnectionKeys(secret, id, 'initiator'),
        acceptor: deriveConnectionKeys(secret, id, 'acceptor')
    };
}

function upsert(connectionId: string, sequence = 1): SyncMessage {
    return {
        protocol: 1,
        messageId: randomUUID(),
        connectionId,
        twinKey: '00001027',
        sequence,
        sentAt: '2026-01-01T09:30:00.000Z',
        kind: 'entity-upsert',
        replica: {
            key: '00001027',
            url: '',
            summary: 'Printer on fire',
            description: 'Smoke from tray 2',
            comments: [],
            attachments: []
        }
    };
}

/** Memory handlers that note when each poll reached the handler, and with which signal. */
class ObservedHandlers extends MemoryHandlers {
    readonly polls: { at: number; signal: AbortSignal; waitMs: number }[] = [];

    override pollMessages(connectionId: string, request: PollRequest): Promise<PollMessagesResult> {
        this.polls.push({ at: Date.now(), signal: request.signal, waitMs: request.waitMs });
        return super.pollMessages(connectionId, request);
    }
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
    const started = Date.now();
    while (!condition()) {
        if (Date.now() - started > timeoutMs) {
            throw new Error(`not within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}

void describe('long-poll: delivery', () => {
    const handlers = new ObservedHandlers();
    let server: NodeServer;

    before(async () => {
        server = await startNodeServer({ handlers, log: () => undefined });
    });
    after(() => server.close());

    /** A connection of its own for each test: outboxes and cursors do not leak from one test to the next. */
    function connect(): { connection: Connection; client: NodeClient } {
        const connection = newConnection();
        handlers.addConnection(connection.initiator);
        return {
            connection,
            client: new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor })
        };
    }

    void test('a message made available 200 ms after the poll opened reaches the PollLoop callback in under 500 ms, and is acked through the next POST', async () => {
        const { connection, client } = connect();
        const received: { at: number; messages: readonly SyncMessage[]; cursor: string }[] = [];
        const loop = new PollLoop({
            client,
            waitSeconds: 25,
            onMessages: (messages, cursor): Ack[] => {
                received.push({ at: Date.now(), messages, cursor });
                return messages.map((message) => ({
                    messageId: message.messageId,
                    status: 'applied',
                    remoteKey: 'SN-1'
                }));
            }
        });
        const polls = handlers.polls.length;
        loop.start();
        try {
            await until(() => handlers.polls.length > polls);
            const opened = handlers.polls[handlers.polls.length - 1].at;
            const message = upsert(connection.id);
            await new Promise((resolve) => setTimeout(resolve, 200));
            const cursor = handlers.enqueue(connection.id, message);
            await until(() => received.length > 0, 2000);
            assert.ok(received[0].at - opened < 500, `took ${received[0].at - opened} ms from the poll opening`);
            assert.deepEqual(received[0].messages, [message]);
            assert.equal(received[0].cursor, cursor);
            // The ack goes in the next POST, and the next poll names the cursor.
            await until(() => (handlers.acksReceived.get(connection.id) ?? []).length > 0);
            assert.deepEqual(handlers.acksReceived.get(connection.id), [
                { messageId: message.messageId, status: 'applied', remoteKey: 'SN-1' }
            ]);
            assert.deepEqual(handlers.received.get(connection.id) ?? [], []);
            await until(() => loop.cursor === cursor);
        } finally {
            await loop.stop();
        }
    });

    void test('a batch the engine fails to take is polled again after a back-off', async () => {
        const { connection, client } = connect();
        const seen: string[] = [];
        const errors: unknown[] = [];
        let fail = true;
        const loop = new PollLoop({
            client,
            waitSeconds: 5,
            backoff: { initialMs: 20 },
            onError: (error) => errors.push(error),
            onMessages: (messages): Ack[] => {
                seen.push(...messages.map((message) => message.messageId));
                if (fail) {
                    fail = false;
                    throw new Error('disk full');
                }
                return messages.map((message) => ({ messageId: message.messageId, status: 'applied' }));
            }
        });
        const message = upsert(connection.id, 2);
        handlers.enqueue(connection.id, message);
        loop.start();
        try {
            await until(() => seen.length === 2);
            assert.deepEqual(seen, [message.messageId, message.messageId]);
            assert.equal((errors[0] as Error).message, 'disk full');
        } finally {
            await loop.stop();
        }
    });

    void test('stop() aborts the open poll at once', async () => {
        const { client } = connect();
        const loop = new PollLoop({ client, waitSeconds: 30, onMessages: () => [] });
        const polls = handlers.polls.length;
        loop.start();
        await until(() => handlers.polls.length > polls);
        const started = Date.now();
        await loop.stop();
        assert.ok(Date.now() - started < 500);
        // The server saw the poller go: the handler's signal fired.
        await until(() => handlers.polls[handlers.polls.length - 1].signal.aborted, 1000);
    });

    void test('an empty poll with wait 0 answers at once with the cursor unchanged', async () => {
        const { client } = connect();
        const started = Date.now();
        assert.deepEqual(await client.poll({ after: 'c-7', waitSeconds: 0 }), { messages: [], cursor: 'c-7' });
        assert.ok(Date.now() - started < 500);
    });

    void test('wait counts as 55 s at most, on both sides', async () => {
        const { connection, client } = connect();
        const controller = new AbortController();
        const polls = handlers.polls.length;
        const held = client.poll({ waitSeconds: 3600, signal: controller.signal }).catch(() => undefined);
        await until(() => handlers.polls.length > polls);
        assert.equal(handlers.polls[handlers.polls.length - 1].waitMs, 55_000);
        controller.abort();
        await held;
        // Another implementation may send more: the server counts it as 55 too.
        const path = '/exalate/v1/messages?wait=3600';
        const signed = signRequest({ method: 'GET', path, keys: connection.acceptor });
        const raw = new AbortController();
        const sent = fetch(`${server.url}${path}`, { headers: signed.headers, signal: raw.signal }).catch(
            () => undefined
        );
        await until(() => handlers.polls.length > polls + 1);
        assert.equal(handlers.polls[handlers.polls.length - 1].waitMs, 55_000);
        raw.abort();
        await sent;
    });
});

void describe('long-poll: server closing and restarting', () => {
    void test('closing the server while a poll is held ends the poll and the close within 1 s', async () => {
        const connection = newConnection();
        const handlers = new ObservedHandlers();
        handlers.addConnection(connection.initiator);
        const server = await startNodeServer({ handlers, log: () => undefined });
        const client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
        const poll = client.poll({ waitSeconds: 30 }).then(
            (answer) => ({ answer }),
            (error: unknown) => ({ error })
        );
        await until(() => handlers.polls.length > 0);
        const started = Date.now();
        await server.close();
        const outcome = await poll;
        assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
        assert.ok(handlers.polls[0].signal.aborted);
        // The handler stopped waiting and answered (empty), or the socket went first: either ends the poll.
        if ('answer' in outcome) {
            assert.deepEqual(outcome.answer.messages, []);
        } else {
            assert.ok(outcome.error instanceof NodeUnreachable);
        }
    });

    void test('a handler that ignores the signal cannot hold close() beyond its grace period', async () => {
        const connection = newConnection();
        const handlers = new ObservedHandlers();
        handlers.addConnection(connection.initiator);
        handlers.pollMessages = (): Promise<PollMessagesResult> => {
            handlers.polls.push({ at: Date.now(), signal: new AbortController().signal, waitMs: 0 });
            return new Promise(() => undefined);
        };
        const server = await startNodeServer({ handlers, log: () => undefined, closeGraceMs: 200 });
        const client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
        const poll = client.poll({ waitSeconds: 30 }).catch((error: unknown) => error);
        await until(() => handlers.polls.length > 0);
        const started = Date.now();
        await server.close();
        assert.ok((await poll) instanceof NodeUnreachable);
        assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    void test('the PollLoop reconnects by itself after the server restarts on the same port', async () => {
        const connection = newConnection();
        const handlers = new ObservedHandlers();
        handlers.addConnection(connection.initiator);
        let server = await startNodeServer({ handlers, log: () => undefined });
        const port = server.port;
        const client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
        const received: SyncMessage[] = [];
        const errors: unknown[] = [];
        const loop = new PollLoop({
            client,
            waitSeconds: 25,
            onError: (error) => errors.push(error),
            onMessages: (messages): Ack[] => {
                received.push(...messages);
                return messages.map((message) => ({ messageId: message.messageId, status: 'applied' }));
            }
        });
        loop.start();
        try {
            await until(() => handlers.polls.length > 0);
            await server.close();
            // The loop meets a closed port at least once before the server is back.
            await until(() => errors.some((error) => error instanceof NodeUnreachable));
            server = await startNodeServer({ handlers, port, log: () => undefined });
            const message = upsert(connection.id);
            handlers.enqueue(connection.id, message);
            await until(() => received.length > 0, 5000);
            assert.deepEqual(received, [message]);
        } finally {
            await loop.stop();
            await server.close();
        }
    });
});

void describe('back-off', () => {
    void test('doubles from 250 ms to 30 s, jittered by 0.5 to 1.5, never outside those bounds', () => {
        const middle = (failures: number): number => backoffDelay(failures, { random: () => 0.5 });
        assert.deepEqual(
            [1, 2, 3, 4, 5, 6, 7, 8, 9].map(middle),
            [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]
        );
        assert.equal(backoffDelay(1, { random: () => 0 }), 250);
        assert.equal(backoffDelay(3, { random: () => 0 }), 500);
        assert.equal(backoffDelay(3, { random: () => 0.999 }), 1499);
        assert.equal(backoffDelay(1000, { random: () => 0.999 }), 30000);
        for (let failures = 1; failures < 40; failures++) {
            const delay = backoffDelay(failures);
            assert.ok(delay >= 250 && delay <= 30000);
        }
    });
});
