// A Case as the Basic rules see it: the org adapter's snapshot turned into a `LocalEntity`.
import type { LocalEntity } from './basic-rules.ts';
import type { TwinState } from './twin-state.ts';
import type { CaseFile, CaseSnapshot } from '../salesforce/types.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
    txt: 'text/plain',
    log: 'text/plain',
    csv: 'text/csv',
    html: 'text/html',
    json: 'application/json',
    xml: 'application/xml',
    pdf: 'application/pdf',
    zip: 'application/zip',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    doc: 'application/msword',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xls: 'application/vnd.ms-excel',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
};

/** The MIME type of a file extension (`application/octet-stream` when unknown). */
export function contentTypeOf(extension: string | null): string {
    return CONTENT_TYPES[(extension ?? '').toLowerCase()] ?? 'application/octet-stream';
}

/** The file name of a Salesforce file: its title with its extension. */
export function fileNameOf(file: CaseFile): string {
    const title = file.title ?? file.contentDocumentId;
    const extension = file.fileExtension ?? '';
    return extension && !title.toLowerCase().endsWith(`.${extension.toLowerCase()}`) ? `${title}.${extension}` : title;
}

/** The Lightning link to a Case. */
export function caseUrl(instanceUrl: string, caseId: string): string {
    return `${instanceUrl.replace(/\/+$/, '')}/lightning/r/Case/${caseId}/view`;
}

/**
 * Files whose SHA-256 the engine must learn (download and hash) before it can describe the Case:
 * those that started on this side, are not yet acknowledged, and were never hashed.
 */
export function filesToHash(snapshot: CaseSnapshot, state: TwinState): CaseFile[] {
    const mirrored = new Set(Object.values(state.receivedAttachments));
    const sent = new Set(state.sentAttachments);
    return snapshot.files.filter(
        (file) =>
            file.contentVersionId !== null &&
            !mirrored.has(file.contentVersionId) &&
            !sent.has(file.contentVersionId) &&
            state.fileHashes[file.contentVersionId] === undefined
    );
}

/**
 * What the local entity is called for an admin: a ServiceNow incident's id is a 32-digit sys_id, a
 * Salesforce Case's id is 15 or 18 characters.
 */
export function entityNoun(localId: string | null): 'Case' | 'incident' {
    return localId !== null && /^[0-9a-f]{32}$/.test(localId) ? 'incident' : 'Case';
}

/** What turning a snapshot into an entity needs to know. */
export interface EntityContext {
    /** Content version id -> SHA-256. */
    readonly hashes: Readonly<Record<string, string>>;
    readonly instanceUrl: string;
    /**
     * The connector's own user: comments it wrote are mirrors of the other side's comments and are
     * never sent back (the echo rule that needs no bookkeeping, and survives any crash).
     */
    readonly connectorUserId: string | undefined;
}

/**
 * The Case as a local entity. A file's id is its content version id: a new version of a file is a
 * new attachment for the other side. Files without a known hash are left out (see `filesToHash`).
 */
export function toLocalEntity(
    snapshot: CaseSnapshot,
    { hashes, instanceUrl, connectorUserId }: EntityContext
): LocalEntity {
    return {
        id: snapshot.id,
        key: snapshot.caseNumber,
        url: caseUrl(instanceUrl, snapshot.id),
        summary: snapshot.subject ?? '',
        description: snapshot.description ?? '',
        modifiedAt: snapshot.systemModstamp,
        comments: snapshot.comments
            .filter((comment) => connectorUserId === undefined || comment.authorId !== connectorUserId)
            .map((comment) => ({
                id: comment.id,
                author: comment.authorName ?? 'Unknown user',
                createdAt: comment.createdAt,
                body: comment.body
            })),
        attachments: snapshot.files.flatMap((file) => {
            const id = file.contentVersionId;
            const sha256 = id === null ? undefined : hashes[id];
            return id === null || sha256 === undefined
                ? []
                : [
                      {
                          id,
                          name: fileNameOf(file),
                          contentType: contentTypeOf(file.fileExtension),
                          size: file.size ?? 0,
                          sha256
                      }
                  ];
        })
    };
}
