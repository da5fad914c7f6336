// Replay protection of node protocol v1: the nonces of signed requests seen recently, per connection.
//
// A signed request is accepted only while its timestamp is within TIMESTAMP_WINDOW_MS of the
// receiver's clock, and only once: the receiver remembers each nonce as long as its request could
// still pass the timestamp check, and refuses the nonce a second time.
//
// Why the memory bound cannot let a replay through
// -------------------------------------------------
// Memory is bounded per connection by `maxEntriesPerConnection`. Entries leave in two ways:
//
// 1. Expiry. An entry is dropped once its timestamp is older than the window. A replay of it is then
//    refused by the timestamp check anyway, and by this cache too, which refuses every timestamp older
//    than the window (measured against the latest clock reading it has seen, so that a clock that
//    steps backwards cannot bring a forgotten nonce back into the window).
// 2. Eviction, only when a connection holds `maxEntriesPerConnection` entries none of which has
//    expired. The entry with the oldest timestamp goes first, and the connection's *floor* is raised
//    to that timestamp: from then on the cache refuses every request of the connection whose
//    timestamp is at or below the floor. The evicted nonce is among them, so it cannot come back.
//    The price is availability, not safety: a legitimate request signed earlier than the floor is
//    refused (as `too-old`) and its sender signs it again with a fresh timestamp.
//
// Only requests whose signature verified are recorded (see signing.ts), so filling a connection's
// cache takes the connection's key: an outsider cannot evict entries nor raise a floor. And a
// connection's cache exists only while it holds live entries, so the number of caches is bounded by
// the number of connections that sent verified requests within the window.
//
// The cache is built for a node that runs for months: no timers (it prunes as it is used, and sweeps
// all connections at most once per window), no growth with time, an injectable clock for tests.

/** How far a request's timestamp may be from the receiver's clock, either way: 5 minutes. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

/**
 * Default bound per connection. Entries live about one window (up to two for a timestamp ahead of the
 * receiver's clock), so 20,000 allows a sustained 60 requests per second per connection, far above what
 * one connection sends, at a few megabytes at most.
 */
export const DEFAULT_MAX_NONCES_PER_CONNECTION = 20_000;

/** What the cache says about a nonce: newly recorded, seen before, or too old to be judged. */
export type NonceVerdict = 'recorded' | 'replayed' | 'too-old';

/** Options of a nonce cache. */
export interface NonceCacheOptions {
    /** Entries kept per connection before the oldest is evicted; at least 1. */
    readonly maxEntriesPerConnection?: number;
    /** Milliseconds since 1970-01-01T00:00:00Z; `Date.now` unless a test supplies one. */
    readonly clock?: () => number;
}

interface Entry {
    readonly timestamp: number;
    readonly nonce: string;
}

/** The nonces of one connection: a set to answer "seen?" and a min-heap by timestamp to expire/evict. */
interface ConnectionNonces {
    readonly seen: Set<string>;
    readonly heap: Entry[];
    /** Requests with a timestamp at or below this are refused: an entry that old may have been evicted. */
    floor: number;
}

/**
 * Remembers the nonces of verified requests per connection, to refuse replays.
 *
 * One cache serves the whole node. It is synchronous, so a check and the recording that follows it
 * cannot interleave with another request's.
 */
export class NonceCache {
    /** Entries kept per connection. */
    readonly maxEntriesPerConnection: number;
    readonly #clock: () => number;
    readonly #connections = new Map<string, ConnectionNonces>();
    /** The latest clock reading seen: time as far as expiry is concerned never runs backwards. */
    #latestNow = Number.NEGATIVE_INFINITY;
    #lastSweep = Number.NEGATIVE_INFINITY;

    /** @param options the bound per connection and the clock */
    constructor(options: NonceCacheOptions = {}) {
        const max = options.maxEntriesPerConnection ?? DEFAULT_MAX_NONCES_PER_CONNECTION;
        if (!Number.isSafeInteger(max) || max < 1) {
            throw new RangeError(`maxEntriesPerConnection must be a whole number of at least 1, not ${String(max)}`);
        }
        this.maxEntriesPerConnection = max;
        this.#clock = options.clock ?? Date.now;
    }

    /**
     * Records a nonce unless it was seen, or is too old to tell. Call it only for a request whose
     * signature verified, and after the timestamp check.
     *
     * @param connectionId the connection the request was signed for
     * @param nonce the request's nonce
     * @param timestampMs the request's signed timestamp
     * @param now the receiver's clock; the cache's own clock unless given (the verifier passes its own,
     *     so that one reading decides both the timestamp check and expiry)
     * @returns `recorded` (accept the request), `replayed` (the nonce was seen within the window) or
     *     `too-old` (the timestamp is older than the window or at or below the connection's floor)
     */
    checkAndRecord(
        connectionId: string,
        nonce: string,
        timestampMs: number,
        now: number = this.#clock()
    ): NonceVerdict {
        const oldestAcceptable = this.#advance(now);
        let nonces = this.#connections.get(connectionId);
        if (nonces !== undefined) {
            expire(nonces, oldestAcceptable);
            if (nonces.seen.has(nonce)) {
                return 'replayed';
            }
            if (timestampMs <= nonces.floor) {
                return 'too-old';
            }
        }
        if (timestampMs < oldestAcceptable) {
            return 'too-old';
        }
        if (nonces === undefined) {
            nonces = { seen: new Set(), heap: [], floor: Number.NEGATIVE_INFINITY };
            this.#connections.set(connectionId, nonces);
        }
        if (nonces.seen.size >= this.maxEntriesPerConnection) {
            const evicted = popOldest(nonces);
            nonces.seen.delete(evicted.nonce);
            nonces.floor = Math.max(nonces.floor, evicted.timestamp);
            if (timestampMs <= nonces.floor) {
                return 'too-old';
            }
        }
        nonces.seen.add(nonce);
        pushEntry(nonces, { timestamp: timestampMs, nonce });
        return 'recorded';
    }

    /**
     * Number of nonces held.
     *
     * @param connectionId one connection; all connections when left out
     */
    size(connectionId?: string): number {
        if (connectionId !== undefined) {
            return this.#connections.get(connectionId)?.seen.size ?? 0;
        }
        let total = 0;
        for (const nonces of this.#connections.values()) {
            total += nonces.seen.size;
        }
        return total;
    }

    /** Number of connections that currently hold nonces or a floor still in force. */
    get connectionCount(): number {
        return this.#connections.size;
    }

    /**
     * Drops expired nonces of every connection, and the caches of connections left with nothing.
     * Called by `checkAndRecord` at most once per window; an adapter may call it from a timer too.
     *
     * @param now the clock; the cache's own clock unless given
     */
    prune(now: number = this.#clock()): void {
        const oldestAcceptable = this.#advance(now, true);
        this.#sweep(oldestAcceptable);
    }

    /**
     * Forgets a connection's nonces. Only for a connection whose keys are gone (deleted): while its
     * keys verify requests, forgetting would let a recorded request be replayed within the window.
     */
    forget(connectionId: string): void {
        this.#connections.delete(connectionId);
    }

    /** Moves the cache's time forward (never back) and sweeps when a window has passed since the last. */
    #advance(now: number, sweepNow = false): number {
        if (!Number.isFinite(now)) {
            throw new RangeError('the clock must give a finite number of milliseconds');
        }
        this.#latestNow = Math.max(this.#latestNow, now);
        const oldestAcceptable = this.#latestNow - TIMESTAMP_WINDOW_MS;
        if (!sweepNow && this.#latestNow - this.#lastSweep >= TIMESTAMP_WINDOW_MS) {
            this.#sweep(oldestAcceptable);
        }
        return oldestAcceptable;
    }

    #sweep(oldestAcceptable: number): void {
        this.#lastSweep = this.#latestNow;
        for (const [connectionId, nonces] of this.#connections) {
            expire(nonces, oldestAcceptable);
            // A floor older than the window refuses nothing the timestamp rule does not refuse already.
            if (nonces.seen.size === 0 && nonces.floor < oldestAcceptable) {
                this.#connections.delete(connectionId);
            }
        }
    }
}

/** Drops the entries whose timestamp is older than the window: their requests are refused as stale. */
function expire(nonces: ConnectionNonces, oldestAcceptable: number): void {
    while (nonces.heap.length > 0 && nonces.heap[0].timestamp < oldestAcceptable) {
        nonces.seen.delete(popOldest(nonces).nonce);
    }
}

// A binary min-heap on the timestamp. Timestamps arrive in any order within the window (each sender's
// clock differs a little), so insertion order is not expiry order.

function pushEntry(nonces: ConnectionNonces, entry: Entry): void {
    const heap = nonces.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
        const parent = (index - 1) >> 1;
        if (heap[parent].timestamp <= entry.timestamp) {
            break;
        }
        heap[index] = heap[parent];
        index = parent;
    }
    heap[index] = entry;
}

function popOldest(nonces: ConnectionNonces): Entry {
    const heap = nonces.heap;
    const oldest = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
        let index = 0;
        for (;;) {
            const left = 2 * index + 1;
            if (left >= heap.length) {
                break;
            }
            const right = left + 1;
            const child = right < heap.length && heap[right].timestamp < heap[left].timestamp ? right : left;
            if (heap[child].timestamp >= last.timestamp) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = last;
    }
    return oldest;
}
