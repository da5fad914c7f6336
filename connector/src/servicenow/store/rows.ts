// Rows of the store's tables turned into the engine's plain types (the same ones the Salesforce
// adapter answers), so the engine cannot tell which side's database it reads.
import type {
    ChangeSignal,
    JsonValue,
    QueuedEvent,
    SyncConnection,
    SyncStage,
    SyncTrigger,
    SyncTwin
} from '../../salesforce/types.ts';
import { autoName } from './record-ids.ts';

export type Row = Record<string, unknown>;

function text(row: Row, column: string): string | null {
    const value = row[column];
    return typeof value === 'string' ? value : null;
}

function num(row: Row, column: string): number | null {
    const value = row[column];
    return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null;
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

export function toTrigger(row: Row): SyncTrigger {
    return {
        id: text(row, 'id') ?? '',
        connectionId: text(row, 'connection_id') ?? '',
        filter: text(row, 'filter') ?? '',
        active: num(row, 'active') === 1,
        notes: text(row, 'notes')
    };
}

export function toConnection(row: Row, triggers: SyncTrigger[]): SyncConnection {
    return {
        id: text(row, 'id') ?? '',
        name: text(row, 'name') ?? '',
        localInstanceName: text(row, 'local_instance_name'),
        remoteInstanceName: text(row, 'remote_instance_name'),
        description: text(row, 'description'),
        type: oneOf(text(row, 'type'), ['Public', 'Private', 'Local'] as const),
        mode: oneOf(text(row, 'mode'), ['Basic'] as const),
        status: oneOf(text(row, 'status'), ['Pending', 'Active', 'Deactivated', 'Error'] as const),
        role: oneOf(text(row, 'role'), ['Initiator', 'Acceptor'] as const),
        remotePlatform: oneOf(text(row, 'remote_platform'), ['Salesforce', 'ServiceNow'] as const),
        remoteNodeUrl: text(row, 'remote_node_url'),
        invitationId: text(row, 'invitation_id'),
        invitationExpires: text(row, 'invitation_expires'),
        acceptedBy: text(row, 'accepted_by'),
        acceptedAt: text(row, 'accepted_at'),
        statusDetail: text(row, 'status_detail'),
        syncedCaseCount: num(row, 'synced_case_count') ?? 0,
        triggers
    };
}

function parseState(raw: string | null): { syncState: JsonValue | null; syncStateError?: string } {
    if (raw === null || raw.trim() === '') {
        return { syncState: null };
    }
    try {
        return { syncState: JSON.parse(raw) as JsonValue };
    } catch (error) {
        return { syncState: null, syncStateError: `Sync state is not JSON: ${(error as Error).message}` };
    }
}

export function toTwin(row: Row): SyncTwin {
    return {
        id: text(row, 'id') ?? '',
        name: autoName('twin', num(row, 'number') ?? 0),
        connectionId: text(row, 'connection_id') ?? '',
        caseId: text(row, 'case_id'),
        key: text(row, 'twin_key'),
        remoteKey: text(row, 'remote_key'),
        remoteId: text(row, 'remote_id'),
        remoteUrl: text(row, 'remote_url'),
        syncStatus: oneOf(text(row, 'sync_status'), STAGES),
        lastSynced: text(row, 'last_synced'),
        lastError: text(row, 'last_error'),
        lastOutgoingSeq: num(row, 'last_outgoing_seq'),
        lastIncomingSeq: num(row, 'last_incoming_seq'),
        echoModstamp: text(row, 'echo_modstamp'),
        ...parseState(text(row, 'sync_state')),
        systemModstamp: text(row, 'modified_at') ?? ''
    };
}

export function toEvent(row: Row): QueuedEvent {
    return {
        id: text(row, 'id') ?? '',
        name: autoName('event', num(row, 'number') ?? 0),
        connectionId: text(row, 'connection_id'),
        twinId: text(row, 'twin_id'),
        caseId: text(row, 'case_id'),
        direction: oneOf(text(row, 'direction'), ['Outgoing', 'Incoming'] as const),
        stage: oneOf(text(row, 'stage'), STAGES),
        attempts: num(row, 'attempts') ?? 0,
        nextAttempt: text(row, 'next_attempt'),
        error: text(row, 'error'),
        messageId: text(row, 'message_id'),
        sequence: num(row, 'sequence'),
        payload: text(row, 'payload'),
        requestedById: text(row, 'requested_by'),
        createdAt: text(row, 'created_at') ?? ''
    };
}

export function toSignal(row: Row): ChangeSignal {
    return {
        id: text(row, 'id') ?? '',
        caseId: text(row, 'case_id') ?? '',
        kind: oneOf(text(row, 'kind'), ['Case', 'Comment', 'File', 'Deleted'] as const) ?? 'Case',
        recordId: text(row, 'record_id'),
        underSync: num(row, 'under_sync') === 1,
        createdAt: text(row, 'created_at') ?? ''
    };
}
