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
 * several batches at once, and without the wait the first would be applied alone.
 */
const LINGER_MS = 20;

interface Waiting {
    readonly batch: MessageBatch;
    readonly resolve: (acks: Ack[]) => void;
    readonly reject: (error: unknown) => void;
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
    readonly #waiting = new Map<string, Waiting[]>();

    constructor(lane: SerialLane, apply: ApplyGroup) {
        this.#lane = lane;
        this.#apply = apply;
    }

    /** Applies a batch, together with any others of the connection that are waiting; its acks, in order. */
    submit(live: LiveConnection, batch: MessageBatch): Promise<Ack[]> {
        return new Promise<Ack[]>((resolve, reject) => {
            const list = this.#waiting.get(live.id) ?? [];
            list.push({ batch, resolve, reject });
            this.#waiting.set(live.id, list);
            if (list.length === 1) {
                setTimeout(() => {
                    void this.#lane.run(() => this.#drain(live)).catch(() => undefined);
                }, LINGER_MS);
            }
        });
    }

    async #drain(live: LiveConnection): Promise<void> {
        const list = this.#waiting.get(live.id) ?? [];
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
        if (list.length === 0) {
            this.#waiting.delete(live.id);
        } else {
            // More than one apply's worth: the rest goes in the next lane task.
            void this.#lane.run(() => this.#drain(live)).catch(() => undefined);
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
