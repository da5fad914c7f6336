// sObject resources: global describe (`/sobjects`), basic information and create
// (`/sobjects/{type}`, JSON or multipart with a binary part), describe, get updated / get
// deleted, rows by id (GET/PATCH/DELETE), blob fields (`/sobjects/ContentVersion/{id}/VersionData`)
// and rows by external id (GET/PATCH upsert/DELETE). Answers and errors as the REST API gives them.

import { ApiError, notFound } from './errors.ts';
import { normalizeId } from './ids.ts';
import type { Json, JsonObject } from './json.ts';
import { isJsonObject, parseJson } from './json.ts';
import type { Org } from './org.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { inTransaction, json, noContent, saveResultJson } from './rest-context.ts';
import type { FieldDef, ObjectDef } from './schema.ts';
import type { StoredRecord } from './store.ts';
import { formatDateTime, parseDateTime } from './time.ts';

const SOAP_TYPES: Record<string, string> = {
    id: 'tns:ID',
    reference: 'tns:ID',
    string: 'xsd:string',
    textarea: 'xsd:string',
    picklist: 'xsd:string',
    url: 'xsd:string',
    email: 'xsd:string',
    boolean: 'xsd:boolean',
    datetime: 'xsd:dateTime',
    date: 'xsd:date',
    double: 'xsd:double',
    int: 'xsd:int',
    base64: 'xsd:base64Binary'
};

function objectUrls(object: ObjectDef, apiVersion: string): JsonObject {
    const base = `/services/data/v${apiVersion}/sobjects/${object.name}`;
    return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function shortDescribe(object: ObjectDef, apiVersion: string): JsonObject {
    return {
        activateable: false,
        createable: object.createable,
        custom: object.custom,
        customSetting: object.kind === 'setting',
        deletable: object.deletable,
        deprecatedAndHidden: false,
        feedEnabled: false,
        keyPrefix: object.keyPrefix,
        label: object.label,
        labelPlural: object.labelPlural,
        layoutable: object.kind !== 'event',
        mergeable: false,
        name: object.name,
        queryable: object.queryable,
        replicateable: object.kind !== 'event',
        retrieveable: object.queryable,
        searchable: object.kind === 'standard' || object.kind === 'custom',
        triggerable: true,
        undeletable: object.deletable,
        updateable: object.updateable,
        urls: objectUrls(object, apiVersion)
    };
}

function fieldDescribe(field: FieldDef): JsonObject {
    const textual = field.length > 0;
    return {
        autoNumber: field.autoNumber !== null,
        byteLength: textual ? (field.lengthInBytes ? field.length : field.length * 3) : 0,
        calculated: field.calculated,
        caseSensitive: field.caseSensitive,
        cascadeDelete: field.deleteConstraint === 'Cascade' && field.masterDetail,
        createable: field.createable,
        custom: field.custom,
        defaultValue: field.defaultValue,
        defaultedOnCreate: field.defaultedOnCreate,
        digits: field.type === 'int' ? field.precision : 0,
        externalId: field.externalId,
        filterable: field.type !== 'textarea' && field.type !== 'base64',
        groupable:
            field.type !== 'textarea' &&
            field.type !== 'base64' &&
            field.type !== 'double' &&
            field.type !== 'datetime',
        idLookup: field.idLookup,
        label: field.label,
        length: field.length,
        name: field.name,
        nameField: field.nameField,
        nillable: field.nillable,
        picklistValues: field.picklistValues.map((entry) => ({
            active: entry.active,
            defaultValue: entry.defaultValue,
            label: entry.label,
            validFor: null,
            value: entry.value
        })),
        polymorphicForeignKey: field.referenceTo.length > 1,
        precision: field.type === 'double' ? field.precision : 0,
        referenceTo: field.referenceTo,
        relationshipName: field.relationshipName,
        relationshipOrder: field.masterDetail ? 0 : null,
        restrictedDelete: field.deleteConstraint === 'Restrict',
        restrictedPicklist: field.restrictedPicklist,
        scale: field.type === 'double' ? field.scale : 0,
        soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
        sortable: field.type !== 'textarea' && field.type !== 'base64',
        type: field.type,
        unique: field.unique,
        updateable: field.updateable,
        writeRequiresMasterRead: field.masterDetail
    };
}

function describe(object: ObjectDef, apiVersion: string): JsonObject {
    return {
        ...shortDescribe(object, apiVersion),
        childRelationships: object.childRelationships.map((relationship) => ({
            cascadeDelete: relationship.cascadeDelete,
            childSObject: relationship.childSObject,
            deprecatedAndHidden: false,
            field: relationship.field,
            junctionIdListNames: [],
            junctionReferenceTo: [],
            relationshipName: relationship.relationshipName,
            restrictedDelete: relationship.restrictedDelete
        })),
        fields: object.fields.map(fieldDescribe),
        recordTypeInfos: [],
        supportedScopes: [{ label: 'All', name: 'everything' }],
        urls: objectUrls(object, apiVersion)
    };
}

function globalDescribe(org: Org, apiVersion: string): JsonObject {
    return {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: org.schema
            .objects()
            .filter((object) => !object.hiddenFromApi)
            .map((object) => shortDescribe(object, apiVersion))
    };
}

/** Reads a multipart/form-data body: one JSON part (the record) and binary parts by field name. */
export function parseMultipart(raw: Buffer, contentType: string): { record: Json; files: Map<string, Buffer> } {
    const boundaryMatch = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    const boundary = boundaryMatch ? (boundaryMatch[1] ?? boundaryMatch[2]) : undefined;
    if (!boundary) {
        throw new ApiError(400, 'MALFORMED_REQUEST', 'multipart request without a boundary');
    }
    const delimiter = Buffer.from(`--${boundary}`);
    const files = new Map<string, Buffer>();
    let record: Json = null;
    let position = raw.indexOf(delimiter);
    while (position !== -1) {
        const start = position + delimiter.length;
        if (raw.subarray(start, start + 2).toString() === '--') {
            break;
        }
        const next = raw.indexOf(delimiter, start);
        if (next === -1) {
            break;
        }
        const part = raw.subarray(start + 2, next - 2);
        const headerEnd = part.indexOf('\r\n\r\n');
        const headers = part.subarray(0, headerEnd).toString('utf8');
        const content = part.subarray(headerEnd + 4);
        const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
        if (/content-type:\s*application\/json/i.test(headers)) {
            record = parseJson(content.toString('utf8'));
        } else if (/filename=/i.test(headers) || /application\/octet-stream/i.test(headers)) {
            files.set(name, Buffer.from(content));
        } else if (record === null) {
            record = parseJson(content.toString('utf8'));
        }
        position = next;
    }
    return { record, files };
}

function apiObjectOr404(org: Org, type: string): ObjectDef {
    const object = org.schema.apiObject(type);
    if (!object) {
        throw notFound();
    }
    return object;
}

function requireBody(request: RestRequest): JsonObject {
    if (!isJsonObject(request.body)) {
        throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body is either invalid or incomplete');
    }
    return request.body;
}

function createRecord(org: Org, request: RestRequest, object: ObjectDef): RestResponse {
    let input: JsonObject;
    let files = new Map<string, Buffer>();
    if (request.contentType.startsWith('multipart/')) {
        const parsed = parseMultipart(request.rawBody, request.contentType);
        if (!isJsonObject(parsed.record)) {
            throw new ApiError(400, 'JSON_PARSER_ERROR', 'The multipart request has no JSON part');
        }
        input = parsed.record;
        files = parsed.files;
    } else {
        input = requireBody(request);
    }
    const prepared = org.dml.prepare(object, input, 'insert');
    for (const [name, data] of files) {
        const field = org.schema.field(object, name);
        if (field?.type === 'base64') {
            prepared.blobs.set(field.name, data);
        }
    }
    return inTransaction(org, request, (tx) => {
        const [outcome] = org.dml.insert(tx, object, [prepared], true);
        if (!outcome.success || outcome.id === null) {
            const [error] = outcome.errors;
            throw new ApiError(400, error.statusCode, error.message, error.fields);
        }
        const location = org.recordUrl(object, outcome.id, request.apiVersion);
        return json(201, saveResultJson(outcome), { Location: location });
    });
}

/** Fields of `?fields=a,b`: each must exist on the object. */
function selectedFields(org: Org, object: ObjectDef, request: RestRequest): FieldDef[] | undefined {
    const list = request.query.get('fields');
    if (!list) {
        return undefined;
    }
    return list
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((name) => {
            const field = org.schema.field(object, name);
            if (!field) {
                throw new ApiError(
                    400,
                    'INVALID_FIELD',
                    `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
                );
            }
            return field;
        });
}

/** The live record a URL id names: 404s as Salesforce answers them. */
function recordOf(org: Org, object: ObjectDef, rawId: string): StoredRecord {
    const id = normalizeId(rawId);
    if (!id || org.schema.objectOfId(id) !== object) {
        throw notFound(`Provided external ID field does not exist or is not accessible: ${rawId}`);
    }
    const record = org.store.get(id);
    if (!record) {
        throw notFound();
    }
    if (record.IsDeleted === true) {
        throw new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    }
    return record;
}

function updateRecord(org: Org, request: RestRequest, object: ObjectDef, id: string): RestResponse {
    const prepared = org.dml.prepare(object, requireBody(request), 'update');
    return inTransaction(org, request, (tx) => {
        const [outcome] = org.dml.update(tx, [{ id, record: prepared, object }], true);
        if (!outcome.success) {
            const [error] = outcome.errors;
            throw new ApiError(400, error.statusCode, error.message, error.fields);
        }
        return noContent();
    });
}

function deleteRecord(org: Org, request: RestRequest, id: string): RestResponse {
    return inTransaction(org, request, (tx) => {
        const [outcome] = org.dml.delete(tx, [id], true);
        if (!outcome.success) {
            const [error] = outcome.errors;
            throw new ApiError(400, error.statusCode, error.message, error.fields);
        }
        return noContent();
    });
}

function externalIdField(org: Org, object: ObjectDef, name: string): FieldDef {
    const field = org.schema.field(object, name);
    if (!field || !(field.idLookup || field.externalId)) {
        throw notFound(`Provided external ID field does not exist or is not accessible: ${name}`);
    }
    return field;
}

function matchesExternalId(field: FieldDef, value: unknown, wanted: string): boolean {
    if (typeof value !== 'string') {
        return false;
    }
    if (field.type === 'id') {
        return value.slice(0, 15) === wanted.slice(0, 15);
    }
    return field.caseSensitive ? value === wanted : value.toLowerCase() === wanted.toLowerCase();
}

function byExternalId(
    org: Org,
    request: RestRequest,
    object: ObjectDef,
    fieldName: string,
    value: string
): RestResponse {
    const field = externalIdField(org, object, fieldName);
    const matches = org.store.live(object.name).filter((record) => matchesExternalId(field, record[field.name], value));
    if (matches.length > 1) {
        return json(
            300,
            matches.map((record) => org.recordUrl(object, String(record.Id), request.apiVersion))
        );
    }
    const [match] = matches;
    switch (request.method) {
        case 'GET':
            if (!match) {
                throw notFound();
            }
            return json(200, org.recordJson(object, match, request.apiVersion, selectedFields(org, object, request)));
        case 'DELETE':
            if (!match) {
                throw notFound();
            }
            return deleteRecord(org, request, String(match.Id));
        case 'PATCH':
        case 'POST': {
            const body = { ...requireBody(request) };
            for (const key of Object.keys(body)) {
                if (key.toLowerCase() === field.name.toLowerCase()) {
                    delete body[key];
                }
            }
            if (match) {
                const prepared = org.dml.prepare(object, body, 'update');
                return inTransaction(org, request, (tx) => {
                    const [outcome] = org.dml.update(tx, [{ id: String(match.Id), record: prepared, object }], true);
                    if (!outcome.success) {
                        const [error] = outcome.errors;
                        throw new ApiError(400, error.statusCode, error.message, error.fields);
                    }
                    return json(200, { id: String(match.Id), success: true, errors: [], created: false });
                });
            }
            if (field.type === 'id') {
                throw notFound();
            }
            const prepared = org.dml.prepare(object, { ...body, [field.name]: value }, 'insert');
            return inTransaction(org, request, (tx) => {
                const [outcome] = org.dml.insert(tx, object, [prepared], true);
                if (!outcome.success || outcome.id === null) {
                    const [error] = outcome.errors;
                    throw new ApiError(400, error.statusCode, error.message, error.fields);
                }
                return json(201, { id: outcome.id, success: true, errors: [], created: true });
            });
        }
        default:
            throw methodNotAllowed(request.method, 'GET,PATCH,DELETE');
    }
}

export function methodNotAllowed(method: string, allowed: string): ApiError {
    return new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`);
}

function updatedOrDeleted(
    org: Org,
    request: RestRequest,
    object: ObjectDef,
    which: 'updated' | 'deleted'
): RestResponse {
    const start = parseDateTime(request.query.get('start') ?? '');
    const end = parseDateTime(request.query.get('end') ?? '');
    if (start === undefined || end === undefined) {
        throw new ApiError(400, 'MISSING_ARGUMENT', 'start and end must be specified');
    }
    if (end < start) {
        throw new ApiError(400, 'INVALID_REPLICATION_DATE', 'The end date must be later than the start date');
    }
    // Whole minutes, as the replication API works in minutes.
    const from = Math.floor(start / 60_000) * 60_000;
    const to = Math.floor(end / 60_000) * 60_000;
    if (which === 'updated') {
        const ids = org.store
            .live(object.name)
            .filter(
                (record) =>
                    typeof record.SystemModstamp === 'number' &&
                    record.SystemModstamp >= from &&
                    record.SystemModstamp < to
            )
            .map((record) => String(record.Id));
        return json(200, { ids, latestDateCovered: formatDateTime(to) });
    }
    const deletedRecords = org.store
        .all(object.name)
        .filter((record) => record.IsDeleted === true)
        .map((record) => ({ id: String(record.Id), at: org.store.deletedTime(String(record.Id)) ?? 0 }))
        .filter((entry) => entry.at >= from && entry.at < to)
        .map((entry) => ({ deletedDate: formatDateTime(entry.at), id: entry.id }));
    return json(200, {
        deletedRecords,
        earliestDateAvailable: formatDateTime(from),
        latestDateCovered: formatDateTime(to)
    });
}

/** Dispatches `/sobjects/...`; `segments` follow 'sobjects'. */
export function sobjectsResource(org: Org, request: RestRequest, segments: string[]): RestResponse {
    const { method, apiVersion } = request;
    if (segments.length === 0) {
        if (method !== 'GET') {
            throw methodNotAllowed(method, 'GET,HEAD');
        }
        return json(200, globalDescribe(org, apiVersion));
    }
    const object = apiObjectOr404(org, segments[0]);
    if (segments.length === 1) {
        if (method === 'GET') {
            return json(200, { objectDescribe: shortDescribe(object, apiVersion), recentItems: [] });
        }
        if (method === 'POST') {
            return createRecord(org, request, object);
        }
        throw methodNotAllowed(method, 'GET,HEAD,POST');
    }
    const second = segments[1];
    if (segments.length === 2 && second === 'describe') {
        if (method !== 'GET') {
            throw methodNotAllowed(method, 'GET,HEAD');
        }
        return json(200, describe(object, apiVersion));
    }
    if (segments.length === 2 && (second === 'updated' || second === 'deleted')) {
        return updatedOrDeleted(org, request, object, second);
    }
    if (segments.length === 2) {
        switch (method) {
            case 'GET': {
                const record = recordOf(org, object, second);
                return json(200, org.recordJson(object, record, apiVersion, selectedFields(org, object, request)));
            }
            case 'PATCH':
                recordOf(org, object, second);
                return updateRecord(org, request, object, second);
            case 'DELETE':
                recordOf(org, object, second);
                return deleteRecord(org, request, second);
            default:
                throw methodNotAllowed(method, 'GET,PATCH,DELETE,HEAD');
        }
    }
    if (segments.length === 3) {
        const blobField = org.schema.field(object, segments[2]);
        if (blobField?.type === 'base64' && normalizeId(second)) {
            if (request.inComposite) {
                throw new ApiError(
                    400,
                    'NOT_SUPPORTED',
                    'sObject Blob Retrieve is not supported in a Composite request'
                );
            }
            if (method !== 'GET') {
                throw methodNotAllowed(method, 'GET,HEAD');
            }
            const record = recordOf(org, object, second);
            const data = org.store.blob(String(record.Id), blobField.name);
            if (!data) {
                throw notFound();
            }
            return { status: 200, body: data, contentType: 'application/octetstream' };
        }
        return byExternalId(org, request, object, second, decodeURIComponent(segments[2]));
    }
    throw notFound();
}
