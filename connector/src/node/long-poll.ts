// The receiving loop of a private node. A private node has no URL: it cannot be sent anything, so it
// keeps one long-poll open to its public peer at all times (`GET /exalate/v1/messages?wait=...`),
// which the peer answers the moment a message for it is in the outbox. That is what brings a change
// across in well under a second without the private side being reachable.
//
// One round:
//   1. send the acks of the messages received in the rounds before (`POST /exalate/v1/messages` with
//      empty `messages`: a GET has no body, so acks travel in the next POST, as the spec says);
//   2. poll with `after` = the cursor of the last answer whose messages were stored;
//   3. hand the messages to the engine, which stores and applies them and returns one ack each;
//   4. move the cursor on (the messages are stored now) and queue the acks for step 1.
// A failure anywhere (peer down, restart, an untrusted answer, the engine throwing) waits a jittered,
// doubling delay and starts the round again from where it stood: messages the engine did not take are
// polled again (same cursor), acks not delivered are sent again. Delivery is at least once; the engine
// dedupes by message id.
import type { Ack, SyncMessage } from '../protocol/messages.ts';
import { MAX_BATCH_MESSAGES } from '../protocol/messages.ts';
import { backoffDelay } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import type { NodeClient } from './client.ts';
import { RequestRefused } from './errors.ts';
import type { MaybePromise } from './handlers.ts';
import { abortableSleep } from './abortable-sleep.ts';

/** Options of a `PollLoop`. */
export interface PollLoopOptions {
    /** The client of the connection on the public peer (only `poll` and `sendMessages` are used). */
    readonly client: Pick<NodeClient, 'poll' | 'sendMessages'>;
    /**
     * Receives each non-empty batch, in outbox order. Store the messages (with `cursor`, to resume
     * from after a restart) and apply them as for `receiveMessages`; return one ack per message. Throw
     * to have the batch polled again after a back-off.
     */
    readonly onMessages: (messages: readonly SyncMessage[], cursor: string) => MaybePromise<readonly Ack[]>;
    /** The cursor stored with the last batch taken, to resume from; none for the start of the outbox. */
    readonly after?: string;
    /**
     * Seconds each poll may be held, 1 to 55; 25 unless given, short enough for proxies and load
     * balancers that cut idle connections at 30 or 60 seconds.
     */
    readonly waitSeconds?: number;
    /** Delays after failures; 250 ms doubling to 30 s, jittered, unless given. */
    readonly backoff?: BackoffOptions;
    /** Told about each failure and the delay before the next attempt (for the log and the admin). */
    readonly onError?: (error: unknown, retryInMs: number) => void;
}

/** Keeps one long-poll open to the public peer and hands every batch to the engine. */
export class PollLoop {
    readonly #client: PollLoopOptions['client'];
    readonly #onMessages: PollLoopOptions['onMessages'];
    readonly #waitSeconds: number;
    readonly #backoff: BackoffOptions;
    readonly #onError: PollLoopOptions['onError'];
    /** Aborts the open request and the back-off wait on `stop()`. */
    readonly #stopping = new AbortController();
    #cursor: string | undefined;
    #pendingAcks: Ack[] = [];
    #running: Promise<void> | undefined;

    /** @param options the client, the engine's callback, where to resume, and the timings */
    constructor(options: PollLoopOptions) {
        const waitSeconds = options.waitSeconds ?? 25;
        if (!Number.isSafeInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 55) {
            throw new RangeError('waitSeconds must be a whole number from 1 to 55');
        }
        this.#client = options.client;
        this.#onMessages = options.onMessages;
        this.#cursor = options.after;
        this.#waitSeconds = waitSeconds;
        this.#backoff = options.backoff ?? {};
        this.#onError = options.onError;
    }

    /** The cursor of the last batch taken: where a restarted loop resumes. */
    get cursor(): string | undefined {
        return this.#cursor;
    }

    /** Acks taken from the engine and not yet delivered. */
    get pendingAcks(): readonly Ack[] {
        return this.#pendingAcks;
    }

    /** Starts polling; calling it again while it runs does nothing. A stopped loop cannot be started again. */
    start(): void {
        if (this.#stopping.signal.aborted) {
            throw new Error('a stopped poll loop cannot be started again; create a new one');
        }
        this.#running ??= this.#run();
    }

    /** Stops: aborts the open poll or back-off wait. Resolves when the loop has ended. */
    async stop(): Promise<void> {
        this.#stopping.abort(new Error('the poll loop was stopped'));
        await this.#running;
    }

    async #run(): Promise<void> {
        const signal = this.#stopping.signal;
        let failures = 0;
        while (!signal.aborted) {
            try {
                await this.#sendAcks(signal);
                const opened = Date.now();
                const answer = await this.#client.poll({ after: this.#cursor, waitSeconds: this.#waitSeconds, signal });
                if (answer.messages.length > 0) {
                    const acks = await this.#onMessages(answer.messages, answer.cursor);
                    this.#pendingAcks.push(...acks);
                }
                this.#cursor = answer.cursor;
                failures = 0;
                if (answer.messages.length === 0 && Date.now() - opened < this.#waitSeconds * 500) {
                    // Empty long before the wait ran out: the peer is shutting down or does not hold
                    // polls. Pause briefly rather than spin on it.
                    await abortableSleep(backoffDelay(1, this.#backoff), signal);
                }
            } catch (error) {
                if (signal.aborted) {
                    break;
                }
                failures += 1;
                const delay = backoffDelay(failures, this.#backoff);
                try {
                    this.#onError?.(error, delay);
                } catch {
                    // A failing reporter must not stop the loop.
                }
                await abortableSleep(delay, signal);
            }
        }
    }

    /** Delivers the pending acks, at most 100 per request. */
    async #sendAcks(signal: AbortSignal): Promise<void> {
        while (this.#pendingAcks.length > 0) {
            const acks = this.#pendingAcks.slice(0, MAX_BATCH_MESSAGES);
            try {
                await this.#client.sendMessages({ messages: [], acks }, { signal });
            } catch (error) {
                if (error instanceof RequestRefused && error.verified && !error.retryable) {
                    // The peer read these acks and refuses them for good: sending them again cannot
                    // help, and the peer resends the messages it has no ack for anyway.
                    this.#pendingAcks = this.#pendingAcks.slice(acks.length);
                }
                throw error;
            }
            this.#pendingAcks = this.#pendingAcks.slice(acks.length);
        }
    }
}
