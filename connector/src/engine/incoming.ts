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
import { caseUrl, toLocalEntity } from './case-entity.ts';
import { errorText, nowIso } from './context.ts';
import type { EngineContext } from './context.ts';
import type { LiveConnection } from './connections.ts';
import { reportWriteFailures } from './outgoing.ts';
import { EMPTY_TWIN_STATE, readTwinState, twinStateJson } from './twin-state.ts';
import type { TwinState } from './twin-state.ts';
import type { Ack, Replica, ReplicaAttachment, SyncMessage } from '../protocol/messages.ts';
import type {
    CaseSnapshot,
    CommentCreate,
    EventCreate,
    SyncTwin,
    TwinUpsert,
    CaseUpdate
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

/** Applies a batch of messages from the other node of `live` (call inside the lane): one ack each. */
export async function applyMessages(
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
    const first = await org.readSnapshot({
        twins: { connectionId: connectionRecordId, remoteKeys: [...new Set(messages.map((m) => m.twinKey))] },
        messageIds: messages.map((m) => m.messageId)
    });
    const twinsByKey = new Map<string, SyncTwin>();
    for (const twin of first.twins) {
        if (twin.remoteKey !== null) {
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

    messages.forEach((message, index) => {
        const twin = twinsByKey.get(message.twinKey);
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
        const last = lastSeq.get(message.twinKey) ?? twin?.lastIncomingSeq ?? 0;
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
        if (message.kind !== 'entity-upsert' || message.replica === undefined) {
            lastSeq.set(message.twinKey, message.sequence);
            acks[index] = { messageId: message.messageId, status: 'applied' };
            context.log({
                level: 'info',
                event: 'remote-unlinked',
                message: `${live.record.remoteInstanceName ?? 'The other side'} ended the sync of ${message.twinKey} (${message.kind}); the local Case is kept.`,
                connectionId: live.id
            });
            return;
        }
        const state = twin ? (context.latestState.get(twin.id) ?? readTwinState(twin.syncState)) : EMPTY_TWIN_STATE;
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
        decided.push({ message, replica: message.replica, twin, snap, state, plan, index });
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
                    error: `The twin could not be saved: ${twinOutcome.errors.map((e) => e.message).join('; ')}`
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
        const notes = entry.plan.notes.length > 0 ? entry.plan.notes.join(' ') : null;
        group.twins.push({
            ...(entry.twin === undefined ? { isNew: true } : entry.twin.key ? { key: entry.twin.key } : {}),
            connectionId: connectionRecordId,
            caseId,
            remoteKey: entry.message.twinKey,
            remoteUrl: entry.replica.url === '' ? null : entry.replica.url,
            lastIncomingSeq: entry.message.sequence,
            syncStatus: 'Synchronized',
            lastSynced: now,
            lastError: notes,
            syncState: twinStateJson(state)
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
        group.entries.push({ entry, caseId, state });
    }
    await flush();
    return acks.map(
        (ack, index) => ack ?? { messageId: messages[index].messageId, status: 'rejected', error: 'not processed' }
    );
}

/** What the state remembers for a comment mirrored from the other side (its local id is not needed). */
const MIRRORED = 'mirrored';

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
