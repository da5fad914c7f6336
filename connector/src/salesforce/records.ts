// How the package's records are read: for each object, the SELECT list (qualified for the org's
// namespace) and the conversion of a REST row into the plain types of types.ts. A query and the code
// that reads its rows use the same field names, so they live side by side here.
import type { ApiNames } from './names.ts';
import type { Row } from './queries.ts';
import type {
    CaseCommentSnapshot,
    CaseFile,
    CaseSnapshot,
    ChangeSignal,
    IsoDateTime,
    JsonValue,
    QueuedEvent,
    SignalKind,
    SyncConnection,
    SyncStage,
    SyncTrigger,
    SyncTwin
} from './types.ts';

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's value through a relationship path (`CreatedBy.Name`); undefined when any step is missing. */
function valueAt(row: Row, path: string): unknown {
    let current: unknown = row;
    for (const step of path.split('.')) {
        if (!isObject(current)) {
            return undefined;
        }
        current = current[step];
    }
    return current;
}

function text(row: Row, path: string): string | null {
    const value = valueAt(row, path);
    return typeof value === 'string' ? value : null;
}

function requiredText(row: Row, path: string): string {
    return text(row, path) ?? '';
}

function num(row: Row, path: string): number | null {
    const value = valueAt(row, path);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function bool(row: Row, path: string): boolean {
    return valueAt(row, path) === true;
}

/** `2026-11-21T13:45:12.000+0000` (the REST API's form) → `2026-11-21T13:45:12.000Z`. */
export function isoDateTime(value: unknown): IsoDateTime | null {
    if (typeof value !== 'string' || value === '') {
        return null;
    }
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function dateTime(row: Row, path: string): IsoDateTime | null {
    return isoDateTime(valueAt(row, path));
}

/** The rows of a child subquery (`null` when it has none). */
function childRows(row: Row, relationship: string): Row[] {
    const value = row[relationship];
    if (!isObject(value) || !Array.isArray(value.records)) {
        return [];
    }
    return value.records.filter(isObject);
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
    return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

const STAGES: readonly SyncStage[] = [
    'Preparing',
    'Sending',
    'Waiting for remote',
    'Finalizing',
    'Synchronized',
    'Failed'
];
const SIGNAL_KINDS: readonly SignalKind[] = ['Case', 'Comment', 'File', 'Deleted'];

// ---------------------------------------------------------------------------------------------
// Sync_Signal__c

/** SELECT list of a change signal. */
export function signalFields(n: ApiNames): string[] {
    const s = n.signal;
    return ['Id', s.case, s.caseRef, s.kind, s.recordRef, s.underSync, 'CreatedDate'];
}

/** A Sync_Signal__c row as a ChangeSignal (the Case id from Case_Ref__c, which survives deletion). */
export function toSignal(row: Row, n: ApiNames): ChangeSignal {
    const s = n.signal;
    return {
        id: requiredText(row, 'Id'),
        caseId: text(row, s.caseRef) ?? requiredText(row, s.case),
        kind: oneOf(text(row, s.kind), SIGNAL_KINDS) ?? 'Case',
        recordId: text(row, s.recordRef),
        underSync: bool(row, s.underSync),
        createdAt: dateTime(row, 'CreatedDate') ?? ''
    };
}

// ---------------------------------------------------------------------------------------------
// Sync_Event__c

/** SELECT list of a queue entry. */
export function eventFields(n: ApiNames): string[] {
    const e = n.event;
    return [
        'Id',
        'Name',
        e.connection,
        e.twin,
        e.case,
        e.direction,
        e.stage,
        e.attempts,
        e.nextAttempt,
        e.error,
        e.messageId,
        e.sequence,
        e.payload,
        e.requestedBy,
        'CreatedDate'
    ];
}

/** A Sync_Event__c row as a QueuedEvent. */
export function toEvent(row: Row, n: ApiNames): QueuedEvent {
    const e = n.event;
    return {
        id: requiredText(row, 'Id'),
        name: requiredText(row, 'Name'),
        connectionId: text(row, e.connection),
        twinId: text(row, e.twin),
        caseId: text(row, e.case),
        direction: oneOf(text(row, e.direction), ['Outgoing', 'Incoming'] as const),
        stage: oneOf(text(row, e.stage), STAGES),
        attempts: num(row, e.attempts) ?? 0,
        nextAttempt: dateTime(row, e.nextAttempt),
        error: text(row, e.error),
        messageId: text(row, e.messageId),
        sequence: num(row, e.sequence),
        payload: text(row, e.payload),
        requestedById: text(row, e.requestedBy),
        createdAt: dateTime(row, 'CreatedDate') ?? ''
    };
}

// ---------------------------------------------------------------------------------------------
// Sync_Connection__c and Sync_Trigger__c

function triggerFields(n: ApiNames): string[] {
    const t = n.trigger;
    return ['Id', t.connection, t.filter, t.active, t.notes, t.bulkRequested, t.bulkCompleted];
}

/** SELECT list of a connection, with its triggers as a child subquery. */
export function connectionFields(n: ApiNames): string[] {
    const c = n.connection;
    return [
        'Id',
        'Name',
        c.localInstanceName,
        c.remoteInstanceName,
        c.description,
        c.type,
        c.mode,
        c.status,
        c.role,
        c.remotePlatform,
        c.remoteNodeUrl,
        c.invitationId,
        c.invitationExpires,
        c.acceptedBy,
        c.acceptedAt,
        c.statusDetail,
        c.syncedCaseCount,
        `(SELECT ${triggerFields(n).join(', ')} FROM ${n.relationships.triggersOfConnection} ORDER BY CreatedDate ASC, Id ASC)`
    ];
}

function toTrigger(row: Row, n: ApiNames): SyncTrigger {
    const t = n.trigger;
    return {
        id: requiredText(row, 'Id'),
        connectionId: requiredText(row, t.connection),
        filter: requiredText(row, t.filter),
        active: bool(row, t.active),
        notes: text(row, t.notes),
        bulkRequested: dateTime(row, t.bulkRequested),
        bulkCompleted: dateTime(row, t.bulkCompleted)
    };
}

/** A Sync_Connection__c row, with its Triggers__r subquery, as a SyncConnection. */
export function toConnection(row: Row, n: ApiNames): SyncConnection {
    const c = n.connection;
    return {
        id: requiredText(row, 'Id'),
        name: requiredText(row, 'Name'),
        localInstanceName: text(row, c.localInstanceName),
        remoteInstanceName: text(row, c.remoteInstanceName),
        description: text(row, c.description),
        type: oneOf(text(row, c.type), ['Public', 'Private', 'Local'] as const),
        mode: oneOf(text(row, c.mode), ['Basic'] as const),
        status: oneOf(text(row, c.status), ['Pending', 'Active', 'Deactivated', 'Error'] as const),
        role: oneOf(text(row, c.role), ['Initiator', 'Acceptor'] as const),
        remotePlatform: oneOf(text(row, c.remotePlatform), ['Salesforce', 'ServiceNow'] as const),
        remoteNodeUrl: text(row, c.remoteNodeUrl),
        invitationId: text(row, c.invitationId),
        invitationExpires: dateTime(row, c.invitationExpires),
        acceptedBy: text(row, c.acceptedBy),
        acceptedAt: dateTime(row, c.acceptedAt),
        statusDetail: text(row, c.statusDetail),
        syncedCaseCount: num(row, c.syncedCaseCount) ?? 0,
        triggers: childRows(row, n.relationships.triggersOfConnection).map((trigger) => toTrigger(trigger, n))
    };
}

// ---------------------------------------------------------------------------------------------
// Sync_Twin__c

/** SELECT list of a twin. */
export function twinFields(n: ApiNames): string[] {
    const t = n.twin;
    return [
        'Id',
        'Name',
        t.connection,
        t.case,
        t.key,
        t.remoteKey,
        t.remoteId,
        t.remoteUrl,
        t.syncStatus,
        t.lastSynced,
        t.lastError,
        t.lastOutgoingSeq,
        t.lastIncomingSeq,
        t.echoModstamp,
        t.syncState,
        'SystemModstamp'
    ];
}

/** Sync_State__c as JSON: blank is null; unreadable JSON is null with the reason. */
function parseSyncState(raw: string | null): { syncState: JsonValue | null; syncStateError?: string } {
    if (raw === null || raw.trim() === '') {
        return { syncState: null };
    }
    try {
        return { syncState: JSON.parse(raw) as JsonValue };
    } catch (error) {
        return {
            syncState: null,
            syncStateError: `Sync_State__c is not valid JSON: ${error instanceof Error ? error.message : String(error)}`
        };
    }
}

/** A Sync_Twin__c row as a SyncTwin (Sync_State__c parsed). */
export function toTwin(row: Row, n: ApiNames): SyncTwin {
    const t = n.twin;
    return {
        id: requiredText(row, 'Id'),
        name: requiredText(row, 'Name'),
        connectionId: requiredText(row, t.connection),
        caseId: text(row, t.case),
        key: text(row, t.key),
        remoteKey: text(row, t.remoteKey),
        remoteId: text(row, t.remoteId),
        remoteUrl: text(row, t.remoteUrl),
        syncStatus: oneOf(text(row, t.syncStatus), STAGES),
        lastSynced: dateTime(row, t.lastSynced),
        lastError: text(row, t.lastError),
        lastOutgoingSeq: num(row, t.lastOutgoingSeq),
        lastIncomingSeq: num(row, t.lastIncomingSeq),
        echoModstamp: dateTime(row, t.echoModstamp),
        ...parseSyncState(text(row, t.syncState)),
        systemModstamp: dateTime(row, 'SystemModstamp') ?? ''
    };
}

// ---------------------------------------------------------------------------------------------
// Case, its public comments and its files

/**
 * SELECT list of a Case with its public comments (oldest first) and its file links, each link with
 * its document's latest version: one query reads everything a sync needs of a Case.
 */
export function caseFields(): string[] {
    return [
        'Id',
        'CaseNumber',
        'Subject',
        'Description',
        'SystemModstamp',
        'LastModifiedById',
        '(SELECT Id, CommentBody, CreatedById, CreatedBy.Name, CreatedDate FROM CaseComments WHERE IsPublished = true ORDER BY CreatedDate ASC, Id ASC)',
        '(SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.FileExtension, ContentDocument.ContentSize, ContentDocument.LatestPublishedVersionId, ContentDocument.LatestPublishedVersion.Checksum FROM ContentDocumentLinks)'
    ];
}

function toComment(row: Row): CaseCommentSnapshot {
    return {
        id: requiredText(row, 'Id'),
        body: requiredText(row, 'CommentBody'),
        authorId: text(row, 'CreatedById'),
        authorName: text(row, 'CreatedBy.Name'),
        createdAt: dateTime(row, 'CreatedDate') ?? ''
    };
}

function toFile(row: Row): CaseFile {
    return {
        contentDocumentId: requiredText(row, 'ContentDocumentId'),
        contentVersionId: text(row, 'ContentDocument.LatestPublishedVersionId'),
        title: text(row, 'ContentDocument.Title'),
        fileExtension: text(row, 'ContentDocument.FileExtension'),
        size: num(row, 'ContentDocument.ContentSize'),
        checksum: text(row, 'ContentDocument.LatestPublishedVersion.Checksum')
    };
}

/** A Case row with its CaseComments and ContentDocumentLinks subqueries as a CaseSnapshot. */
export function toCase(row: Row): CaseSnapshot {
    return {
        id: requiredText(row, 'Id'),
        caseNumber: requiredText(row, 'CaseNumber'),
        subject: text(row, 'Subject'),
        description: text(row, 'Description'),
        systemModstamp: dateTime(row, 'SystemModstamp') ?? '',
        lastModifiedById: text(row, 'LastModifiedById'),
        comments: childRows(row, 'CaseComments').map(toComment),
        files: childRows(row, 'ContentDocumentLinks').map(toFile)
    };
}
