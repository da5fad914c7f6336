// The outgoing half of the engine: change signals and queued sync requests become messages.
//
// A pass runs in the lane:
//   1. read the outbox (signals) and the due queue (1 call);
//   2. read the Cases concerned with their twins (1 call per 200 Cases);
//   3. bring Cases that match an active trigger under sync (1 call to match, 1 to create the twins);
//   4. for every twin with something new for the other side, build the message and write, in ONE
//      write, its Sync_Event__c (stage Sending, or Waiting for remote for a private node, with the
//      message as payload), the twin's sequence, and the deletion of the signals handled.
// Only then is the message delivered, outside the lane. A crash before step 4 leaves the signals,
// read again after the restart; a crash after it leaves the events, delivered again with the same
// message id, which the receiver answers `duplicate`. Either way the change arrives exactly once.
import { createHash, randomUUID } from 'node:crypto';
import {
    hasOutgoingChange,
    outgoingReplicas,
    PAYLOAD_FIELD_CHARS,
    PAYLOAD_MARGIN_CHARS,
    stateAfterAcknowledged
} from './basic-rules.ts';
import { caseUrl, filesToHash, toLocalEntity } from './case-entity.ts';
import { awaitingKey, errorText, nowIso } from './context.ts';
import type { EngineContext, InFlight } from './context.ts';
import { isActive } from './connections.ts';
import type { LiveConnection } from './connections.ts';
import { EMPTY_TWIN_STATE, readTwinState, twinStateJson } from './twin-state.ts';
import type { TwinState } from './twin-state.ts';
import { PROTOCOL_VERSION, validateSyncMessage } from '../protocol/messages.ts';
import type { Ack, Replica, SyncMessage } from '../protocol/messages.ts';
import type {
    CaseSnapshot,
    ChangedCases,
    ChangeSignal,
    EventCreate,
    EventUpdate,
    QueuedEvent,
    SyncTwin,
    TwinUpdate,
    TwinUpsert,
    Work
} from '../salesforce/types.ts';
import { backoffDelay } from '../node/backoff.ts';
import { NodeTransportError } from '../node/errors.ts';

/** What a pass found and prepared. */
export interface PassResult {
    /** Messages to deliver now, by connection id. */
    readonly toDeliver: Map<string, InFlight[]>;
    /** Signals left for later (their twin has a message in flight, or the connection is inactive). */
    readonly signalsKept: number;
    /** Whether the pass read as many signals as it may: there may be more. */
    readonly more: boolean;
    /** What the reconciliation read found, when the pass was asked to reconcile. */
    readonly reconciled?: ChangedCases;
    /** The twins a Bulk Exalate pass created (its Cases brought under sync). */
    readonly bulkTwinsCreated: number;
}

/** The id of a change signal that the reconciliation read stood in for: there is no record to delete. */
const RECONCILED = '';

/**
 * Whether the twin's last message went out and has not been acknowledged: its status is written
 * with the message and becomes Synchronized (or Failed) only with the ack. After a restart the
 * event of that message may not be among the due events one pass reads; without this check a
 * change found meanwhile would go out with the next sequence number and be refused as out of order
 * for as long as the earlier message waits.
 */
function awaitsAck(twin: SyncTwin): boolean {
    return (
        (twin.syncStatus === 'Sending' || twin.syncStatus === 'Waiting for remote') && (twin.lastOutgoingSeq ?? 0) > 0
    );
}

/** What a pass is asked to do besides reading the outbox and the queue. */
export interface PassOptions {
    /** Reconcile: also look at Cases under sync changed after this instant (no extra API call). */
    readonly changedSince?: Date;
    /**
     * Whether a change the reconciliation read was already looked at by an earlier reconciliation
     * (the overlap between two reads finds it again): such a Case is not read again.
     */
    readonly alreadyReconciled?: (caseId: string, modstamp: string) => boolean;
    /** Bulk Exalate: bring these Cases (found by the trigger's filter) under sync on this connection. */
    readonly bulk?: { readonly connectionRecordId: string; readonly caseIds: readonly string[] };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const name = key(item);
        const group = groups.get(name);
        if (group) {
            group.push(item);
        } else {
            groups.set(name, [item]);
        }
    }
    return groups;
}

/** Whether a message carries a replica (an `entity-upsert`), rather than ending its twin. */
export function carriesReplica(message: SyncMessage): message is SyncMessage & { replica: Replica } {
    return message.kind === 'entity-upsert' && message.replica !== undefined;
}

/** Parses the payload of an outgoing event back into its message; undefined when unreadable. */
export function messageOfPayload(event: QueuedEvent): SyncMessage | undefined {
    if (event.payload === null) {
        return undefined;
    }
    try {
        const check = validateSyncMessage(JSON.parse(event.payload));
        return check.ok ? check.value : undefined;
    } catch {
        return undefined;
    }
}

function sha256Hex(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
}

/** One outgoing pass (call inside the lane). */
export async function outgoingPass(context: EngineContext, options: PassOptions = {}): Promise<PassResult> {
    const { org, tuning } = context;
    // A Bulk Exalate pass reads no outbox and no queue: the passes that run beside it do.
    const read = await org.readWork({
        signalLimit: options.bulk === undefined ? tuning.signalsPerPass : 0,
        eventLimit: options.bulk === undefined ? tuning.eventsPerPass : 0,
        // SOQL datetimes have whole seconds: round up, or an event due this very second waits a pass.
        now: new Date(Math.ceil(context.clock() / 1000) * 1000),
        ...(options.changedSince !== undefined ? { changedSince: options.changedSince } : {})
    });
    const changed = (read.changed?.caseIds ?? []).filter(
        (caseId) => options.alreadyReconciled?.(caseId, read.changed?.modstamps[caseId] ?? '') !== true
    );
    const work = withCases(read, [...changed, ...(options.bulk?.caseIds ?? [])]);
    const bulkIds = new Set(options.bulk?.caseIds ?? []);
    const toDeliver = new Map<string, InFlight[]>();
    const outgoingEvents = work.dueEvents.filter((event) => event.direction !== 'Incoming');

    // Events that already carry a message: deliver them again (a retry, or work left by a crash).
    const redeliveries = outgoingEvents.filter((event) => event.messageId !== null && event.payload !== null);
    const requests = outgoingEvents.filter((event) => event.messageId === null && event.twinId !== null);
    // An admin's Retry on the notice that a twin ended (an Incoming event, Failed) puts it back to
    // Preparing: that asks for the twin to start again, as a new sync of its Case.
    const retriedNotices = work.dueEvents.filter(
        (event) =>
            event.direction === 'Incoming' &&
            event.stage === 'Preparing' &&
            event.twinId !== null &&
            event.caseId !== null
    );
    // A deleted Case's twins have lost their Case (set null on delete): its signals name each twin.
    const deletionSignals = work.signals.filter((signal) => signal.kind === 'Deleted');
    const deletedTwinIds = [
        ...new Set(
            deletionSignals.flatMap((signal) =>
                signal.recordId !== null && signal.recordId !== signal.caseId ? [signal.recordId] : []
            )
        )
    ];
    const caseIds = [
        ...new Set([
            ...work.signals.filter((signal) => signal.kind !== 'Deleted').map((signal) => signal.caseId),
            ...requests.flatMap((event) => (event.caseId === null ? [] : [event.caseId])),
            ...retriedNotices.map((event) => event.caseId as string)
        ])
    ];
    const redeliveryTwinIds = redeliveries.flatMap((event) => (event.twinId === null ? [] : [event.twinId]));
    const restartTwinIds = retriedNotices.map((event) => event.twinId as string);
    const snapshot =
        caseIds.length + redeliveryTwinIds.length + requests.length + restartTwinIds.length + deletedTwinIds.length ===
        0
            ? { cases: [], twins: [], events: [] }
            : await org.readSnapshot({
                  caseIds,
                  twins: {
                      // A Bulk Exalate's Cases have no twin on its connection (that is how they were
                      // found), and only their new twins take part: their other twins are not read.
                      caseIds: options.bulk === undefined ? caseIds : caseIds.filter((id) => !bulkIds.has(id)),
                      twinIds: [
                          ...redeliveryTwinIds,
                          ...requests.map((event) => event.twinId as string),
                          ...restartTwinIds,
                          ...deletedTwinIds
                      ]
                  }
              });
    const cases = new Map(snapshot.cases.map((snap) => [snap.id, snap]));
    const twins = new Map(snapshot.twins.map((twin) => [twin.id, twin]));
    const twinsOfCase = groupBy(
        snapshot.twins.filter((twin) => twin.caseId !== null),
        (twin) => twin.caseId as string
    );

    const pendingTwins = new Set<string>();
    for (const flight of context.inFlight.values()) {
        pendingTwins.add(flight.twinId);
    }

    const eventUpdates: EventUpdate[] = [];
    const failedRedeliveries: EventUpdate[] = [];
    for (const event of redeliveries) {
        const message = messageOfPayload(event);
        const twin = event.twinId === null ? undefined : twins.get(event.twinId);
        const live = context.connections.byRecordId(event.connectionId);
        if (message === undefined || twin === undefined || live === undefined) {
            failedRedeliveries.push({
                id: event.id,
                stage: 'Failed',
                error:
                    message === undefined
                        ? 'The queued message could not be read back; sync the Case again.'
                        : 'The twin or the connection of this event no longer exists.',
                completed: nowIso(context)
            });
            continue;
        }
        if (!isActive(live)) {
            continue;
        }
        pendingTwins.add(twin.id);
        const flight: InFlight = {
            message,
            eventId: event.id,
            twinId: twin.id,
            caseId: twin.caseId,
            connectionRecordId: live.record.id,
            state: readTwinState(twin.syncState),
            // This delivery is the next attempt (the event is written so just below).
            attempts: event.attempts + 1
        };
        addDelivery(toDeliver, live, flight);
        eventUpdates.push(deliveryUpdate(context, live, event.id, event.attempts + 1));
    }

    // Cases not under sync on a connection whose active trigger they match come under sync.
    const bulkCreated = options.bulk === undefined ? [] : await bulkTwins(context, options.bulk, twinsOfCase);
    const newTwins = [...(await twinsFromTriggers(context, work.signals, twinsOfCase)), ...bulkCreated];
    for (const twin of newTwins) {
        twins.set(twin.id, twin);
        const list = twinsOfCase.get(twin.caseId as string) ?? [];
        list.push(twin);
        twinsOfCase.set(twin.caseId as string, list);
    }

    const requestByTwin = new Map(requests.map((event) => [event.twinId as string, event]));
    const restartRequested = new Set([...requestByTwin.keys(), ...restartTwinIds]);
    const candidates = new Set<string>();
    for (const signal of work.signals) {
        for (const twin of twinsOfCase.get(signal.caseId) ?? []) {
            candidates.add(twin.id);
        }
    }
    for (const twinId of restartRequested) {
        candidates.add(twinId);
    }
    for (const twin of newTwins) {
        candidates.add(twin.id);
    }

    const twinUpdates: TwinUpdate[] = [];
    const eventCreates: EventCreate[] = [];
    const built: { flight: Omit<InFlight, 'eventId'>; live: LiveConnection; eventRef: string | { id: string } }[] = [];
    const keptCases = new Set<string>();
    let ref = 0;
    for (const notice of retriedNotices) {
        // The notice has done its work once the twin starts again (below), or it stays ended.
        eventUpdates.push({ id: notice.id, stage: 'Synchronized', completed: nowIso(context), nextAttempt: null });
    }
    for (const twinId of candidates) {
        const twin = twins.get(twinId);
        const request = requestByTwin.get(twinId);
        const live = twin === undefined ? undefined : context.connections.byRecordId(twin.connectionId);
        const snap = twin?.caseId ? cases.get(twin.caseId) : undefined;
        if (twin === undefined || live === undefined) {
            if (request) {
                eventUpdates.push({
                    id: request.id,
                    stage: 'Failed',
                    error: 'The connection of this Case has no keys here: it is not set up, or its secret is missing.',
                    completed: nowIso(context)
                });
            }
            continue;
        }
        if (!isActive(live) || pendingTwins.has(twin.id) || awaitsAck(twin)) {
            // Kept for later: a deactivated connection queues changes; a twin with a message in flight
            // (known to this process, or so recorded in the org by one that died) sends its next state
            // once that message is acknowledged: the other side applies a twin's messages in order.
            if (twin.caseId) {
                keptCases.add(twin.caseId);
            }
            continue;
        }
        if (snap === undefined) {
            if (request) {
                eventUpdates.push({
                    id: request.id,
                    stage: 'Failed',
                    error: 'The Case no longer exists or the connector cannot see it.',
                    completed: nowIso(context)
                });
            }
            continue;
        }
        const stored = readTwinState(twin.syncState);
        // An ended twin sends nothing, whatever changes on its Case, until someone syncs the Case again
        // (Exalate, Sync now, or Retry on the notice): then it starts over as a new twin, the other
        // side creates a new entity for it, and its sequences start again at 1.
        const restart = stored.ended !== null && restartRequested.has(twin.id);
        if (stored.ended !== null && !restart) {
            continue;
        }
        const learnt = await learnHashes(
            context,
            snap,
            restart ? { ...EMPTY_TWIN_STATE, fileHashes: stored.fileHashes } : stored
        );
        const state: TwinState = { ...learnt, localKey: snap.caseNumber };
        const entity = toLocalEntity(snap, {
            hashes: state.fileHashes,
            instanceUrl: context.instanceUrl,
            connectorUserId: context.connectorUserId
        });
        // A twin that never sent anything sends its first replica even without a change, unless it
        // is a mirror: a Case created here for the other side's entity starts agreeing with it, so
        // only real changes go back (reconciliation finds mirrors the connector wrote).
        const neverSent =
            restart ||
            ((twin.lastOutgoingSeq === null || twin.lastOutgoingSeq === 0) &&
                (twin.lastIncomingSeq === null || twin.lastIncomingSeq === 0));
        if (!hasOutgoingChange(entity, state) && !neverSent) {
            if (request) {
                eventUpdates.push({ id: request.id, stage: 'Synchronized', error: null, completed: nowIso(context) });
                twinUpdates.push({ id: twin.id, syncStatus: 'Synchronized', lastError: null });
            }
            continue;
        }
        const firstSequence = (restart ? 0 : (twin.lastOutgoingSeq ?? 0)) + 1;
        // The other side's key, when known, lets it find its twin before it recorded our first ack.
        const receiverKey = restart ? null : twin.remoteKey;
        const messages = upsertMessages(context, live, snap.caseNumber, receiverKey, firstSequence, entity, state);
        const tooLarge = messages.find((message) => message.payload.length > PAYLOAD_FIELD_CHARS);
        if (tooLarge !== undefined) {
            // Never reached with Salesforce's field sizes (see outgoingReplicas); said, not looped on.
            const error = `Case ${snap.caseNumber} cannot be sent: its summary and description take ${tooLarge.payload.length.toLocaleString('en-US')} characters once encoded, more than a queued message holds (${PAYLOAD_FIELD_CHARS.toLocaleString('en-US')}). Shorten the description, then sync it again.`;
            twinUpdates.push({ id: twin.id, syncStatus: 'Failed', lastError: error });
            if (request) {
                eventUpdates.push({ id: request.id, stage: 'Failed', error, completed: nowIso(context) });
            }
            context.log({ level: 'error', event: 'message-too-large', message: error, caseId: snap.id });
            continue;
        }
        const stage = live.remoteIsPrivate ? 'Waiting for remote' : 'Sending';
        messages.forEach(({ message, payload }, index) => {
            for (const file of message.replica.attachments) {
                context.attachments.offer(file.sha256, { contentVersionId: file.id, size: file.size });
            }
            const fields = {
                stage,
                messageId: message.messageId,
                sequence: message.sequence,
                payload,
                attempts: 1,
                nextAttempt: nowIso(
                    context,
                    live.remoteIsPrivate ? context.tuning.pollAckTimeoutMs : context.tuning.retryMaxMs
                ),
                error: null
            } as const;
            let eventRef: string | { id: string };
            if (request && index === 0) {
                eventUpdates.push({ id: request.id, ...fields });
                eventRef = { id: request.id };
            } else {
                ref += 1;
                eventRef = `event${ref}`;
                eventCreates.push({
                    ref: eventRef,
                    connectionId: live.record.id,
                    twinId: twin.id,
                    caseId: snap.id,
                    direction: 'Outgoing',
                    ...fields
                });
            }
            built.push({
                flight: {
                    message,
                    twinId: twin.id,
                    caseId: snap.id,
                    connectionRecordId: live.record.id,
                    state,
                    attempts: 1
                },
                live,
                eventRef
            });
        });
        context.latestState.set(twin.id, state);
        twinUpdates.push({
            id: twin.id,
            lastOutgoingSeq: firstSequence + messages.length - 1,
            syncStatus: stage,
            syncState: twinStateJson(state),
            ...(restart
                ? { remoteKey: null, remoteId: null, remoteUrl: null, lastIncomingSeq: 0, lastError: null }
                : {})
        });
    }

    // Deleted Cases: each twin tells the other side once, after its earlier messages, and ends.
    const keptSignals = new Set<string>();
    const endings: { flight: Omit<InFlight, 'eventId'>; live: LiveConnection; eventRef: string }[] = [];
    for (const signal of deletionSignals) {
        const twinId = signal.recordId !== null && signal.recordId !== signal.caseId ? signal.recordId : undefined;
        const twin = twinId === undefined ? undefined : twins.get(twinId);
        if (twin === undefined) {
            continue;
        }
        const live = context.connections.byRecordId(twin.connectionId);
        const stored = readTwinState(twin.syncState);
        if (live === undefined || stored.ended !== null) {
            continue;
        }
        if (!isActive(live)) {
            keptSignals.add(signal.id);
            continue;
        }
        const now = nowIso(context);
        const remote = live.record.remoteInstanceName ?? 'the other side';
        const deletedAt = signal.createdAt.startsWith('1970') ? now : signal.createdAt;
        const state: TwinState = { ...stored, ended: { reason: 'deleted-here', at: deletedAt } };
        const known =
            (twin.lastOutgoingSeq ?? 0) > 0 || (twin.lastIncomingSeq ?? 0) > 0 || (twin.remoteKey ?? '') !== '';
        if (!known || state.localKey === null) {
            // The other side never heard of this twin (or, for a twin synced by an older connector, its key
            // is not known here): there is nobody to tell.
            twinUpdates.push({
                id: twin.id,
                syncStatus: 'Unlinked',
                lastError: known
                    ? `This Case was deleted here on ${readableDate(deletedAt)}. ${remote} could not be told: this twin does not record the Case's number. Its record there is kept and no longer syncs.`
                    : `This Case was deleted here on ${readableDate(deletedAt)}, before it reached ${remote}; nothing was sent.`,
                syncState: twinStateJson(state)
            });
            continue;
        }
        const message: SyncMessage = {
            protocol: PROTOCOL_VERSION,
            messageId: randomUUID(),
            connectionId: live.id,
            twinKey: state.localKey,
            sequence: (twin.lastOutgoingSeq ?? 0) + 1,
            sentAt: now,
            kind: 'entity-deleted'
        };
        const stage = live.remoteIsPrivate ? 'Waiting for remote' : 'Sending';
        ref += 1;
        const eventRef = `event${ref}`;
        eventCreates.push({
            ref: eventRef,
            connectionId: live.record.id,
            twinId: twin.id,
            caseId: null,
            direction: 'Outgoing',
            stage,
            messageId: message.messageId,
            sequence: message.sequence,
            payload: JSON.stringify(message),
            attempts: 1,
            nextAttempt: nowIso(
                context,
                live.remoteIsPrivate ? context.tuning.pollAckTimeoutMs : context.tuning.retryMaxMs
            ),
            error: null
        });
        context.latestState.set(twin.id, state);
        twinUpdates.push({
            id: twin.id,
            lastOutgoingSeq: message.sequence,
            syncStatus: stage,
            lastError: `This Case was deleted here on ${readableDate(deletedAt)}; telling ${remote}, which keeps its record.`,
            syncState: twinStateJson(state)
        });
        endings.push({
            flight: {
                message,
                twinId: twin.id,
                caseId: null,
                connectionRecordId: live.record.id,
                state,
                attempts: 1
            },
            live,
            eventRef
        });
    }

    const deleteSignalIds = work.signals
        .filter((signal) => signal.id !== RECONCILED && !keptSignals.has(signal.id))
        .filter((signal) => signal.kind === 'Deleted' || !keptCases.has(signal.caseId))
        .map((signal) => signal.id);
    const result = await org.write({
        updateEvents: [...failedRedeliveries, ...eventUpdates],
        createEvents: eventCreates,
        updateTwins: mergedById(twinUpdates),
        deleteSignalIds
    });
    reportWriteFailures(context, 'outgoing pass', result.updateTwins, result.createEvents, result.updateEvents);
    for (const entry of [...built, ...endings]) {
        let eventId: string | undefined;
        if (typeof entry.eventRef === 'string') {
            const index = eventCreates.findIndex((event) => event.ref === entry.eventRef);
            const outcome = result.createEvents[index];
            eventId = outcome?.ok ? outcome.id : undefined;
        } else {
            eventId = entry.eventRef.id;
        }
        if (eventId === undefined) {
            continue;
        }
        const flight = { ...entry.flight, eventId };
        addDelivery(toDeliver, entry.live, flight);
    }
    return {
        toDeliver,
        signalsKept: work.signals.filter((signal) => signal.id !== RECONCILED).length - deleteSignalIds.length,
        more:
            options.bulk === undefined &&
            (read.signals.length >= tuning.signalsPerPass || work.dueEvents.length >= tuning.eventsPerPass),
        bulkTwinsCreated: bulkCreated.length,
        ...(read.changed !== undefined ? { reconciled: read.changed } : {})
    };
}

/** Error__c and Last_Error__c hold 32,768 characters: a longer text is cut, saying so. */
export function fitError(text: string): string {
    const limit = 32_000;
    return text.length <= limit
        ? text
        : `${text.slice(0, limit)}… (${(text.length - limit).toLocaleString('en-US')} more characters)`;
}

/** A date-time for an admin: `2026-12-07 09:30 UTC`. */
export function readableDate(iso: string): string {
    const time = Date.parse(iso);
    return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The messages of one outgoing change: usually one, more when the new comments and files do not fit
 * one queued message (see `outgoingReplicas`); consecutive sequences from `firstSequence`, each with
 * its payload as it is stored in the event.
 */
function upsertMessages(
    context: EngineContext,
    live: LiveConnection,
    twinKey: string,
    receiverKey: string | null,
    firstSequence: number,
    entity: ReturnType<typeof toLocalEntity>,
    state: TwinState
): { message: SyncMessage & { replica: Replica }; payload: string }[] {
    const envelope = (sequence: number): Omit<SyncMessage, 'replica'> => ({
        protocol: PROTOCOL_VERSION,
        messageId: randomUUID(),
        connectionId: live.id,
        twinKey,
        ...(receiverKey === null ? {} : { receiverKey }),
        sequence,
        sentAt: nowIso(context),
        kind: 'entity-upsert'
    });
    // `"replica":null` stands for the replica; the largest sequence the message can have is counted.
    const envelopeChars = JSON.stringify({ ...envelope(firstSequence + 1_000_000), replica: null }).length;
    const replicas = outgoingReplicas(entity, state, PAYLOAD_FIELD_CHARS - PAYLOAD_MARGIN_CHARS - envelopeChars);
    return replicas.map((replica, index) => {
        const message: SyncMessage & { replica: Replica } = { ...envelope(firstSequence + index), replica };
        return { message, payload: JSON.stringify(message) };
    });
}

/**
 * Cases the reconciliation found changed, or a Bulk Exalate brings under sync, without a change
 * signal of their own, are handled as if their trigger had recorded one: the Basic rules then compare
 * them with the last synced state, so a Case whose change already travelled (or that the connector
 * itself wrote) sends nothing.
 */
function withCases(work: Work, caseIds: readonly string[]): Work {
    if (caseIds.length === 0) {
        return work;
    }
    const signalled = new Set(work.signals.map((signal) => signal.caseId));
    const missed = [...new Set(caseIds)].filter((caseId) => !signalled.has(caseId));
    return {
        ...work,
        signals: [
            ...work.signals,
            ...missed.map((caseId): ChangeSignal => ({
                id: RECONCILED,
                caseId,
                kind: 'Case',
                recordId: caseId,
                underSync: true,
                createdAt: new Date(0).toISOString()
            }))
        ]
    };
}

function addDelivery(toDeliver: Map<string, InFlight[]>, live: LiveConnection, flight: InFlight): void {
    const list = toDeliver.get(live.id) ?? [];
    list.push(flight);
    toDeliver.set(live.id, list);
}

function deliveryUpdate(context: EngineContext, live: LiveConnection, eventId: string, attempts: number): EventUpdate {
    return {
        id: eventId,
        stage: live.remoteIsPrivate ? 'Waiting for remote' : 'Sending',
        attempts,
        nextAttempt: nowIso(context, live.remoteIsPrivate ? context.tuning.pollAckTimeoutMs : context.tuning.retryMaxMs)
    };
}

/** Downloads and hashes the Case's files that need a SHA-256 (1 call per file, once per file). */
async function learnHashes(context: EngineContext, snap: CaseSnapshot, state: TwinState): Promise<TwinState> {
    const missing = filesToHash(snap, state);
    if (missing.length === 0) {
        return state;
    }
    const fileHashes = { ...state.fileHashes };
    for (const file of missing) {
        const versionId = file.contentVersionId as string;
        try {
            const bytes = await context.org.downloadFile(versionId);
            const sha256 = sha256Hex(bytes);
            fileHashes[versionId] = sha256;
            context.attachments.offer(sha256, { contentVersionId: versionId, size: bytes.length });
        } catch (error) {
            context.log({
                level: 'warn',
                event: 'file-unreadable',
                message: `File ${versionId} of Case ${snap.caseNumber} could not be read and is not sent this time: ${errorText(error)}`,
                caseId: snap.id
            });
        }
    }
    return { ...state, fileHashes };
}

/** Creates the twins of a Bulk Exalate's Cases that have none on its connection yet (1 write). */
async function bulkTwins(
    context: EngineContext,
    bulk: NonNullable<PassOptions['bulk']>,
    twinsOfCase: Map<string, SyncTwin[]>
): Promise<SyncTwin[]> {
    const upserts: TwinUpsert[] = bulk.caseIds
        .filter(
            (caseId) => !(twinsOfCase.get(caseId) ?? []).some((twin) => twin.connectionId === bulk.connectionRecordId)
        )
        .map((caseId) => ({ connectionId: bulk.connectionRecordId, caseId, syncStatus: 'Preparing', isNew: true }));
    return createTwins(context, upserts, 'bulk twins');
}

/** Creates the twins of Cases that match an active trigger of an active connection (none: no call). */
async function twinsFromTriggers(
    context: EngineContext,
    signals: readonly ChangeSignal[],
    twinsOfCase: Map<string, SyncTwin[]>
): Promise<SyncTwin[]> {
    const triggers = context.connections
        .all()
        .filter(isActive)
        .flatMap((live) =>
            live.record.triggers
                .filter((trigger) => trigger.active)
                .map((trigger) => ({ id: trigger.id, connectionId: live.record.id, filter: trigger.filter }))
        );
    const caseIds = [
        ...new Set(
            signals
                // Reconciled Cases are under sync already: triggers were evaluated when they came under it.
                .filter((signal) => signal.kind === 'Case' && signal.id !== RECONCILED)
                .map((signal) => signal.caseId)
        )
    ].filter((caseId) => caseId.startsWith('500'));
    if (triggers.length === 0 || caseIds.length === 0) {
        return [];
    }
    const matches = await context.org.matchTriggerFilters(caseIds, triggers);
    for (const failure of matches.failures) {
        context.log({
            level: 'warn',
            event: 'trigger-failed',
            message: `Trigger ${failure.triggerId} could not be evaluated (${failure.code}): ${failure.message}`
        });
    }
    const upserts: TwinUpsert[] = [];
    for (const [caseId, connectionIds] of matches.byCase) {
        const existing = new Set((twinsOfCase.get(caseId) ?? []).map((twin) => twin.connectionId));
        for (const connectionId of new Set(connectionIds)) {
            if (!existing.has(connectionId)) {
                upserts.push({ connectionId, caseId, syncStatus: 'Preparing', isNew: true });
            }
        }
    }
    return createTwins(context, upserts, 'trigger twins');
}

/** Writes new twins (Preparing) and answers them as the pass knows them; none: no call. */
async function createTwins(context: EngineContext, upserts: readonly TwinUpsert[], what: string): Promise<SyncTwin[]> {
    if (upserts.length === 0) {
        return [];
    }
    const result = await context.org.write({ upsertTwins: upserts });
    reportWriteFailures(context, what, result.upsertTwins);
    return upserts.flatMap((upsert, index) => {
        const outcome = result.upsertTwins[index];
        if (!outcome.ok) {
            return [];
        }
        const twin: SyncTwin = {
            id: outcome.id,
            name: '',
            connectionId: upsert.connectionId as string,
            caseId: upsert.caseId as string,
            key: `${upsert.connectionId as string}:${upsert.caseId as string}`,
            remoteKey: null,
            remoteId: null,
            remoteUrl: null,
            syncStatus: 'Preparing',
            lastSynced: null,
            lastError: null,
            lastOutgoingSeq: null,
            lastIncomingSeq: null,
            echoModstamp: null,
            syncState: null,
            systemModstamp: nowIso(context)
        };
        return [twin];
    });
}

/**
 * An org's error message without the value it quotes: STRING_TOO_LONG says "Payload: data value too
 * large: <the whole value> (max length=131072)", and the value is customer text, never logged.
 */
export function withoutValue(message: string): string {
    return message.replace(/(data value too large):[\s\S]*?(\(max length=\d+\))?$/, (_, head: string, max?: string) =>
        max === undefined ? head : `${head} ${max}`
    );
}

/** Logs the records a write could not save; the engine goes on with the others. */
export function reportWriteFailures(
    context: EngineContext,
    what: string,
    ...outcomes: readonly (readonly { ok: boolean; errors?: readonly { code: string; message: string }[] }[])[]
): void {
    for (const list of outcomes) {
        for (const outcome of list) {
            if (!outcome.ok) {
                const first = outcome.errors?.[0];
                context.log({
                    level: 'error',
                    event: 'write-failed',
                    message: `A record of the ${what} was not saved: ${first ? `${first.code}: ${withoutValue(first.message)}` : 'unknown error'}`
                });
            }
        }
    }
}

/**
 * Records the other node's acks (call inside the lane): a message applied (or already applied)
 * makes its event Synchronized and its twin agree with what was sent; a rejected one fails with the
 * other side's reason; an out-of-order one is offered again at once.
 */
export async function finalizeAcks(context: EngineContext, acks: readonly Ack[]): Promise<void> {
    if (acks.length === 0) {
        return;
    }
    const unknown = acks.filter((ack) => !context.inFlight.has(ack.messageId)).map((ack) => ack.messageId);
    if (unknown.length > 0) {
        await recoverInFlight(context, unknown);
    }
    const eventUpdates: EventUpdate[] = [];
    const twinUpdates: TwinUpdate[] = [];
    const done = new Set(acks.map((ack) => ack.messageId).filter((id) => context.inFlight.has(id)));
    const now = nowIso(context);
    // A twin whose change went as several messages is Synchronized once the last one is acknowledged.
    const pendingOfTwin = new Map<string, number>();
    for (const flight of context.inFlight.values()) {
        if (!done.has(flight.message.messageId)) {
            pendingOfTwin.set(flight.twinId, (pendingOfTwin.get(flight.twinId) ?? 0) + 1);
        }
    }
    const othersInFlight = (twinId: string): boolean => (pendingOfTwin.get(twinId) ?? 0) > 0;
    for (const ack of acks) {
        const flight = context.inFlight.get(ack.messageId);
        if (flight === undefined) {
            continue;
        }
        const remote = context.connections.byRecordId(flight.connectionRecordId)?.record.remoteInstanceName;
        if (ack.status === 'applied' || ack.status === 'duplicate') {
            const current = context.latestState.get(flight.twinId) ?? flight.state;
            const state: TwinState = carriesReplica(flight.message)
                ? { ...current, ...stateAfterAcknowledged(current, flight.message.replica) }
                : current;
            context.latestState.set(flight.twinId, state);
            eventUpdates.push({
                id: flight.eventId,
                stage: 'Synchronized',
                error: null,
                completed: now,
                nextAttempt: null
            });
            if (ack.remoteKey !== undefined) {
                context.awaitingRemoteKey.delete(awaitingKey(flight.connectionRecordId, flight.message.twinKey));
            }
            const link = {
                ...(ack.remoteKey !== undefined ? { remoteKey: ack.remoteKey } : {}),
                ...(ack.remoteUrl !== undefined ? { remoteUrl: ack.remoteUrl } : {})
            };
            if (!carriesReplica(flight.message)) {
                // The other side was told that the Case was deleted here: the twin has ended.
                const deletedAt = state.ended?.at ?? now;
                twinUpdates.push({
                    id: flight.twinId,
                    syncStatus: 'Unlinked',
                    lastSynced: now,
                    lastError: `This Case was deleted here on ${readableDate(deletedAt)}. ${remote ?? 'The other side'} was told on ${readableDate(now)} and keeps its record${ack.remoteKey !== undefined ? ` ${ack.remoteKey}` : ''}; this twin no longer syncs.`,
                    ...link
                });
            } else if (state.ended !== null || othersInFlight(flight.twinId)) {
                // An earlier message of a twin that has ended since, or one of several: the state only.
                twinUpdates.push({ id: flight.twinId, syncState: twinStateJson(state), ...link });
            } else {
                twinUpdates.push({
                    id: flight.twinId,
                    syncStatus: 'Synchronized',
                    lastSynced: now,
                    lastError: null,
                    syncState: twinStateJson(state),
                    ...link
                });
            }
        } else if (ack.status === 'rejected') {
            const error = fitError(
                `The other side refused this change: ${withoutValue(ack.error ?? 'no reason given')}`
            );
            eventUpdates.push({ id: flight.eventId, stage: 'Failed', error, completed: now, nextAttempt: null });
            if (!carriesReplica(flight.message) || !hasEnded(context, flight)) {
                // A twin that ended since keeps saying why; the refusal of its earlier change is on its event.
                twinUpdates.push({ id: flight.twinId, syncStatus: 'Failed', lastError: error });
            }
        } else {
            eventUpdates.push({
                id: flight.eventId,
                error: `The other side is missing an earlier message: ${ack.error ?? ''}`.trim(),
                nextAttempt: now
            });
        }
    }
    const result = await context.org.write({ updateEvents: eventUpdates, updateTwins: mergedById(twinUpdates) });
    reportWriteFailures(context, 'acknowledgement', result.updateEvents, result.updateTwins);
    for (const id of done) {
        context.inFlight.delete(id);
    }
    for (const outbox of context.outboxes.values()) {
        outbox.remove(done);
    }
}

/** Whether the twin of a message in flight has ended since (as far as this process knows). */
function hasEnded(context: EngineContext, flight: InFlight): boolean {
    return (context.latestState.get(flight.twinId) ?? flight.state).ended !== null;
}

/** One update per twin (a record may appear once in a write): later fields win. */
function mergedById(updates: readonly TwinUpdate[]): TwinUpdate[] {
    const byId = new Map<string, TwinUpdate>();
    for (const update of updates) {
        const id = typeof update.id === 'string' ? update.id : update.id.ref;
        byId.set(id, { ...byId.get(id), ...update });
    }
    return [...byId.values()];
}

/** Rebuilds in-flight entries for acks of messages sent before a restart (1 call). */
async function recoverInFlight(context: EngineContext, messageIds: readonly string[]): Promise<void> {
    const snapshot = await context.org.readSnapshot({ messageIds });
    const twinIds = snapshot.events.flatMap((event) => (event.twinId === null ? [] : [event.twinId]));
    const twins = twinIds.length === 0 ? [] : (await context.org.readSnapshot({ twins: { twinIds } })).twins;
    const twinById = new Map(twins.map((twin) => [twin.id, twin]));
    for (const event of snapshot.events) {
        const message = messageOfPayload(event);
        const twin = event.twinId === null ? undefined : twinById.get(event.twinId);
        if (message === undefined || twin === undefined || event.stage === 'Synchronized' || event.stage === 'Failed') {
            continue;
        }
        context.inFlight.set(message.messageId, {
            message,
            eventId: event.id,
            twinId: twin.id,
            caseId: twin.caseId,
            connectionRecordId: twin.connectionId,
            state: readTwinState(twin.syncState),
            attempts: event.attempts
        });
    }
}

/**
 * After a restart, before the first pass: makes due at once the Outgoing events that a previous
 * process was delivering to a node with a URL (1 write call per 1,000 events; none: no call).
 *
 * Why: a push leases its event until `now + retryMaxMs` (ten minutes by default), so that a slow
 * but live delivery is not sent twice. A process killed during the push never records the ack, and
 * its lease would hold the event back for those ten minutes, with its twin blocked behind it (a
 * twin has one message in flight). A new process has nothing in flight, so every such lease belongs
 * to a dead process: the next pass sends the message again with the same id, and the other node
 * answers `duplicate` for what it had already applied.
 */
export async function reclaimDeliveries(context: EngineContext, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) {
        return;
    }
    const now = nowIso(context);
    const result = await context.org.write({ updateEvents: eventIds.map((id) => ({ id, nextAttempt: now })) });
    reportWriteFailures(context, 'restart', result.updateEvents);
}

/**
 * Records a delivery that failed (call inside the lane): retried with back-off, then Failed.
 * Answers the delays (ms, distinct) after which the retries come due: only a pass delivers them, so
 * the caller runs one at each rather than wait for the next wake event or the slow reconciliation
 * timer (ten minutes by default). The messages of one failed batch share one jitter draw, so that
 * they come due together and one pass takes them all.
 */
export async function recordDeliveryFailure(
    context: EngineContext,
    flights: readonly InFlight[],
    error: unknown
): Promise<number[]> {
    const retryable = !(error instanceof NodeTransportError) || error.retryable;
    const text = `Delivery to the other side failed: ${errorText(error)}`;
    const eventUpdates: EventUpdate[] = [];
    const twinUpdates: TwinUpdate[] = [];
    const retryDelays = new Set<number>();
    const jitter = Math.random();
    for (const flight of flights) {
        const giveUp = !retryable || flight.attempts >= context.tuning.maxAttempts;
        const delay = backoffDelay(flight.attempts, {
            initialMs: context.tuning.retryInitialMs,
            maxMs: context.tuning.retryMaxMs,
            random: () => jitter
        });
        if (!giveUp) {
            retryDelays.add(delay);
        }
        // Until the retry, the message waits for the other side to be reachable again.
        eventUpdates.push({
            id: flight.eventId,
            error: giveUp ? `${text} (gave up after ${flight.attempts} attempts; Retry sends it again)` : text,
            ...(giveUp
                ? { stage: 'Failed' as const, completed: nowIso(context), nextAttempt: null }
                : { stage: 'Waiting for remote' as const, nextAttempt: nowIso(context, delay) })
        });
        if (!carriesReplica(flight.message) || !hasEnded(context, flight)) {
            twinUpdates.push({
                id: flight.twinId,
                lastError: text,
                syncStatus: giveUp ? ('Failed' as const) : ('Waiting for remote' as const)
            });
        }
        context.inFlight.delete(flight.message.messageId);
    }
    const result = await context.org.write({ updateEvents: eventUpdates, updateTwins: mergedById(twinUpdates) });
    reportWriteFailures(context, 'delivery failure', result.updateEvents, result.updateTwins);
    return [...retryDelays];
}

/** The link the other side shows for a Case. */
export function linkOf(context: EngineContext, caseId: string): string {
    return caseUrl(context.instanceUrl, caseId);
}
