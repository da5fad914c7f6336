// The incoming half of the engine: messages from the other node applied to Cases, exactly once.
//
// Per batch (inside the lane):
//   1. read the twins named by the messages and the events of their message ids (1 call), then their
//      Cases with comments and files (1 call);
//   2. decide each message with the Basic rules (duplicate, out of order, or a plan);
//   3. create the Cases of new remote entities by upsert on Exalate_Link_Key__c (1 call): sent twice,
//      it still makes one Case; then read their CaseNumbers (1 call);
//   4. fetch and upload the attachments (1 call each), skipping bytes the Case already has;
//   5. write the Case changes, the comments, the twins (state, sequence) and an Incoming event per
//      message (its id: a repeat is a duplicate) in requests of at most five subrequests each, so
//      that a twin's comments and its state always land in the same request.
import { createHash } from 'node:crypto';
import { planIncoming, SALESFORCE_CASE_LIMITS, stateAfterApplied } from './basic-rules.ts';
import type { IncomingPlan } from './basic-rules.ts';
import { caseUrl, entityNoun, toLocalEntity } from './case-entity.ts';
import { awaitingKey, errorText, nowIso } from './context.ts';
import type { EngineContext } from './context.ts';
import type { LiveConnection } from './connections.ts';
import { fitError, readableDate, reportWriteFailures, withoutValue } from './outgoing.ts';
import { EMPTY_TWIN_STATE, MIRRORED, readTwinState, twinStateJson } from './twin-state.ts';
import type { TwinState } from './twin-state.ts';
import type { Ack, Replica, ReplicaAttachment, SyncMessage } from '../protocol/messages.ts';
import type {
    CaseSnapshot,
    CommentCreate,
    EventCreate,
    SyncTwin,
    TwinUpsert,
    CaseUpdate,
    TwinUpdate
} from '../salesforce/types.ts';

/** Records per sObject Collections subrequest. */
const RECORDS_PER_SUBREQUEST = 200;
/** Collections subrequests per Composite request: more would make the write two requests. */
const SUBREQUESTS_PER_WRITE = 5;

/**
 * Subrequests a write group needs (see write-plan.ts): creates of every type share subrequests (new
 * twins among them), updates too; an upsert of an existing twin is two of its own.
 */
function subrequestsOf(counts: {
    updates: number;
    comments: number;
    twins: number;
    newTwins: number;
    events: number;
}): number {
    const n = (records: number): number => Math.ceil(records / RECORDS_PER_SUBREQUEST);
    return n(counts.updates) + n(counts.comments + counts.newTwins + counts.events) + 2 * n(counts.twins);
}

interface Decided {
    readonly message: SyncMessage;
    readonly replica: Replica;
    readonly twin: SyncTwin | undefined;
    readonly snap: CaseSnapshot | undefined;
    readonly state: TwinState;
    readonly plan: IncomingPlan;
    readonly index: number;
    /** The twin had ended and the other side syncs its entity anew: both directions start again. */
    readonly relink: boolean;
}

/** The key of the Case created for a remote entity: `<connection record id>:<remote key>`, at most 80. */
export function linkKeyOf(connectionRecordId: string, remoteKey: string): string {
    const key = `${connectionRecordId}:${remoteKey}`;
    return key.length <= 80
        ? key
        : `${connectionRecordId}:#${createHash('sha256').update(remoteKey).digest('hex').slice(0, 40)}`;
}

function md5Hex(bytes: Uint8Array): string {
    return createHash('md5').update(bytes).digest('hex');
}

/**
 * Applies a batch of messages from the other node of `live` (call inside the lane): one ack each.
 * A twin's consecutive messages in one batch (a change too large for one message goes as several)
 * are applied in rounds, one message per twin and round, each round deciding from what the one
 * before wrote.
 */
export async function applyMessages(
    context: EngineContext,
    live: LiveConnection,
    messages: readonly SyncMessage[]
): Promise<Ack[]> {
    const acks: Ack[] = [];
    let pending = messages.map((message, index) => ({ message, index }));
    while (pending.length > 0) {
        const round: typeof pending = [];
        const later: typeof pending = [];
        const keys = new Set<string>();
        for (const entry of pending) {
            (keys.has(entry.message.twinKey) ? later : round).push(entry);
            keys.add(entry.message.twinKey);
        }
        const roundAcks = await applyRound(
            context,
            live,
            round.map((entry) => entry.message)
        );
        round.forEach((entry, position) => {
            acks[entry.index] = roundAcks[position];
        });
        pending = later;
    }
    return acks;
}

/**
 * Twins of this connection that sent before they knew the other side's key, by their own key (the
 * Case number), for the messages that name one as their `receiverKey`. The other side may write
 * about the entity it created for our message before this side recorded the ack that tells its key
 * (or after that ack was lost): the receiverKey finds our twin then, where the remote key cannot yet.
 */
function twinsAwaitingFirstAck(
    context: EngineContext,
    connectionRecordId: string,
    messages: readonly SyncMessage[]
): Map<string, string> {
    const claimed = new Map<string, string>();
    for (const { receiverKey } of messages) {
        const twinId =
            receiverKey === undefined
                ? undefined
                : context.awaitingRemoteKey.get(awaitingKey(connectionRecordId, receiverKey));
        if (receiverKey !== undefined && twinId !== undefined) {
            claimed.set(receiverKey, twinId);
        }
    }
    return claimed;
}

/** This side's twin that a message names by its receiverKey, while that twin knows no remote key yet. */
function ownTwinNamed(
    message: SyncMessage,
    claimed: ReadonlyMap<string, string>,
    twinsById: ReadonlyMap<string, SyncTwin>
): SyncTwin | undefined {
    const twinId = message.receiverKey === undefined ? undefined : claimed.get(message.receiverKey);
    const twin = twinId === undefined ? undefined : twinsById.get(twinId);
    return twin !== undefined && twin.remoteKey === null && readTwinState(twin.syncState).ended === null
        ? twin
        : undefined;
}

/** How well a twin fits a remote key: a live twin before an ended one, an ended one with its Case before one without. */
function rankOf(twin: SyncTwin): number {
    if (readTwinState(twin.syncState).ended === null) {
        return 2;
    }
    return twin.caseId === null ? 0 : 1;
}

/** The notice of a twin that the other side ended, for the twin's Last Error and the error list. */
function endingNotice(
    kind: 'entity-deleted' | 'unlink',
    live: LiveConnection,
    remoteKey: string,
    localId: string | null,
    sentAt: string
): string {
    const remote = live.record.remoteInstanceName ?? 'the other side';
    const remoteNoun = live.record.remotePlatform === 'ServiceNow' ? 'incident' : 'Case';
    const localNoun = entityNoun(localId);
    const what =
        kind === 'entity-deleted'
            ? `The remote ${remoteNoun} ${remoteKey} was deleted on ${remote} on ${readableDate(sentAt)}`
            : `${remote} ended the sync of its ${remoteNoun} ${remoteKey} on ${readableDate(sentAt)}`;
    return `${what}; this ${localNoun} is kept and no longer syncs. Sync it again to send it to ${remote} as a new ${remoteNoun}.`;
}

/** One round of `applyMessages`: at most one message per twin key. */
async function applyRound(
    context: EngineContext,
    live: LiveConnection,
    messages: readonly SyncMessage[]
): Promise<Ack[]> {
    const acks: (Ack | undefined)[] = messages.map(() => undefined);
    if (messages.length === 0) {
        return [];
    }
    const { org } = context;
    const connectionRecordId = live.record.id;
    const claimed = twinsAwaitingFirstAck(context, connectionRecordId, messages);
    const first = await org.readSnapshot({
        twins: {
            connectionId: connectionRecordId,
            remoteKeys: [...new Set(messages.map((m) => m.twinKey))],
            ...(claimed.size > 0 ? { twinIds: [...new Set(claimed.values())] } : {})
        },
        messageIds: messages.map((m) => m.messageId)
    });
    const twinsByKey = new Map<string, SyncTwin>();
    for (const twin of first.twins) {
        const known = twin.remoteKey === null ? undefined : twinsByKey.get(twin.remoteKey);
        if (twin.remoteKey !== null && (known === undefined || rankOf(twin) > rankOf(known))) {
            twinsByKey.set(twin.remoteKey, twin);
        }
    }
    const caseIds = [...new Set(first.twins.flatMap((twin) => (twin.caseId === null ? [] : [twin.caseId])))];
    const cases = new Map(
        (caseIds.length === 0 ? [] : (await org.readSnapshot({ caseIds })).cases).map((snap) => [snap.id, snap])
    );
    const seenIds = new Set(first.events.map((event) => event.messageId));
    const lastSeq = new Map<string, number>();
    const decided: Decided[] = [];
    const plannedKeys = new Set<string>();
    const endings: { message: SyncMessage; twin: SyncTwin; state: TwinState; index: number }[] = [];

    const twinsById = new Map(first.twins.map((twin) => [twin.id, twin]));
    messages.forEach((message, index) => {
        let twin = twinsByKey.get(message.twinKey) ?? ownTwinNamed(message, claimed, twinsById);
        let ended = twin === undefined ? null : readTwinState(twin.syncState).ended;
        // The other side syncs its entity anew: its first upsert on a new twin of its own.
        const anew = message.kind === 'entity-upsert' && message.sequence === 1;
        if (twin !== undefined && ended !== null && twin.caseId === null && anew) {
            // Ended, and its Case is gone too: a new twin and a new Case.
            twin = undefined;
            ended = null;
        }
        // An ended twin whose Case is kept starts again.
        const relink = twin !== undefined && ended !== null && anew;
        const snap = twin?.caseId ? cases.get(twin.caseId) : undefined;
        const known = (): Ack => ({
            messageId: message.messageId,
            status: 'duplicate',
            ...(snap ? { remoteKey: snap.caseNumber, remoteUrl: caseUrl(context.instanceUrl, snap.id) } : {})
        });
        if (seenIds.has(message.messageId)) {
            acks[index] = known();
            return;
        }
        seenIds.add(message.messageId);
        if (twin !== undefined && ended !== null && !relink) {
            // An ended twin takes nothing but a new start. A later message is refused rather than left out
            // of order: nothing would ever fill the gap. Ending it again changes nothing.
            if (message.sequence <= (twin.lastIncomingSeq ?? 0)) {
                acks[index] = known();
            } else if (message.kind !== 'entity-upsert') {
                acks[index] = { messageId: message.messageId, status: 'applied' };
            } else {
                acks[index] = {
                    messageId: message.messageId,
                    status: 'rejected',
                    error: `The sync of ${message.twinKey} ended here on ${readableDate(ended.at)}; this change was not applied. Sync it again to start a new sync.`
                };
            }
            return;
        }
        const last = lastSeq.get(message.twinKey) ?? (relink ? 0 : (twin?.lastIncomingSeq ?? 0));
        if (message.sequence <= last) {
            acks[index] = known();
            return;
        }
        if (message.sequence > last + 1 || plannedKeys.has(message.twinKey)) {
            // A twin's second message in one batch waits for the next batch: its plan would be
            // decided from the state before the first one.
            acks[index] = {
                messageId: message.messageId,
                status: 'out-of-order',
                error: `expected sequence ${last + 1} for ${message.twinKey}`
            };
            return;
        }
        const stored = twin ? (context.latestState.get(twin.id) ?? readTwinState(twin.syncState)) : EMPTY_TWIN_STATE;
        if (message.kind !== 'entity-upsert' || message.replica === undefined) {
            lastSeq.set(message.twinKey, message.sequence);
            if (twin === undefined) {
                // Nothing to end here: the twin is unknown.
                acks[index] = { messageId: message.messageId, status: 'applied' };
                return;
            }
            plannedKeys.add(message.twinKey);
            endings.push({ message, twin, state: stored, index });
            return;
        }
        const state: TwinState = relink ? { ...stored, ended: null } : stored;
        const entity = snap
            ? toLocalEntity(snap, {
                  hashes: state.fileHashes,
                  instanceUrl: context.instanceUrl,
                  connectorUserId: context.connectorUserId
              })
            : undefined;
        const plan = planIncoming(message.replica, entity, state, {
            remoteInstance: live.record.remoteInstanceName ?? 'remote',
            sentAt: message.sentAt,
            limits: SALESFORCE_CASE_LIMITS
        });
        lastSeq.set(message.twinKey, message.sequence);
        plannedKeys.add(message.twinKey);
        decided.push({ message, replica: message.replica, twin, snap, state, plan, index, relink });
    });

    // Cases for new remote entities, by upsert on their link key: a repeat updates the same Case.
    const fresh = decided.filter((entry) => entry.snap === undefined);
    const createdCaseIds = new Map<number, string>();
    if (fresh.length > 0) {
        const result = await org.write({
            createCases: fresh.map((entry) => ({
                linkKey: linkKeyOf(connectionRecordId, entry.message.twinKey),
                subject: entry.plan.summary ?? entry.replica.summary,
                description: entry.plan.description ?? entry.replica.description,
                extraFields: { Origin: 'Exalate' }
            }))
        });
        fresh.forEach((entry, i) => {
            const outcome = result.createCases[i];
            if (outcome.ok) {
                createdCaseIds.set(entry.index, outcome.id);
            } else {
                acks[entry.index] = {
                    messageId: entry.message.messageId,
                    status: 'rejected',
                    error: `The Case could not be created: ${outcome.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`
                };
            }
        });
        const ids = [...createdCaseIds.values()];
        if (ids.length > 0) {
            for (const snap of (await org.readSnapshot({ caseIds: ids })).cases) {
                cases.set(snap.id, snap);
            }
        }
    }

    const ready = decided.filter((entry) => acks[entry.index] === undefined);
    const fetched = new Map<number, { remoteId: string; localId: string }[]>();
    for (const entry of ready) {
        const caseId = entry.snap?.id ?? createdCaseIds.get(entry.index);
        const snap = caseId ? cases.get(caseId) : undefined;
        if (caseId === undefined || entry.plan.attachmentsToFetch.length === 0) {
            continue;
        }
        fetched.set(entry.index, await fetchAttachments(context, live, caseId, snap, entry.plan.attachmentsToFetch));
    }

    // The writes: groups small enough for one Composite request each (Case updates, comments, the
    // twin upsert pair, events: five subrequests), so that a Case's comments and the twin state that
    // remembers them are never split by a crash.
    const now = nowIso(context);
    let group = emptyGroup();
    const flush = async (): Promise<void> => {
        if (group.entries.length === 0) {
            return;
        }
        const current = group;
        group = emptyGroup();
        const result = await org.write({
            updateCases: current.updates,
            createComments: current.comments,
            upsertTwins: current.twins,
            createEvents: current.events
        });
        reportWriteFailures(context, 'incoming change', result.updateCases, result.createComments, result.createEvents);
        current.entries.forEach(({ entry, caseId, state }, i) => {
            const twinOutcome = result.upsertTwins[i];
            if (!twinOutcome.ok) {
                acks[entry.index] = {
                    messageId: entry.message.messageId,
                    status: 'rejected',
                    error: fitError(
                        `The twin could not be saved: ${twinOutcome.errors.map((e) => withoutValue(e.message)).join('; ')}`
                    )
                };
                return;
            }
            context.latestState.set(twinOutcome.id, state);
            const snap = cases.get(caseId);
            acks[entry.index] = {
                messageId: entry.message.messageId,
                status: 'applied',
                ...(snap ? { remoteKey: snap.caseNumber } : {}),
                remoteUrl: caseUrl(context.instanceUrl, caseId)
            };
        });
    };

    for (const entry of ready) {
        const caseId = entry.snap?.id ?? createdCaseIds.get(entry.index);
        if (caseId === undefined) {
            continue;
        }
        const comments = entry.plan.commentsToCreate.map((comment) => ({ caseId, body: comment.body }));
        const updates =
            entry.snap !== undefined && (entry.plan.summary !== undefined || entry.plan.description !== undefined)
                ? 1
                : 0;
        const grown = subrequestsOf({
            updates: group.updates.length + updates,
            comments: group.comments.length + comments.length,
            twins: group.twins.filter((twin) => twin.isNew !== true).length + (entry.twin === undefined ? 0 : 1),
            newTwins: group.twins.filter((twin) => twin.isNew === true).length + (entry.twin === undefined ? 1 : 0),
            events: group.events.length + 1
        });
        if (group.entries.length > 0 && grown > SUBREQUESTS_PER_WRITE) {
            await flush();
        }
        if (entry.snap !== undefined && (entry.plan.summary !== undefined || entry.plan.description !== undefined)) {
            group.updates.push({
                id: caseId,
                ...(entry.plan.summary !== undefined ? { subject: entry.plan.summary } : {}),
                ...(entry.plan.description !== undefined ? { description: entry.plan.description } : {})
            });
        }
        group.comments.push(...comments);
        // Mirrored comments are remembered by their remote id; they are never sent back because the
        // connector's own user wrote them (see case-entity.ts), so their local ids are not needed.
        const state: TwinState = {
            ...entry.state,
            ...stateAfterApplied(
                entry.state,
                {
                    summary: entry.plan.summary ?? entry.snap?.subject ?? '',
                    description: entry.plan.description ?? entry.snap?.description ?? ''
                },
                { summary: entry.replica.summary, description: entry.replica.description },
                entry.plan.commentsToCreate.map((comment) => ({ ...comment, localId: MIRRORED })),
                fetched.get(entry.index) ?? []
            )
        };
        const localKey = cases.get(caseId)?.caseNumber ?? entry.state.localKey;
        const kept: TwinState = { ...state, localKey };
        const notes = entry.plan.notes.length > 0 ? fitError(entry.plan.notes.join(' ')) : null;
        group.twins.push({
            ...(entry.twin === undefined ? { isNew: true } : entry.twin.key ? { key: entry.twin.key } : {}),
            connectionId: connectionRecordId,
            caseId,
            remoteKey: entry.message.twinKey,
            remoteUrl: entry.replica.url === '' ? null : entry.replica.url,
            lastIncomingSeq: entry.message.sequence,
            ...(entry.relink ? { lastOutgoingSeq: 0 } : {}),
            syncStatus: 'Synchronized',
            lastSynced: now,
            lastError: notes,
            syncState: twinStateJson(kept)
        });
        group.events.push({
            connectionId: connectionRecordId,
            caseId,
            direction: 'Incoming',
            stage: 'Synchronized',
            messageId: entry.message.messageId,
            sequence: entry.message.sequence,
            attempts: 1,
            completed: now,
            error: notes
        });
        group.entries.push({ entry, caseId, state: kept });
    }
    await flush();
    await endTwins(context, live, endings, cases, acks);
    return acks.map(
        (ack, index) => ack ?? { messageId: messages[index].messageId, status: 'rejected', error: 'not processed' }
    );
}

/**
 * Ends the twins whose entity the other side deleted or unlinked (1 write; none: no call). The local
 * Case is kept; the twin says why it no longer syncs (Sync_Status__c "Remote deleted" or "Unlinked",
 * and the notice as Last Error), and an Incoming event in the error list carries the notice, where
 * the admin looks for what went wrong (its Retry syncs the Case again as a new twin).
 */
async function endTwins(
    context: EngineContext,
    live: LiveConnection,
    endings: readonly { message: SyncMessage; twin: SyncTwin; state: TwinState; index: number }[],
    cases: ReadonlyMap<string, CaseSnapshot>,
    acks: (Ack | undefined)[]
): Promise<void> {
    if (endings.length === 0) {
        return;
    }
    const now = nowIso(context);
    const twinUpdates: TwinUpdate[] = [];
    const events: EventCreate[] = [];
    for (const { message, twin, state } of endings) {
        const kind = message.kind === 'unlink' ? 'unlink' : 'entity-deleted';
        const notice = endingNotice(kind, live, message.twinKey, twin.caseId, message.sentAt);
        const ended: TwinState = {
            ...state,
            ended: { reason: kind === 'unlink' ? 'remote-unlinked' : 'remote-deleted', at: message.sentAt }
        };
        twinUpdates.push({
            id: twin.id,
            syncStatus: kind === 'unlink' ? 'Unlinked' : 'Remote deleted',
            lastError: notice,
            lastIncomingSeq: message.sequence,
            syncState: twinStateJson(ended)
        });
        events.push({
            connectionId: live.record.id,
            twinId: twin.id,
            caseId: twin.caseId,
            direction: 'Incoming',
            stage: 'Failed',
            messageId: message.messageId,
            sequence: message.sequence,
            attempts: 1,
            completed: now,
            error: notice
        });
        context.latestState.set(twin.id, ended);
        context.log({
            level: 'warn',
            event: kind === 'unlink' ? 'remote-unlinked' : 'remote-deleted',
            message: notice,
            connectionId: live.id,
            ...(twin.caseId !== null ? { caseId: twin.caseId } : {})
        });
    }
    const result = await context.org.write({ updateTwins: twinUpdates, createEvents: events });
    reportWriteFailures(context, 'ended twin', result.createEvents);
    endings.forEach(({ message, twin, index }, position) => {
        const outcome = result.updateTwins[position];
        if (!outcome.ok) {
            context.latestState.delete(twin.id);
            acks[index] = {
                messageId: message.messageId,
                status: 'rejected',
                error: fitError(
                    `The twin could not be ended: ${outcome.errors.map((e) => withoutValue(e.message)).join('; ')}`
                )
            };
            return;
        }
        const snap = twin.caseId === null ? undefined : cases.get(twin.caseId);
        acks[index] = {
            messageId: message.messageId,
            status: 'applied',
            ...(snap ? { remoteKey: snap.caseNumber, remoteUrl: caseUrl(context.instanceUrl, snap.id) } : {})
        };
    });
}

interface WriteGroup {
    readonly updates: CaseUpdate[];
    readonly comments: CommentCreate[];
    readonly twins: TwinUpsert[];
    readonly events: EventCreate[];
    readonly entries: { entry: Decided; caseId: string; state: TwinState }[];
}

function emptyGroup(): WriteGroup {
    return { updates: [], comments: [], twins: [], events: [], entries: [] };
}

/** Fetches attachments and adds them to the Case, skipping bytes the Case already has (by MD5). */
async function fetchAttachments(
    context: EngineContext,
    live: LiveConnection,
    caseId: string,
    snap: CaseSnapshot | undefined,
    files: readonly ReplicaAttachment[]
): Promise<{ remoteId: string; localId: string }[]> {
    const done: { remoteId: string; localId: string }[] = [];
    const existing = new Map((snap?.files ?? []).map((file) => [file.checksum, file.contentVersionId]));
    for (const file of files) {
        try {
            let bytes = await context.attachments.read(file.sha256);
            if (bytes === undefined) {
                if (live.remote === undefined) {
                    throw new Error('the bytes were not pushed and the other node has no URL to fetch them from');
                }
                const download = await live.remote.getAttachment(file.sha256);
                const chunks: Buffer[] = [];
                for await (const chunk of download.stream) {
                    chunks.push(Buffer.from(chunk));
                }
                bytes = Buffer.concat(chunks);
            }
            const already = existing.get(md5Hex(bytes));
            if (already) {
                done.push({ remoteId: file.id, localId: already });
                continue;
            }
            const uploaded = await context.org.uploadFile({ caseId, fileName: file.name, bytes });
            done.push({ remoteId: file.id, localId: uploaded.contentVersionId });
            await context.attachments.discard(file.sha256);
        } catch (error) {
            context.log({
                level: 'warn',
                event: 'attachment-failed',
                message: `Attachment ${file.name} could not be added to the Case: ${errorText(error)}`,
                connectionId: live.id,
                caseId
            });
        }
    }
    return done;
}
