// A twin's synced state as it is kept in Sync_State__c: the Basic rules' `SyncedState` plus the
// SHA-256 of the local files the engine has hashed (Salesforce computes only MD5, and the protocol
// addresses attachments by SHA-256, so a file is downloaded and hashed once, then remembered).
//
// The JSON is connector-owned; anything unreadable in it is dropped field by field, never thrown:
// a twin with a damaged state syncs again from scratch, and comments and files are still not
// duplicated because the receiving side checks ids and checksums too.
import { EMPTY_STATE } from './basic-rules.ts';
import type { SyncedState } from './basic-rules.ts';
import type { JsonValue } from '../salesforce/types.ts';

/** What Sync_State__c holds. */
export interface TwinState extends SyncedState {
    /** Content version id -> SHA-256 of its bytes. */
    readonly fileHashes: Readonly<Record<string, string>>;
}

export const EMPTY_TWIN_STATE: TwinState = { ...EMPTY_STATE, fileHashes: {} };

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
    return typeof value === 'string' ? value : null;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function stringMap(value: unknown): Record<string, string> {
    const map: Record<string, string> = {};
    if (isRecord(value)) {
        for (const [key, item] of Object.entries(value)) {
            if (typeof item === 'string') {
                map[key] = item;
            }
        }
    }
    return map;
}

/** Reads the parsed Sync_State__c of a twin (null or anything else for a twin never synced). */
export function readTwinState(value: JsonValue | null | undefined): TwinState {
    if (!isRecord(value)) {
        return EMPTY_TWIN_STATE;
    }
    return {
        summary: text(value.summary),
        description: text(value.description),
        remoteSummary: text(value.remoteSummary),
        remoteDescription: text(value.remoteDescription),
        sentComments: strings(value.sentComments),
        receivedComments: stringMap(value.receivedComments),
        sentAttachments: strings(value.sentAttachments),
        receivedAttachments: stringMap(value.receivedAttachments),
        fileHashes: stringMap(value.fileHashes)
    };
}

/** The JSON to write into Sync_State__c. */
export function twinStateJson(state: TwinState): JsonValue {
    return {
        summary: state.summary,
        description: state.description,
        remoteSummary: state.remoteSummary,
        remoteDescription: state.remoteDescription,
        sentComments: [...state.sentComments],
        receivedComments: { ...state.receivedComments },
        sentAttachments: [...state.sentAttachments],
        receivedAttachments: { ...state.receivedAttachments },
        fileHashes: { ...state.fileHashes }
    };
}
