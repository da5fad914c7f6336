// Attachments over real HTTP on 127.0.0.1: uploads stream to the engine and are kept only when their
// bytes are the signed ones (a wrong hash is refused as the spec says and nothing is stored), bodies
// over the limit get 413 with or without a content-length, and downloads are verified while they are
// read: bytes that are not the ones asked for never pass as a whole body.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NodeClient } from '../src/node/client.ts';
import { NodeUnreachable, RequestRefused, ResponseNotTrusted } from '../src/node/errors.ts';
import type { AttachmentSource, AttachmentUpload, StoreAttachmentResult } from '../src/node/handlers.ts';
import { MemoryHandlers } from '../src/node/memory-handlers.ts';
import { startNodeServer } from '../src/node/server.ts';
import type { NodeServer } from '../src/node/server.ts';
import { HEADER } from '../src/protocol/headers.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';
import { signRequest, verifyResponse } from '../src/protocol/signing.ts';

const LIMIT = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;

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

function sha256(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
}

async function* chunksOf(bytes: Uint8Array, progress?: { sent: number }): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += CHUNK) {
        await new Promise((resolve) => setImmediate(resolve));
        const chunk = bytes.subarray(offset, offset + CHUNK);
        if (progress !== undefined) {
            progress.sent += chunk.length;
        }
        yield chunk;
    }
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) {
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}

/** Memory handlers that note, for each upload, how many chunks arrived and how far the sender was at the first. */
class ObservedHandlers extends MemoryHandlers {
    readonly uploads: { chunks: number; sentAtFirstChunk: number | undefined }[] = [];
    progress: { sent: number } | undefined;

    override async storeAttachment(connectionId: string, upload: AttachmentUpload): Promise<StoreAttachmentResult> {
        const seen = { chunks: 0, sentAtFirstChunk: undefined as number | undefined };
        this.uploads.push(seen);
        const progress = this.progress;
        const counted: AttachmentUpload = {
            ...upload,
            body: (async function* () {
                for await (const chunk of upload.body) {
                    seen.chunks += 1;
                    seen.sentAtFirstChunk ??= progress?.sent;
                    yield chunk;
                }
            })()
        };
        return super.storeAttachment(connectionId, counted);
    }
}

void describe('attachments: upload', () => {
    const connection = newConnection();
    const handlers = new ObservedHandlers();
    let server: NodeServer;
    let client: NodeClient;

    before(async () => {
        handlers.addConnection(connection.initiator);
        server = await startNodeServer({ handlers, log: () => undefined, maxAttachmentBytes: LIMIT });
        client = new NodeClient({ baseUrl: server.url, connectionId: connection.id, keys: connection.acceptor });
    });
    after(() => server.close());

    void test('a 5 MB upload streams to the handler, is checked by SHA-256 and stored; again, it is already held', async () => {
        const bytes = randomBytes(5 * 1000 * 1000);
        const hash = sha256(bytes);
        const progress = { sent: 0 };
        handlers.progress = progress;
        assert.equal(await client.putAttachment(hash, bytes.length, chunksOf(bytes, progress)), 'stored');
        assert.ok(handlers.attachments.get(`${connection.id}/${hash}`)?.equals(bytes));
        const upload = handlers.uploads[handlers.uploads.length - 1];
        assert.ok(upload.chunks > 1, 'the body arrived in pieces');
        assert.ok(
            upload.sentAtFirstChunk !== undefined && upload.sentAtFirstChunk < bytes.length,
            'the handler had bytes before the sender had sent them all'
        );
        // Repeating a PUT is harmless: 200, nothing stored again.
        assert.equal(await client.putAttachment(hash, bytes.length, bytes), 'already-held');
    });

    void test('bytes that do not have the SHA-256 of the path get 401 body-mismatch and nothing is stored', async () => {
        const claimed = randomBytes(300 * 1000);
        const sent = randomBytes(claimed.length);
        const hash = sha256(claimed);
        const error = await client.putAttachment(hash, sent.length, chunksOf(sent)).catch((caught: unknown) => caught);
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'body-mismatch');
        assert.equal(handlers.attachments.has(`${connection.id}/${hash}`), false);
    });

    void test('a content hash header other than the SHA-256 of the path gets a signed 400 malformed, before the handler', async () => {
        const bytes = randomBytes(1000);
        const path = `/exalate/v1/attachments/${'0'.repeat(64)}`;
        const request = signRequest({ method: 'PUT', path, body: bytes, keys: connection.acceptor });
        const calls = handlers.callsOf('storeAttachment');
        const response = await fetch(`${server.url}${path}`, { method: 'PUT', headers: request.headers, body: bytes });
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 400);
        assert.equal((JSON.parse(body.toString('utf8')) as { error: string }).error, 'malformed');
        assert.equal(
            verifyResponse({
                status: 400,
                headers: Object.fromEntries(response.headers),
                body,
                requestNonce: request.nonce,
                keys: connection.acceptor
            }).ok,
            true
        );
        assert.equal(handlers.callsOf('storeAttachment'), calls);
        assert.equal(handlers.attachments.has(`${connection.id}/${'0'.repeat(64)}`), false);
    });

    void test('an attachment over the limit gets 413 on its content-length, before the handler', async () => {
        const bytes = Buffer.alloc(LIMIT + 1, 7);
        const calls = handlers.callsOf('storeAttachment');
        const error = await client
            .putAttachment(sha256(bytes), bytes.length, chunksOf(bytes))
            .catch((caught: unknown) => caught);
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.status, 413);
        assert.equal(error.code, 'too-large');
        assert.equal(error.verified, false);
        assert.equal(handlers.callsOf('storeAttachment'), calls);
    });

    void test('a chunked upload over the limit gets 413 while it streams, and nothing is stored', async () => {
        const bytes = Buffer.alloc(LIMIT + CHUNK, 9);
        const hash = sha256(bytes);
        const path = `/exalate/v1/attachments/${hash}`;
        const request = signRequest({ method: 'PUT', path, body: { sha256Hex: hash }, keys: connection.acceptor });
        const response = await fetch(`${server.url}${path}`, {
            method: 'PUT',
            headers: request.headers,
            body: chunksOf(bytes),
            duplex: 'half'
        });
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 413);
        assert.equal((JSON.parse(body.toString('utf8')) as { error: string }).error, 'too-large');
        assert.equal(handlers.attachments.has(`${connection.id}/${hash}`), false);
    });

    void test('a body that yields fewer bytes than announced stops the upload with a RangeError; nothing is stored', async () => {
        const bytes = randomBytes(200 * 1000);
        const hash = sha256(bytes);
        await assert.rejects(client.putAttachment(hash, bytes.length + 10, chunksOf(bytes)), RangeError);
        assert.equal(handlers.attachments.has(`${connection.id}/${hash}`), false);
    });
});

void describe('attachments: download', () => {
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

    void test('a download streams, and its bytes are verified by SHA-256 and signature', async () => {
        const bytes = randomBytes(3 * 1000 * 1000);
        const hash = handlers.offerAttachment(connection.id, bytes);
        const download = await client.getAttachment(hash);
        assert.equal(download.size, bytes.length);
        assert.ok((await readAll(download.stream)).equals(bytes));
    });

    void test('an attachment offered on another connection is 404 unknown-attachment here', async () => {
        const hash = handlers.offerAttachment(randomUUID(), randomBytes(100));
        const error = await client.getAttachment(hash).catch((caught: unknown) => caught);
        assert.ok(error instanceof RequestRefused);
        assert.equal(error.code, 'unknown-attachment');
        assert.equal(error.verified, true);
    });

    void test('bytes changed on the way make the stream throw ResponseNotTrusted body-mismatch at the end', async () => {
        const bytes = randomBytes(500 * 1000);
        const hash = handlers.offerAttachment(connection.id, bytes);
        const tampering = new NodeClient({
            baseUrl: server.url,
            connectionId: connection.id,
            keys: connection.acceptor,
            fetchImpl: async (input, init) => {
                const response = await fetch(input, init);
                const body = Buffer.from(await response.arrayBuffer());
                body[1234] ^= 0xff;
                return new Response(body, { status: response.status, headers: response.headers });
            }
        });
        const download = await tampering.getAttachment(hash);
        const error = await readAll(download.stream).catch((caught: unknown) => caught);
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'body-mismatch');
    });

    void test('an unsigned download is refused before a byte is read', async () => {
        const hash = handlers.offerAttachment(connection.id, randomBytes(1000));
        const stripping = new NodeClient({
            baseUrl: server.url,
            connectionId: connection.id,
            keys: connection.acceptor,
            fetchImpl: async (input, init) => {
                const response = await fetch(input, init);
                const headers = new Headers(response.headers);
                headers.delete(HEADER.signature);
                return new Response(response.body, { status: response.status, headers });
            }
        });
        const error = await stripping.getAttachment(hash).catch((caught: unknown) => caught);
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'missing-signature');
    });

    void test('a store that serves the wrong bytes reaches the client as a cut body, never as a whole one', async () => {
        const corrupt = new MemoryHandlers();
        corrupt.addConnection(connection.initiator);
        const wanted = randomBytes(300 * 1000);
        const hash = sha256(wanted);
        corrupt.openAttachment = (): AttachmentSource => ({
            size: wanted.length,
            stream: chunksOf(randomBytes(wanted.length))
        });
        const logs: string[] = [];
        const other = await startNodeServer({ handlers: corrupt, log: (entry) => logs.push(entry.event) });
        try {
            const reader = new NodeClient({
                baseUrl: other.url,
                connectionId: connection.id,
                keys: connection.acceptor
            });
            const download = await reader.getAttachment(hash);
            const error = await readAll(download.stream).catch((caught: unknown) => caught);
            assert.ok(error instanceof NodeUnreachable || error instanceof ResponseNotTrusted, String(error));
            assert.ok(logs.includes('attachment-not-served'));
        } finally {
            await other.close();
        }
    });
});
