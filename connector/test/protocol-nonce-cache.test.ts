// The replay cache of node protocol v1 (connector/src/protocol/nonce-cache.ts): it refuses a nonce
// seen within the window, stays bounded however many requests arrive, and its bound never lets a
// replay through (an evicted nonce is refused as too old).
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { HEADER } from '../src/protocol/headers.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import { NonceCache, TIMESTAMP_WINDOW_MS } from '../src/protocol/nonce-cache.ts';
import { signRequest, verifyRequest } from '../src/protocol/signing.ts';

const T0 = Date.UTC(2026, 0, 1, 9, 30, 0);
const CONNECTION = randomUUID();

/** A readable, unique nonce for request number `n`. */
function nonce(n: number): string {
    return `n${String(n).padStart(21, '0')}`;
}

void describe('nonce cache', () => {
    void it('records a nonce once and refuses it again within the window', () => {
        const cache = new NonceCache({ clock: () => T0 });
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), T0), 'recorded');
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), T0), 'replayed');
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(2), T0), 'recorded');
        assert.equal(cache.size(CONNECTION), 2);
    });

    void it('keeps nonces per connection', () => {
        const cache = new NonceCache({ clock: () => T0 });
        const other = randomUUID();
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), T0), 'recorded');
        assert.equal(cache.checkAndRecord(other, nonce(1), T0), 'recorded');
        assert.equal(cache.size(), 2);
        assert.equal(cache.connectionCount, 2);
    });

    void it('remembers a nonce until its timestamp leaves the window, however early it arrived', () => {
        let now = T0;
        const cache = new NonceCache({ clock: () => now });
        // Signed by a clock 4 minutes ahead: it passes the timestamp check until T0 + 9 min.
        const aheadTimestamp = T0 + 4 * 60_000;
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), aheadTimestamp), 'recorded');
        now = T0 + 8 * 60_000;
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), aheadTimestamp), 'replayed');
        now = aheadTimestamp + TIMESTAMP_WINDOW_MS + 1;
        cache.prune();
        assert.equal(cache.size(), 0);
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), aheadTimestamp), 'too-old');
    });

    void it('stays bounded under 100,000 inserts and still refuses every replay inside the window', () => {
        let now = T0;
        const max = 1000;
        const cache = new NonceCache({ maxEntriesPerConnection: max, clock: () => now });
        const total = 100_000;
        let largest = 0;
        for (let n = 0; n < total; n++) {
            // One request per millisecond: 100 s in all, so every one of them stays inside the
            // 5-minute window, and the cache must evict to stay within its bound.
            now = T0 + n;
            // Timestamps arrive a little out of order, as signed by clocks that differ slightly.
            const timestamp = now - (n % 7) * 10;
            assert.equal(cache.checkAndRecord(CONNECTION, nonce(n), timestamp), 'recorded', `insert ${n}`);
            largest = Math.max(largest, cache.size());
        }
        assert.ok(largest <= max, `at most ${max} entries, saw ${largest}`);
        assert.equal(cache.size(CONNECTION), max);
        // Recent nonces are still held: a replay is refused as such.
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(total - 1), now - 60), 'replayed');
        // Evicted nonces, still inside the timestamp window, are refused too: never recorded again.
        for (const evicted of [0, 1, 500, 50_000, total - 5000]) {
            const verdict = cache.checkAndRecord(CONNECTION, nonce(evicted), T0 + evicted - (evicted % 7) * 10);
            assert.notEqual(verdict, 'recorded', `evicted nonce ${evicted} came back`);
        }
        assert.ok(cache.size() <= max);
    });

    void it('an evicted request replayed through the verifier is refused, and fresh requests still pass', async () => {
        let now = T0;
        const secret = randomBytes(32).toString('base64url');
        const initiator = deriveConnectionKeys(secret, CONNECTION, 'initiator');
        const acceptor = deriveConnectionKeys(secret, CONNECTION, 'acceptor');
        const cache = new NonceCache({ maxEntriesPerConnection: 5, clock: () => now });
        const verify = (request: ReturnType<typeof signRequest>) =>
            verifyRequest(
                { method: 'GET', path: '/exalate/v1/messages', headers: request.headers, body: Buffer.alloc(0) },
                { lookupKeys: () => initiator, nonceCache: cache, clock: () => now }
            );
        const requests = Array.from({ length: 20 }, (_, n) =>
            signRequest({ method: 'GET', path: '/exalate/v1/messages', keys: acceptor, clock: () => T0 + n })
        );
        now = T0 + 20;
        for (const request of requests) {
            assert.ok((await verify(request)).ok);
        }
        assert.equal(cache.size(CONNECTION), 5);
        const replayOfEvicted = await verify(requests[0]);
        assert.ok(!replayOfEvicted.ok);
        assert.equal(replayOfEvicted.reason, 'stale-timestamp');
        const replayOfHeld = await verify(requests[19]);
        assert.ok(!replayOfHeld.ok);
        assert.equal(replayOfHeld.reason, 'replayed-nonce');
        now += 1;
        const fresh = signRequest({ method: 'GET', path: '/exalate/v1/messages', keys: acceptor, clock: () => now });
        assert.ok((await verify(fresh)).ok, 'a fresh request is not blocked');
        assert.notEqual(fresh.headers[HEADER.nonce], requests[0].headers[HEADER.nonce]);
    });

    void it('runs for a simulated day of steady traffic without growing', () => {
        let now = T0;
        const cache = new NonceCache({ clock: () => now });
        const connections = [randomUUID(), randomUUID(), randomUUID()];
        let n = 0;
        let largest = 0;
        // 24 hours, one request per connection every 2 seconds.
        for (let second = 0; second < 24 * 3600; second += 2) {
            now = T0 + second * 1000;
            for (const connection of connections) {
                assert.equal(cache.checkAndRecord(connection, nonce(n++), now - 300), 'recorded');
            }
            largest = Math.max(largest, cache.size());
        }
        // About one window of requests (150 per connection per 5 minutes), never a day's worth.
        assert.ok(largest <= 3 * 151, `held at most ${largest}`);
        now += 2 * TIMESTAMP_WINDOW_MS;
        cache.prune();
        assert.equal(cache.size(), 0);
        assert.equal(cache.connectionCount, 0, 'caches of idle connections are dropped');
    });

    void it('drops idle connections on its own, at most once per window, without a timer', () => {
        let now = T0;
        const cache = new NonceCache({ clock: () => now });
        for (let n = 0; n < 50; n++) {
            cache.checkAndRecord(randomUUID(), nonce(n), now);
        }
        assert.equal(cache.connectionCount, 50);
        now += TIMESTAMP_WINDOW_MS + 1;
        cache.checkAndRecord(CONNECTION, nonce(99), now);
        assert.equal(cache.connectionCount, 1);
    });

    void it('does not bring a forgotten nonce back when the clock steps backwards', () => {
        let now = T0;
        const cache = new NonceCache({ clock: () => now });
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), T0), 'recorded');
        now = T0 + TIMESTAMP_WINDOW_MS + 1000;
        cache.prune();
        assert.equal(cache.size(), 0);
        now = T0 + 1000; // the clock is set back: T0 is inside the window again by this clock
        assert.equal(cache.checkAndRecord(CONNECTION, nonce(1), T0), 'too-old');
    });

    void it('forgets a deleted connection on request', () => {
        const cache = new NonceCache({ clock: () => T0 });
        cache.checkAndRecord(CONNECTION, nonce(1), T0);
        cache.forget(CONNECTION);
        assert.equal(cache.size(CONNECTION), 0);
        assert.equal(cache.connectionCount, 0);
    });

    void it('refuses a bound that is not a whole number of at least 1, and a clock that is not finite', () => {
        assert.throws(() => new NonceCache({ maxEntriesPerConnection: 0 }), /at least 1/);
        assert.throws(() => new NonceCache({ maxEntriesPerConnection: 1.5 }), /whole number/);
        const cache = new NonceCache({ clock: () => Number.NaN });
        assert.throws(() => cache.checkAndRecord(CONNECTION, nonce(1), T0), /finite/);
    });
});
