// The plain data the Salesforce adapter reads and writes. The sync engine works with these types
// only: no jsforce type, no API name and no namespace appears here. Datetimes are ISO 8601 strings
// in UTC (`2026-11-21T13:45:12.000Z`); ids are 18-character Salesforce ids.
import type { RecordError } from './errors.ts';

/** One error Salesforce reported for a record (re-exported: it is part of WriteOutcome). */
export type { RecordError } from './errors.ts';

/** An ISO 8601 datetime in UTC, e.g. `2026-11-21T13:45:12.000Z`. */
export type IsoDateTime = string;

/** A JSON value (Sync_State__c holds one). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Stage of a sync (Sync_Twin__c.Sync_Status__c and Sync_Event__c.Stage__c). */
export type SyncStage = 'Preparing' | 'Sending' | 'Waiting for remote' | 'Finalizing' | 'Synchronized' | 'Failed';

/**
 * A twin's Sync_Status__c: the stage of its latest sync, or why it no longer syncs (the other side
 * deleted its entity, or the sync was ended: the other side unlinked it, or its Case was deleted here).
 */
export type TwinStatus = SyncStage | 'Remote deleted' | 'Unlinked';

/** What a change signal is about (Sync_Signal__c.Kind__c). */
export type SignalKind = 'Case' | 'Comment' | 'File' | 'Deleted';

/** A change signal: a row of the outbox the package's triggers write. */
export interface ChangeSignal {
    readonly id: string;
    /** The Case that changed (kept as text, so it survives the Case's deletion). */
    readonly caseId: string;
    readonly kind: SignalKind;
    /** The changed record: the Case, the CaseComment or the ContentDocument. */
    readonly recordId: string | null;
    /** The Case had a twin when the signal was recorded; otherwise trigger filters decide. */
    readonly underSync: boolean;
    readonly createdAt: IsoDateTime;
}

/** A queued sync (Sync_Event__c) that is due. */
export interface QueuedEvent {
    readonly id: string;
    /** The auto-number, e.g. `EV-00000042`. */
    readonly name: string;
    readonly connectionId: string | null;
    readonly twinId: string | null;
    readonly caseId: string | null;
    readonly direction: 'Outgoing' | 'Incoming' | null;
    readonly stage: SyncStage | null;
    readonly attempts: number;
    readonly nextAttempt: IsoDateTime | null;
    readonly error: string | null;
    readonly messageId: string | null;
    readonly sequence: number | null;
    /** Incoming message body, kept until it is applied. */
    readonly payload: string | null;
    /** The user who asked for this sync (urgent work); null for trigger and change syncs. */
    readonly requestedById: string | null;
    readonly createdAt: IsoDateTime;
}

/** What readWork answers: outbox rows oldest first, and the due queue entries. */
export interface Work {
    readonly signals: ChangeSignal[];
    readonly dueEvents: QueuedEvent[];
    /** Cases under sync changed since the reconciliation watermark, when readWork was asked for them. */
    readonly changed?: ChangedCases;
}

/**
 * What the reconciliation read found: Cases under sync whose record, public comments or files
 * changed after the watermark (SystemModstamp), whatever the change signals say.
 */
export interface ChangedCases {
    readonly caseIds: string[];
    /** The newest SystemModstamp read for each Case (of the Case, a comment or a file link). */
    readonly modstamps: Readonly<Record<string, IsoDateTime>>;
    /**
     * When a query returned as many rows as it may, the SystemModstamp up to which every change was
     * read (the next reconciliation starts there); null when everything since the watermark was read.
     */
    readonly readUntil: IsoDateTime | null;
}

/** A Sync_Trigger__c: Cases matching the filter come under sync on the connection. */
export interface SyncTrigger {
    readonly id: string;
    readonly connectionId: string;
    /** A SOQL condition over Case, e.g. `Priority = 'High' AND Origin = 'Web'`. */
    readonly filter: string;
    readonly active: boolean;
    readonly notes: string | null;
    /** When an admin last asked for a Bulk Exalate of this trigger (absent: a store without bulk runs). */
    readonly bulkRequested?: IsoDateTime | null;
    /** When the connector finished the last Bulk Exalate. */
    readonly bulkCompleted?: IsoDateTime | null;
}

/** What the connector records on a trigger when a Bulk Exalate ends. */
export interface TriggerUpdate {
    readonly id: string;
    readonly bulkCompleted: IsoDateTime;
    /** What was done, or the error; at most 255 characters. */
    readonly bulkResult: string;
}

/** A Sync_Connection__c with every field of the data model, and its triggers. */
export interface SyncConnection {
    readonly id: string;
    readonly name: string;
    readonly localInstanceName: string | null;
    readonly remoteInstanceName: string | null;
    readonly description: string | null;
    readonly type: 'Public' | 'Private' | 'Local' | null;
    readonly mode: 'Basic' | null;
    readonly status: 'Pending' | 'Active' | 'Deactivated' | 'Error' | null;
    readonly role: 'Initiator' | 'Acceptor' | null;
    readonly remotePlatform: 'Salesforce' | 'ServiceNow' | null;
    readonly remoteNodeUrl: string | null;
    readonly invitationId: string | null;
    readonly invitationExpires: IsoDateTime | null;
    readonly acceptedBy: string | null;
    readonly acceptedAt: IsoDateTime | null;
    readonly statusDetail: string | null;
    readonly syncedCaseCount: number;
    readonly triggers: SyncTrigger[];
}

/** A Sync_Twin__c: one Case under sync on one connection. */
export interface SyncTwin {
    readonly id: string;
    /** The auto-number, e.g. `TW-000042`. */
    readonly name: string;
    readonly connectionId: string;
    readonly caseId: string | null;
    /** `<connection id>:<case id>`. */
    readonly key: string | null;
    readonly remoteKey: string | null;
    readonly remoteId: string | null;
    readonly remoteUrl: string | null;
    /** The stage of the latest sync; null when blank or when the twin ended (see TwinStatus). */
    readonly syncStatus: SyncStage | null;
    readonly lastSynced: IsoDateTime | null;
    readonly lastError: string | null;
    readonly lastOutgoingSeq: number | null;
    readonly lastIncomingSeq: number | null;
    readonly echoModstamp: IsoDateTime | null;
    /** Sync_State__c parsed; null when blank (or unreadable: see syncStateError). */
    readonly syncState: JsonValue | null;
    /** Why Sync_State__c could not be parsed, when it could not. */
    readonly syncStateError?: string;
    readonly systemModstamp: IsoDateTime;
}

/** A public comment of a Case. */
export interface CaseCommentSnapshot {
    readonly id: string;
    readonly body: string;
    readonly authorId: string | null;
    readonly authorName: string | null;
    readonly createdAt: IsoDateTime;
}

/** A file linked to a Case (its latest version). */
export interface CaseFile {
    readonly contentDocumentId: string;
    readonly contentVersionId: string | null;
    readonly title: string | null;
    readonly fileExtension: string | null;
    readonly size: number | null;
    /** MD5 of the content, hex, as Salesforce computes it. */
    readonly checksum: string | null;
}

/** A Case with what is synced of it. */
export interface CaseSnapshot {
    readonly id: string;
    readonly caseNumber: string;
    readonly subject: string | null;
    readonly description: string | null;
    readonly systemModstamp: IsoDateTime;
    readonly lastModifiedById: string | null;
    /** Public comments (IsPublished), oldest first. */
    readonly comments: CaseCommentSnapshot[];
    readonly files: CaseFile[];
}

/** A trigger as matchTriggerFilters needs it. */
export interface TriggerFilter {
    readonly id: string;
    readonly connectionId: string;
    readonly filter: string;
}

/** A trigger whose filter could not be evaluated (refused before sending, or by the org). */
export interface TriggerFailure {
    readonly triggerId: string;
    readonly connectionId: string;
    readonly code: string;
    readonly message: string;
}

/** What matchTriggerFilters answers. */
export interface TriggerMatches {
    /** Case id → ids of the connections whose trigger filter the Case matches (only matching Cases). */
    readonly byCase: Map<string, string[]>;
    /** Triggers that could not be evaluated; the others are unaffected. */
    readonly failures: TriggerFailure[];
}

/** The wake event (Sync_Wake__e) as a subscriber receives it. */
export interface WakeEvent {
    /** Opaque, increasing, not contiguous: keep the last one to resume after a restart. */
    readonly replayId: number;
    /** `signals`, `sync-request`, `retry` or `connection`. */
    readonly reason: string | null;
    readonly createdAt: IsoDateTime | null;
}

// ---------------------------------------------------------------------------------------------
// Writes

/**
 * A record id, or a reference to a record created by the same write plan: `{ ref: 'case-1' }`
 * names the `ref` of an entry of createCases, upsertTwins or createEvents.
 */
export type IdRef = string | { readonly ref: string };

/** A value of a standard field written as is. */
export type FieldValue = string | number | boolean | null;

/** A new Case. */
export interface CaseCreate {
    /** Name to refer to this Case from other entries of the plan. */
    readonly ref?: string;
    /**
     * Exalate_Link_Key__c: with a key the Case is written by an upsert on it, so that the same plan
     * sent twice (after a crash) creates one Case; the outcome then says whether it was `created`.
     */
    readonly linkKey?: string;
    readonly subject?: string | null;
    readonly description?: string | null;
    /** Other standard Case fields by API name (e.g. `Origin`, `Priority`); never namespaced ones. */
    readonly extraFields?: Readonly<Record<string, FieldValue>>;
}

/** Changes to a Case; omitted properties are left alone, null clears. */
export interface CaseUpdate {
    readonly id: IdRef;
    readonly subject?: string | null;
    readonly description?: string | null;
    readonly extraFields?: Readonly<Record<string, FieldValue>>;
}

/** A new CaseComment. */
export interface CommentCreate {
    readonly caseId: IdRef;
    readonly body: string;
    /** Public (default true). */
    readonly isPublished?: boolean;
}

/** Twin fields the connector writes; omitted properties are left alone, null clears. */
export interface TwinFields {
    readonly caseId?: IdRef | null;
    readonly remoteKey?: string | null;
    readonly remoteId?: string | null;
    readonly remoteUrl?: string | null;
    readonly syncStatus?: TwinStatus | null;
    readonly lastSynced?: IsoDateTime | null;
    readonly lastError?: string | null;
    readonly lastOutgoingSeq?: number | null;
    readonly lastIncomingSeq?: number | null;
    readonly echoModstamp?: IsoDateTime | null;
    /** Serialised to JSON into Sync_State__c (null clears). */
    readonly syncState?: JsonValue | null;
}

/**
 * A twin created or updated by its key (Twin_Key__c). The key defaults to
 * `<connection id>:<case id>`, resolved after referenced Cases are created. The connection is
 * written only when the twin is created: a twin never moves to another connection.
 */
export interface TwinUpsert extends TwinFields {
    readonly ref?: string;
    readonly key?: string;
    readonly connectionId: IdRef;
    /**
     * The caller read, in the same lane, that no twin has this key: it is created by one subrequest
     * instead of the update-then-create pair (half the subrequests; a twin that exists after all
     * fails with DUPLICATE_VALUE and is left as it was).
     */
    readonly isNew?: boolean;
}

/** Changes to a twin by id. */
export interface TwinUpdate extends TwinFields {
    readonly id: IdRef;
}

/** Sync_Event__c fields; omitted properties are left alone (or defaulted on create), null clears. */
export interface EventFields {
    readonly connectionId?: IdRef | null;
    readonly twinId?: IdRef | null;
    readonly caseId?: IdRef | null;
    readonly direction?: 'Outgoing' | 'Incoming';
    readonly stage?: SyncStage;
    readonly attempts?: number;
    readonly nextAttempt?: IsoDateTime | null;
    readonly error?: string | null;
    readonly messageId?: string | null;
    readonly sequence?: number | null;
    readonly payload?: string | null;
    readonly requestedById?: string | null;
    readonly completed?: IsoDateTime | null;
}

/** A new queue entry. */
export interface EventCreate extends EventFields {
    readonly ref?: string;
}

/** Changes to a queue entry. */
export interface EventUpdate extends EventFields {
    readonly id: IdRef;
}

/** Connection fields the connector writes (status and what the handshake learns). */
export interface ConnectionUpdate {
    readonly id: string;
    readonly status?: 'Pending' | 'Active' | 'Deactivated' | 'Error';
    readonly statusDetail?: string | null;
    readonly remoteNodeUrl?: string | null;
    readonly acceptedBy?: string | null;
    readonly acceptedAt?: IsoDateTime | null;
}

/** Everything one write sends; every part is optional. */
export interface WritePlan {
    readonly createCases?: readonly CaseCreate[];
    readonly updateCases?: readonly CaseUpdate[];
    readonly createComments?: readonly CommentCreate[];
    readonly upsertTwins?: readonly TwinUpsert[];
    readonly updateTwins?: readonly TwinUpdate[];
    readonly createEvents?: readonly EventCreate[];
    readonly updateEvents?: readonly EventUpdate[];
    readonly updateConnections?: readonly ConnectionUpdate[];
    readonly updateTriggers?: readonly TriggerUpdate[];
    /** Processed change signals to delete. */
    readonly deleteSignalIds?: readonly string[];
}

/** The outcome of one record of a write. */
export type WriteOutcome =
    | {
          readonly ok: true;
          readonly id: string;
          /** For upserts: whether the record was created. */ readonly created?: boolean;
      }
    | { readonly ok: false; readonly errors: readonly RecordError[] };

/** Per-record outcomes, each array in the order of the plan's entries. */
export interface WriteResult {
    readonly createCases: WriteOutcome[];
    readonly updateCases: WriteOutcome[];
    readonly createComments: WriteOutcome[];
    readonly upsertTwins: WriteOutcome[];
    readonly updateTwins: WriteOutcome[];
    readonly createEvents: WriteOutcome[];
    readonly updateEvents: WriteOutcome[];
    readonly updateConnections: WriteOutcome[];
    /** Absent when the plan had no trigger updates (a store without bulk runs never has any). */
    readonly updateTriggers?: WriteOutcome[];
    readonly deleteSignals: WriteOutcome[];
}

/** What readSnapshot reads: all in as few Composite requests as possible. */
export interface SnapshotRequest {
    /** Cases with their comments and files (as readCases). */
    readonly caseIds?: readonly string[];
    /** Twins (as readTwins); no twins are read when absent. */
    readonly twins?: TwinSelection;
    /** Queue entries with these message ids, any stage. */
    readonly messageIds?: readonly string[];
}

/** Which twins to read: the union of the selections given (every twin when none is). */
export interface TwinSelection {
    readonly caseIds?: readonly string[];
    readonly twinIds?: readonly string[];
    /** Twins of this connection (all of them, or those with one of `remoteKeys`). */
    readonly connectionId?: string;
    readonly remoteKeys?: readonly string[];
}

/** What readSnapshot answers. */
export interface Snapshot {
    readonly cases: CaseSnapshot[];
    readonly twins: SyncTwin[];
    readonly events: QueuedEvent[];
}

/** A file added to a Case. */
export interface UploadedFile {
    readonly contentVersionId: string;
    readonly contentDocumentId: string;
}
