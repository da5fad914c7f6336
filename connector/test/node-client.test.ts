// The node client (connector/src/node/client.ts): it acts only on answers whose signature verifies
// for the request they answer, and turns everything else into the typed errors the engine decides
// on: an altered, unsigned or replayed answer is `ResponseNotTrusted`, an error answer is
// `RequestRefused` with the protocol code, no answer is `NodeUnreachable`.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NodeClient } from '../src/node/client.ts';
import { NodeUnreachable, RequestRefused, ResponseNotTrusted } from '../src/node/errors.ts';
import { MemoryHandlers } from '../src/node/memory-handlers.ts';
import { startNodeServer } from '../src/node/server.ts';
import type { NodeServer } from '../src/node/server.ts';
import { HEADER } from '../src/protocol/headers.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';
import type { SyncMessage } from '../src/protocol/messages.ts';

interface Connection {
    readonly id: string;
    readonly initiator: ConnectionKeys;
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

function deleted(connectionId: string): SyncMessage {
    return {
        protocol: 1,
        messageId: randomUUID(),
        connectionId,
        twinKey: '00001027',
        sequence: 1,
        sentAt: '2026-01-01T09:30:00.000Z',
        kind: 'entity-deleted'
    };
}

/** A recorded answer: enough to build it again. */
interface Recorded {
    readonly status: number;
    readonly headers: [string, string][];
    readonly body: Buffer;
}

async function record(response: Response): Promise<Recorded> {
    return {
        status: response.status,
        headers: [...response.headers],
        body: Buffer.from(await response.arrayBuffer())
    };
}

function replay(recorded: Recorded, change: (recorded: Recorded) => Recorded = (same) => same): Response {
    const changed = change(recorded);
    return new Response(changed.body, { status: changed.status, headers: changed.headers });
}

/** Flips one hex digit of the signature header. */
function alterSignature(recorded: Recorded): Recorded {
    return {
        ...recorded,
        headers: recorded.headers.map(([name, value]) => [
            name,
            name === HEADER.signature ? `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}` : value
        ])
    };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
        () => assert.fail('the call succeeded'),
        (error: unknown) => error
    );
}

void describe('node client: trusting answers', () => {
    const connection = newConnection();
    const handlers = new MemoryHandlers();
    let server: NodeServer;

    before(async () => {
        handlers.addConnection(connection.initiator);
        server = await startNodeServer({ handlers, log: () => undefined });
    });
    after(() => server.close());

    /** A client whose fetch goes to the real server and lets the test change each answer. */
    function clientWith(change: (recorded: Recorded, index: number) => Recorded | Promise<Recorded>): NodeClient {
        let index = 0;
        return new NodeClient({
            baseUrl: server.url,
            connectionId: connection.id,
            keys: connection.acceptor,
            fetchImpl: async (input, init) => {
                const recorded = await record(await fetch(input, init));
                return replay(await change(recorded, index++));
            }
        });
    }

    void test('an answer whose signature was altered is ResponseNotTrusted bad-signature', async () => {
        const client = clientWith(alterSignature);
        const error = await failure(client.sendMessages({ messages: [deleted(connection.id)] }));
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'bad-signature');
        assert.equal(error.retryable, true);
    });

    void test('an answer whose body was altered is ResponseNotTrusted bad-signature', async () => {
        const client = clientWith((recorded) => ({
            ...recorded,
            body: Buffer.from(recorded.body.toString('utf8').replace('applied', 'rejected'))
        }));
        const error = await failure(client.sendMessages({ messages: [deleted(connection.id)] }));
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'bad-signature');
    });

    void test('an answer to another request is ResponseNotTrusted, even with the same body', async () => {
        // Record the answer to an empty poll, then serve it as the answer to the next empty poll:
        // same status, same body, a genuine signature, but over the nonce of the first poll.
        let first: Recorded | undefined;
        const client = clientWith((recorded) => {
            first ??= recorded;
            return first;
        });
        const answer = await client.poll();
        assert.deepEqual(answer.messages, []);
        const error = await failure(client.poll());
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'bad-signature');
    });

    void test('a 2xx answer without a signature is ResponseNotTrusted missing-signature', async () => {
        const client = clientWith((recorded) => ({
            ...recorded,
            headers: recorded.headers.filter(([name]) => name !== HEADER.signature)
        }));
        const error = await failure(client.control('activate'));
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'missing-signature');
    });

    void test('a signed error answer whose signature was altered is ResponseNotTrusted, not a refusal', async () => {
        const client = clientWith(alterSignature);
        const error = await failure(client.getAttachment('a'.repeat(64)));
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'bad-signature');
        assert.equal(error.status, 404);
    });

    void test('a signed error answer is RequestRefused with its code, verified', async () => {
        const client = clientWith((recorded) => recorded);
        const error = await failure(client.getAttachment('a'.repeat(64)));
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 404);
        assert.equal(error.code, 'unknown-attachment');
        assert.equal(error.verified, true);
        assert.equal(error.retryable, false);
    });

    void test('an unsigned 401 of verification is RequestRefused with its code, not verified', async () => {
        const stranger = newConnection();
        const client = new NodeClient({ baseUrl: server.url, connectionId: stranger.id, keys: stranger.acceptor });
        const error = await failure(client.sendMessages({ messages: [deleted(stranger.id)] }));
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'unknown-connection');
        assert.equal(error.verified, false);
    });

    void test('a client with the wrong secret learns bad-signature, as a permanent refusal', async () => {
        const wrong = deriveConnectionKeys(randomBytes(32).toString('base64url'), connection.id, 'acceptor');
        const client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: wrong });
        const error = await failure(client.control('activate'));
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.code, 'bad-signature');
        assert.equal(error.retryable, false);
    });

    void test('a proxy error without a protocol body is RequestRefused http-502, retryable', async () => {
        const client = clientWith(() => ({
            status: 502,
            headers: [['content-type', 'text/html']],
            body: Buffer.from('<h1>Bad gateway</h1>')
        }));
        const error = await failure(client.sendMessages({ messages: [deleted(connection.id)] }));
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.code, 'http-502');
        assert.equal(error.verified, false);
        assert.equal(error.retryable, true);
    });

    void test('an answer over its limit is ResponseNotTrusted too-large', async () => {
        const client = clientWith((recorded) => ({ ...recorded, body: Buffer.alloc(70 * 1024, 0x20) }));
        const error = await failure(client.control('activate'));
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'too-large');
    });

    void test('every request is signed anew: a retry carries a fresh nonce and is accepted', async () => {
        const nonces: string[] = [];
        const client = new NodeClient({
            baseUrl: server.url,
            connectionId: connection.id,
            keys: connection.acceptor,
            fetchImpl: (input, init) => {
                nonces.push(new Headers(init?.headers).get(HEADER.nonce) ?? '');
                return fetch(input, init);
            }
        });
        const batch = { messages: [deleted(connection.id)] };
        assert.equal((await client.sendMessages(batch)).acks[0].status, 'applied');
        assert.equal((await client.sendMessages(batch)).acks[0].status, 'duplicate');
        assert.equal(nonces.length, 2);
        assert.notEqual(nonces[0], nonces[1]);
    });
});

void describe('node client: no answer', () => {
    const connection = newConnection();

    void test('a refused connection is NodeUnreachable ECONNREFUSED, retryable', async () => {
        const server = await startNodeServer({ handlers: new MemoryHandlers(), log: () => undefined });
        const url = server.url;
        await server.close();
        const client = new NodeClient({ baseUrl: url, connectionId: connection.id, keys: connection.acceptor });
        const error = await failure(client.control('activate'));
        assert.ok(error instanceof NodeUnreachable);
        assert.equal(error.code, 'ECONNREFUSED');
        assert.equal(error.retryable, true);
    });

    void test('no answer within the timeout is NodeUnreachable timeout', async () => {
        const silent = createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
        try {
            const client = new NodeClient({
                baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
                connectionId: connection.id,
                keys: connection.acceptor,
                timeouts: { requestMs: 200 }
            });
            const started = Date.now();
            const error = await failure(client.control('activate'));
            assert.ok(error instanceof NodeUnreachable);
            assert.equal(error.code, 'timeout');
            assert.ok(Date.now() - started < 2000);
        } finally {
            silent.closeAllConnections();
            await new Promise((resolve) => silent.close(resolve));
        }
    });

    void test('a connection reset before the answer is NodeUnreachable', async () => {
        const rude = createServer((request) => request.socket.destroy());
        await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
        try {
            const client = new NodeClient({
                baseUrl: `http://127.0.0.1:${(rude.address() as AddressInfo).port}`,
                connectionId: connection.id,
                keys: connection.acceptor
            });
            const error = await failure(client.control('activate'));
            assert.ok(error instanceof NodeUnreachable);
        } finally {
            rude.closeAllConnections();
            await new Promise((resolve) => rude.close(resolve));
        }
    });

    void test('a caller abort rejects with the abort reason, not NodeUnreachable', async () => {
        const client = new NodeClient({
            baseUrl: 'http://127.0.0.1:9',
            connectionId: connection.id,
            keys: connection.acceptor
        });
        const controller = new AbortController();
        controller.abort(new Error('stop'));
        const error = await failure(client.poll({ signal: controller.signal }));
        assert.ok(error instanceof Error);
        assert.equal(error.message, 'stop');
    });

    void test('arguments that break the protocol throw before anything is sent', async () => {
        let sent = 0;
        const client = new NodeClient({
            baseUrl: 'http://127.0.0.1:9',
            connectionId: connection.id,
            keys: connection.acceptor,
            fetchImpl: () => {
                sent += 1;
                return Promise.reject(new Error('not reached'));
            }
        });
        await assert.rejects(client.sendMessages({ messages: [deleted(randomUUID())] }), TypeError);
        await assert.rejects(client.poll({ after: 'not a cursor' }), TypeError);
        await assert.rejects(client.poll({ waitSeconds: -1 }), RangeError);
        await assert.rejects(client.putAttachment('A'.repeat(64), 1, new Uint8Array(1)), TypeError);
        assert.equal(sent, 0);
        assert.throws(
            () =>
                new NodeClient({
                    baseUrl: 'http://127.0.0.1:9',
                    connectionId: randomUUID(),
                    keys: connection.acceptor
                }),
            TypeError
        );
    });
});
