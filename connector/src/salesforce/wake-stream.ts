// The wake-up channel: a CometD subscription to the package's Sync_Wake__e platform event.
//
// The package's triggers publish one Sync_Wake__e per transaction that recorded change signals
// (and the Apex controllers publish one when a user asks for a sync), so the connector can sleep
// instead of polling: streaming traffic is not metered as API calls, and a wake leads to exactly
// one readWork call. The event carries no record data, only a reason.
//
// jsforce's Faye client speaks CometD long-polling with two extensions used here:
//   Replay       subscribes from a replay id (-1 new events, -2 every retained one, or the last id
//                seen), so a restart or a reconnect misses nothing still retained (72 h);
//   AuthFailure  tells when the server refuses the session (401/403 with `reconnect: none`), which
//                Faye alone would not recover from: the stream then gets a fresh session and
//                subscribes again from the last replay id, once; if the fresh session is refused
//                too, it stops and reports the error instead of looping.
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import type { Client, Subscription } from 'jsforce/api/streaming';
import { isoDateTime } from './records.ts';
import type { WakeEvent } from './types.ts';

/** Called for every wake event; may return a promise (its rejection goes to onError). */
export type WakeHandler = (event: WakeEvent) => void | Promise<void>;

/** Options of a wake subscription. */
export interface WakeSubscriptionOptions {
    /** Where to start: -1 new events only (default), -2 every retained event, or the last replay id seen. */
    readonly replayId?: number;
    /** Errors that cannot be thrown to the caller: a failed re-login, a failing handler. */
    readonly onError?: (error: Error) => void;
}

/** What the stream needs from the client. */
export interface WakeStreamDeps {
    /** `/event/<ns>Sync_Wake__e`. */
    readonly channel: string;
    /** The (namespaced) Reason__c field of the event. */
    readonly reasonField: string;
    /** The connection to subscribe with. */
    connection(): Connection;
    /** Replaces the connection with one holding a fresh session (and answers it). */
    renewConnection(): Promise<Connection>;
}

/** The server refused the streaming session. */
class StreamAuthError extends Error {
    override readonly name = 'StreamAuthError';
}

interface BayeuxMessage {
    channel?: string;
    successful?: boolean;
    error?: string;
    ext?: { sfdc?: { failureReason?: string } };
}

interface WakeMessage {
    payload?: Record<string, unknown>;
    event?: { replayId?: unknown };
}

/** How long close() waits for the server to confirm a disconnect. */
const DISCONNECT_WAIT_MS = 2000;

/**
 * Disconnects a Faye client; resolves when the server confirmed it (or after DISCONNECT_WAIT_MS).
 * Waiting matters: a disconnect still in flight when the process closes its sockets makes Faye
 * retry it forever. (`disconnect` exists at runtime but not in jsforce's typings of the client.)
 */
function disconnect(client: Client): Promise<void> {
    let result: unknown;
    try {
        result = (client as unknown as { disconnect(): unknown }).disconnect();
    } catch {
        // Already disconnected, or refused with the expired session: nothing left to close.
        return Promise.resolve();
    }
    if (!result || typeof (result as PromiseLike<unknown>).then !== 'function') {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, DISCONNECT_WAIT_MS);
        timer.unref();
        (result as PromiseLike<unknown>).then(
            () => {
                clearTimeout(timer);
                resolve();
            },
            () => {
                clearTimeout(timer);
                resolve();
            }
        );
    });
}

/** One subscription to the wake channel, kept alive across session renewals. */
export class WakeStream {
    private readonly deps: WakeStreamDeps;
    private readonly onWake: WakeHandler;
    private readonly onError: (error: Error) => void;
    private lastReplayId: number;
    private client: Client | undefined;
    private subscription: Subscription | undefined;
    private stopped = false;
    /** A fresh session was tried and has not yet been accepted by the server. */
    private renewalPending = false;

    constructor(deps: WakeStreamDeps, onWake: WakeHandler, options: WakeSubscriptionOptions = {}) {
        this.deps = deps;
        this.onWake = onWake;
        this.lastReplayId = options.replayId ?? -1;
        this.onError =
            options.onError ??
            ((error: Error) => {
                process.emitWarning(`Salesforce wake subscription: ${error.message}`);
            });
    }

    /** The replay id of the last event delivered (or the one subscribed from). */
    get replayId(): number {
        return this.lastReplayId;
    }

    /** Subscribes; resolves once the server confirmed the subscription. */
    async open(): Promise<void> {
        try {
            await this.attach();
        } catch (error) {
            if (!(error instanceof StreamAuthError)) {
                throw error;
            }
            this.renewalPending = true;
            await this.deps.renewConnection();
            await this.attach();
        }
    }

    /** Unsubscribes and disconnects; resolves once the server confirmed the disconnect. */
    close(): Promise<void> {
        this.stopped = true;
        return this.detach();
    }

    private detach(): Promise<void> {
        this.subscription?.cancel();
        const client = this.client;
        this.subscription = undefined;
        this.client = undefined;
        return client ? disconnect(client) : Promise.resolve();
    }

    private attach(): Promise<void> {
        const conn = this.deps.connection();
        let subscribed = false;
        let refuse: (error: Error) => void = () => undefined;
        const refused = new Promise<never>((_, reject) => {
            refuse = reject;
        });
        const client: Client = conn.streaming.createClient([
            new StreamingExtension.AuthFailure((message: BayeuxMessage) => {
                if (client !== this.client || this.stopped) {
                    return;
                }
                const reason = message.ext?.sfdc?.failureReason ?? message.error ?? 'authentication refused';
                if (subscribed) {
                    void this.recover(reason);
                } else {
                    refuse(new StreamAuthError(`The streaming server refused the session (${reason}).`));
                }
            }),
            new StreamingExtension.Replay(this.deps.channel, this.lastReplayId),
            {
                // A connect the server accepted proves the current session good.
                incoming: (message: BayeuxMessage, callback: (message: BayeuxMessage) => void) => {
                    if (message.channel === '/meta/connect' && message.successful === true) {
                        this.renewalPending = false;
                    }
                    callback(message);
                }
            }
        ]);
        this.client = client;
        const subscription = client.subscribe(this.deps.channel, (message: WakeMessage) => this.deliver(message));
        this.subscription = subscription;
        refused.catch(() => undefined);
        return Promise.race([subscription, refused]).then(
            () => {
                subscribed = true;
            },
            async (error: unknown) => {
                await this.detach();
                throw this.subscribeError(error);
            }
        );
    }

    /** Faye rejects with its own error objects (`400::<message>`); callers get an Error that says what to check. */
    private subscribeError(error: unknown): Error {
        if (error instanceof Error) {
            return error;
        }
        const text =
            typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
        return new Error(
            `The subscription to ${this.deps.channel} was refused (${text}). Check that the package is installed and that the connector is configured with its namespace.`
        );
    }

    /** A refusal after the subscription was up: one fresh session, then give up. */
    private async recover(reason: string): Promise<void> {
        void this.detach();
        if (this.renewalPending) {
            this.giveUp(reason);
            return;
        }
        this.renewalPending = true;
        try {
            await this.deps.renewConnection();
            if (!this.stopped) {
                await this.attach();
            }
        } catch (error) {
            if (error instanceof StreamAuthError) {
                this.giveUp(error.message);
                return;
            }
            this.stopped = true;
            this.onError(
                new Error(
                    `The wake subscription could not be renewed after the session ended (${error instanceof Error ? error.message : String(error)}).`
                )
            );
        }
    }

    private giveUp(reason: string): void {
        this.stopped = true;
        void this.detach();
        this.onError(
            new Error(
                `The streaming server refused a fresh session too (${reason}); wake events stop until the connector is restarted. Check the integration user's access (API Enabled, the Exalate Connector permission set).`
            )
        );
    }

    private deliver(message: WakeMessage): void {
        const replayId =
            typeof message.event?.replayId === 'number' ? message.event.replayId : Number(message.event?.replayId);
        if (Number.isFinite(replayId)) {
            this.lastReplayId = replayId;
        }
        const payload = message.payload ?? {};
        const reason = payload[this.deps.reasonField];
        const event: WakeEvent = {
            replayId: this.lastReplayId,
            reason: typeof reason === 'string' ? reason : null,
            createdAt: isoDateTime(payload.CreatedDate)
        };
        Promise.resolve()
            .then(() => this.onWake(event))
            .catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))));
    }
}
