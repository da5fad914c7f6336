// Group commit of incoming batches: batches that arrive while the lane is busy are applied together,
// so that ten batches of 100 messages cost the org the reads and writes of one batch of 1,000
// (each read and write packs up to 1,000 records into one API call).
import type { Ack, MessageBatch } from '../protocol/messages.ts';
import type { LiveConnection } from './connections.ts';
import type { SerialLane } from './serial-lane.ts';

/** Most messages applied together. */
const MAX_MESSAGES_PER_APPLY = 1000;

/**
 * How long a batch that finds the lane idle waits for the others of its burst: a sender pushes
 * several batches at once, and without the wait the first would be applied alone. The wait goes on
 * while batches keep arriving (each one starts it again), up to MAX_LINGER_MS, and ends as soon as
 * a full apply's worth is waiting: a burst of ten batches is one apply, not one of six and one of
 * four. A lone batch (a single change) waits LINGER_MS, no more.
 */
const LINGER_MS = 20;
const MAX_LINGER_MS = 200;

interface Waiting {
    readonly batch: MessageBatch;
    /** When it arrived (performance.now()). */
    readonly at: number;
    readonly resolve: (acks: Ack[]) => void;
    readonly reject: (error: unknown) => void;
}

/** What waits for one connection. */
interface Pending {
    readonly list: Waiting[];
    /** Messages in `list`. */
    count: number;
    /** When the last batch arrived. */
    last: number;
    timer: NodeJS.Timeout | undefined;
    /** A drain is queued on the lane and has not started yet. */
    queued: boolean;
}

/** How a group is applied: acks of polled messages first, then the messages, one ack per message. */
export type ApplyGroup = (
    live: LiveConnection,
    acks: readonly Ack[],
    messages: MessageBatch['messages']
) => Promise<Ack[]>;

export class IncomingBatcher {
    readonly #lane: SerialLane;
    readonly #apply: ApplyGroup;
    readonly #pending = new Map<string, Pending>();

    constructor(lane: SerialLane, apply: ApplyGroup) {
        this.#lane = lane;
        this.#apply = apply;
    }

    /** Applies a batch, together with any others of the connection that are waiting; its acks, in order. */
    submit(live: LiveConnection, batch: MessageBatch): Promise<Ack[]> {
        return new Promise<Ack[]>((resolve, reject) => {
            const now = performance.now();
            let pending = this.#pending.get(live.id);
            if (pending === undefined) {
                pending = { list: [], count: 0, last: now, timer: undefined, queued: false };
                this.#pending.set(live.id, pending);
            }
            pending.list.push({ batch, at: now, resolve, reject });
            pending.count += batch.messages.length;
            pending.last = now;
            this.#schedule(live, pending);
        });
    }

    /** Queues a drain once a full apply waits or the burst is over; else (re)arms the wait. */
    #schedule(live: LiveConnection, pending: Pending): void {
        if (pending.queued || pending.list.length === 0) {
            return;
        }
        const queue = (): void => {
            clearTimeout(pending.timer);
            pending.timer = undefined;
            pending.queued = true;
            void this.#lane.run(() => this.#drain(live, pending)).catch(() => undefined);
        };
        const check = (): void => {
            pending.timer = undefined;
            const now = performance.now();
            const quietFor = now - pending.last;
            const waited = now - pending.list[0].at;
            if (pending.count >= MAX_MESSAGES_PER_APPLY || quietFor >= LINGER_MS || waited >= MAX_LINGER_MS) {
                queue();
            } else {
                pending.timer = setTimeout(check, Math.min(LINGER_MS - quietFor, MAX_LINGER_MS - waited));
            }
        };
        if (pending.count >= MAX_MESSAGES_PER_APPLY) {
            queue();
        } else if (pending.timer === undefined) {
            check();
        }
    }

    async #drain(live: LiveConnection, pending: Pending): Promise<void> {
        pending.queued = false;
        const { list } = pending;
        const taken: Waiting[] = [];
        let count = 0;
        while (
            list.length > 0 &&
            (taken.length === 0 || count + list[0].batch.messages.length <= MAX_MESSAGES_PER_APPLY)
        ) {
            const next = list.shift() as Waiting;
            taken.push(next);
            count += next.batch.messages.length;
        }
        pending.count -= count;
        if (list.length === 0) {
            this.#pending.delete(live.id);
        } else {
            // The rest arrived while this group waited: it goes once its own burst is over.
            this.#schedule(live, pending);
        }
        if (taken.length === 0) {
            return;
        }
        try {
            const acks = await this.#apply(
                live,
                taken.flatMap((waiting) => waiting.batch.acks ?? []),
                taken.flatMap((waiting) => waiting.batch.messages)
            );
            let offset = 0;
            for (const waiting of taken) {
                waiting.resolve(acks.slice(offset, offset + waiting.batch.messages.length));
                offset += waiting.batch.messages.length;
            }
        } catch (error) {
            for (const waiting of taken) {
                waiting.reject(error);
            }
        }
    }
}
