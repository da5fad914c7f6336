// Composite (`POST /composite`): up to 25 subrequests, at most 5 of them queries or sObject
// Collections, run in order as the same user, later ones referring to earlier results with
// `@{referenceId.path}` (`@{newCase.id}`, `@{cases.records[0].Id}`). With allOrNone every
// subrequest shares one transaction: a failure rolls everything back and every other
// subrequest answers 400 PROCESSING_HALTED; without it each subrequest commits on its own and
// only those referring to a failed one are halted. The whole request is ONE API call.
//
// Composite Batch (`POST /composite/batch`): up to 25 independent subrequests, each committed on
// its own and each counted as an API call, as Salesforce documents.

import { ApiError, PROCESSING_HALTED_MESSAGE } from './errors.ts';
import type { Json, JsonObject } from './json.ts';
import { isJsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { json } from './rest-context.ts';

export type Dispatch = (request: RestRequest) => RestResponse;

const MAX_SUBREQUESTS = 25;
const MAX_QUERIES_AND_COLLECTIONS = 5;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

interface SubRequest {
    method: string;
    url: string;
    referenceId: string;
    body: Json | undefined;
    headers: Record<string, string>;
}

class ReferenceError extends Error {}

function readPath(value: Json | undefined, path: string): Json | undefined {
    let current = value;
    for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
        if (step.startsWith('[')) {
            const index = Number(step.slice(1, -1));
            current = Array.isArray(current) ? current[index] : undefined;
        } else if (isJsonObject(current)) {
            const key = step.slice(1);
            const found = Object.keys(current).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
            current = found === undefined ? undefined : current[found];
        } else {
            current = undefined;
        }
    }
    return current;
}

function resolveText(text: string, results: Map<string, Json | undefined>, whole: boolean): Json {
    const single = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$/.exec(text);
    const lookup = (reference: string, path: string): Json => {
        if (!results.has(reference)) {
            throw new ReferenceError(
                `Invalid reference specified. No value for ${reference}${path} found in ${reference}. Provided referenceId ('${reference}') doesn't match any previous subrequest.`
            );
        }
        const value = readPath(results.get(reference), path);
        if (value === undefined || value === null) {
            throw new ReferenceError(
                `Invalid reference specified. No value for ${reference}${path} found in ${reference}.`
            );
        }
        return value;
    };
    if (whole && single) {
        return lookup(single[1], single[2]);
    }
    return text.replace(REFERENCE, (_, reference: string, path: string) => {
        const value = lookup(reference, path);
        return typeof value === 'string' ? value : JSON.stringify(value);
    });
}

function resolveJson(value: Json | undefined, results: Map<string, Json | undefined>): Json | undefined {
    if (typeof value === 'string') {
        return resolveText(value, results, true);
    }
    if (Array.isArray(value)) {
        return value.map((item) => resolveJson(item, results) ?? null);
    }
    if (isJsonObject(value)) {
        const resolved: JsonObject = {};
        for (const [key, item] of Object.entries(value)) {
            resolved[key] = resolveJson(item, results) ?? null;
        }
        return resolved;
    }
    return value;
}

function halted(message = PROCESSING_HALTED_MESSAGE): Json {
    return [{ errorCode: 'PROCESSING_HALTED', message }];
}

function parseSubrequests(body: Json | undefined): { allOrNone: boolean; subrequests: SubRequest[] } {
    if (!isJsonObject(body) || !Array.isArray(body.compositeRequest)) {
        throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must have a compositeRequest array');
    }
    const items = body.compositeRequest;
    if (items.length > MAX_SUBREQUESTS) {
        throw new ApiError(
            400,
            'INVALID_BATCH_REQUEST',
            `The number of subrequests exceeds the limit of ${MAX_SUBREQUESTS} for a Composite request.`
        );
    }
    const seen = new Set<string>();
    const subrequests = items.map((item): SubRequest => {
        if (!isJsonObject(item) || typeof item.method !== 'string' || typeof item.url !== 'string') {
            throw new ApiError(400, 'JSON_PARSER_ERROR', 'Each subrequest needs a method and a url');
        }
        const referenceId = typeof item.referenceId === 'string' ? item.referenceId : '';
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(referenceId)) {
            throw new ApiError(400, 'INVALID_INPUT', `Invalid referenceId: ${referenceId}`);
        }
        if (seen.has(referenceId)) {
            throw new ApiError(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${referenceId}`);
        }
        seen.add(referenceId);
        const headers: Record<string, string> = {};
        if (isJsonObject(item.httpHeaders)) {
            for (const [name, value] of Object.entries(item.httpHeaders)) {
                if (typeof value === 'string') {
                    headers[name.toLowerCase()] = value;
                }
            }
        }
        return { method: item.method.toUpperCase(), url: item.url, referenceId, body: item.body, headers };
    });
    const heavy = subrequests.filter((sub) =>
        /\/(?:query|queryAll)(?:\/|$)|\/composite\/sobjects(?:\/|$)/.test(sub.url.split('?')[0])
    );
    if (heavy.length > MAX_QUERIES_AND_COLLECTIONS) {
        throw new ApiError(
            400,
            'INVALID_BATCH_REQUEST',
            `A Composite request can have at most ${MAX_QUERIES_AND_COLLECTIONS} query and sObject Collections subrequests.`
        );
    }
    return { allOrNone: body.allOrNone === true, subrequests };
}

/** Splits `/services/data/vXX.X/sobjects/Case?x=y` into version, path and query. */
export function splitDataUrl(url: string): { apiVersion: string; path: string; query: URLSearchParams } | undefined {
    const [pathPart, queryPart = ''] = url.split(/\?(.*)/s);
    const match = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(pathPart);
    if (!match) {
        return undefined;
    }
    return { apiVersion: match[1], path: (match[2] ?? '').replace(/\/$/, ''), query: new URLSearchParams(queryPart) };
}

function subrequestOf(parent: RestRequest, sub: SubRequest, url: string, body: Json | undefined): RestRequest {
    const target = splitDataUrl(url);
    if (!target) {
        throw new ApiError(
            400,
            'INVALID_INPUT',
            `The url of subrequest ${sub.referenceId} must start with /services/data/vXX.X/`
        );
    }
    if (target.path === '/composite' || target.path.startsWith('/composite/batch')) {
        throw new ApiError(400, 'INVALID_INPUT', 'A Composite subrequest cannot be another Composite request');
    }
    return {
        method: sub.method,
        path: target.path,
        query: target.query,
        headers: { ...parent.headers, ...sub.headers },
        body,
        rawBody: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
        contentType: 'application/json',
        apiVersion: target.apiVersion,
        userId: parent.userId,
        sharedTx: parent.sharedTx,
        inComposite: true
    };
}

function responseHeaders(response: RestResponse): JsonObject {
    const headers: JsonObject = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
        headers[name] = value;
    }
    return headers;
}

function bodyJson(response: RestResponse): Json {
    if (response.body === undefined || Buffer.isBuffer(response.body)) {
        return null;
    }
    return response.body;
}

export function compositeResource(org: Org, request: RestRequest, dispatch: Dispatch): RestResponse {
    if (request.method !== 'POST') {
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are POST`);
    }
    const { allOrNone, subrequests } = parseSubrequests(request.body);
    const results = new Map<string, Json | undefined>();
    const answers: JsonObject[] = [];
    const sharedTx = allOrNone ? org.begin(request.userId) : undefined;
    const parent: RestRequest = { ...request, sharedTx };
    let failedAt = -1;
    for (const [index, sub] of subrequests.entries()) {
        let response: RestResponse;
        try {
            const resolvedUrl = resolveText(sub.url, results, false);
            const url = typeof resolvedUrl === 'string' ? resolvedUrl : JSON.stringify(resolvedUrl);
            const body = resolveJson(sub.body, results);
            response = dispatch(subrequestOf(parent, sub, url, body));
        } catch (error) {
            if (error instanceof ReferenceError) {
                response = { status: 400, body: halted(error.message) };
            } else if (error instanceof ApiError) {
                response = { status: error.status, body: error.body() };
            } else {
                throw error;
            }
        }
        const body = bodyJson(response);
        answers.push({
            body,
            httpHeaders: responseHeaders(response),
            httpStatusCode: response.status,
            referenceId: sub.referenceId
        });
        // With allOrNone, a collection with a failed record fails the whole composite (its own answer stays 200).
        const failedRecords = Array.isArray(body) && body.some((item) => isJsonObject(item) && item.success === false);
        if (allOrNone && (response.status >= 400 || failedRecords)) {
            failedAt = index;
            break;
        }
        if (response.status >= 400) {
            results.set(sub.referenceId, undefined);
        } else {
            results.set(sub.referenceId, body);
        }
    }
    if (sharedTx) {
        if (failedAt >= 0) {
            org.rollback(sharedTx);
            const rolledBack = subrequests.map((sub, index): JsonObject =>
                index === failedAt
                    ? answers[index]
                    : { body: halted(), httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId }
            );
            return json(200, { compositeResponse: rolledBack });
        }
        org.commit(sharedTx);
    }
    return json(200, { compositeResponse: answers });
}

export interface BatchOutcome {
    response: RestResponse;
    /** API calls the batch costs beyond the one counted for the HTTP request. */
    extraCalls: number;
}

export function compositeBatchResource(request: RestRequest, dispatch: Dispatch): BatchOutcome {
    if (request.method !== 'POST') {
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are POST`);
    }
    const body = request.body;
    if (!isJsonObject(body) || !Array.isArray(body.batchRequests)) {
        throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must have a batchRequests array');
    }
    if (body.batchRequests.length > MAX_SUBREQUESTS) {
        throw new ApiError(
            400,
            'INVALID_BATCH_REQUEST',
            `The number of batch subrequests exceeds the limit of ${MAX_SUBREQUESTS}.`
        );
    }
    const haltOnError = body.haltOnError === true;
    let halt = false;
    let hasErrors = false;
    const results: JsonObject[] = [];
    for (const item of body.batchRequests) {
        if (!isJsonObject(item) || typeof item.method !== 'string' || typeof item.url !== 'string') {
            throw new ApiError(400, 'JSON_PARSER_ERROR', 'Each batch subrequest needs a method and a url');
        }
        if (halt) {
            results.push({
                statusCode: 412,
                result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }]
            });
            continue;
        }
        const url = item.url.startsWith('/services/data/') ? item.url : `/services/data/${item.url.replace(/^\//, '')}`;
        const target = splitDataUrl(url);
        let response: RestResponse;
        if (!target) {
            response = { status: 400, body: [{ errorCode: 'INVALID_INPUT', message: `Invalid url: ${item.url}` }] };
        } else {
            try {
                response = dispatch({
                    ...request,
                    method: item.method.toUpperCase(),
                    path: target.path,
                    query: target.query,
                    body: item.richInput,
                    rawBody: Buffer.from(item.richInput === undefined ? '' : JSON.stringify(item.richInput)),
                    contentType: 'application/json',
                    apiVersion: target.apiVersion,
                    sharedTx: undefined,
                    inComposite: true
                });
            } catch (error) {
                if (!(error instanceof ApiError)) {
                    throw error;
                }
                response = { status: error.status, body: error.body() };
            }
        }
        if (response.status >= 400) {
            hasErrors = true;
            halt = haltOnError;
        }
        results.push({ statusCode: response.status, result: bodyJson(response) });
    }
    return { response: json(200, { hasErrors, results }), extraCalls: Math.max(0, body.batchRequests.length - 1) };
}
