// Request and response signatures of node protocol v1 (connector/src/protocol/signing.ts): a signed
// request verifies; every change to what it covers fails with the reason an admin can act on; a
// replay fails without blocking fresh requests; a response is the answer to one request only.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { HEADER } from '../src/protocol/headers.ts';
import type { HeaderRecord } from '../src/protocol/headers.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';
import { NonceCache, TIMESTAMP_WINDOW_MS } from '../src/protocol/nonce-cache.ts';
import {
    EMPTY_BODY_SHA256,
    canonicalRequest,
    checkStreamedBody,
    sha256Hex,
    signRequest,
    signResponse,
    verifyRequest,
    verifyResponse
} from '../src/protocol/signing.ts';
import type { IncomingRequest, RequestVerification, VerificationReason } from '../src/protocol/signing.ts';

const T0 = Date.UTC(2026, 0, 1, 9, 30, 0);
const BODY = Buffer.from(
    JSON.stringify({ messages: [{ protocol: 1, twinKey: '00001027', kind: 'entity-deleted' }] }),
    'utf8'
);

/** One connection seen from both sides: the acceptor sends, the initiator receives. */
interface Fixture {
    readonly secret: string;
    readonly id: string;
    readonly acceptor: ConnectionKeys;
    readonly initiator: ConnectionKeys;
    /** The initiator's view: keys by connection id. */
    readonly initiatorKeys: Map<string, ConnectionKeys>;
    readonly cache: NonceCache;
    now: number;
}

function newFixture(): Fixture {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const initiator = deriveConnectionKeys(secret, id, 'initiator');
    return {
        secret,
        id,
        acceptor: deriveConnectionKeys(secret, id, 'acceptor'),
        initiator,
        initiatorKeys: new Map([[id, initiator]]),
        cache: new NonceCache(),
        now: T0
    };
}

function sign(
    fixture: Fixture,
    request: { method?: string; path?: string; body?: Buffer; keys?: ConnectionKeys; at?: number } = {}
): IncomingRequest & { headers: Record<string, string>; body: Buffer } {
    const method = request.method ?? 'POST';
    const path = request.path ?? '/exalate/v1/messages';
    const body = request.body ?? BODY;
    const signed = signRequest({
        method,
        path,
        body,
        keys: request.keys ?? fixture.acceptor,
        clock: () => request.at ?? fixture.now
    });
    return { method, path, headers: { ...signed.headers }, body };
}

function verify(
    fixture: Fixture,
    request: IncomingRequest,
    keys = fixture.initiatorKeys
): Promise<RequestVerification> {
    return verifyRequest(request, {
        lookupKeys: (connectionId) => keys.get(connectionId),
        nonceCache: fixture.cache,
        clock: () => fixture.now
    });
}

async function expectRefused(fixture: Fixture, request: IncomingRequest, reason: VerificationReason): Promise<string> {
    const result = await verify(fixture, request);
    assert.equal(result.ok, false, `expected ${reason}, the request verified`);
    assert.ok(!result.ok);
    assert.equal(result.reason, reason, result.message);
    assert.equal(result.status, 401);
    assert.ok(!result.message.includes(fixture.secret), 'the message must not contain the secret');
    return result.message;
}

function withHeader(request: IncomingRequest, name: string, value: string | string[] | undefined): IncomingRequest {
    const headers: HeaderRecord = { ...request.headers, [name]: value };
    return { ...request, headers };
}

/** Flips the last hex digit of a `v1=<hex>` signature. */
function flipLastDigit(text: string): string {
    const last = text.at(-1);
    return text.slice(0, -1) + (last === '0' ? '1' : '0');
}

void describe('request signatures', () => {
    void it('a signed request verifies, and the result names the connection and the nonce', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        const result = await verify(fixture, request);
        assert.ok(result.ok, result.ok ? '' : result.message);
        assert.equal(result.connectionId, fixture.id);
        assert.equal(result.nonce, request.headers[HEADER.nonce]);
        assert.equal(result.contentSha256, sha256Hex(BODY));
        assert.equal(result.keys, fixture.initiator);
    });

    void it('writes every header the spec lists, in its shape', () => {
        const fixture = newFixture();
        const { headers } = sign(fixture);
        assert.deepEqual(Object.keys(headers).sort(), [
            HEADER.connection,
            HEADER.contentSha256,
            HEADER.nonce,
            HEADER.protocol,
            HEADER.signature,
            HEADER.timestamp
        ]);
        assert.equal(headers[HEADER.connection], fixture.id);
        assert.equal(headers[HEADER.timestamp], String(T0));
        assert.match(headers[HEADER.nonce], /^[A-Za-z0-9_-]{22}$/);
        assert.equal(Buffer.from(headers[HEADER.nonce], 'base64url').length, 16);
        assert.equal(headers[HEADER.contentSha256], sha256Hex(BODY));
        assert.match(headers[HEADER.signature], /^v1=[0-9a-f]{64}$/);
        assert.equal(headers[HEADER.protocol], '1');
        assert.notEqual(sign(fixture).headers[HEADER.nonce], headers[HEADER.nonce], 'a fresh nonce per request');
    });

    void it('signs an empty body as the SHA-256 of nothing, and a GET with a query verifies', async () => {
        const fixture = newFixture();
        const request = sign(fixture, {
            method: 'get',
            path: '/exalate/v1/messages?after=c-000042&wait=25',
            body: Buffer.alloc(0)
        });
        assert.equal(request.headers[HEADER.contentSha256], EMPTY_BODY_SHA256);
        assert.equal(EMPTY_BODY_SHA256, sha256Hex(''));
        const result = await verify(fixture, { ...request, method: 'GET' });
        assert.ok(result.ok, result.ok ? '' : result.message);
    });

    void it('each change to what the signature covers fails with the reason that names it', async () => {
        const cases: [string, (request: IncomingRequest) => IncomingRequest, VerificationReason][] = [
            ['method', (r) => ({ ...r, method: 'PUT' }), 'bad-signature'],
            ['path', (r) => ({ ...r, path: '/exalate/v1/connection/delete' }), 'bad-signature'],
            ['query added', (r) => ({ ...r, path: `${r.path}?after=c-1` }), 'bad-signature'],
            ['body, hash header kept', (r) => ({ ...r, body: Buffer.from(`${r.body.toString()} `) }), 'body-mismatch'],
            [
                'body, hash header recomputed',
                (r) => {
                    const body = Buffer.from('{"messages":[]}');
                    return withHeader({ ...r, body }, HEADER.contentSha256, sha256Hex(body));
                },
                'bad-signature'
            ],
            ['timestamp, 1 ms later', (r) => withHeader(r, HEADER.timestamp, String(T0 + 1)), 'bad-signature'],
            ['nonce', (r) => withHeader(r, HEADER.nonce, randomBytes(16).toString('base64url')), 'bad-signature'],
            [
                'connection id, unknown here',
                (r) => withHeader(r, HEADER.connection, randomUUID()),
                'unknown-connection'
            ],
            [
                'signature, one digit',
                (r) => withHeader(r, HEADER.signature, flipLastDigit(String(r.headers[HEADER.signature]))),
                'bad-signature'
            ]
        ];
        for (const [name, tamper, reason] of cases) {
            const fixture = newFixture();
            const message = await expectRefused(fixture, tamper(sign(fixture)), reason);
            assert.ok(message.length > 20, `${name}: a message an admin can read`);
        }
    });

    void it('a changed query fails, including the same parameters in another order', async () => {
        const fixture = newFixture();
        const request = sign(fixture, {
            method: 'GET',
            path: '/exalate/v1/messages?after=c-1&wait=25',
            body: Buffer.alloc(0)
        });
        await expectRefused(fixture, { ...request, path: '/exalate/v1/messages?after=c-2&wait=25' }, 'bad-signature');
        await expectRefused(fixture, { ...request, path: '/exalate/v1/messages?wait=25&after=c-1' }, 'bad-signature');
        await expectRefused(fixture, { ...request, path: '/exalate/v1/messages' }, 'bad-signature');
        assert.ok((await verify(fixture, request)).ok, 'the failed attempts did not use up the nonce');
    });

    void it('a connection id switched to another connection this node has fails as a bad signature', async () => {
        const fixture = newFixture();
        const other = deriveConnectionKeys(randomBytes(32).toString('base64url'), randomUUID(), 'initiator');
        fixture.initiatorKeys.set(other.connectionId, other);
        await expectRefused(fixture, withHeader(sign(fixture), HEADER.connection, other.connectionId), 'bad-signature');
    });

    void it('a request signed with another connection key fails', async () => {
        const fixture = newFixture();
        // A peer on another connection of this node signs with its own key but names this connection.
        const otherId = randomUUID();
        const otherSecret = randomBytes(32).toString('base64url');
        fixture.initiatorKeys.set(otherId, deriveConnectionKeys(otherSecret, otherId, 'initiator'));
        const peerOfOther = deriveConnectionKeys(otherSecret, otherId, 'acceptor');
        const signedByOther = sign(fixture, { keys: peerOfOther });
        await expectRefused(fixture, withHeader(signedByOther, HEADER.connection, fixture.id), 'bad-signature');
        // Someone who knows the connection id but holds another secret.
        const impostor = deriveConnectionKeys(randomBytes(32).toString('base64url'), fixture.id, 'acceptor');
        await expectRefused(fixture, sign(fixture, { keys: impostor }), 'bad-signature');
        assert.ok((await verify(fixture, signedByOther)).ok, 'on its own connection the same request verifies');
    });

    void it('a request sent back to the node that signed it fails (keys per direction)', async () => {
        const fixture = newFixture();
        const acceptorKeys = new Map([[fixture.id, fixture.acceptor]]);
        const request = sign(fixture);
        const reflected = await verify(fixture, request, acceptorKeys);
        assert.ok(!reflected.ok);
        assert.equal(reflected.reason, 'bad-signature');
    });

    void it('refuses missing, repeated and malformed signing headers as missing-signature', async () => {
        const fixture = newFixture();
        const names = [HEADER.connection, HEADER.timestamp, HEADER.nonce, HEADER.contentSha256, HEADER.signature];
        for (const name of names) {
            const message = await expectRefused(
                fixture,
                withHeader(sign(fixture), name, undefined),
                'missing-signature'
            );
            assert.match(message, new RegExp(name));
            await expectRefused(fixture, withHeader(sign(fixture), name, ['a', 'b']), 'missing-signature');
        }
        const malformed: [string, string][] = [
            [HEADER.connection, fixture.id.toUpperCase()],
            [HEADER.timestamp, `${T0}.5`],
            [HEADER.timestamp, `-${T0}`],
            [HEADER.nonce, 'short'],
            [HEADER.nonce, `${randomBytes(16).toString('base64url')}\nx`],
            [HEADER.contentSha256, sha256Hex(BODY).toUpperCase()],
            [HEADER.signature, `v2=${'0'.repeat(64)}`],
            [HEADER.signature, 'v1=abc']
        ];
        for (const [name, value] of malformed) {
            await expectRefused(fixture, withHeader(sign(fixture), name, value), 'missing-signature');
        }
        // The same header under two spellings of its name is ambiguous.
        const request = sign(fixture);
        const doubled: HeaderRecord = { ...request.headers, 'X-Exalate-Nonce': randomBytes(16).toString('base64url') };
        await expectRefused(fixture, { ...request, headers: doubled }, 'missing-signature');
        assert.ok((await verify(fixture, request)).ok, 'none of the failures used up the nonce');
    });

    void it('finds its headers whatever the case of their names', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        const headers = Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [name.toUpperCase(), value])
        );
        assert.ok((await verify(fixture, { ...request, headers })).ok);
    });

    void it('a request whose path cannot have been signed fails', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        await expectRefused(
            fixture,
            { ...request, path: 'http://node.example.com/exalate/v1/messages' },
            'bad-signature'
        );
        await expectRefused(fixture, { ...request, path: '/exalate/v1/messages with space' }, 'bad-signature');
        assert.throws(() => sign(fixture, { path: '/exalate/v1/messages\nx' }), /printable ASCII/);
        assert.throws(() => sign(fixture, { path: 'exalate/v1/messages' }), /must start with \//);
    });
});

void describe('replays', () => {
    void it('the same signed request a second time fails as replayed-nonce, and a fresh request still verifies', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        assert.ok((await verify(fixture, request)).ok);
        fixture.now += 1000;
        const message = await expectRefused(fixture, request, 'replayed-nonce');
        assert.match(message, new RegExp(String(request.headers[HEADER.nonce])));
        assert.ok((await verify(fixture, sign(fixture))).ok, 'a freshly signed request is not blocked');
        fixture.now += TIMESTAMP_WINDOW_MS - 1000; // exactly at the edge of the window: still remembered
        await expectRefused(fixture, request, 'replayed-nonce');
        fixture.now += 1;
        await expectRefused(fixture, request, 'stale-timestamp');
    });

    void it('concurrent copies of one request: exactly one verifies', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        const slowLookup = async (connectionId: string): Promise<ConnectionKeys | undefined> => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return fixture.initiatorKeys.get(connectionId);
        };
        const results = await Promise.all(
            Array.from({ length: 5 }, () =>
                verifyRequest(request, { lookupKeys: slowLookup, nonceCache: fixture.cache, clock: () => fixture.now })
            )
        );
        assert.equal(results.filter((result) => result.ok).length, 1);
        assert.deepEqual(
            results.filter((result) => !result.ok).map((result) => (result.ok ? '' : result.reason)),
            ['replayed-nonce', 'replayed-nonce', 'replayed-nonce', 'replayed-nonce']
        );
    });

    void it('an attacker cannot burn a nonce: failed requests carrying it are not recorded', async () => {
        const fixture = newFixture();
        const genuine = sign(fixture);
        const forged = withHeader(genuine, HEADER.signature, `v1=${'ab'.repeat(32)}`);
        await expectRefused(fixture, forged, 'bad-signature');
        await expectRefused(fixture, { ...genuine, body: Buffer.from('{}') }, 'body-mismatch');
        assert.equal(fixture.cache.size(fixture.id), 0);
        assert.ok((await verify(fixture, genuine)).ok);
    });

    void it('a timestamp 5 minutes off either way verifies; 5 minutes and 1 second off fails as stale', async () => {
        const fixture = newFixture();
        const edges: [number, boolean][] = [
            [-TIMESTAMP_WINDOW_MS, true],
            [TIMESTAMP_WINDOW_MS, true],
            [-TIMESTAMP_WINDOW_MS - 1000, false],
            [TIMESTAMP_WINDOW_MS + 1000, false],
            [-TIMESTAMP_WINDOW_MS - 1, false]
        ];
        for (const [offset, accepted] of edges) {
            const request = sign(fixture, { at: fixture.now + offset });
            if (accepted) {
                const result = await verify(fixture, request);
                assert.ok(result.ok, `${offset} ms: ${result.ok ? '' : result.message}`);
            } else {
                const message = await expectRefused(fixture, request, 'stale-timestamp');
                assert.match(message, /Check that the clocks/);
            }
        }
        const late = await expectRefused(
            fixture,
            sign(fixture, { at: fixture.now - TIMESTAMP_WINDOW_MS - 1000 }),
            'stale-timestamp'
        );
        assert.match(late, /301 s before this node's time 2026-01-01T09:30:00.000Z/);
    });
});

void describe('response signatures', () => {
    function exchange(fixture: Fixture, status = 200, body = Buffer.from('{"acks":[]}')) {
        const request = signRequest({
            method: 'POST',
            path: '/exalate/v1/messages',
            body: BODY,
            keys: fixture.acceptor,
            clock: () => fixture.now
        });
        const headers = signResponse({ status, body, requestNonce: request.nonce, keys: fixture.initiator });
        return { request, response: { status, headers, body } };
    }

    void it('a signed response verifies for the request it answers', () => {
        const fixture = newFixture();
        const { request, response } = exchange(fixture);
        const result = verifyResponse({ ...response, requestNonce: request.nonce, keys: fixture.acceptor });
        assert.deepEqual(result, { ok: true, connectionId: fixture.id });
    });

    void it('a response replayed for another request fails: it is bound to the request nonce', () => {
        const fixture = newFixture();
        const first = exchange(fixture, 200, Buffer.from('{"messages":[],"cursor":"c-7"}'));
        const second = signRequest({
            method: 'GET',
            path: '/exalate/v1/messages?after=c-7&wait=25',
            keys: fixture.acceptor
        });
        const result = verifyResponse({ ...first.response, requestNonce: second.nonce, keys: fixture.acceptor });
        assert.ok(!result.ok);
        assert.equal(result.reason, 'bad-signature');
        assert.match(result.message, /answers another request/);
    });

    void it('a changed status or body fails; a missing or malformed signature is missing-signature', () => {
        const fixture = newFixture();
        const { request, response } = exchange(fixture);
        const check = (changes: Partial<typeof response>) =>
            verifyResponse({ ...response, ...changes, requestNonce: request.nonce, keys: fixture.acceptor });
        const reasons = [
            check({ status: 409 }),
            check({ body: Buffer.from('{"acks":[{}]}') }),
            check({ headers: {} }),
            check({ headers: { [HEADER.signature]: 'v1=xyz' } }),
            check({ headers: { [HEADER.signature]: flipLastDigit(response.headers[HEADER.signature]) } }),
            check({ status: 42 })
        ].map((result) => (result.ok ? 'ok' : result.reason));
        assert.deepEqual(reasons, [
            'bad-signature',
            'bad-signature',
            'missing-signature',
            'missing-signature',
            'bad-signature',
            'bad-signature'
        ]);
    });

    void it('a response signed by the requesting side itself fails (keys per direction)', () => {
        const fixture = newFixture();
        const request = signRequest({
            method: 'POST',
            path: '/exalate/v1/messages',
            body: BODY,
            keys: fixture.acceptor
        });
        const body = Buffer.from('{"acks":[]}');
        const headers = signResponse({ status: 200, body, requestNonce: request.nonce, keys: fixture.acceptor });
        const result = verifyResponse({
            status: 200,
            headers,
            body,
            requestNonce: request.nonce,
            keys: fixture.acceptor
        });
        assert.ok(!result.ok);
        assert.equal(result.reason, 'bad-signature');
    });

    void it('a streamed download is verified by its hash', () => {
        const fixture = newFixture();
        const bytes = randomBytes(4096);
        const request = signRequest({
            method: 'GET',
            path: `/exalate/v1/attachments/${sha256Hex(bytes)}`,
            keys: fixture.acceptor
        });
        const headers = signResponse({
            status: 200,
            body: { sha256Hex: sha256Hex(bytes) },
            requestNonce: request.nonce,
            keys: fixture.initiator
        });
        const good = verifyResponse({
            status: 200,
            headers,
            body: { sha256Hex: sha256Hex(bytes) },
            requestNonce: request.nonce,
            keys: fixture.acceptor
        });
        assert.ok(good.ok);
        const cut = verifyResponse({
            status: 200,
            headers,
            body: bytes.subarray(1),
            requestNonce: request.nonce,
            keys: fixture.acceptor
        });
        assert.ok(!cut.ok);
    });
});

void describe('streamed uploads', () => {
    void it('verify from the headers first, then the caller checks the bytes it read', async () => {
        const fixture = newFixture();
        const bytes = randomBytes(10_000);
        const digest = sha256Hex(bytes);
        const signed = signRequest({
            method: 'PUT',
            path: `/exalate/v1/attachments/${digest}`,
            body: { sha256Hex: digest },
            keys: fixture.acceptor,
            clock: () => fixture.now
        });
        const result = await verify(fixture, {
            method: 'PUT',
            path: `/exalate/v1/attachments/${digest}`,
            headers: signed.headers,
            body: 'streamed'
        });
        assert.ok(result.ok);
        assert.equal(result.contentSha256, digest);
        assert.equal(checkStreamedBody(result, digest), undefined);
        const mismatch = checkStreamedBody(result, sha256Hex(bytes.subarray(0, 5000)));
        assert.equal(mismatch?.reason, 'body-mismatch');
    });
});

void describe('verification messages', () => {
    void it('never contain the secret, a key or the expected signature', async () => {
        const fixture = newFixture();
        const request = sign(fixture);
        const canonical = canonicalRequest({
            method: 'POST',
            path: request.path,
            timestamp: String(request.headers[HEADER.timestamp]),
            nonce: String(request.headers[HEADER.nonce]),
            contentSha256: String(request.headers[HEADER.contentSha256]),
            connectionId: fixture.id
        });
        const expected = fixture.initiator.incomingRequests.hmacSha256(canonical).toString('hex');
        const forged = withHeader(request, HEADER.signature, `v1=${'0'.repeat(64)}`);
        const result = await verify(fixture, forged);
        assert.ok(!result.ok);
        assert.ok(!result.message.includes(expected));
        assert.ok(!result.message.includes(fixture.secret));
        assert.ok(!JSON.stringify(result).includes(fixture.secret));
    });
});
