// What the parts of the engine share: the org, the connections, the lane, the clock, the log, and the
// in-memory index of messages sent and not yet acknowledged.
import type { SyncMessage } from '../protocol/messages.ts';
import type { AttachmentStore } from './attachment-store.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { PollOutbox } from './poll-outbox.ts';
import type { EngineLog, OrgPort } from './ports.ts';
import type { SerialLane } from './serial-lane.ts';
import type { TwinState } from './twin-state.ts';

/** A message sent (or waiting in a poll outbox) whose ack has not come yet. */
export interface InFlight {
    /** An upsert carries a replica; a message that ends its twin (`entity-deleted`) does not. */
    readonly message: SyncMessage;
    /** The Sync_Event__c that carries it. */
    readonly eventId: string;
    readonly twinId: string;
    readonly caseId: string | null;
    /** The connection's record id. */
    readonly connectionRecordId: string;
    /** The twin's state when the message was built, with the hashes it learnt. */
    readonly state: TwinState;
    readonly attempts: number;
}

/** Tuning; every value has a default fit for production. */
export interface EngineTuning {
    /** Change signals read per pass (at most 2,000). */
    readonly signalsPerPass: number;
    /** Due queue entries read per pass (at most 200 for one call). */
    readonly eventsPerPass: number;
    /** Delivery attempts before an event is Failed and waits for an admin's Retry. */
    readonly maxAttempts: number;
    /** How long a private node has to fetch and acknowledge a message before it is offered again. */
    readonly pollAckTimeoutMs: number;
    /** Delay of the first retry after a failed delivery; doubles up to `retryMaxMs`, jittered. */
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
    /**
     * How often the queue is read without a wake event (retries that came due) and Cases under sync
     * are reconciled by SystemModstamp (changes whose signal was lost), in one call.
     */
    readonly reconcileEveryMs: number;
    /** Seconds a private node's long-poll waits on the other node. */
    readonly pollWaitSeconds: number;
    /** How often a private node asks again whether the other side re-activated their connection. */
    readonly inactiveAskEveryMs: number;
}

export const DEFAULT_TUNING: EngineTuning = {
    signalsPerPass: 2000,
    eventsPerPass: 200,
    maxAttempts: 8,
    pollAckTimeoutMs: 10 * 60_000,
    retryInitialMs: 2_000,
    retryMaxMs: 10 * 60_000,
    reconcileEveryMs: 10 * 60_000,
    pollWaitSeconds: 25,
    inactiveAskEveryMs: 60_000
};

export interface EngineContext {
    readonly org: OrgPort;
    readonly connections: ConnectionRegistry;
    readonly lane: SerialLane;
    readonly log: EngineLog;
    readonly clock: () => number;
    /** The org's URL, for links to Cases. */
    readonly instanceUrl: string;
    /** The connector's own user id (its comments are mirrors, never sent back). */
    readonly connectorUserId: string | undefined;
    readonly tuning: EngineTuning;
    readonly attachments: AttachmentStore;
    /** Messages awaiting an ack, by message id. */
    readonly inFlight: Map<string, InFlight>;
    /**
     * The newest synced state this process wrote for a twin, by twin id: an ack that arrives after an
     * incoming change was applied to the same twin builds on that change, not on the state the
     * message was built from.
     */
    readonly latestState: Map<string, TwinState>;
    /** Poll outboxes of connections whose other node is private, by connection id. */
    readonly outboxes: Map<string, PollOutbox>;
    /**
     * Twins whose messages went out before the other side's key was known, by `awaitingKey`: the
     * other side may write about its new entity, naming ours as `receiverKey`, before the ack that
     * tells its key is recorded here.
     */
    readonly awaitingRemoteKey: Map<string, string>;
}

/** The key of `EngineContext.awaitingRemoteKey`: a connection record and this side's entity key. */
export function awaitingKey(connectionRecordId: string, twinKey: string): string {
    return `${connectionRecordId}\n${twinKey}`;
}

/** ISO 8601 of the context's clock. */
export function nowIso(context: EngineContext, plusMs = 0): string {
    return new Date(context.clock() + plusMs).toISOString();
}

/** Text of an error for an admin: its message, never its stack. */
export function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
