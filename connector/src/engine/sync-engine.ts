// The sync engine of a Salesforce side: the node protocol's handlers (what the other node asks of
// this one) and the loops that make this side's own changes travel (wake events, the queue, the
// long-poll of a private side, invitation acceptance).
//
// Every decision is taken from org state: kill the process at any moment and a new one carries on
// (see outgoing.ts and incoming.ts for why nothing is lost or repeated).
import { Readable } from 'node:stream';
import { createConfirmation } from '../protocol/invitation-proof.ts';
import type { InvitationConfirmation, VerifiedAcceptance } from '../protocol/invitation-proof.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import { MAX_BATCH_MESSAGES } from '../protocol/messages.ts';
import type { MessageBatch } from '../protocol/messages.ts';
import type {
    AcceptInvitationResult,
    AttachmentSource,
    AttachmentUpload,
    NodeHandlers,
    PollMessagesResult,
    PollRequest,
    ReceiveMessagesResult,
    Refusal,
    StoreAttachmentResult
} from '../node/handlers.ts';
import type { ConnectionCommand } from '../node/endpoints.ts';
import { abortableSleep } from '../node/abortable-sleep.ts';
import { backoffDelay } from '../node/backoff.ts';
import { RequestRefused } from '../node/errors.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from '../node/limits.ts';
import { sha256Hex } from '../protocol/signing.ts';
import { AttachmentStore } from './attachment-store.ts';
import { ConnectionRegistry, isActive } from './connections.ts';
import type { LiveConnection, LocalChange } from './connections.ts';
import { awaitingKey, DEFAULT_TUNING, errorText, nowIso } from './context.ts';
import type { EngineContext, EngineTuning, InFlight } from './context.ts';
import { applyMessages } from './incoming.ts';
import { AckBatcher } from './ack-batcher.ts';
import { IncomingBatcher } from './incoming-batcher.ts';
import { LoopbackNode } from './loopback-node.ts';
import { BATCH_MESSAGE_BYTES, cutIntoBatches, messageBytes } from './message-batches.ts';
import {
    finalizeAcks,
    messageOfPayload,
    outgoingPass,
    reclaimDeliveries,
    recordDeliveryFailure,
    reportWriteFailures
} from './outgoing.ts';
import type { TriggerFilter } from '../salesforce/types.ts';
import { PollOutbox } from './poll-outbox.ts';
import type { EngineLog, OrgPort, RemoteNode, RemoteNodeFactory } from './ports.ts';
import { SerialLane } from './serial-lane.ts';
import { readTwinState } from './twin-state.ts';
import { deactivatedHere, deletedHere, isDeactivatedByRemote, refusedDetail } from './remote-status.ts';

/** What the engine needs to run. */
export interface SyncEngineOptions {
    readonly org: OrgPort;
    /** The org's URL (links to Cases). */
    readonly instanceUrl: string;
    /** This node's public URL, or `''` when it is private (it then serves nothing and polls). */
    readonly nodeUrl: () => string;
    readonly remoteFactory: RemoteNodeFactory;
    readonly log: EngineLog;
    /** Folder for attachments in transit. */
    readonly spoolDir: string;
    /** The connector's own Salesforce user id (its comments are mirrors). */
    readonly connectorUserId?: string;
    readonly clock?: () => number;
    readonly tuning?: Partial<EngineTuning>;
    /** Subscribe to the org's wake events (true unless told otherwise; the naive baseline turns it off). */
    readonly streaming?: boolean;
}

/** Counts a person (or a benchmark) can read. */
export interface EngineStats {
    passes: number;
    messagesSent: number;
    messagesApplied: number;
    deliveryFailures: number;
}

/** How often connections are reread without a wake event saying they changed. */
const CONNECTION_REREAD_MS = 60 * 60_000;

/**
 * How far back the first reconciliation of a process looks. Change signals survive a restart (they
 * are records); the reconciliation is the net for a change whose signal was never recorded.
 */
const RECONCILE_LOOKBACK_MS = 60 * 60_000;

/**
 * Overlap between two reconciliations: the watermark is the connector's clock, the SystemModstamps
 * are the org's; a Case seen twice costs nothing (its state is unchanged), one missed would be lost.
 */
const RECONCILE_OVERLAP_MS = 2 * 60_000;

/** Reads one reconciliation tick makes at most when each finds a full page of changes. */
const RECONCILE_READS_PER_TICK = 5;

/** Cases a Bulk Exalate reads per query round, and brings under sync per outgoing pass. */
const BULK_ROUND = 10_000;
const BULK_CHUNK = 1_000;

/** Attempts at telling the other node of a connection change made here. */
const TELL_ATTEMPTS = 5;

/** How long a connection deleted here still answers its private other node's polls (signed). */
const DELETED_ANSWERED_MS = 24 * 60 * 60_000;

const STATUS_WORD: Record<ConnectionCommand, string> = {
    activate: 'activated',
    deactivate: 'deactivated',
    delete: 'deleted'
};

/** Batches pushed at once to the other node. */
const PUSH_CONCURRENCY = 10;

export class SyncEngine implements NodeHandlers {
    readonly stats: EngineStats = { passes: 0, messagesSent: 0, messagesApplied: 0, deliveryFailures: 0 };
    readonly #context: EngineContext;
    readonly #options: SyncEngineOptions;
    /** Confirmations given, by invitation id, so that a retried acceptance gets the same answer. */
    readonly #confirmations = new Map<string, { fields: string; confirmation: InvitationConfirmation }>();
    readonly #pollers = new Map<string, AbortController>();
    readonly #stop = new AbortController();
    readonly #idleWaiters = new Set<() => void>();
    #unsubscribe: (() => Promise<void>) | undefined;
    #reconcileTimer: NodeJS.Timeout | undefined;
    /** Timers of the passes that deliver the retries of failed deliveries. */
    readonly #retryTimers = new Set<NodeJS.Timeout>();
    #passRunning = false;
    #passAgain = false;
    /** Failed attempts at accepting each pending invitation, for the back-off of the next one. */
    readonly #acceptanceFailures = new Map<string, number>();
    /** Bulk Exalate runs in progress, by trigger id. */
    readonly #bulks = new Map<string, Promise<void>>();
    /** The request time of each Bulk Exalate this process finished, by trigger id. */
    readonly #bulksDone = new Map<string, string>();
    /** The next pass also runs the reconciliation read (see #runPasses). */
    #reconcileDue = true;
    /** Changes after this instant are looked for by the next reconciliation. */
    #reconcileSince: Date;
    /** Reconciliation reads since the last tick (a backlog is read a few reads per tick). */
    #reconcileReads = 0;
    /** The newest SystemModstamp each reconciliation found per Case, while it is inside the overlap. */
    #reconciled = new Map<string, string>();
    #deliveries = new Set<Promise<void>>();
    /** The last pass left change signals of twins that waited for an ack: an ack lets them go. */
    #signalsWaitForAcks = false;
    readonly #incoming: IncomingBatcher;
    readonly #acks: AckBatcher;
    /**
     * Connections this side's admin deleted whose other node is private, by id: their keys still
     * answer that node's polls for a while, so that it learns of the deletion from a signed answer.
     */
    readonly #deletedForPrivate = new Map<string, { readonly live: LiveConnection; readonly until: number }>();

    constructor(options: SyncEngineOptions) {
        this.#options = options;
        const clock = options.clock ?? Date.now;
        this.#context = {
            org: options.org,
            connections: new ConnectionRegistry({
                org: options.org,
                remoteFactory: options.remoteFactory,
                localFactory: (id) => new LoopbackNode(id, this, { maxAttachmentBytes: DEFAULT_MAX_ATTACHMENT_BYTES }),
                log: options.log,
                clock
            }),
            lane: new SerialLane(),
            log: options.log,
            clock,
            instanceUrl: options.instanceUrl,
            connectorUserId: options.connectorUserId,
            tuning: { ...DEFAULT_TUNING, ...options.tuning },
            attachments: new AttachmentStore(options.spoolDir),
            inFlight: new Map(),
            latestState: new Map(),
            outboxes: new Map(),
            awaitingRemoteKey: new Map()
        };
        this.#reconcileSince = new Date(clock() - RECONCILE_LOOKBACK_MS);
        this.#acks = new AckBatcher(this.#context.lane, async (acks) => {
            await finalizeAcks(this.#context, acks);
            this.#afterAcks();
        });
        this.#incoming = new IncomingBatcher(this.#context.lane, async (live, acks, messages) => {
            await finalizeAcks(this.#context, acks);
            this.#afterAcks();
            return applyMessages(this.#context, live, messages);
        });
    }

    /** The connections as this process knows them. */
    get connections(): LiveConnection[] {
        return this.#context.connections.all();
    }

    /**
     * Starts: reads the connections, accepts pending invitations, offers again what was in flight
     * when the last process stopped, subscribes to wake events, starts the long-polls of a private
     * side and the slow reconciliation timer, then runs a first pass.
     */
    async start(): Promise<void> {
        await this.#context.connections.refresh();
        void this.#tellLocalChanges();
        await this.#acceptPendingInvitations();
        await this.#restoreOutboxes();
        if (this.#options.streaming !== false) {
            this.#unsubscribe = await this.#context.org.subscribeWake((event) => this.#onWake(event.reason), {
                onError: (error) =>
                    this.#options.log({
                        level: 'warn',
                        event: 'wake-stream-error',
                        message: `The wake stream failed: ${error.message}; the queue is still read every ${Math.round(this.#context.tuning.reconcileEveryMs / 1000)} s`
                    })
            });
        }
        let lastConnectionRead = this.#context.clock();
        this.#reconcileTimer = setInterval(() => {
            // Without wake events connection changes are only seen here; with them, hourly as a safety net.
            const streaming = this.#options.streaming !== false;
            this.#reconcileDue = true;
            this.#reconcileReads = 0;
            if (!streaming || this.#context.clock() - lastConnectionRead >= CONNECTION_REREAD_MS) {
                lastConnectionRead = this.#context.clock();
                this.#onWake('connection');
            } else {
                this.requestPass();
            }
        }, this.#context.tuning.reconcileEveryMs);
        this.#reconcileTimer.unref();
        this.#syncPollers();
        this.requestPass();
        this.#startRequestedBulks();
    }

    /** Stops every loop; work in progress finishes its current step. */
    async stop(): Promise<void> {
        this.#stop.abort();
        clearInterval(this.#reconcileTimer);
        for (const timer of this.#retryTimers) {
            clearTimeout(timer);
        }
        for (const poller of this.#pollers.values()) {
            poller.abort();
        }
        await this.#unsubscribe?.().catch(() => undefined);
        await this.idle();
    }

    /** Resolves when no pass, delivery or lane task is running. */
    async idle(): Promise<void> {
        while (
            this.#passRunning ||
            this.#bulks.size > 0 ||
            this.#deliveries.size > 0 ||
            this.#context.lane.pending > 0
        ) {
            await new Promise<void>((resolve) => {
                this.#idleWaiters.add(resolve);
                setTimeout(resolve, 50).unref();
            });
        }
    }

    #notifyIdle(): void {
        for (const wake of [...this.#idleWaiters]) {
            this.#idleWaiters.delete(wake);
            wake();
        }
    }

    #onWake(reason: string | null): void {
        if (reason === 'connection') {
            void this.#context.connections
                .refresh()
                .then(() => this.#tellLocalChanges())
                .then(() => this.#startRequestedBulks())
                .then(() => this.#acceptPendingInvitations())
                .then(() => this.#syncPollers())
                .catch((error: unknown) => this.#logError('connections-refresh-failed', error))
                .finally(() => this.requestPass());
            return;
        }
        this.requestPass();
    }

    /**
     * Runs a pass once a failed delivery's retry is due. Without it the retry would wait for the
     * next wake event or the reconciliation timer (ten minutes by default), whatever its back-off.
     */
    #passIn(delaysMs: readonly number[]): void {
        for (const delayMs of delaysMs) {
            if (this.#stop.signal.aborted) {
                return;
            }
            const timer = setTimeout(() => {
                this.#retryTimers.delete(timer);
                this.requestPass();
            }, delayMs);
            timer.unref();
            this.#retryTimers.add(timer);
        }
    }

    /** Asks for an outgoing pass; passes never overlap, and a request during one runs another after it. */
    requestPass(): void {
        if (this.#stop.signal.aborted) {
            return;
        }
        if (this.#passRunning) {
            this.#passAgain = true;
            return;
        }
        this.#passRunning = true;
        void this.#runPasses().finally(() => {
            this.#passRunning = false;
            this.#notifyIdle();
        });
    }

    async #runPasses(): Promise<void> {
        do {
            this.#passAgain = false;
            const reconcile = this.#reconcileDue;
            this.#reconcileDue = false;
            const startedAt = this.#context.clock();
            try {
                // A sync request may follow the wake of the connection it needs (a new Local
                // connection, an invitation just accepted): let the connections read finish first.
                await this.#context.connections.settled();
                const result = await this.#context.lane.run(() =>
                    outgoingPass(
                        this.#context,
                        reconcile
                            ? {
                                  changedSince: this.#reconcileSince,
                                  alreadyReconciled: (caseId, modstamp) =>
                                      modstamp !== '' && modstamp <= (this.#reconciled.get(caseId) ?? '')
                              }
                            : {}
                    )
                );
                this.stats.passes += 1;
                if (result.reconciled !== undefined) {
                    const { readUntil, modstamps } = result.reconciled;
                    for (const [caseId, modstamp] of Object.entries(modstamps)) {
                        this.#reconciled.set(caseId, modstamp);
                    }
                    const previous = this.#reconcileSince.getTime();
                    // SOQL compares datetimes to the second: a full read must move the watermark by
                    // a whole second, or it would read the same rows again for ever.
                    this.#reconcileSince =
                        readUntil === null
                            ? new Date(Math.max(startedAt - RECONCILE_OVERLAP_MS, previous))
                            : new Date(Math.max(Date.parse(readUntil), previous + 1_000));
                    // Only stamps the next read can find again are worth remembering.
                    const since = this.#reconcileSince.getTime();
                    for (const [caseId, modstamp] of this.#reconciled) {
                        if (Date.parse(modstamp) <= since) {
                            this.#reconciled.delete(caseId);
                        }
                    }
                    if (readUntil !== null && this.#reconcileReads < RECONCILE_READS_PER_TICK) {
                        // More changes than one read holds: read on from where this one stopped, a few
                        // reads at a time (the rest at the next tick: the net must not eat the budget).
                        this.#reconcileReads += 1;
                        this.#reconcileDue = true;
                        this.#passAgain = true;
                    }
                }
                this.#signalsWaitForAcks ||= result.signalsKept > 0;
                for (const [connectionId, flights] of result.toDeliver) {
                    this.#deliver(connectionId, flights);
                }
                if (result.more) {
                    this.#passAgain = true;
                }
            } catch (error) {
                this.#reconcileDue ||= reconcile;
                this.#logError('pass-failed', error);
            }
        } while (this.#passAgain && !this.#stop.signal.aborted);
    }

    /**
     * Acks were recorded. A change made while its twin waited for one was kept in the outbox; it is
     * sent now rather than at the next wake event or reconciliation (up to ten minutes later).
     */
    #afterAcks(): void {
        if (this.#signalsWaitForAcks) {
            this.#signalsWaitForAcks = false;
            this.requestPass();
        }
    }

    #deliver(connectionId: string, flights: InFlight[]): void {
        const live = this.#context.connections.byId(connectionId);
        if (live === undefined) {
            return;
        }
        for (const flight of flights) {
            this.#context.inFlight.set(flight.message.messageId, flight);
            if (flight.message.receiverKey === undefined) {
                this.#context.awaitingRemoteKey.set(
                    awaitingKey(flight.connectionRecordId, flight.message.twinKey),
                    flight.twinId
                );
            }
        }
        if (live.remoteIsPrivate) {
            const outbox = this.#outbox(connectionId);
            for (const flight of flights) {
                outbox.add(flight.message);
            }
            return;
        }
        const delivery = this.#push(live, flights).finally(() => {
            this.#deliveries.delete(delivery);
            this.#notifyIdle();
        });
        this.#deliveries.add(delivery);
    }

    /** Pushes attachments, then the messages in batches, to a node with a URL; records the acks. */
    async #push(live: LiveConnection, flights: InFlight[]): Promise<void> {
        const remote = live.remote;
        if (remote === undefined) {
            await this.#context.lane.run(() =>
                recordDeliveryFailure(this.#context, flights, new Error('the other node has no URL yet'))
            );
            return;
        }
        const batches = cutIntoBatches(flights, (flight) => messageBytes(flight.message));
        // A few batches at a time: the other node applies batches that arrive together as one.
        let next = 0;
        const worker = async (): Promise<void> => {
            while (next < batches.length) {
                const batch = batches[next];
                next += 1;
                await this.#pushBatch(live, remote, batch);
            }
        };
        await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, batches.length) }, worker));
    }

    async #pushBatch(live: LiveConnection, remote: RemoteNode, batch: InFlight[]): Promise<void> {
        try {
            for (const flight of batch) {
                await this.#pushAttachments(live, flight);
            }
            const answer = await remote.sendMessages({ messages: batch.map((flight) => flight.message) });
            this.stats.messagesSent += batch.length;
            await this.#acks.submit(answer.acks);
            if (answer.acks.some((ack) => ack.status === 'out-of-order')) {
                this.requestPass();
            }
        } catch (error) {
            this.stats.deliveryFailures += 1;
            this.#logError('delivery-failed', error, live.id);
            await this.#context.lane
                .run(() => recordDeliveryFailure(this.#context, batch, error))
                .then((retryDelays) => this.#passIn(retryDelays))
                .catch((failure: unknown) => this.#logError('failure-not-recorded', failure, live.id));
        }
    }

    async #pushAttachments(live: LiveConnection, flight: InFlight): Promise<void> {
        for (const file of flight.message.replica?.attachments ?? []) {
            const offered = this.#context.attachments.offered(file.sha256);
            const versionId = offered?.contentVersionId ?? file.id;
            const bytes = await this.#context.org.downloadFile(versionId);
            if (sha256Hex(bytes) !== file.sha256) {
                throw new Error(`file ${file.name} changed since it was described; it is sent with the next change`);
            }
            await live.remote?.putAttachment(file.sha256, bytes.length, bytes);
        }
    }

    #outbox(connectionId: string): PollOutbox {
        let outbox = this.#context.outboxes.get(connectionId);
        if (outbox === undefined) {
            outbox = new PollOutbox();
            this.#context.outboxes.set(connectionId, outbox);
        }
        return outbox;
    }

    /** After a restart: every message still waiting for an ack is offered again (1 call). */
    async #restoreOutboxes(): Promise<void> {
        const work = await this.#context.org.readWork({
            signalLimit: 0,
            eventLimit: 2000,
            now: new Date('4000-01-01T00:00:00Z')
        });
        const leased: string[] = [];
        for (const event of work.dueEvents) {
            const message = event.direction === 'Outgoing' ? messageOfPayload(event) : undefined;
            const live = this.#context.connections.byRecordId(event.connectionId);
            if (message !== undefined && live !== undefined && !live.remoteIsPrivate && isActive(live)) {
                // Pushed by a process that is gone: due now, not when its lease ends (see reclaimDeliveries).
                leased.push(event.id);
                continue;
            }
            if (message === undefined || live === undefined || !live.remoteIsPrivate || event.twinId === null) {
                continue;
            }
            this.#context.inFlight.set(message.messageId, {
                message,
                eventId: event.id,
                twinId: event.twinId,
                caseId: event.caseId,
                connectionRecordId: live.record.id,
                state: this.#context.latestState.get(event.twinId) ?? (await this.#twinState(event.twinId)),
                attempts: event.attempts
            });
            this.#outbox(live.id).add(message);
        }
        await reclaimDeliveries(this.#context, leased);
    }

    async #twinState(twinId: string): Promise<InFlight['state']> {
        const snapshot = await this.#context.org.readSnapshot({ twins: { twinIds: [twinId] } });
        return readTwinState(snapshot.twins[0]?.syncState ?? null);
    }

    // ------------------------------------------------------------------------------------------
    // Invitations

    /** Accepts, on the initiator's node, the invitations this side's admin pasted (role Acceptor, Pending). */
    async #acceptPendingInvitations(): Promise<void> {
        for (const live of this.#context.connections.all()) {
            const record = live.record;
            if (record.role !== 'Acceptor' || record.status !== 'Pending' || live.remote === undefined) {
                continue;
            }
            try {
                await live.remote.acceptInvitation({
                    acceptorInstance: record.localInstanceName ?? 'Salesforce',
                    acceptorPlatform: 'Salesforce',
                    acceptorNodeUrl: live.localIsPrivate ? '' : this.#options.nodeUrl()
                });
                await this.#context.org.write({
                    updateConnections: [
                        { id: record.id, status: 'Active', statusDetail: null, acceptedAt: nowIso(this.#context) }
                    ]
                });
                this.#context.connections.update(live.id, { status: 'Active', statusDetail: null });
                this.#options.log({
                    level: 'info',
                    event: 'invitation-accepted',
                    message: `Connection ${record.name} is active: ${record.remoteInstanceName ?? 'the other side'} confirmed the invitation.`,
                    connectionId: live.id
                });
            } catch (error) {
                // An unsigned refusal may not come from the other node (and an initiator that has not
                // yet read its new connection cannot sign one): it changes nothing, the acceptance is
                // tried again. Only a signed, final refusal puts the connection in Error.
                const final = error instanceof RequestRefused && !error.retryable && error.verified;
                this.#logError('invitation-not-accepted', error, live.id);
                if (!final) {
                    this.#retryAcceptance(live.id);
                }
                if (final) {
                    await this.#context.org.write({
                        updateConnections: [
                            {
                                id: record.id,
                                status: 'Error',
                                statusDetail: `The invitation could not be accepted: ${errorText(error)}`
                            }
                        ]
                    });
                    this.#context.connections.update(live.id, { status: 'Error' });
                }
            }
        }
    }

    /**
     * Tells the other node what this side's admin did to a connection (deactivated, activated,
     * deleted), so that both sides show the same status: a deactivated side queues its changes
     * instead of pushing them into refusals. A node that cannot be reached is told again with
     * back-off, a few times; a private other node has no URL to be told at: its poll is answered
     * at once, and its next poll is refused with the reason (see remote-status.ts).
     */
    async #tellLocalChanges(attempt = 1, changes = this.#context.connections.takeLocalChanges()): Promise<void> {
        const untold: LocalChange[] = [];
        for (const change of changes) {
            const { live, command } = change;
            if (live.remote === undefined) {
                if (live.remoteIsPrivate) {
                    // It learns from the answer to its poll: end the poll that waits now.
                    if (command === 'delete') {
                        this.#deletedForPrivate.set(live.id, {
                            live,
                            until: this.#context.clock() + DELETED_ANSWERED_MS
                        });
                    }
                    this.#context.outboxes.get(live.id)?.release();
                }
                continue;
            }
            try {
                await live.remote.control(command, { signal: this.#stop.signal });
                this.#options.log({
                    level: 'info',
                    event: 'remote-told',
                    message: `${live.record.remoteInstanceName ?? 'The other side'} was told that connection ${live.record.name} was ${STATUS_WORD[command]} here.`,
                    connectionId: live.id
                });
            } catch (error) {
                this.#logError('remote-not-told', error, live.id);
                untold.push(change);
            }
        }
        if (untold.length > 0 && attempt < TELL_ATTEMPTS && !this.#stop.signal.aborted) {
            const timer = setTimeout(() => {
                this.#retryTimers.delete(timer);
                void this.#tellLocalChanges(attempt + 1, untold);
            }, backoffDelay(attempt));
            timer.unref();
            this.#retryTimers.add(timer);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Bulk Exalate

    /**
     * Starts the Bulk Exalate of every active trigger whose admin asked for one (Bulk_Requested__c)
     * that has not finished since (Bulk_Completed__c), on an active connection.
     */
    #startRequestedBulks(): void {
        for (const live of this.#context.connections.all()) {
            if (!isActive(live) || this.#context.org.casesForBulk === undefined) {
                continue;
            }
            for (const trigger of live.record.triggers) {
                const requested = trigger.bulkRequested ?? null;
                const completed = trigger.bulkCompleted ?? null;
                const pending =
                    trigger.active &&
                    requested !== null &&
                    (completed === null || Date.parse(completed) < Date.parse(requested)) &&
                    this.#bulksDone.get(trigger.id) !== requested;
                if (!pending || this.#bulks.has(trigger.id) || this.#stop.signal.aborted) {
                    continue;
                }
                const run = this.#runBulk(live, {
                    id: trigger.id,
                    connectionId: live.record.id,
                    filter: trigger.filter
                })
                    .then(() => {
                        this.#bulksDone.set(trigger.id, requested);
                    })
                    .catch((error: unknown) => this.#logError('bulk-failed', error, live.id))
                    .finally(() => {
                        this.#bulks.delete(trigger.id);
                        this.#notifyIdle();
                    });
                this.#bulks.set(trigger.id, run);
            }
        }
    }

    /**
     * Runs one Bulk Exalate: reads the matching Cases not yet under sync on the connection, a round
     * of at most BULK_ROUND at a time, and brings them under sync BULK_CHUNK per outgoing pass (their
     * twins, messages and events written in as few calls as the org allows); then records the outcome
     * on the trigger, where the console shows it. Killed halfway, a new process runs it again from the
     * Cases that still have no twin: nothing is sent twice.
     */
    async #runBulk(live: LiveConnection, trigger: TriggerFilter): Promise<void> {
        const casesForBulk = this.#context.org.casesForBulk?.bind(this.#context.org);
        if (casesForBulk === undefined) {
            return;
        }
        const tried = new Set<string>();
        let created = 0;
        let result: string;
        try {
            for (;;) {
                const found = await this.#context.lane.run(() => casesForBulk(trigger, BULK_ROUND));
                const fresh = found.filter((caseId) => !tried.has(caseId));
                for (const caseId of fresh) {
                    tried.add(caseId);
                }
                for (let start = 0; start < fresh.length && !this.#stop.signal.aborted; start += BULK_CHUNK) {
                    const caseIds = fresh.slice(start, start + BULK_CHUNK);
                    const pass = await this.#context.lane.run(() =>
                        outgoingPass(this.#context, { bulk: { connectionRecordId: live.record.id, caseIds } })
                    );
                    this.stats.passes += 1;
                    created += pass.bulkTwinsCreated;
                    for (const [connectionId, flights] of pass.toDeliver) {
                        this.#deliver(connectionId, flights);
                    }
                }
                if (this.#stop.signal.aborted) {
                    return;
                }
                // A round with nothing new: the rest could not be brought under sync (their errors are logged).
                if (found.length < BULK_ROUND || fresh.length === 0) {
                    break;
                }
            }
            const failed = tried.size - created;
            result =
                `${created.toLocaleString('en-US')} Cases brought under sync` +
                (failed > 0 ? `; ${failed.toLocaleString('en-US')} could not be (see the connector log)` : '');
        } catch (error) {
            result = `Bulk Exalate failed: ${errorText(error)}`;
        }
        await this.#context.lane.run(async () => {
            const written = await this.#context.org.write({
                updateTriggers: [{ id: trigger.id, bulkCompleted: nowIso(this.#context), bulkResult: result }]
            });
            reportWriteFailures(this.#context, 'Bulk Exalate outcome', written.updateTriggers ?? []);
        });
        this.#options.log({
            level: result.startsWith('Bulk Exalate failed') ? 'error' : 'info',
            event: 'bulk-finished',
            message: `Bulk Exalate of trigger ${trigger.id} on ${live.record.name}: ${result}`,
            connectionId: live.id
        });
    }

    /** Tries the pending acceptances again after a back-off that grows with each failure of this one. */
    #retryAcceptance(connectionId: string): void {
        if (this.#stop.signal.aborted) {
            return;
        }
        const failures = (this.#acceptanceFailures.get(connectionId) ?? 0) + 1;
        this.#acceptanceFailures.set(connectionId, failures);
        const timer = setTimeout(() => {
            this.#retryTimers.delete(timer);
            void this.#acceptPendingInvitations().catch((error: unknown) =>
                this.#logError('invitation-not-accepted', error, connectionId)
            );
        }, backoffDelay(failures));
        timer.unref();
        this.#retryTimers.add(timer);
    }

    // ------------------------------------------------------------------------------------------
    // Long-poll of a private side

    #syncPollers(): void {
        for (const live of this.#context.connections.all()) {
            const wanted =
                live.localIsPrivate && (isActive(live) || isDeactivatedByRemote(live)) && live.remote !== undefined;
            const running = this.#pollers.get(live.id);
            if (wanted && running === undefined && !this.#stop.signal.aborted) {
                const controller = new AbortController();
                this.#pollers.set(live.id, controller);
                void this.#pollLoop(live.id, controller.signal).finally(() => {
                    if (this.#pollers.get(live.id) === controller) {
                        this.#pollers.delete(live.id);
                    }
                });
            } else if (!wanted && running !== undefined) {
                running.abort();
                this.#pollers.delete(live.id);
            }
        }
    }

    async #pollLoop(connectionId: string, signal: AbortSignal): Promise<void> {
        let after: string | undefined;
        let failures = 0;
        while (!signal.aborted) {
            const live = this.#context.connections.byId(connectionId);
            if (live === undefined || live.remote === undefined) {
                return;
            }
            const asking = isDeactivatedByRemote(live);
            if (!asking && !isActive(live)) {
                return;
            }
            try {
                const answer = await live.remote.poll({
                    after,
                    waitSeconds: asking ? 0 : this.#context.tuning.pollWaitSeconds,
                    signal
                });
                failures = 0;
                const current = asking ? await this.#followRemote(live, 'Active', null) : live;
                if (answer.messages.length > 0) {
                    const acks = await this.#context.lane.run(() =>
                        applyMessages(this.#context, current, answer.messages)
                    );
                    this.stats.messagesApplied += acks.filter((ack) => ack.status === 'applied').length;
                    await current.remote?.sendMessages({ messages: [], acks }, { signal });
                }
                after = answer.cursor;
            } catch (error) {
                if (signal.aborted) {
                    return;
                }
                if (error instanceof RequestRefused && error.code === 'connection-inactive' && error.verified) {
                    // The other side's own signed word: follow it, and ask again now and then.
                    if (!asking) {
                        await this.#followRemote(live, 'Deactivated', refusedDetail(error.message)).catch(
                            (failure: unknown) => this.#logError('connection-not-updated', failure, connectionId)
                        );
                    }
                    await abortableSleep(this.#context.tuning.inactiveAskEveryMs, signal);
                    continue;
                }
                failures += 1;
                this.#logError('poll-failed', error, connectionId);
                await abortableSleep(backoffDelay(failures), signal);
            }
        }
    }

    /** A private side follows what the other side's admin did, learnt from its polls, and logs it. */
    async #followRemote(
        live: LiveConnection,
        status: 'Active' | 'Deactivated',
        statusDetail: string | null
    ): Promise<LiveConnection> {
        const next = await this.#setStatus(live, status, statusDetail);
        this.#options.log({
            level: 'info',
            event: status === 'Active' ? 'remote-active-again' : 'remote-inactive',
            message:
                status === 'Active'
                    ? `Connection ${live.record.name} is active again on ${live.record.remoteInstanceName ?? 'the other side'}.`
                    : `Connection ${live.record.name}: ${statusDetail ?? ''}`,
            connectionId: live.id
        });
        return next;
    }

    /**
     * Writes a status the other side decided (1 call) and follows it here: the pollers, and a pass
     * for what was kept while the connection was deactivated.
     */
    async #setStatus(
        live: LiveConnection,
        status: 'Active' | 'Deactivated',
        statusDetail: string | null
    ): Promise<LiveConnection> {
        await this.#context.org.write({ updateConnections: [{ id: live.record.id, status, statusDetail }] });
        const next = this.#context.connections.update(live.id, { status, statusDetail }) ?? live;
        this.#syncPollers();
        if (status === 'Active') {
            this.requestPass();
        }
        return next;
    }

    // ------------------------------------------------------------------------------------------
    // NodeHandlers

    /** The keys of a connection between two nodes; a Local connection never answers a request. */
    async keysFor(connectionId: string): Promise<ConnectionKeys | undefined> {
        const live = await this.#context.connections.find(connectionId);
        if (live === undefined) {
            return this.#deletedAnswering(connectionId)?.keys;
        }
        return live.local ? undefined : live.keys;
    }

    async invitationKeys(invitationId: string): Promise<ConnectionKeys | undefined> {
        const live = await this.#context.connections.find(invitationId);
        return live?.record.role === 'Initiator' && !live.local ? live.keys : undefined;
    }

    async acceptInvitation(acceptance: VerifiedAcceptance): Promise<AcceptInvitationResult> {
        const live = await this.#context.connections.find(acceptance.invitationId);
        if (live === undefined || live.record.role !== 'Initiator') {
            return { ok: false, reason: 'unknown-invitation', message: 'No invitation with this id on this node.' };
        }
        const fields = JSON.stringify([
            acceptance.acceptorInstance,
            acceptance.acceptorPlatform,
            acceptance.acceptorNodeUrl,
            acceptance.acceptorNonce
        ]);
        const remembered = this.#confirmations.get(live.id);
        if (remembered !== undefined) {
            return remembered.fields === fields
                ? { ok: true, confirmation: remembered.confirmation }
                : { ok: false, reason: 'already-accepted', message: 'This invitation was already accepted.' };
        }
        const record = live.record;
        if (record.status !== 'Pending') {
            const sameAcceptor =
                record.acceptedBy === acceptance.acceptorInstance &&
                (record.remoteNodeUrl ?? '') === acceptance.acceptorNodeUrl;
            if (record.status === 'Active' && sameAcceptor) {
                // Accepted before a restart by this same acceptor: a fresh proof answers its retry.
                const confirmation = createConfirmation(acceptance, live.keys);
                this.#confirmations.set(live.id, { fields, confirmation });
                return { ok: true, confirmation };
            }
            return { ok: false, reason: 'already-accepted', message: 'This invitation was already accepted.' };
        }
        if (record.invitationExpires !== null && Date.parse(record.invitationExpires) < this.#context.clock()) {
            return {
                ok: false,
                reason: 'invitation-expired',
                message: 'This invitation has expired; ask for a new one.'
            };
        }
        const acceptedAt = nowIso(this.#context);
        const result = await this.#context.org.write({
            updateConnections: [
                {
                    id: record.id,
                    status: 'Active',
                    statusDetail: null,
                    acceptedBy: acceptance.acceptorInstance,
                    acceptedAt,
                    remoteNodeUrl: acceptance.acceptorNodeUrl === '' ? null : acceptance.acceptorNodeUrl
                }
            ]
        });
        const outcome = result.updateConnections[0];
        if (!outcome.ok) {
            throw new Error(
                `the connection could not be activated: ${outcome.errors.map((e) => e.message).join('; ')}`
            );
        }
        this.#context.connections.update(live.id, {
            status: 'Active',
            acceptedBy: acceptance.acceptorInstance,
            acceptedAt,
            remoteNodeUrl: acceptance.acceptorNodeUrl === '' ? null : acceptance.acceptorNodeUrl
        });
        const confirmation = createConfirmation(acceptance, live.keys);
        this.#confirmations.set(live.id, { fields, confirmation });
        this.#options.log({
            level: 'info',
            event: 'invitation-accepted',
            message: `${acceptance.acceptorInstance} accepted the invitation of connection ${record.name}.`,
            connectionId: live.id
        });
        this.requestPass();
        return { ok: true, confirmation };
    }

    async receiveMessages(connectionId: string, batch: MessageBatch): Promise<ReceiveMessagesResult> {
        const live = await this.#context.connections.find(connectionId);
        if (live === undefined || !isActive(live)) {
            return this.#inactiveAnswer(connectionId, live);
        }
        const acks = await this.#incoming.submit(live, batch);
        this.stats.messagesApplied += acks.filter((ack) => ack.status === 'applied').length;
        return { ok: true, acks };
    }

    async pollMessages(connectionId: string, request: PollRequest): Promise<PollMessagesResult> {
        const live = await this.#context.connections.find(connectionId);
        if (live === undefined || !isActive(live)) {
            return this.#inactiveAnswer(connectionId, live);
        }
        const outbox = this.#outbox(connectionId);
        let answer = outbox.read(request.after, MAX_BATCH_MESSAGES, BATCH_MESSAGE_BYTES);
        if (answer.messages.length === 0 && request.waitMs > 0) {
            await outbox.wait(request.waitMs, request.signal);
            const now = this.#context.connections.byId(connectionId);
            if (now === undefined || !isActive(now)) {
                return this.#inactiveAnswer(connectionId, now);
            }
            answer = outbox.read(request.after, MAX_BATCH_MESSAGES, BATCH_MESSAGE_BYTES);
        }
        this.stats.messagesSent += answer.messages.length;
        return { ok: true, messages: answer.messages, cursor: answer.cursor };
    }

    /** A connection this side's admin deleted lately, still answering its private other node. */
    #deletedAnswering(connectionId: string): LiveConnection | undefined {
        const deleted = this.#deletedForPrivate.get(connectionId);
        if (deleted !== undefined && deleted.until < this.#context.clock()) {
            this.#deletedForPrivate.delete(connectionId);
            return undefined;
        }
        return deleted?.live;
    }

    /** Why messages are refused on a connection: deactivated here, or deleted here lately. */
    #inactiveAnswer(connectionId: string, live: LiveConnection | undefined): Refusal<'connection-inactive'> {
        const deleted = live === undefined ? this.#deletedAnswering(connectionId) : undefined;
        const message =
            deleted !== undefined
                ? deletedHere(deleted.record.localInstanceName)
                : deactivatedHere(live?.record.localInstanceName ?? null);
        return { ok: false, reason: 'connection-inactive', message };
    }

    async storeAttachment(_connectionId: string, upload: AttachmentUpload): Promise<StoreAttachmentResult> {
        if (await this.#context.attachments.holds(upload.sha256)) {
            return 'already-held';
        }
        await this.#context.attachments.spool(upload.sha256, upload.body);
        return 'stored';
    }

    async openAttachment(_connectionId: string, sha256: string): Promise<AttachmentSource | undefined> {
        const offered = this.#context.attachments.offered(sha256);
        if (offered === undefined) {
            return undefined;
        }
        const bytes = await this.#context.org.downloadFile(offered.contentVersionId);
        if (sha256Hex(bytes) !== sha256) {
            return undefined;
        }
        return {
            size: bytes.length,
            stream: Readable.from([bytes])
        };
    }

    async control(connectionId: string, command: ConnectionCommand): Promise<void> {
        const live = await this.#context.connections.find(connectionId);
        if (live === undefined) {
            return;
        }
        const status = command === 'activate' ? 'Active' : 'Deactivated';
        const statusDetail =
            command === 'delete'
                ? `${live.record.remoteInstanceName ?? 'The other side'} deleted this connection; its Cases no longer sync.`
                : command === 'deactivate'
                  ? `${live.record.remoteInstanceName ?? 'The other side'} deactivated this connection; changes are kept until it is active again.`
                  : null;
        await this.#setStatus(live, status, statusDetail);
    }

    // ------------------------------------------------------------------------------------------

    /** Messages waiting in poll outboxes (for the CLI's status). */
    get waitingForPoll(): number {
        return [...this.#context.outboxes.values()].reduce((sum, outbox) => sum + outbox.size, 0);
    }

    #logError(event: string, error: unknown, connectionId?: string): void {
        this.#options.log({
            level: 'error',
            event,
            message: errorText(error),
            ...(connectionId !== undefined ? { connectionId } : {}),
            cause: error
        });
    }
}
