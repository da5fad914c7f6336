// How the entries of a write plan become API records: the connector's own property names mapped to
// the org's (namespaced) field names, references to records created earlier in the same plan
// replaced by their ids, values serialised as the REST API takes them.
//
// Only properties that are present are written: `undefined` leaves a field alone, `null` clears it.
import type { ApiNames } from './names.ts';
import type {
    CaseCreate,
    CaseUpdate,
    CommentCreate,
    ConnectionUpdate,
    TriggerUpdate,
    EventFields,
    FieldValue,
    IdRef,
    TwinFields,
    TwinUpsert
} from './types.ts';
import { SalesforceInputError } from './ids.ts';

/** A record body as sObject Collections take it (`attributes.type` set). */
export type ApiRecord = Record<string, unknown>;

/** Replaces an IdRef by the id it stands for (throws when it cannot). */
export type ResolveRef = (value: IdRef) => string;

/** Shape of a standard field's API name (extraFields): letters, digits and single underscores. */
const FIELD_NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_]*$/;

function put(record: ApiRecord, field: string, value: unknown): void {
    if (value !== undefined) {
        record[field] = value;
    }
}

function putRef(record: ApiRecord, field: string, value: IdRef | null | undefined, resolve: ResolveRef): void {
    if (value !== undefined) {
        record[field] = value === null ? null : resolve(value);
    }
}

function putExtra(record: ApiRecord, extra: Readonly<Record<string, FieldValue>> | undefined): void {
    for (const [name, value] of Object.entries(extra ?? {})) {
        if (!FIELD_NAME_SHAPE.test(name) || name.toLowerCase() === 'id' || name === 'attributes') {
            throw new SalesforceInputError(`extraFields has ${JSON.stringify(name)}, which is not a Case field name.`);
        }
        record[name] = value;
    }
}

/** The refs an IdRef-valued property uses. */
export function refsOf(values: readonly (IdRef | null | undefined)[]): string[] {
    return values.flatMap((value) => (typeof value === 'object' && value !== null ? [value.ref] : []));
}

/** The body of a new Case. */
export function caseCreateRecord(entry: CaseCreate, n: ApiNames): ApiRecord {
    const record: ApiRecord = { attributes: { type: 'Case' } };
    put(record, n.caseLinkKey, entry.linkKey);
    put(record, 'Subject', entry.subject);
    put(record, 'Description', entry.description);
    putExtra(record, entry.extraFields);
    return record;
}

/** The body of a Case update (by id). */
export function caseUpdateRecord(entry: CaseUpdate, resolve: ResolveRef): ApiRecord {
    const record: ApiRecord = { attributes: { type: 'Case' }, id: resolve(entry.id) };
    put(record, 'Subject', entry.subject);
    put(record, 'Description', entry.description);
    putExtra(record, entry.extraFields);
    return record;
}

/** The body of a new CaseComment (public unless isPublished is false). */
export function commentCreateRecord(entry: CommentCreate, resolve: ResolveRef): ApiRecord {
    return {
        attributes: { type: 'CaseComment' },
        ParentId: resolve(entry.caseId),
        CommentBody: entry.body,
        IsPublished: entry.isPublished ?? true
    };
}

function putTwinFields(record: ApiRecord, entry: TwinFields, n: ApiNames, resolve: ResolveRef): void {
    const t = n.twin;
    putRef(record, t.case, entry.caseId, resolve);
    put(record, t.remoteKey, entry.remoteKey);
    put(record, t.remoteId, entry.remoteId);
    put(record, t.remoteUrl, entry.remoteUrl);
    put(record, t.syncStatus, entry.syncStatus);
    put(record, t.lastSynced, entry.lastSynced);
    put(record, t.lastError, entry.lastError);
    put(record, t.lastOutgoingSeq, entry.lastOutgoingSeq);
    put(record, t.lastIncomingSeq, entry.lastIncomingSeq);
    put(record, t.echoModstamp, entry.echoModstamp);
    if (entry.syncState !== undefined) {
        record[t.syncState] = entry.syncState === null ? null : JSON.stringify(entry.syncState);
    }
}

/** The twin's key: given, or `<connection id>:<case id>` once both are known. */
export function twinKeyOf(entry: TwinUpsert, resolve: ResolveRef): string {
    if (entry.key !== undefined) {
        return entry.key;
    }
    if (entry.caseId === undefined || entry.caseId === null) {
        throw new SalesforceInputError('A twin upsert needs a key, or a caseId to make the key from.');
    }
    return `${resolve(entry.connectionId)}:${resolve(entry.caseId)}`;
}

/**
 * The two bodies of a twin upsert: one for the existing twin (by key, without the connection, which
 * a master-detail without reparenting refuses on update) and one to create it (with the connection).
 */
export function twinUpsertRecords(
    entry: TwinUpsert,
    n: ApiNames,
    resolve: ResolveRef
): { update: ApiRecord; create: ApiRecord } {
    const key = twinKeyOf(entry, resolve);
    const update: ApiRecord = { attributes: { type: n.objects.twin }, [n.twin.key]: key };
    putTwinFields(update, entry, n, resolve);
    const create: ApiRecord = {
        attributes: { type: n.objects.twin },
        [n.twin.key]: key,
        [n.twin.connection]: resolve(entry.connectionId)
    };
    putTwinFields(create, entry, n, resolve);
    return { update, create };
}

/** The body of a twin update by id (the connection is never written). */
export function twinUpdateRecord(entry: TwinFields & { id: IdRef }, n: ApiNames, resolve: ResolveRef): ApiRecord {
    const record: ApiRecord = { attributes: { type: n.objects.twin }, id: resolve(entry.id) };
    putTwinFields(record, entry, n, resolve);
    return record;
}

/** The body of a new queue entry, or of an update when `id` is given. */
export function eventRecord(entry: EventFields & { id?: IdRef }, n: ApiNames, resolve: ResolveRef): ApiRecord {
    const e = n.event;
    const record: ApiRecord = { attributes: { type: n.objects.event } };
    if (entry.id !== undefined) {
        record.id = resolve(entry.id);
    }
    putRef(record, e.connection, entry.connectionId, resolve);
    putRef(record, e.twin, entry.twinId, resolve);
    putRef(record, e.case, entry.caseId, resolve);
    put(record, e.direction, entry.direction);
    put(record, e.stage, entry.stage);
    put(record, e.attempts, entry.attempts);
    put(record, e.nextAttempt, entry.nextAttempt);
    put(record, e.error, entry.error);
    put(record, e.messageId, entry.messageId);
    put(record, e.sequence, entry.sequence);
    put(record, e.payload, entry.payload);
    put(record, e.requestedBy, entry.requestedById);
    put(record, e.completed, entry.completed);
    return record;
}

/** The body of a connection update (the fields the connector owns). */
export function connectionUpdateRecord(entry: ConnectionUpdate, n: ApiNames): ApiRecord {
    const c = n.connection;
    const record: ApiRecord = { attributes: { type: n.objects.connection }, id: entry.id };
    put(record, c.status, entry.status);
    put(record, c.statusDetail, entry.statusDetail);
    put(record, c.remoteNodeUrl, entry.remoteNodeUrl);
    put(record, c.acceptedBy, entry.acceptedBy);
    put(record, c.acceptedAt, entry.acceptedAt);
    return record;
}

/** A trigger's Bulk Exalate outcome (the connector writes nothing else of a trigger). */
export function triggerUpdateRecord(entry: TriggerUpdate, n: ApiNames): ApiRecord {
    const t = n.trigger;
    const record: ApiRecord = { attributes: { type: n.objects.trigger }, id: entry.id };
    put(record, t.bulkCompleted, entry.bulkCompleted);
    put(record, t.bulkResult, entry.bulkResult.slice(0, 255));
    return record;
}
