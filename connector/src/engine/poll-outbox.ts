// The messages waiting for a private node to fetch them by long-poll, per connection.
//
// The org holds the truth (each message is a Sync_Event__c in "Waiting for remote" with its
// payload); this outbox is the in-memory index of those events that the poll handler serves, rebuilt
// from the org after a restart. An entry leaves the outbox when the private node acknowledges it.
import type { SyncMessage } from '../protocol/messages.ts';
import { cutIntoBatches, messageBytes } from './message-batches.ts';

interface Entry {
    readonly position: number;
    readonly message: SyncMessage;
    /** Its size in a poll answer. */
    readonly bytes: number;
}

const CURSOR = /^([a-z0-9]{1,16})\.([0-9]{1,15})$/;

/** The outbox of one connection. */
export class PollOutbox {
    readonly #entries: Entry[] = [];
    readonly #waiters = new Set<() => void>();
    /** Names this outbox in its cursors, so that a cursor of an earlier process is never taken for one of this. */
    readonly #epoch = Math.floor(Math.random() * 2 ** 48).toString(36);
    #position = 0;

    /** Messages not yet acknowledged. */
    get size(): number {
        return this.#entries.length;
    }

    /** Whether a message with this id is waiting. */
    has(messageId: string): boolean {
        return this.#entries.some((entry) => entry.message.messageId === messageId);
    }

    /** Adds a message (once per id) and wakes the polls that wait. */
    add(message: SyncMessage): void {
        if (this.has(message.messageId)) {
            return;
        }
        this.#position += 1;
        this.#entries.push({ position: this.#position, message, bytes: messageBytes(message) });
        this.release();
    }

    /** Ends the waits in progress at once (a message came, or the connection changed). */
    release(): void {
        for (const wake of [...this.#waiters]) {
            wake();
        }
    }

    /** Removes acknowledged messages. */
    remove(messageIds: Iterable<string>): void {
        const gone = new Set(messageIds);
        for (let index = this.#entries.length - 1; index >= 0; index -= 1) {
            if (gone.has(this.#entries[index].message.messageId)) {
                this.#entries.splice(index, 1);
            }
        }
    }

    /**
     * The messages after `after` (at most `limit`, and at most `maxBytes` of them unless the first
     * alone is larger), with the cursor after the last one. A cursor this outbox never gave (a
     * previous process's) counts as the start: the poller dedupes by id.
     */
    read(
        after: string | undefined,
        limit: number,
        maxBytes = Number.POSITIVE_INFINITY
    ): { messages: SyncMessage[]; cursor: string } {
        const match = after === undefined ? null : CURSOR.exec(after);
        const from = match && match[1] === this.#epoch ? Math.min(Number(match[2]), this.#position) : 0;
        const waiting = this.#entries.filter((entry) => entry.position > from);
        const [entries = []] = cutIntoBatches(waiting, (entry) => entry.bytes, limit, maxBytes);
        const last = entries.length > 0 ? entries[entries.length - 1].position : from;
        return { messages: entries.map((entry) => entry.message), cursor: `${this.#epoch}.${last}` };
    }

    /** Resolves when a message is added, the time is up, or the signal fires. */
    wait(ms: number, signal: AbortSignal): Promise<void> {
        return new Promise((resolve) => {
            const done = (): void => {
                clearTimeout(timer);
                this.#waiters.delete(done);
                signal.removeEventListener('abort', done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.#waiters.add(done);
            signal.addEventListener('abort', done, { once: true });
        });
    }
}
