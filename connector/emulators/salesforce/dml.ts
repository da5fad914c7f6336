// Record saves as the platform does them: request values checked and converted field by field
// (unknown fields, read-only fields, JSON types), then per record: defaults, required fields,
// lengths, restricted picklists, reference integrity, unique values, system fields (Id, audit
// fields, SystemModstamp, auto numbers, CaseNumber, IsClosed), and the objects' own behaviour
// (a ContentVersion creates its ContentDocument and links, deletes cascade over master-details
// and set lookups to null). After each DML batch the package's triggers run (see triggers.ts).

import { createHash, randomUUID } from 'node:crypto';
import { ApiError, RecordError, ROLLED_BACK } from './errors.ts';
import type { RecordErrorShape } from './errors.ts';
import { isWellFormedId, normalizeId } from './ids.ts';
import type { IdFactory } from './ids.ts';
import type { Json, JsonObject } from './json.ts';
import type { FieldDef, ObjectDef, Schema, ScalarValue } from './schema.ts';
import type { Store, StoredRecord, Transaction } from './store.ts';
import { parseDate, parseDateTime } from './time.ts';
import type { Clock } from './time.ts';

/** Request values of one record, converted to stored values; binary fields apart. */
export interface PreparedRecord {
    values: StoredRecord;
    blobs: Map<string, Buffer>;
}

export interface SaveOutcome {
    id: string | null;
    success: boolean;
    errors: RecordErrorShape[];
}

export interface TriggerHooks {
    afterInsert(tx: Transaction, object: ObjectDef, records: StoredRecord[]): void;
    afterUpdate(tx: Transaction, object: ObjectDef, records: StoredRecord[], previous: Map<string, StoredRecord>): void;
    afterDelete(tx: Transaction, object: ObjectDef, records: StoredRecord[]): void;
}

export interface DmlDeps {
    schema: Schema;
    store: Store;
    ids: IdFactory;
    clock: Clock;
}

const FILE_TYPES: Record<string, string> = {
    pdf: 'PDF',
    txt: 'TEXT',
    csv: 'CSV',
    png: 'PNG',
    jpg: 'JPG',
    jpeg: 'JPEG',
    gif: 'GIF',
    doc: 'WORD',
    docx: 'WORD_X',
    xls: 'EXCEL',
    xlsx: 'EXCEL_X',
    ppt: 'POWER_POINT',
    pptx: 'POWER_POINT_X',
    zip: 'ZIP',
    html: 'HTML',
    xml: 'XML',
    json: 'JSON'
};

function jsonParserError(value: Json, expected: string): ApiError {
    const token =
        typeof value === 'string'
            ? 'VALUE_STRING'
            : typeof value === 'number'
              ? 'VALUE_NUMBER_INT'
              : typeof value === 'boolean'
                ? `VALUE_${String(value).toUpperCase()}`
                : Array.isArray(value)
                  ? 'START_ARRAY'
                  : 'START_OBJECT';
    return new ApiError(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${expected} from ${token} value ${JSON.stringify(value)} or request may be missing a required field`
    );
}

function textOf(value: Json): string {
    if (typeof value === 'string') {
        return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
    }
    throw jsonParserError(value, 'string');
}

/** Converts one JSON value to the stored value of the field, or throws a request-level error. */
export function convertValue(field: FieldDef, value: Json): ScalarValue | Buffer {
    if (value === null) {
        return null;
    }
    switch (field.type) {
        case 'boolean':
            if (typeof value === 'boolean') {
                return value;
            }
            if (value === 'true' || value === 'false') {
                return value === 'true';
            }
            throw jsonParserError(value, 'boolean');
        case 'double':
        case 'int': {
            const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
            if (typeof value === 'boolean' || Number.isNaN(number) || value === '') {
                throw jsonParserError(value, field.type);
            }
            return number;
        }
        case 'datetime': {
            const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
            if (ms === undefined) {
                throw jsonParserError(value, 'datetime');
            }
            return ms;
        }
        case 'date': {
            const text = typeof value === 'string' ? value.slice(0, 10) : undefined;
            const date = text === undefined ? undefined : parseDate(text);
            if (date === undefined) {
                throw jsonParserError(value, 'date');
            }
            return date;
        }
        case 'base64':
            if (typeof value !== 'string') {
                throw jsonParserError(value, 'base64');
            }
            return Buffer.from(value, 'base64');
        default:
            return textOf(value);
    }
}

function byteLength(text: string): number {
    return Buffer.byteLength(text, 'utf8');
}

function lowerIfInsensitive(field: FieldDef, value: ScalarValue): ScalarValue {
    return typeof value === 'string' && !field.caseSensitive ? value.toLowerCase() : value;
}

function fileExtension(path: string): string {
    const name = path.split(/[\\/]/).pop() ?? path;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function baseName(path: string): string {
    const name = path.split(/[\\/]/).pop() ?? path;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? name.slice(0, dot) : name;
}

export class Dml {
    private readonly deps: DmlDeps;
    private readonly counters = new Map<string, number>();
    hooks: TriggerHooks | undefined;

    constructor(deps: DmlDeps) {
        this.deps = deps;
    }

    /**
     * Checks the field names and JSON types of one record from a request. Unknown fields,
     * read-only fields and values of the wrong JSON type fail the whole request, as Salesforce
     * rejects them while reading the body.
     */
    prepare(object: ObjectDef, input: JsonObject, mode: 'insert' | 'update'): PreparedRecord {
        const values: StoredRecord = {};
        const blobs = new Map<string, Buffer>();
        const readOnly: string[] = [];
        for (const [key, value] of Object.entries(input)) {
            if (key === 'attributes' || (mode === 'update' && key.toLowerCase() === 'id')) {
                continue;
            }
            const field = this.deps.schema.field(object, key);
            if (!field) {
                throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`);
            }
            if (mode === 'insert' && field.name === 'Id') {
                throw new ApiError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call');
            }
            if ((mode === 'insert' && !field.createable) || (mode === 'update' && !field.updateable)) {
                readOnly.push(field.name);
                continue;
            }
            const converted = convertValue(field, value);
            if (Buffer.isBuffer(converted)) {
                blobs.set(field.name, converted);
            } else {
                values[field.name] = converted;
            }
        }
        if (readOnly.length > 0) {
            throw new ApiError(
                400,
                'INVALID_FIELD_FOR_INSERT_UPDATE',
                `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
                readOnly
            );
        }
        return { values, blobs };
    }

    private nextAutoNumber(object: ObjectDef, field: FieldDef): string {
        const format = field.autoNumber;
        if (!format) {
            return '';
        }
        const key = `${object.name}.${field.name}`;
        const next = this.counters.get(key) ?? format.start;
        this.counters.set(key, next + 1);
        return format.prefix + String(next).padStart(format.width, '0') + format.suffix;
    }

    private checkText(field: FieldDef, value: ScalarValue): void {
        if (typeof value !== 'string' || field.length === 0) {
            return;
        }
        const size = field.lengthInBytes ? byteLength(value) : value.length;
        if (size > field.length) {
            throw new RecordError(
                'STRING_TOO_LONG',
                `${field.label}: data value too large: ${value} (max length=${field.length})`,
                [field.name]
            );
        }
    }

    private checkNumber(field: FieldDef, value: ScalarValue): ScalarValue {
        if (typeof value !== 'number' || field.precision === 0) {
            return value;
        }
        const factor = 10 ** field.scale;
        const rounded = Math.round(value * factor) / factor;
        if (Math.abs(Math.trunc(rounded)).toString().length > field.precision - field.scale) {
            throw new RecordError(
                'NUMBER_OUTSIDE_VALID_RANGE',
                `${field.label}: value outside of valid range on numeric field: ${value}`,
                [field.name]
            );
        }
        return field.type === 'int' ? Math.trunc(rounded) : rounded;
    }

    private checkPicklist(field: FieldDef, value: ScalarValue): void {
        if (field.type !== 'picklist' || !field.restrictedPicklist || value === null) {
            return;
        }
        if (!field.picklistValues.some((entry) => entry.active && entry.value === value)) {
            throw new RecordError(
                'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                `${field.label}: bad value for restricted picklist field: ${String(value)}`,
                [field.name]
            );
        }
    }

    private checkEmail(field: FieldDef, value: ScalarValue): void {
        if (field.type === 'email' && typeof value === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
            throw new RecordError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [
                field.name
            ]);
        }
    }

    /** Normalizes a reference to 18 characters and checks that it names a live record of a target type. */
    private checkReference(field: FieldDef, value: ScalarValue): ScalarValue {
        if ((field.type !== 'reference' && field.type !== 'id') || value === null) {
            return value;
        }
        const text = String(value);
        const id = normalizeId(text);
        if (!id) {
            throw new RecordError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${text}`, [field.name]);
        }
        const target = this.deps.schema.objectOfId(id);
        if (!target || !field.referenceTo.includes(target.name)) {
            throw new RecordError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${text}`, [
                field.name
            ]);
        }
        const record = this.deps.store.get(id);
        if (!record) {
            throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
        }
        if (record.IsDeleted === true) {
            throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
        }
        return id;
    }

    private checkUnique(object: ObjectDef, record: StoredRecord): void {
        for (const field of object.fields) {
            if (!field.unique) {
                continue;
            }
            const value = record[field.name];
            if (value === null || value === undefined) {
                continue;
            }
            const wanted = lowerIfInsensitive(field, value);
            const duplicate = this.deps.store
                .findBy(object.name, field.name, 'unique', (stored) => lowerIfInsensitive(field, stored), wanted)
                .find((other) => other.Id !== record.Id);
            if (duplicate) {
                throw new RecordError(
                    'DUPLICATE_VALUE',
                    `duplicate value found: ${field.name} duplicates value on record with id: ${String(duplicate.Id)}`,
                    []
                );
            }
        }
    }

    private checkRequired(
        object: ObjectDef,
        record: StoredRecord,
        blobs: Map<string, Buffer>,
        onlyFields?: Set<string>
    ): void {
        const missing = object.fields
            .filter((field) => !field.nillable && !field.system && field.type !== 'boolean')
            .filter((field) => (onlyFields ? onlyFields.has(field.name) : !field.defaultedOnCreate))
            .filter((field) => {
                if (field.type === 'base64') {
                    return !blobs.has(field.name) && onlyFields === undefined;
                }
                const value = record[field.name];
                return value === null || value === undefined || value === '';
            })
            .map((field) => field.name);
        if (missing.length > 0) {
            throw new RecordError(
                'REQUIRED_FIELD_MISSING',
                `Required fields are missing: [${missing.join(', ')}]`,
                missing
            );
        }
    }

    /** Field-level checks shared by insert and update; returns the stored form of the values. */
    private checkValues(object: ObjectDef, values: StoredRecord): StoredRecord {
        const checked: StoredRecord = {};
        for (const [name, value] of Object.entries(values)) {
            const field = this.deps.schema.field(object, name);
            if (!field) {
                continue;
            }
            this.checkText(field, value);
            this.checkPicklist(field, value);
            this.checkEmail(field, value);
            const numeric = this.checkNumber(field, value);
            checked[name] = this.checkReference(field, numeric);
        }
        return checked;
    }

    private computeDerived(
        object: ObjectDef,
        record: StoredRecord,
        previous: StoredRecord | undefined,
        now: number
    ): void {
        if (object.name === 'Case') {
            const closed = record.Status === 'Closed';
            record.IsClosed = closed;
            if (closed && previous?.IsClosed !== true) {
                record.ClosedDate = now;
            } else if (!closed) {
                record.ClosedDate = null;
            }
        }
        if (object.name === 'User') {
            record.Name = [record.FirstName, record.LastName]
                .filter((part) => typeof part === 'string' && part)
                .join(' ');
        }
    }

    /** Inserts records of one object. allOrNone: any failure rolls the whole batch back. */
    insert(tx: Transaction, object: ObjectDef, inputs: PreparedRecord[], allOrNone: boolean): SaveOutcome[] {
        if (object.kind === 'event') {
            return inputs.map((input) => this.publish(tx, object, input.values));
        }
        const savepoint = this.deps.store.savepoint(tx);
        const now = this.deps.clock.tick();
        const outcomes: SaveOutcome[] = [];
        const inserted: StoredRecord[] = [];
        for (const input of inputs) {
            const recordSavepoint = this.deps.store.savepoint(tx);
            try {
                const record = this.insertOne(tx, object, input, now);
                inserted.push(record);
                outcomes.push({ id: String(record.Id), success: true, errors: [] });
            } catch (error) {
                if (!(error instanceof RecordError)) {
                    throw error;
                }
                this.deps.store.rollbackTo(tx, recordSavepoint);
                outcomes.push({ id: null, success: false, errors: [error.shape()] });
            }
        }
        if (allOrNone && outcomes.some((outcome) => !outcome.success)) {
            this.deps.store.rollbackTo(tx, savepoint);
            return outcomes.map((outcome) =>
                outcome.success ? { id: null, success: false, errors: [ROLLED_BACK] } : outcome
            );
        }
        if (inserted.length > 0) {
            this.afterInsert(tx, object, inserted, now);
        }
        return outcomes;
    }

    private insertOne(tx: Transaction, object: ObjectDef, input: PreparedRecord, now: number): StoredRecord {
        if (!object.createable) {
            throw new RecordError('INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support insert`);
        }
        const values = this.checkValues(object, input.values);
        const record: StoredRecord = {};
        for (const field of object.fields) {
            record[field.name] = field.name in values ? values[field.name] : field.defaultValue;
        }
        if (object.name === 'ContentVersion') {
            this.prepareContentVersion(record, input.blobs);
        }
        this.checkRequired(object, record, input.blobs);
        const id = this.deps.ids.next(object.keyPrefix);
        record.Id = id;
        record.IsDeleted = false;
        for (const field of object.fields) {
            if (field.name === 'CreatedDate' || field.name === 'LastModifiedDate' || field.name === 'SystemModstamp') {
                record[field.name] = now;
            }
            if (field.name === 'CreatedById' || field.name === 'LastModifiedById') {
                record[field.name] = tx.userId;
            }
            if (field.name === 'OwnerId' && (record.OwnerId === null || record.OwnerId === undefined)) {
                record.OwnerId = tx.userId;
            }
        }
        this.computeDerived(object, record, undefined, now);
        this.checkUnique(object, record);
        for (const field of object.autoNumberFields) {
            record[field.name] = this.nextAutoNumber(object, field);
        }
        this.deps.store.insert(tx, object.name, record);
        for (const [name, data] of input.blobs) {
            this.deps.store.setBlob(tx, id, name, data);
        }
        if (object.name === 'ContentVersion') {
            this.attachContentVersion(tx, record, now);
        }
        return record;
    }

    private prepareContentVersion(record: StoredRecord, blobs: Map<string, Buffer>): void {
        const path = typeof record.PathOnClient === 'string' ? record.PathOnClient : '';
        if ((record.Title === null || record.Title === '') && path) {
            record.Title = baseName(path);
        }
        const data = blobs.get('VersionData');
        const extension = fileExtension(path);
        record.FileExtension = extension || null;
        record.FileType = FILE_TYPES[extension] ?? 'UNKNOWN';
        record.ContentSize = data ? data.length : 0;
        record.Checksum = data ? createHash('md5').update(data).digest('hex') : null;
        record.IsLatest = true;
    }

    /** A new ContentVersion: a new ContentDocument with its links, or the next version of a document. */
    private attachContentVersion(tx: Transaction, version: StoredRecord, now: number): void {
        const { schema, store } = this.deps;
        const documentObject = schema.object('ContentDocument');
        const linkObject = schema.object('ContentDocumentLink');
        if (!documentObject || !linkObject) {
            return;
        }
        const summary: StoredRecord = {
            Title: version.Title,
            FileExtension: version.FileExtension,
            FileType: version.FileType,
            ContentSize: version.ContentSize,
            LatestPublishedVersionId: version.Id,
            LastModifiedDate: now,
            LastModifiedById: tx.userId,
            SystemModstamp: now
        };
        if (typeof version.ContentDocumentId === 'string') {
            const previous = store
                .live('ContentVersion')
                .filter((other) => other.ContentDocumentId === version.ContentDocumentId && other.Id !== version.Id);
            for (const other of previous) {
                store.update(tx, String(other.Id), { IsLatest: false, SystemModstamp: now });
            }
            store.update(tx, String(version.Id), { VersionNumber: String(previous.length + 1) });
            store.update(tx, version.ContentDocumentId, summary);
            return;
        }
        const documentId = this.deps.ids.next(documentObject.keyPrefix);
        const document: StoredRecord = {};
        for (const field of documentObject.fields) {
            document[field.name] = field.defaultValue;
        }
        Object.assign(document, summary, {
            Id: documentId,
            IsDeleted: false,
            CreatedDate: now,
            CreatedById: tx.userId,
            OwnerId: version.OwnerId
        });
        store.insert(tx, 'ContentDocument', document);
        store.update(tx, String(version.Id), { ContentDocumentId: documentId, VersionNumber: '1' });
        const links: PreparedRecord[] = [
            {
                values: {
                    LinkedEntityId: version.OwnerId,
                    ContentDocumentId: documentId,
                    ShareType: 'I',
                    Visibility: 'AllUsers'
                },
                blobs: new Map()
            }
        ];
        const location = version.FirstPublishLocationId;
        if (typeof location === 'string' && location !== version.OwnerId) {
            links.push({
                values: {
                    LinkedEntityId: location,
                    ContentDocumentId: documentId,
                    ShareType: 'V',
                    Visibility: 'AllUsers'
                },
                blobs: new Map()
            });
        }
        const outcomes = this.insert(tx, linkObject, links, true);
        const failure = outcomes.find((outcome) => !outcome.success);
        if (failure) {
            const [error] = failure.errors;
            throw new RecordError(error.statusCode, error.message, error.fields);
        }
    }

    private afterInsert(tx: Transaction, object: ObjectDef, records: StoredRecord[], now: number): void {
        this.touchRollupParents(tx, object, records, now);
        this.hooks?.afterInsert(
            tx,
            object,
            records.map((record) => this.deps.store.get(String(record.Id)) ?? record)
        );
    }

    /** A roll-up summary recalculation changes the master's SystemModstamp (computed on read). */
    private touchRollupParents(tx: Transaction, object: ObjectDef, records: StoredRecord[], now: number): void {
        for (const field of object.fields) {
            if (!field.masterDetail) {
                continue;
            }
            const parentObject = this.deps.schema.object(field.referenceTo[0] ?? '');
            if (!parentObject?.fields.some((candidate) => candidate.summary?.childObject === object.name)) {
                continue;
            }
            const parentIds = new Set(
                records.map((record) => record[field.name]).filter((id) => typeof id === 'string')
            );
            for (const parentId of parentIds) {
                const parent = this.deps.store.get(String(parentId));
                if (parent && parent.IsDeleted !== true) {
                    this.deps.store.update(tx, String(parentId), { SystemModstamp: now });
                }
            }
        }
    }

    /** Updates records (each input carries its Id). allOrNone: any failure rolls the batch back. */
    update(
        tx: Transaction,
        inputs: { id: string; record: PreparedRecord; object?: ObjectDef }[],
        allOrNone: boolean
    ): SaveOutcome[] {
        const savepoint = this.deps.store.savepoint(tx);
        const now = this.deps.clock.tick();
        const outcomes: SaveOutcome[] = [];
        const updated = new Map<ObjectDef, { records: StoredRecord[]; previous: Map<string, StoredRecord> }>();
        type Entry = { records: StoredRecord[]; previous: Map<string, StoredRecord> };
        for (const input of inputs) {
            const recordSavepoint = this.deps.store.savepoint(tx);
            try {
                const { object, record, previous } = this.updateOne(tx, input.id, input.record, now, input.object);
                const entry: Entry = updated.get(object) ?? { records: [], previous: new Map<string, StoredRecord>() };
                entry.records.push(record);
                entry.previous.set(String(record.Id), previous);
                updated.set(object, entry);
                outcomes.push({ id: String(record.Id), success: true, errors: [] });
            } catch (error) {
                if (!(error instanceof RecordError)) {
                    throw error;
                }
                this.deps.store.rollbackTo(tx, recordSavepoint);
                outcomes.push({ id: normalizeId(input.id) ?? input.id, success: false, errors: [error.shape()] });
            }
        }
        if (allOrNone && outcomes.some((outcome) => !outcome.success)) {
            this.deps.store.rollbackTo(tx, savepoint);
            return outcomes.map((outcome) =>
                outcome.success ? { id: outcome.id, success: false, errors: [ROLLED_BACK] } : outcome
            );
        }
        for (const [object, entry] of updated) {
            this.hooks?.afterUpdate(tx, object, entry.records, entry.previous);
        }
        return outcomes;
    }

    /** The live record of that id, or a RecordError as a save result reports it. */
    liveRecord(id: string, expected?: ObjectDef): { object: ObjectDef; record: StoredRecord } {
        const normalized = normalizeId(id);
        if (!normalized) {
            throw new RecordError('MALFORMED_ID', `Record ID: id value of incorrect type: ${id}`, ['Id']);
        }
        const object = this.deps.schema.objectOfId(normalized);
        const record = this.deps.store.get(normalized);
        if (!object || (expected && object !== expected)) {
            throw new RecordError('MALFORMED_ID', `Record ID: id value of incorrect type: ${id}`, ['Id']);
        }
        if (!record) {
            throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
        }
        if (record.IsDeleted === true) {
            throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
        }
        return { object, record };
    }

    private updateOne(
        tx: Transaction,
        id: string,
        input: PreparedRecord,
        now: number,
        expected?: ObjectDef
    ): { object: ObjectDef; record: StoredRecord; previous: StoredRecord } {
        const { object, record: previous } = this.liveRecord(id, expected);
        if (!object.updateable || object.kind === 'event') {
            throw new RecordError('INVALID_TYPE_FOR_OPERATION', `entity type ${object.name} does not support update`);
        }
        const values = this.checkValues(object, input.values);
        const record: StoredRecord = { ...previous, ...values };
        this.checkRequired(object, record, input.blobs, new Set(Object.keys(values)));
        for (const field of object.fields) {
            if (field.name === 'LastModifiedDate' || field.name === 'SystemModstamp') {
                record[field.name] = now;
            }
            if (field.name === 'LastModifiedById') {
                record[field.name] = tx.userId;
            }
        }
        this.computeDerived(object, record, previous, now);
        this.checkUnique(object, record);
        this.deps.store.update(tx, String(previous.Id), record);
        return { object, record: { ...record }, previous: { ...previous } };
    }

    /** Deletes records, with cascade (master-detail) and set-null (lookups) as the metadata says. */
    delete(tx: Transaction, ids: string[], allOrNone: boolean, expected?: ObjectDef): SaveOutcome[] {
        const savepoint = this.deps.store.savepoint(tx);
        const now = this.deps.clock.tick();
        const outcomes: SaveOutcome[] = [];
        const deleted = new Map<ObjectDef, StoredRecord[]>();
        for (const id of ids) {
            const recordSavepoint = this.deps.store.savepoint(tx);
            try {
                const { object, record } = this.liveRecord(id, expected);
                if (!object.deletable || object.kind === 'event') {
                    throw new RecordError(
                        'INVALID_TYPE_FOR_OPERATION',
                        `entity type ${object.name} does not support delete`
                    );
                }
                this.deleteTree(tx, object, record, now);
                deleted.set(object, [...(deleted.get(object) ?? []), { ...record }]);
                outcomes.push({ id: String(record.Id), success: true, errors: [] });
            } catch (error) {
                if (!(error instanceof RecordError)) {
                    throw error;
                }
                this.deps.store.rollbackTo(tx, recordSavepoint);
                outcomes.push({ id: normalizeId(id) ?? id, success: false, errors: [error.shape()] });
            }
        }
        if (allOrNone && outcomes.some((outcome) => !outcome.success)) {
            this.deps.store.rollbackTo(tx, savepoint);
            return outcomes.map((outcome) =>
                outcome.success ? { id: outcome.id, success: false, errors: [ROLLED_BACK] } : outcome
            );
        }
        for (const [object, records] of deleted) {
            this.hooks?.afterDelete(tx, object, records);
        }
        return outcomes;
    }

    private deleteTree(tx: Transaction, object: ObjectDef, record: StoredRecord, now: number): void {
        const { schema, store } = this.deps;
        const id = String(record.Id);
        for (const relationship of object.childRelationships) {
            const childObject = schema.object(relationship.childSObject);
            if (!childObject) {
                continue;
            }
            const field = schema.field(childObject, relationship.field);
            const children = store.live(childObject.name).filter((candidate) => candidate[relationship.field] === id);
            if (!field || children.length === 0) {
                continue;
            }
            if (field.deleteConstraint === 'Restrict') {
                throw new RecordError(
                    'DELETE_FAILED',
                    `Your attempt to delete ${String(record.Id)} could not be completed because it is associated with the following ${childObject.labelPlural}.: ${children.map((candidate) => String(candidate.Id)).join(', ')}`
                );
            }
            if (field.deleteConstraint === 'Cascade') {
                for (const childRecord of children) {
                    this.deleteTree(tx, childObject, childRecord, now);
                }
            } else if (field.deleteConstraint === 'SetNull') {
                for (const childRecord of children) {
                    store.update(tx, String(childRecord.Id), { [field.name]: null, SystemModstamp: now });
                }
            }
        }
        store.markDeleted(tx, id, now, { SystemModstamp: now });
        this.touchRollupParents(tx, object, [record], now);
    }

    /** Publishes a platform event in the transaction: delivered when the transaction commits. */
    publish(tx: Transaction, object: ObjectDef, values: StoredRecord): SaveOutcome {
        const checked = (() => {
            try {
                return this.checkValues(object, values);
            } catch (error) {
                if (error instanceof RecordError) {
                    return error;
                }
                throw error;
            }
        })();
        if (checked instanceof RecordError) {
            return { id: null, success: false, errors: [checked.shape()] };
        }
        const id = this.deps.ids.next(object.keyPrefix);
        const uuid = randomUUID();
        const payload: StoredRecord = {};
        for (const field of object.fields) {
            if (field.custom) {
                payload[field.name] = field.name in checked ? checked[field.name] : field.defaultValue;
            }
        }
        payload.CreatedDate = this.deps.clock.now();
        payload.CreatedById = tx.userId;
        payload.EventUuid = uuid;
        tx.events.push({ type: object.name, id, payload });
        return { id, success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED', message: uuid, fields: [] }] };
    }
}

/** Whether a text is a syntactically valid id (for callers that validate URL segments). */
export function looksLikeId(text: string): boolean {
    return isWellFormedId(text);
}
