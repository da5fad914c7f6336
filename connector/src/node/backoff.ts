// Back-off between attempts to reach the other node: doubling from 250 ms up to 30 s, jittered.
//
// The jitter matters more than it looks: after the public node restarts, every private node that
// polls it failed at the same moment, and without jitter they would all come back at the same moments
// too, each time a little harder. A random factor of 0.5 to 1.5 spreads them while keeping the delays
// of one node in the doubling pattern.

/** Options of the back-off. */
export interface BackoffOptions {
    /** Delay after the first failure, before jitter; 250 ms unless given. */
    readonly initialMs?: number;
    /** Longest delay; 30 s unless given. */
    readonly maxMs?: number;
    /** A number in [0, 1); `Math.random` unless a test supplies one. */
    readonly random?: () => number;
}

/** First delay unless configured: a private node is back within a quarter second after a blip. */
export const DEFAULT_BACKOFF_INITIAL_MS = 250;

/** Longest delay unless configured: a node that was down is noticed within half a minute of returning. */
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

/**
 * The delay before the next attempt.
 *
 * @param failures how many attempts in a row have failed, 1 or more
 * @param options initial and longest delay, and the random source
 * @returns milliseconds: `initial * 2^(failures-1)` times a factor of 0.5 to 1.5, kept within
 *     [initial, max]
 */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
    const initialMs = options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
    const maxMs = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    const random = options.random ?? Math.random;
    // The exponent is capped so that the product stays finite however long the other node is away.
    const base = initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
    const jittered = base * (0.5 + random());
    return Math.round(Math.min(maxMs, Math.max(initialMs, jittered)));
}
