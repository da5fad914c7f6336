// What a REST resource handler receives and answers, whether the request came over HTTP or as a
// Composite subrequest, and the transaction it runs in.

import type { SaveOutcome } from './dml.ts';
import type { Json, JsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { Transaction } from './store.ts';

export interface RestRequest {
    method: string;
    /** Path below /services/data/vXX.X, e.g. `/sobjects/Case/500...`; '' for the version root. */
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | undefined>;
    /** Parsed JSON body (undefined when none). */
    body: Json | undefined;
    rawBody: Buffer;
    contentType: string;
    apiVersion: string;
    userId: string;
    /** A Composite request with allOrNone runs every subrequest in this one transaction. */
    sharedTx?: Transaction;
    /** True for a Composite subrequest. */
    inComposite: boolean;
}

export interface RestResponse {
    status: number;
    body?: Json | Buffer;
    headers?: Record<string, string>;
    contentType?: string;
}

export function json(status: number, body: Json, headers?: Record<string, string>): RestResponse {
    return { status, body, headers };
}

export function noContent(): RestResponse {
    return { status: 204 };
}

/** Runs the work in the request's transaction: the shared one of a Composite, or a new one committed at the end. */
export function inTransaction<T>(org: Org, request: RestRequest, work: (tx: Transaction) => T): T {
    if (request.sharedTx) {
        return work(request.sharedTx);
    }
    return org.inTransaction(request.userId, work);
}

/** A SaveResult as sObject Collections answer it (`id` left out when the record got none). */
export function saveResultJson(outcome: SaveOutcome, extra: JsonObject = {}): JsonObject {
    const result: JsonObject = {};
    if (outcome.id !== null) {
        result.id = outcome.id;
    }
    result.success = outcome.success;
    result.errors = outcome.errors.map((error) => ({
        statusCode: error.statusCode,
        message: error.message,
        fields: error.fields
    }));
    return { ...result, ...extra };
}
