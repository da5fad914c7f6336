// The ports of the sync engine: what it asks of the org, of the other node and of the clock.
//
// The engine imports no jsforce and no HTTP library. The Salesforce adapter (`SalesforceOrgClient`)
// implements `OrgPort`; the node client (`NodeClient`) implements `RemoteNode`. Tests may give
// either a double.
import type { Buffer } from 'node:buffer';
import type { AcceptedInvitation, AcceptorDetails, AttachmentDownload, PollOptions } from '../node/client.ts';
import type { ConnectionCommand, ConnectionStatus } from '../node/endpoints.ts';
import type { AckBatch, MessageBatch, PollResponse } from '../protocol/messages.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import type {
    Snapshot,
    SnapshotRequest,
    SyncConnection,
    TriggerFilter,
    TriggerMatches,
    UploadedFile,
    WakeEvent,
    Work,
    WritePlan,
    WriteResult
} from '../salesforce/types.ts';

/** The Salesforce org, as the engine reads and writes it (every call is one or more API calls). */
export interface OrgPort {
    readWork(options?: { signalLimit?: number; eventLimit?: number; now?: Date; changedSince?: Date }): Promise<Work>;
    readConnections(): Promise<SyncConnection[]>;
    readSnapshot(request: SnapshotRequest): Promise<Snapshot>;
    matchTriggerFilters(caseIds: readonly string[], triggers: readonly TriggerFilter[]): Promise<TriggerMatches>;
    /**
     * Bulk Exalate: Cases matching the trigger without a twin on its connection, at most `limit`
     * (absent where the side has no Bulk Exalate).
     */
    casesForBulk?(trigger: TriggerFilter, limit: number): Promise<string[]>;
    write(plan: WritePlan): Promise<WriteResult>;
    getConnectionSecret(connectionId: string): Promise<string>;
    downloadFile(contentVersionId: string): Promise<Buffer>;
    uploadFile(input: { caseId: string; fileName: string; bytes: Uint8Array }): Promise<UploadedFile>;
    subscribeWake(
        onWake: (event: WakeEvent) => void,
        options?: { replayId?: number; onError?: (error: Error) => void }
    ): Promise<() => Promise<void>>;
    /** API calls made so far by this client. */
    readonly apiCalls: number;
}

/** The other node of one connection. */
export interface RemoteNode {
    readonly connectionId: string;
    acceptInvitation(details: AcceptorDetails): Promise<AcceptedInvitation>;
    sendMessages(batch: MessageBatch, options?: { signal?: AbortSignal }): Promise<AckBatch>;
    poll(options?: PollOptions): Promise<PollResponse>;
    putAttachment(
        sha256: string,
        size: number,
        body: Uint8Array,
        options?: { signal?: AbortSignal }
    ): Promise<'stored' | 'already-held'>;
    getAttachment(sha256: string, options?: { signal?: AbortSignal }): Promise<AttachmentDownload>;
    control(command: ConnectionCommand, options?: { signal?: AbortSignal }): Promise<ConnectionStatus>;
}

/** Opens a client of the other node of a connection. */
export type RemoteNodeFactory = (baseUrl: string, keys: ConnectionKeys) => RemoteNode;

/** One line of the engine's log; never a secret, never customer text. */
export interface EngineLogEntry {
    readonly level: 'info' | 'warn' | 'error';
    readonly event: string;
    readonly message: string;
    readonly connectionId?: string;
    readonly caseId?: string;
    readonly cause?: unknown;
}

export type EngineLog = (entry: EngineLogEntry) => void;
