// sObject Collections (`/composite/sobjects`): create (POST), update (PATCH, `id` or `Id` in each
// record, jsforce sends `id`), delete (DELETE ?ids=...&allOrNone=), retrieve (GET
// /composite/sobjects/{type}?ids=&fields= and POST with {ids, fields}) and upsert (PATCH
// /composite/sobjects/{type}/{externalIdField}). At most 200 records (2,000 ids for the POST
// retrieve). allOrNone rolls every record back when one fails; the results come back in request
// order as [{id, success, errors:[{statusCode, message, fields}]}]. One API call per request.

import type { SaveOutcome } from './dml.ts';
import { ApiError, ROLLED_BACK } from './errors.ts';
import { normalizeId } from './ids.ts';
import type { Json, JsonObject } from './json.ts';
import { isJsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { inTransaction, json, saveResultJson } from './rest-context.ts';
import type { ObjectDef } from './schema.ts';
import { methodNotAllowed } from './sobjects.ts';
import type { Transaction } from './store.ts';

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

function limitExceeded(limit: number): ApiError {
    return new ApiError(
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${limit} records into this call`
    );
}

function invalidType(type: string): ApiError {
    return new ApiError(
        400,
        'INVALID_TYPE',
        `sObject type '${type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
    );
}

function bodyOf(request: RestRequest): { allOrNone: boolean; records: JsonObject[] } {
    const body = request.body;
    if (!isJsonObject(body) || !Array.isArray(body.records)) {
        throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must have a records array');
    }
    const records = body.records.filter(isJsonObject);
    if (records.length !== body.records.length) {
        throw new ApiError(400, 'JSON_PARSER_ERROR', 'Every item of records must be an object');
    }
    if (records.length > MAX_RECORDS) {
        throw limitExceeded(MAX_RECORDS);
    }
    return { allOrNone: body.allOrNone === true || request.sharedTx !== undefined, records };
}

function typeOfRecord(org: Org, record: JsonObject, fallback?: ObjectDef): ObjectDef {
    const attributes = isJsonObject(record.attributes) ? record.attributes : {};
    const type = typeof attributes.type === 'string' ? attributes.type : undefined;
    if (!type) {
        if (fallback) {
            return fallback;
        }
        throw new ApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
    }
    const object = org.schema.apiObject(type);
    if (!object) {
        throw invalidType(type);
    }
    return object;
}

/**
 * Consecutive records of the same type form a chunk, processed together (at most 10 chunks). The REST
 * API guide, sObject Collections create and update: "If the request body includes objects of more
 * than one type, they are processed as chunks. For example, if the incoming objects are {account1,
 * account2, contact1, account3}, the request is processed in three chunks" and "A single request can
 * process up to 10 chunks". The guide gives no error body for an 11th chunk: the code and message
 * here are those Apex DML gives for the same limit.
 */
function chunks<T extends { object: ObjectDef }>(items: T[]): T[][] {
    const result: T[][] = [];
    for (const item of items) {
        const last = result[result.length - 1];
        if (last && last[0].object === item.object) {
            last.push(item);
        } else {
            result.push([item]);
        }
    }
    if (result.length > 10) {
        throw new ApiError(
            400,
            'INVALID_BATCH_REQUEST',
            'Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.'
        );
    }
    return result;
}

/** Runs chunk after chunk; with allOrNone, one failure rolls every chunk back. */
function runChunks<T extends { object: ObjectDef }>(
    org: Org,
    tx: Transaction,
    items: T[],
    allOrNone: boolean,
    work: (chunk: T[]) => SaveOutcome[]
): SaveOutcome[] {
    const savepoint = org.store.savepoint(tx);
    const outcomes: SaveOutcome[] = [];
    for (const chunk of chunks(items)) {
        const chunkOutcomes = work(chunk);
        outcomes.push(...chunkOutcomes);
        if (allOrNone && chunkOutcomes.some((outcome) => !outcome.success)) {
            org.store.rollbackTo(tx, savepoint);
            const failed = outcomes.length;
            const rolledBack = (outcome: SaveOutcome): SaveOutcome =>
                outcome.success || outcome.errors[0]?.statusCode === ROLLED_BACK.statusCode
                    ? { id: null, success: false, errors: [ROLLED_BACK] }
                    : outcome;
            return [
                ...outcomes.map(rolledBack),
                ...items.slice(failed).map(() => ({ id: null, success: false, errors: [ROLLED_BACK] }))
            ];
        }
    }
    return outcomes;
}

function create(org: Org, request: RestRequest): RestResponse {
    const { allOrNone, records } = bodyOf(request);
    const items = records.map((record) => {
        const object = typeOfRecord(org, record);
        if (Object.keys(record).some((key) => key.toLowerCase() === 'id')) {
            throw new ApiError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call');
        }
        return { object, prepared: org.dml.prepare(object, record, 'insert') };
    });
    const outcomes = inTransaction(org, request, (tx) =>
        runChunks(org, tx, items, allOrNone, (chunk) =>
            org.dml.insert(
                tx,
                chunk[0].object,
                chunk.map((item) => item.prepared),
                allOrNone
            )
        )
    );
    return json(
        200,
        outcomes.map((outcome) => saveResultJson(outcome))
    );
}

function update(org: Org, request: RestRequest): RestResponse {
    const { allOrNone, records } = bodyOf(request);
    const items = records.map((record) => {
        const rawId = record.id ?? record.Id;
        const id = typeof rawId === 'string' ? rawId : '';
        const normalized = normalizeId(id);
        const byId = normalized ? org.schema.objectOfId(normalized) : undefined;
        const object = typeOfRecord(org, record, byId);
        return { object, id, prepared: org.dml.prepare(object, record, 'update') };
    });
    const outcomes = inTransaction(org, request, (tx) =>
        runChunks(org, tx, items, allOrNone, (chunk) => {
            const withId = chunk.filter((item) => item.id !== '');
            const saved = org.dml.update(
                tx,
                withId.map((item) => ({ id: item.id, record: item.prepared, object: item.object })),
                false
            );
            return chunk.map((item) =>
                item.id === ''
                    ? {
                          id: null,
                          success: false,
                          errors: [
                              {
                                  statusCode: 'MISSING_ARGUMENT',
                                  message: 'Id not specified in an update call',
                                  fields: []
                              }
                          ]
                      }
                    : (saved.shift() as SaveOutcome)
            );
        })
    );
    if (allOrNone && outcomes.some((outcome) => !outcome.success)) {
        return json(
            200,
            outcomes.map((outcome, index) =>
                saveResultJson({ ...outcome, id: outcome.id ?? (items[index].id || null) })
            )
        );
    }
    return json(
        200,
        outcomes.map((outcome) => saveResultJson(outcome))
    );
}

function destroy(org: Org, request: RestRequest): RestResponse {
    const ids = (request.query.get('ids') ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
    if (ids.length === 0) {
        throw new ApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    }
    if (ids.length > MAX_RECORDS) {
        throw limitExceeded(MAX_RECORDS);
    }
    const allOrNone = request.query.get('allOrNone') === 'true' || request.sharedTx !== undefined;
    const outcomes = inTransaction(org, request, (tx) => org.dml.delete(tx, ids, allOrNone));
    return json(
        200,
        outcomes.map((outcome, index) => saveResultJson({ ...outcome, id: outcome.id ?? ids[index] }))
    );
}

function retrieve(org: Org, request: RestRequest, type: string): RestResponse {
    const object = org.schema.apiObject(type);
    if (!object) {
        throw invalidType(type);
    }
    let ids: string[];
    let fieldNames: string[];
    if (request.method === 'POST') {
        const body = request.body;
        if (!isJsonObject(body) || !Array.isArray(body.ids) || !Array.isArray(body.fields)) {
            throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must have ids and fields arrays');
        }
        ids = body.ids.map(String);
        fieldNames = body.fields.map(String);
        if (ids.length > MAX_RETRIEVE_IDS) {
            throw limitExceeded(MAX_RETRIEVE_IDS);
        }
    } else {
        ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
        fieldNames = (request.query.get('fields') ?? '').split(',').filter((name) => name !== '');
    }
    if (ids.length === 0 || fieldNames.length === 0) {
        throw new ApiError(400, 'MISSING_ARGUMENT', 'ids and fields are required');
    }
    const fields = fieldNames.map((name) => {
        const field = org.schema.field(object, name.trim());
        if (!field) {
            throw new ApiError(
                400,
                'INVALID_FIELD',
                `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
            );
        }
        return field;
    });
    const records: Json[] = ids.map((rawId) => {
        const id = normalizeId(rawId);
        const record = id ? org.store.get(id) : undefined;
        if (!id || !record || record.IsDeleted === true || org.schema.objectOfId(id) !== object) {
            return null;
        }
        return org.recordJson(object, record, request.apiVersion, fields);
    });
    return json(200, records);
}

function upsert(org: Org, request: RestRequest, type: string, externalField: string): RestResponse {
    const object = org.schema.apiObject(type);
    if (!object) {
        throw invalidType(type);
    }
    const field = org.schema.field(object, externalField);
    if (!field || !(field.externalId || field.idLookup)) {
        throw new ApiError(
            400,
            'INVALID_FIELD',
            `Field name provided, ${externalField} is not an External ID or indexed field for ${object.name}`
        );
    }
    const { allOrNone, records } = bodyOf(request);
    const items = records.map((record) => {
        const key = Object.keys(record).find((name) => name.toLowerCase() === field.name.toLowerCase());
        const value = key === undefined ? undefined : record[key];
        const text =
            typeof value === 'string'
                ? value
                : typeof value === 'number' || typeof value === 'boolean'
                  ? String(value)
                  : undefined;
        return { object: typeOfRecord(org, record, object), record, value: text };
    });
    const created: boolean[] = [];
    const outcomes = inTransaction(org, request, (tx) =>
        runChunks(org, tx, items, allOrNone, (chunk) =>
            chunk.map((item) => {
                if (item.value === undefined) {
                    created.push(false);
                    return {
                        id: null,
                        success: false,
                        errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${field.name} not specified`, fields: [] }]
                    };
                }
                const wanted = item.value.toLowerCase();
                const matches = org.store.findBy(
                    object.name,
                    field.name,
                    'lowercase',
                    (value) => String(value).toLowerCase(),
                    wanted
                );
                if (matches.length > 1) {
                    created.push(false);
                    return {
                        id: null,
                        success: false,
                        errors: [
                            {
                                statusCode: 'DUPLICATE_EXTERNAL_ID',
                                message: `${field.name}: more than one record found for external id field: ${matches.map((match) => String(match.Id)).join(', ')}`,
                                fields: [field.name]
                            }
                        ]
                    };
                }
                if (matches.length === 1) {
                    created.push(false);
                    const body = { ...item.record };
                    delete body.attributes;
                    const [outcome] = org.dml.update(
                        tx,
                        [{ id: String(matches[0].Id), record: org.dml.prepare(object, body, 'update'), object }],
                        false
                    );
                    return outcome;
                }
                created.push(true);
                const [outcome] = org.dml.insert(tx, object, [org.dml.prepare(object, item.record, 'insert')], false);
                return outcome;
            })
        )
    );
    return json(
        200,
        outcomes.map((outcome, index) =>
            saveResultJson(outcome, { created: outcome.success && created[index] === true })
        )
    );
}

/** Dispatches `/composite/sobjects...`; `segments` follow 'sobjects'. */
export function collectionsResource(org: Org, request: RestRequest, segments: string[]): RestResponse {
    const { method } = request;
    if (segments.length === 0) {
        switch (method) {
            case 'POST':
                return create(org, request);
            case 'PATCH':
                return update(org, request);
            case 'DELETE':
                return destroy(org, request);
            default:
                throw methodNotAllowed(method, 'POST,PATCH,DELETE');
        }
    }
    if (segments.length === 1) {
        if (method !== 'GET' && method !== 'POST') {
            throw methodNotAllowed(method, 'GET,POST');
        }
        return retrieve(org, request, segments[0]);
    }
    if (segments.length === 2 && method === 'PATCH') {
        return upsert(org, request, segments[0], segments[1]);
    }
    throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}
