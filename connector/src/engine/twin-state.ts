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

/**
 * Why a twin no longer syncs: the other side deleted its entity (`remote-deleted`) or ended the sync
 * (`remote-unlinked`), or the local entity was deleted and the other side is told (`deleted-here`).
 */
export type TwinEnding = 'remote-deleted' | 'remote-unlinked' | 'deleted-here';

const ENDINGS: readonly TwinEnding[] = ['remote-deleted', 'remote-unlinked', 'deleted-here'];

/** What Sync_State__c holds. */
export interface TwinState extends SyncedState {
    /** Content version id -> SHA-256 of its bytes. */
    readonly fileHashes: Readonly<Record<string, string>>;
    /**
     * This side's key of the entity (the CaseNumber) as the other side knows it: a deleted Case can no
     * longer be read, and the message that announces its deletion names it by this key.
     */
    readonly localKey: string | null;
    /** Set when the twin ended: it sends and applies nothing more until it is synced again. */
    readonly ended: { readonly reason: TwinEnding; readonly at: string } | null;
}

/**
 * What `receivedComments` remembers for a comment mirrored from the other side: its local id is not
 * needed (the connector's own user wrote it, so it is never sent back).
 */
export const MIRRORED = 'mirrored';

export const EMPTY_TWIN_STATE: TwinState = { ...EMPTY_STATE, fileHashes: {}, localKey: null, ended: null };

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
        // Written only when they differ from the local texts (see twinStateJson).
        remoteSummary: text(value.remoteSummary) ?? text(value.summary),
        remoteDescription: text(value.remoteDescription) ?? text(value.description),
        sentComments: strings(value.sentComments),
        receivedComments: {
            ...Object.fromEntries(strings(value.mirroredComments).map((id) => [id, MIRRORED])),
            ...stringMap(value.receivedComments)
        },
        sentAttachments: strings(value.sentAttachments),
        receivedAttachments: stringMap(value.receivedAttachments),
        fileHashes: stringMap(value.fileHashes),
        localKey: text(value.localKey),
        ended: endingOf(value.ended)
    };
}

function endingOf(value: unknown): TwinState['ended'] {
    if (!isRecord(value) || typeof value.at !== 'string') {
        return null;
    }
    const reason = ENDINGS.find((ending) => ending === value.reason);
    return reason === undefined ? null : { reason, at: value.at };
}

/**
 * The JSON to write into Sync_State__c (131,072 characters), kept small: the other side's texts only
 * when they differ from the local ones (a 32,000-character description is not kept twice), and
 * mirrored comments as a list of ids, so that a twin remembers thousands of comments.
 */
export function twinStateJson(state: TwinState): JsonValue {
    const mirrored = Object.entries(state.receivedComments).filter(([, local]) => local === MIRRORED);
    const received = Object.entries(state.receivedComments).filter(([, local]) => local !== MIRRORED);
    return {
        summary: state.summary,
        description: state.description,
        remoteSummary: state.remoteSummary === state.summary ? null : state.remoteSummary,
        remoteDescription: state.remoteDescription === state.description ? null : state.remoteDescription,
        sentComments: [...state.sentComments],
        receivedComments: Object.fromEntries(received),
        mirroredComments: mirrored.map(([remoteId]) => remoteId),
        sentAttachments: [...state.sentAttachments],
        receivedAttachments: { ...state.receivedAttachments },
        fileHashes: { ...state.fileHashes },
        localKey: state.localKey,
        ended: state.ended === null ? null : { reason: state.ended.reason, at: state.ended.at }
    };
}
