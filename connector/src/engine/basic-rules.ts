// The Basic-mode sync rules, as pure functions: what a local Case looks like to the other side
// (the outgoing replica), and what an incoming replica changes on the local Case. No I/O here:
// adapters read and write; these functions decide.
//
// Basic mode syncs the summary (Case Subject / incident short_description), the description,
// public comments and attachments. Rules stated once, here:
// - A field is applied from the other side only when the other side changed it since the last
//   synced state. When both sides changed the same field since then, the later change wins (the
//   remote change's sentAt against the local LastModified time); the decision is recorded.
// - Comments and attachments are only ever added, once: each is remembered with its id on both
//   sides, and comments that came from the other side are never sent back to it.
// - Text longer than the local field allows is never rejected: a summary is cut and ends with "…",
//   the full text is kept at the top of the description; a description is cut with a note naming
//   how much is missing; a long comment is split into numbered parts.
import type { Replica, ReplicaAttachment, ReplicaComment } from '../protocol/messages.ts';

/** Field sizes of the local side (Salesforce: Subject 255, Description 32,000, CommentBody 4,000). */
export interface FieldLimits {
    readonly summary: number;
    readonly description: number;
    readonly comment: number;
}

export const SALESFORCE_CASE_LIMITS: FieldLimits = { summary: 255, description: 32000, comment: 4000 };

/** A comment of the local entity, as the org adapter reads it (public comments only). */
export interface LocalComment {
    readonly id: string;
    readonly author: string;
    readonly createdAt: string;
    readonly body: string;
}

/** A file of the local entity. */
export interface LocalAttachment {
    readonly id: string;
    readonly name: string;
    readonly contentType: string;
    readonly size: number;
    readonly sha256: string;
}

/** The local entity (a Case) as the org adapter reads it. */
export interface LocalEntity {
    readonly id: string;
    readonly key: string;
    readonly url: string;
    readonly summary: string;
    readonly description: string;
    /** When the entity itself was last changed by someone other than the connector, ISO 8601. */
    readonly modifiedAt: string;
    readonly comments: readonly LocalComment[];
    readonly attachments: readonly LocalAttachment[];
}

/**
 * What both sides last agreed on, kept per twin (Sync_State__c for Salesforce). Comment and
 * attachment pairs are kept in both directions: `sent` (local id -> acknowledged by the other side)
 * and `received` (remote id -> local id created for it).
 */
export interface SyncedState {
    /** The summary and description as the local fields hold them after the last sync. */
    readonly summary: string | null;
    readonly description: string | null;
    /**
     * The summary and description as the other side holds them after the last sync. They differ
     * from the local ones when a text had to be cut to fit here; comparing incoming text with these
     * keeps a cut text from being written again on every sync.
     */
    readonly remoteSummary: string | null;
    readonly remoteDescription: string | null;
    readonly sentComments: readonly string[];
    readonly receivedComments: Readonly<Record<string, string>>;
    readonly sentAttachments: readonly string[];
    readonly receivedAttachments: Readonly<Record<string, string>>;
}

export const EMPTY_STATE: SyncedState = {
    summary: null,
    description: null,
    remoteSummary: null,
    remoteDescription: null,
    sentComments: [],
    receivedComments: {},
    sentAttachments: [],
    receivedAttachments: {}
};

/**
 * The outgoing replica of a local entity: its fields, and only the comments and attachments that
 * started on this side and the other side has not acknowledged yet (never the mirrored ones: no echo).
 */
export function outgoingReplica(entity: LocalEntity, state: SyncedState): Replica {
    const mirroredComments = new Set(Object.values(state.receivedComments));
    const sentComments = new Set(state.sentComments);
    const mirroredAttachments = new Set(Object.values(state.receivedAttachments));
    const sentAttachments = new Set(state.sentAttachments);
    const comments: ReplicaComment[] = entity.comments
        .filter((comment) => !mirroredComments.has(comment.id) && !sentComments.has(comment.id))
        .map(({ id, author, createdAt, body }) => ({ id, author, createdAt, body }));
    const attachments: ReplicaAttachment[] = entity.attachments
        .filter((file) => !mirroredAttachments.has(file.id) && !sentAttachments.has(file.id))
        .map(({ id, name, contentType, size, sha256 }) => ({ id, name, contentType, size, sha256 }));
    return {
        key: entity.key,
        url: entity.url,
        summary: entity.summary,
        description: entity.description,
        comments,
        attachments
    };
}

/**
 * Sync_Event__c.Payload__c, where a message waits for its ack, holds 131,072 characters: a message's
 * JSON must never be longer, or the event cannot be saved and the change never leaves.
 */
export const PAYLOAD_FIELD_CHARS = 131_072;

/**
 * Room kept free in the payload field besides the envelope (ids, key, dates): 2,048 characters, so
 * that a later optional member of a message cannot push a full replica over the field's size.
 */
export const PAYLOAD_MARGIN_CHARS = 2_048;

/** Length of a value as JSON (escapes included: a quote or a line break takes two characters). */
function jsonLength(value: unknown): number {
    return JSON.stringify(value).length;
}

/**
 * The outgoing replica cut into replicas whose JSON each fits `maxReplicaChars` characters: every
 * one carries the summary and description (a replica is the full state), and the new attachments,
 * then the new comments, oldest first, are given to the first replica with room for them. The
 * following replicas go as the twin's following messages, so the other side receives every comment
 * once and in order. One replica when everything fits (the usual case); never an empty list.
 *
 * A single comment or attachment too large for a replica of its own still gets one: the caller
 * checks the message's size and reports it rather than loop. A Salesforce comment (4,000 characters)
 * or description (32,000) never comes near that unless nearly every character needs a JSON escape.
 */
export function outgoingReplicas(entity: LocalEntity, state: SyncedState, maxReplicaChars: number): Replica[] {
    const whole = outgoingReplica(entity, state);
    const base = jsonLength({ ...whole, comments: [], attachments: [] });
    const replicas: { comments: ReplicaComment[]; attachments: ReplicaAttachment[]; size: number }[] = [];
    const place = (size: number): { comments: ReplicaComment[]; attachments: ReplicaAttachment[]; size: number } => {
        // One character more per item: the comma that separates it from the one before.
        let current = replicas[replicas.length - 1];
        if (current === undefined || current.size + size + 1 > maxReplicaChars) {
            if (current !== undefined && current.comments.length + current.attachments.length === 0) {
                current.size += size + 1;
                return current;
            }
            current = { comments: [], attachments: [], size: base };
            replicas.push(current);
        }
        current.size += size + 1;
        return current;
    };
    for (const file of whole.attachments) {
        place(jsonLength(file)).attachments.push(file);
    }
    for (const comment of [...whole.comments].sort(oldestFirst)) {
        place(jsonLength(comment)).comments.push(comment);
    }
    if (replicas.length <= 1) {
        return [{ ...whole, comments: replicas[0]?.comments ?? [], attachments: replicas[0]?.attachments ?? [] }];
    }
    return replicas.map(({ comments, attachments }) => ({ ...whole, comments, attachments }));
}

/** Comments in the order they were written (ids break ties: Salesforce ids grow with time). */
function oldestFirst(a: ReplicaComment, b: ReplicaComment): number {
    const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
    if (byTime !== 0 && !Number.isNaN(byTime)) {
        return byTime;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** True when the local entity has something the other side has not seen. */
export function hasOutgoingChange(entity: LocalEntity, state: SyncedState): boolean {
    const replica = outgoingReplica(entity, state);
    return (
        state.summary !== entity.summary ||
        state.description !== entity.description ||
        replica.comments.length > 0 ||
        replica.attachments.length > 0
    );
}

/** The state once the other side acknowledged a replica built by `outgoingReplica`. */
export function stateAfterAcknowledged(state: SyncedState, sent: Replica): SyncedState {
    return {
        ...state,
        summary: sent.summary,
        description: sent.description,
        remoteSummary: sent.summary,
        remoteDescription: sent.description,
        sentComments: [...state.sentComments, ...sent.comments.map((comment) => comment.id)],
        sentAttachments: [...state.sentAttachments, ...sent.attachments.map((file) => file.id)]
    };
}

/** A field decision, kept with the sync event so an admin can see why a value won. */
export interface FieldDecision {
    readonly field: 'summary' | 'description';
    readonly outcome: 'applied' | 'kept-local' | 'unchanged';
    readonly reason: string;
}

/** A comment to create locally for a remote one (possibly one part of a split comment). */
export interface CommentToCreate {
    readonly remoteId: string;
    /** 1 for a comment that fits, 1..n for the parts of a split one. */
    readonly part: number;
    readonly body: string;
}

/** What applying an incoming replica does to the local entity. */
export interface IncomingPlan {
    /** New field values to write; absent when the field stays as it is. */
    readonly summary?: string;
    readonly description?: string;
    readonly decisions: readonly FieldDecision[];
    readonly commentsToCreate: readonly CommentToCreate[];
    readonly attachmentsToFetch: readonly ReplicaAttachment[];
    /** Notes for the admin: what was cut or split, and why. */
    readonly notes: readonly string[];
}

export interface IncomingContext {
    /** Name of the remote instance, used to name the author of mirrored comments. */
    readonly remoteInstance: string;
    /** When the remote side sent the replica, ISO 8601. */
    readonly sentAt: string;
    readonly limits: FieldLimits;
}

const ELLIPSIS = '…';

/** Cuts text to a field's size, ending with "…" when anything was cut. */
export function fitToField(text: string, limit: number): { text: string; cut: number } {
    if (text.length <= limit) {
        return { text, cut: 0 };
    }
    return { text: text.slice(0, limit - ELLIPSIS.length) + ELLIPSIS, cut: text.length - (limit - ELLIPSIS.length) };
}

/** Splits a long comment into numbered parts that each fit the comment field. */
export function splitComment(body: string, limit: number): string[] {
    if (body.length <= limit) {
        return [body];
    }
    // Room for the "(part 12/34) " prefix, generous enough for any realistic count.
    const prefixRoom = 24;
    const size = limit - prefixRoom;
    const chunks: string[] = [];
    for (let start = 0; start < body.length; start += size) {
        chunks.push(body.slice(start, start + size));
    }
    return chunks.map((chunk, index) => `(part ${index + 1}/${chunks.length}) ${chunk}`);
}

function decideField(
    field: 'summary' | 'description',
    incoming: string,
    local: string,
    agreedLocal: string | null,
    agreedRemote: string | null,
    localModifiedAt: string,
    remoteSentAt: string
): FieldDecision {
    if (incoming === local) {
        return { field, outcome: 'unchanged', reason: 'both sides already agree' };
    }
    if ((agreedRemote ?? agreedLocal) !== null && incoming === (agreedRemote ?? agreedLocal)) {
        return { field, outcome: 'unchanged', reason: 'not changed on the remote side since the last sync' };
    }
    const localChanged = agreedLocal !== null && local !== agreedLocal;
    if (!localChanged) {
        return { field, outcome: 'applied', reason: 'changed on the remote side' };
    }
    if (Date.parse(localModifiedAt) > Date.parse(remoteSentAt)) {
        return {
            field,
            outcome: 'kept-local',
            reason: `changed on both sides; the local change (${localModifiedAt}) is later than the remote one (${remoteSentAt})`
        };
    }
    return {
        field,
        outcome: 'applied',
        reason: `changed on both sides; the remote change (${remoteSentAt}) is later than the local one (${localModifiedAt})`
    };
}

/** Decides what an incoming replica changes on the local entity (`local` absent: a new entity). */
export function planIncoming(
    replica: Replica,
    local: LocalEntity | undefined,
    state: SyncedState,
    context: IncomingContext
): IncomingPlan {
    const notes: string[] = [];
    const decisions: FieldDecision[] = [];
    let summary: string | undefined;
    let description: string | undefined;

    const summaryDecision = local
        ? decideField(
              'summary',
              replica.summary,
              local.summary,
              state.summary,
              state.remoteSummary,
              local.modifiedAt,
              context.sentAt
          )
        : { field: 'summary' as const, outcome: 'applied' as const, reason: 'new entity' };
    const descriptionDecision = local
        ? decideField(
              'description',
              replica.description,
              local.description,
              state.description,
              state.remoteDescription,
              local.modifiedAt,
              context.sentAt
          )
        : { field: 'description' as const, outcome: 'applied' as const, reason: 'new entity' };
    decisions.push(summaryDecision, descriptionDecision);

    let fullSummaryPrefix = '';
    if (summaryDecision.outcome === 'applied') {
        const fitted = fitToField(replica.summary, context.limits.summary);
        summary = fitted.text;
        if (fitted.cut > 0) {
            notes.push(
                `The summary has ${replica.summary.length} characters, more than the ${context.limits.summary} the field holds: it was cut and the full text starts the description.`
            );
            fullSummaryPrefix = `${replica.summary}\n\n`;
        }
    }
    if (descriptionDecision.outcome === 'applied' || fullSummaryPrefix) {
        const source =
            descriptionDecision.outcome === 'applied'
                ? replica.description
                : (local?.description ?? replica.description);
        const full = fullSummaryPrefix + source;
        const fitted = fitToField(full, context.limits.description);
        description = fitted.text;
        if (fitted.cut > 0) {
            notes.push(
                `The description has ${full.length} characters, more than the ${context.limits.description} the field holds: the last ${fitted.cut} characters are on ${replica.key} only.`
            );
        }
    }

    const commentsToCreate: CommentToCreate[] = [];
    const split: string[] = [];
    for (const comment of replica.comments) {
        if (state.receivedComments[comment.id] !== undefined) {
            continue;
        }
        const body = `${comment.author} (${context.remoteInstance}) wrote on ${comment.createdAt}:\n\n${comment.body}`;
        const parts = splitComment(body, context.limits.comment);
        if (parts.length > 1) {
            split.push(`A comment of ${comment.author} was split into ${parts.length} parts to fit the comment field.`);
        }
        parts.forEach((part, index) => commentsToCreate.push({ remoteId: comment.id, part: index + 1, body: part }));
    }
    // One note for many split comments: a note per comment would outgrow the field that shows it.
    if (split.length === 1) {
        notes.push(split[0]);
    } else if (split.length > 1) {
        notes.push(`${split.length} comments were split into parts to fit the comment field.`);
    }

    const knownHashes = new Set((local?.attachments ?? []).map((file) => file.sha256));
    const attachmentsToFetch = replica.attachments.filter(
        (file) => state.receivedAttachments[file.id] === undefined && !knownHashes.has(file.sha256)
    );

    return {
        ...(summary !== undefined ? { summary } : {}),
        ...(description !== undefined ? { description } : {}),
        decisions,
        commentsToCreate,
        attachmentsToFetch,
        notes
    };
}

/** Key under which a created comment part is remembered: the remote id, then `#2`, `#3`... */
function receivedCommentKey(remoteId: string, part: number): string {
    return part === 1 ? remoteId : `${remoteId}#${part}`;
}

/**
 * The state after an incoming plan was applied: the agreed values are what the local fields hold
 * now and what the other side sent, and every created comment (each part of a split one, so that
 * none is ever sent back) and fetched attachment is remembered by its remote id.
 */
export function stateAfterApplied(
    state: SyncedState,
    local: { summary: string; description: string },
    received: { summary: string; description: string },
    createdComments: readonly { remoteId: string; part: number; localId: string }[],
    fetchedAttachments: readonly { remoteId: string; localId: string }[]
): SyncedState {
    const receivedComments = { ...state.receivedComments };
    for (const created of createdComments) {
        receivedComments[receivedCommentKey(created.remoteId, created.part)] = created.localId;
    }
    const receivedAttachments = { ...state.receivedAttachments };
    for (const fetched of fetchedAttachments) {
        receivedAttachments[fetched.remoteId] = fetched.localId;
    }
    return {
        ...state,
        summary: local.summary,
        description: local.description,
        remoteSummary: received.summary,
        remoteDescription: received.description,
        receivedComments,
        receivedAttachments
    };
}
