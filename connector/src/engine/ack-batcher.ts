// Group commit of acknowledgements: the acks of batches that come back while the lane is busy are
// recorded together. A bulk sync pushes hundreds of batches of 100 messages; recording each batch's
// acks on its own would cost one write call per batch, recording them together costs one per 500.
import type { Ack } from '../protocol/messages.ts';
import type { SerialLane } from './serial-lane.ts';

/**
 * Most acks recorded by one write: each updates an event and a twin, and Collections updates take
 * both types in one list, so 500 acks are five subrequests of 200 records: one call.
 */
const MAX_ACKS_PER_WRITE = 500;

/**
 * How long the first ack of a group waits for others. Acks of a bulk sync come back spread over
 * the pushes in flight; without the wait most groups would hold one batch. A single sync shows
 * Synchronized this much later, and its change is not delayed at all. A group that reaches a full
 * write does not wait.
 */
const LINGER_MS = 50;

interface Waiting {
    readonly acks: readonly Ack[];
    readonly resolve: () => void;
    readonly reject: (error: unknown) => void;
}

export class AckBatcher {
    readonly #lane: SerialLane;
    readonly #record: (acks: readonly Ack[]) => Promise<void>;
    readonly #waiting: Waiting[] = [];
    /** Acks waiting, all entries together. */
    #count = 0;
    #timer: NodeJS.Timeout | undefined;
    /** A drain is queued on the lane and has not started yet. */
    #queued = false;

    constructor(lane: SerialLane, record: (acks: readonly Ack[]) => Promise<void>) {
        this.#lane = lane;
        this.#record = record;
    }

    /** Records these acks, together with any others waiting; resolves once they are written. */
    submit(acks: readonly Ack[]): Promise<void> {
        if (acks.length === 0) {
            return Promise.resolve();
        }
        return new Promise<void>((resolve, reject) => {
            this.#waiting.push({ acks, resolve, reject });
            this.#count += acks.length;
            this.#schedule();
        });
    }

    /** Queues a drain once a full write waits, else lingers from the first ack waiting. */
    #schedule(): void {
        if (this.#queued || this.#waiting.length === 0) {
            return;
        }
        if (this.#count >= MAX_ACKS_PER_WRITE) {
            clearTimeout(this.#timer);
            this.#timer = undefined;
            this.#queued = true;
            void this.#lane.run(() => this.#drain()).catch(() => undefined);
            return;
        }
        this.#timer ??= setTimeout(() => {
            this.#timer = undefined;
            if (!this.#queued) {
                this.#queued = true;
                void this.#lane.run(() => this.#drain()).catch(() => undefined);
            }
        }, LINGER_MS);
    }

    async #drain(): Promise<void> {
        this.#queued = false;
        const taken: Waiting[] = [];
        let count = 0;
        while (
            this.#waiting.length > 0 &&
            (taken.length === 0 || count + this.#waiting[0].acks.length <= MAX_ACKS_PER_WRITE)
        ) {
            const next = this.#waiting.shift() as Waiting;
            taken.push(next);
            count += next.acks.length;
        }
        this.#count -= count;
        if (taken.length === 0) {
            return;
        }
        // The rest: a full write goes in the next lane task, less waits for more.
        this.#schedule();
        try {
            await this.#record(taken.flatMap((waiting) => waiting.acks));
            for (const waiting of taken) {
                waiting.resolve();
            }
        } catch (error) {
            for (const waiting of taken) {
                waiting.reject(error);
            }
        }
    }
}
