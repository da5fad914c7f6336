// The node server (connector/src/node/server.ts) over real HTTP on 127.0.0.1: a signed batch reaches
// the engine and its acks come back signed; every request that fails verification is refused with the
// right 401 before the engine hears of it; limits, validation, connection commands and engine failures
// get the answers of docs/protocol.md; the log names reasons and peers, never secrets.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { NodeClient } from '../src/node/client.ts';
import { RequestRefused } from '../src/node/errors.ts';
import type { NodeLogEntry } from '../src/node/log.ts';
import { MemoryHandlers } from '../src/node/memory-handlers.ts';
import { startNodeServer } from '../src/node/server.ts';
import type { NodeServer } from '../src/node/server.ts';
import { HEADER } from '../src/protocol/headers.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';
import { MAX_BATCH_BYTES } from '../src/protocol/messages.ts';
import type { SyncMessage } from '../src/protocol/messages.ts';
import { TIMESTAMP_WINDOW_MS } from '../src/protocol/nonce-cache.ts';
import { signRequest, verifyResponse } from '../src/protocol/signing.ts';

interface Connection {
    readonly id: string;
    readonly secret: string;
    /** The server's side: the initiator. */
    readonly initiator: ConnectionKeys;
    /** The client's side: the acceptor. */
    readonly acceptor: ConnectionKeys;
}

function newConnection(): Connection {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    return {
        id,
        secret,
        initiator: deriveConnectionKeys(secret, id, 'initiator'),
        acceptor: deriveConnectionKeys(secret, id, 'acceptor')
    };
}

function deleted(connectionId: string, sequence = 1): SyncMessage {
    return {
        protocol: 1,
        messageId: randomUUID(),
        connectionId,
        twinKey: '00001027',
        sequence,
        sentAt: '2026-01-01T09:30:00.000Z',
        kind: 'entity-deleted'
    };
}

interface RawAnswer {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly body: Buffer;
    readonly json: { error?: string; message?: string } & Record<string, unknown>;
}

async function answerOf(response: Response): Promise<RawAnswer> {
    const body = Buffer.from(await response.arrayBuffer());
    let json: RawAnswer['json'] = {};
    try {
        json = JSON.parse(body.toString('utf8')) as RawAnswer['json'];
    } catch {
        // not JSON
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body, json };
}

/** A request signed by hand, to be sent as it is or spoiled first. */
function signed(
    keys: ConnectionKeys,
    options: { method?: string; path?: string; body?: Buffer; at?: number } = {}
): { method: string; path: string; headers: Record<string, string>; body: Buffer | undefined; nonce: string } {
    const method = options.method ?? 'POST';
    const path = options.path ?? '/exalate/v1/messages';
    const request = signRequest({ method, path, body: options.body, keys, clock: () => options.at ?? Date.now() });
    return { method, path, headers: { ...request.headers }, body: options.body, nonce: request.nonce };
}

async function send(
    server: NodeServer,
    request: { method: string; path: string; headers: Record<string, string>; body: Buffer | undefined }
): Promise<RawAnswer> {
    return answerOf(
        await fetch(`${server.url}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body
        })
    );
}

function batchBody(connectionId: string, messages = [deleted(connectionId)]): Buffer {
    return Buffer.from(JSON.stringify({ messages }), 'utf8');
}

void describe('node server: messages', () => {
    const connection = newConnection();
    const handlers = new MemoryHandlers();
    const logs: NodeLogEntry[] = [];
    let server: NodeServer;
    let client: NodeClient;

    before(async () => {
        handlers.addConnection(connection.initiator);
        server = await startNodeServer({ handlers, log: (entry) => logs.push(entry) });
        client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
    });
    after(() => server.close());

    void test('a signed batch reaches the handler, and its acks come back signed and verified', async () => {
        const messages = [deleted(connection.id, 1), deleted(connection.id, 2)];
        const before = handlers.callsOf('receiveMessages');
        const answer = await client.sendMessages({ messages });
        assert.equal(handlers.callsOf('receiveMessages'), before + 1);
        assert.deepEqual(
            answer.acks.map((ack) => [ack.messageId, ack.status, ack.remoteKey]),
            messages.map((message) => [message.messageId, 'applied', 'R-00001027'])
        );
        assert.deepEqual(handlers.received.get(connection.id)?.slice(-2), messages);
    });

    void test('the answer is signed over status, the request nonce and the body hash, with the protocol header', async () => {
        const request = signed(connection.acceptor, { body: batchBody(connection.id) });
        const answer = await send(server, request);
        assert.equal(answer.status, 200);
        assert.equal(answer.headers[HEADER.protocol], '1');
        const check = verifyResponse({
            status: 200,
            headers: answer.headers,
            body: answer.body,
            requestNonce: request.nonce,
            keys: connection.acceptor
        });
        assert.equal(check.ok, true);
    });

    void test('acks of polled messages travel in the batch and reach the handler', async () => {
        const messageId = randomUUID();
        await client.sendMessages({ messages: [], acks: [{ messageId, status: 'applied', remoteKey: 'CS-1' }] });
        assert.ok(handlers.acksReceived.get(connection.id)?.some((ack) => ack.messageId === messageId));
    });

    const refusals: [string, () => Parameters<typeof send>[1], string][] = [
        [
            'an unsigned request',
            () => ({
                method: 'POST',
                path: '/exalate/v1/messages',
                headers: { [HEADER.protocol]: '1', 'content-type': 'application/json' },
                body: batchBody(connection.id)
            }),
            'missing-signature'
        ],
        [
            'a request whose body was changed after signing',
            () => {
                const request = signed(connection.acceptor, { body: batchBody(connection.id) });
                return { ...request, body: batchBody(connection.id) };
            },
            'body-mismatch'
        ],
        [
            'a request signed with another secret',
            () => {
                const other = deriveConnectionKeys(randomBytes(32).toString('base64url'), connection.id, 'acceptor');
                return signed(other, { body: batchBody(connection.id) });
            },
            'bad-signature'
        ],
        [
            'a request signed with the initiator key (reflected back to the node that signed it)',
            () => signed(connection.initiator, { body: batchBody(connection.id) }),
            'bad-signature'
        ],
        [
            'a request signed six minutes ago',
            () =>
                signed(connection.acceptor, {
                    body: batchBody(connection.id),
                    at: Date.now() - TIMESTAMP_WINDOW_MS - 60_000
                }),
            'stale-timestamp'
        ],
        [
            'a request for a connection the node does not hold',
            () => {
                const other = newConnection();
                return signed(other.acceptor, { body: batchBody(other.id) });
            },
            'unknown-connection'
        ],
        [
            'a request whose path was changed after signing',
            () => {
                const request = signed(connection.acceptor, { body: batchBody(connection.id) });
                return { ...request, path: '/exalate/v1/messages?x=1' };
            },
            'bad-signature'
        ]
    ];
    for (const [name, make, reason] of refusals) {
        void test(`${name} gets 401 ${reason}, unsigned, and never reaches the handler`, async () => {
            const calls = handlers.callsOf('receiveMessages');
            const answer = await send(server, make());
            assert.equal(answer.status, 401);
            assert.equal(answer.json.error, reason);
            assert.equal(typeof answer.json.message, 'string');
            assert.equal(answer.headers[HEADER.signature], undefined);
            assert.equal(handlers.callsOf('receiveMessages'), calls);
        });
    }

    void test('a replayed request gets 401 replayed-nonce and reaches the handler once', async () => {
        const request = signed(connection.acceptor, { body: batchBody(connection.id) });
        const calls = handlers.callsOf('receiveMessages');
        assert.equal((await send(server, request)).status, 200);
        const replay = await send(server, request);
        assert.equal(replay.status, 401);
        assert.equal(replay.json.error, 'replayed-nonce');
        assert.equal(handlers.callsOf('receiveMessages'), calls + 1);
    });

    void test('a refusal is logged with reason, connection and remote address, and no secret', async () => {
        logs.length = 0;
        const other = deriveConnectionKeys(randomBytes(32).toString('base64url'), connection.id, 'acceptor');
        await send(server, signed(other, { body: batchBody(connection.id) }));
        const entry = logs.find((item) => item.reason === 'bad-signature');
        assert.ok(entry);
        assert.equal(entry.level, 'warn');
        assert.equal(entry.connectionId, connection.id);
        assert.equal(entry.remoteAddress, '127.0.0.1');
        assert.equal(entry.status, 401);
        const text = JSON.stringify(logs);
        assert.ok(!text.includes(connection.secret));
        for (const key of [connection.initiator.incomingRequests, connection.initiator.outgoingResponses]) {
            assert.ok(!text.includes(key.hmacSha256('').toString('hex')));
        }
    });

    void test('a body over 4 MiB gets 413 on its content-length, before reading, and never reaches the handler', async () => {
        const calls = handlers.callsOf('receiveMessages');
        const body = Buffer.alloc(MAX_BATCH_BYTES + 1, 0x20);
        const answer = await send(server, signed(connection.acceptor, { body }));
        assert.equal(answer.status, 413);
        assert.equal(answer.json.error, 'too-large');
        assert.equal(answer.headers.connection, 'close');
        assert.equal(handlers.callsOf('receiveMessages'), calls);
    });

    void test('a chunked body over 4 MiB gets 413 while it is read, and never reaches the handler', async () => {
        const calls = handlers.callsOf('receiveMessages');
        const body = Buffer.alloc(MAX_BATCH_BYTES + 1024, 0x20);
        const request = signed(connection.acceptor, { body });
        async function* chunks(): AsyncGenerator<Uint8Array> {
            for (let offset = 0; offset < body.length; offset += 256 * 1024) {
                await Promise.resolve();
                yield body.subarray(offset, offset + 256 * 1024);
            }
        }
        const answer = await answerOf(
            await fetch(`${server.url}${request.path}`, {
                method: 'POST',
                headers: request.headers,
                body: chunks(),
                duplex: 'half'
            })
        );
        assert.equal(answer.status, 413);
        assert.equal(answer.json.error, 'too-large');
        assert.equal(handlers.callsOf('receiveMessages'), calls);
    });

    void test('a malformed message gets a signed 400 malformed naming the field, and no message is applied', async () => {
        const good = deleted(connection.id, 1);
        const bad = { ...deleted(connection.id, 2), sentAt: 'yesterday' };
        const calls = handlers.callsOf('receiveMessages');
        const error = await client.sendMessages({ messages: [good, bad] }).then(
            () => assert.fail('the batch was accepted'),
            (caught: unknown) => caught
        );
        // The client checks what it sends; send the same body by hand to see the server's answer.
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /messages\[1\]\.sentAt/);
        const request = signed(connection.acceptor, { body: batchBody(connection.id, [good, bad]) });
        const answer = await send(server, request);
        assert.equal(answer.status, 400);
        assert.equal(answer.json.error, 'malformed');
        assert.match(String(answer.json.message), /messages\[1\]\.sentAt/);
        assert.equal(
            verifyResponse({
                status: 400,
                headers: answer.headers,
                body: answer.body,
                requestNonce: request.nonce,
                keys: connection.acceptor
            }).ok,
            true
        );
        assert.equal(handlers.callsOf('receiveMessages'), calls);
    });

    void test('a body that is not JSON gets a signed 400 malformed', async () => {
        const answer = await send(server, signed(connection.acceptor, { body: Buffer.from('{"messages":[') }));
        assert.equal(answer.status, 400);
        assert.equal(answer.json.error, 'malformed');
        assert.ok(answer.headers[HEADER.signature]?.startsWith('v1='));
    });

    void test('a message of another connection gets 400 malformed naming connectionId', async () => {
        const answer = await send(
            server,
            signed(connection.acceptor, { body: batchBody(connection.id, [deleted(randomUUID())]) })
        );
        assert.equal(answer.status, 400);
        assert.match(String(answer.json.message), /messages\[0\]\.connectionId/);
    });

    void test('a request without x-exalate-protocol or of another major version gets 400 unsupported-protocol', async () => {
        const calls = handlers.callsOf('keysFor');
        const request = signed(connection.acceptor, { body: batchBody(connection.id) });
        const missing = await send(server, {
            ...request,
            headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== HEADER.protocol))
        });
        assert.equal(missing.status, 400);
        assert.equal(missing.json.error, 'unsupported-protocol');
        const newer = await send(server, { ...request, headers: { ...request.headers, [HEADER.protocol]: '2.1' } });
        assert.equal(newer.status, 400);
        assert.equal(newer.json.error, 'unsupported-protocol');
        assert.match(String(newer.json.message), /protocol 2/);
        // Refused before the signature: the keys were not even looked up.
        assert.equal(handlers.callsOf('keysFor'), calls);
    });

    void test('a path that is no endpoint gets 404 not-found, a wrong method 405 with allow', async () => {
        const none = await answerOf(await fetch(`${server.url}/exalate/v1/nothing`));
        assert.equal(none.status, 404);
        assert.equal(none.json.error, 'not-found');
        const wrong = await answerOf(await fetch(`${server.url}/exalate/v1/messages`, { method: 'DELETE' }));
        assert.equal(wrong.status, 405);
        assert.equal(wrong.headers.allow, 'POST, GET');
    });

    void test('a handler that throws gets a signed 500 internal; the cause is logged, never sent', async () => {
        logs.length = 0;
        handlers.failNext('receiveMessages', new Error('database password hunter2 rejected'));
        const error = await client.sendMessages({ messages: [deleted(connection.id)] }).then(
            () => assert.fail('the batch was accepted'),
            (caught: unknown) => caught
        );
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 500);
        assert.equal(error.code, 'internal');
        assert.equal(error.verified, true);
        assert.equal(error.retryable, true);
        assert.ok(!error.message.includes('hunter2'));
        const entry = logs.find((item) => item.event === 'handler-failed');
        assert.ok(entry);
        assert.match(String((entry.cause as Error).message), /hunter2/);
    });
});

void describe('node server: connection commands', () => {
    const connection = newConnection();
    const handlers = new MemoryHandlers();
    let server: NodeServer;
    let client: NodeClient;

    before(async () => {
        handlers.addConnection(connection.initiator);
        server = await startNodeServer({ handlers, log: () => undefined });
        client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
    });
    after(() => server.close());

    void test('deactivate is followed, idempotently, and messages then get a signed 409 connection-inactive', async () => {
        assert.equal(await client.control('deactivate'), 'Deactivated');
        assert.equal(await client.control('deactivate'), 'Deactivated');
        assert.equal(handlers.statusOf(connection.id), 'Deactivated');
        const error = await client
            .sendMessages({ messages: [deleted(connection.id)] })
            .catch((caught: unknown) => caught);
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 409);
        assert.equal(error.code, 'connection-inactive');
        assert.equal(error.verified, true);
        assert.equal(error.retryable, true);
        const poll = await client.poll().catch((caught: unknown) => caught);
        assert.ok(poll instanceof RequestRefused);
        assert.equal(poll.code, 'connection-inactive');
    });

    void test('activate lets messages flow again', async () => {
        assert.equal(await client.control('activate'), 'Active');
        const answer = await client.sendMessages({ messages: [deleted(connection.id)] });
        assert.equal(answer.acks[0].status, 'applied');
    });

    void test('delete is answered, signed, and later requests get 401 unknown-connection', async () => {
        assert.equal(await client.control('delete'), 'Deleted');
        const error = await client
            .sendMessages({ messages: [deleted(connection.id)] })
            .catch((caught: unknown) => caught);
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'unknown-connection');
        assert.equal(error.verified, false);
        assert.equal(error.retryable, false);
    });
});

void describe('node server: base path and sockets', () => {
    void test('a node URL with a path serves its endpoints below it, and the client signs that path', async () => {
        const connection = newConnection();
        const handlers = new MemoryHandlers();
        handlers.addConnection(connection.initiator);
        const server = await startNodeServer({ handlers, log: () => undefined, basePath: '/node/salesforce-a/' });
        try {
            assert.match(server.url, /\/node\/salesforce-a$/);
            const client = new NodeClient({
                baseUrl: server.url,
                connectionId: connection.id,
                keys: connection.acceptor
            });
            const answer = await client.sendMessages({ messages: [deleted(connection.id)] });
            assert.equal(answer.acks.length, 1);
            const outside = await answerOf(await fetch(`http://127.0.0.1:${server.port}/exalate/v1/messages`));
            assert.equal(outside.status, 404);
        } finally {
            await server.close();
        }
    });

    void test('close() ends idle keep-alive connections at once', async () => {
        const server = await startNodeServer({ handlers: new MemoryHandlers(), log: () => undefined });
        const closed = new Promise<void>((resolve, reject) => {
            const request = httpRequest(`${server.url}/exalate/v1/nothing`, {
                agent: false,
                headers: { connection: 'keep-alive' }
            });
            request.on('response', (response) => {
                response.resume();
                response.on('end', () => {
                    request.socket?.once('close', () => resolve());
                    void server.close();
                });
            });
            request.on('error', reject);
            request.end();
        });
        const started = Date.now();
        await closed;
        assert.ok(Date.now() - started < 1000);
    });
});
