// Every request the adapter sends to the org goes through OrgRest: it is where API calls are made,
// counted and measured against the daily allocation.
//
// What Salesforce counts as a call, this class counts: one per request under /services/data or
// /services/apexrest that the org answered, failed ones included, except 401 (an expired session:
// jsforce renews it and sends the request again, which is the call) and REQUEST_LIMIT_EXCEEDED
// (refused before it was counted). A Composite request is one call however many subrequests it
// carries, which is why the rest of the adapter packs its work into Composite requests.
//
// jsforce retries some failed requests by itself (420/429/5xx, network errors, for GET/PUT/DELETE),
// and each retry would be another call nobody asked for. Those retries are switched off for every
// request sent from here: a failure surfaces at once and the sync engine retries on its own
// schedule (Sync_Event__c.Next_Attempt__c), with the budget in view.
import type { Connection } from 'jsforce';
import type { ApiBudget } from './api-budget.ts';
import { SalesforceApiError, toApiError } from './errors.ts';

/** HTTP methods the adapter uses. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One subrequest of a Composite request; `path` is relative to `/services/data/vXX.X`. */
export interface SubRequest {
    readonly method: HttpMethod;
    readonly path: string;
    readonly body?: unknown;
}

/** A subrequest's answer inside a Composite response. */
export interface SubResponse {
    readonly status: number;
    readonly body: unknown;
}

/** Most subrequests one Composite request may carry. */
export const COMPOSITE_MAX_SUBREQUESTS = 25;
/** Most query and sObject Collections subrequests one Composite request may carry. */
export const COMPOSITE_MAX_HEAVY_SUBREQUESTS = 5;
/** Most records one sObject Collections request may carry. */
export const COLLECTION_MAX_RECORDS = 200;

/** Error codes of answers Salesforce does not count against the allocation. */
const UNCOUNTED_CODES = new Set(['INVALID_SESSION_ID', 'REQUEST_LIMIT_EXCEEDED']);

/** Options passed with every jsforce request: no automatic retries (see the header comment). */
const REQUEST_OPTIONS = { retry: { maxRetries: 0 } };

interface CompositeAnswer {
    compositeResponse?: { body?: unknown; httpStatusCode?: number; referenceId?: string }[];
}

/** Counted access to the org's REST API through one jsforce Connection. */
export class OrgRest {
    private conn: Connection;
    private readonly budget: ApiBudget;

    constructor(connection: Connection, budget: ApiBudget) {
        this.conn = connection;
        this.budget = budget;
    }

    /** The jsforce connection in use (streaming needs it). */
    get connection(): Connection {
        return this.conn;
    }

    /** Uses another connection from now on (a fresh session after an authentication failure). */
    replaceConnection(connection: Connection): void {
        this.conn = connection;
    }

    /** The API version of the connection, e.g. `65.0`. */
    get apiVersion(): string {
        return this.conn.version;
    }

    /** `/services/data/vXX.X` followed by `path`. */
    dataPath(path: string): string {
        return `/services/data/v${this.conn.version}${path}`;
    }

    /** Runs one request and counts it as Salesforce would. */
    private async counted<T>(operation: string, send: () => Promise<T>): Promise<T> {
        try {
            const result = await send();
            this.budget.recordCall(operation, this.conn.limitInfo.apiUsage);
            return result;
        } catch (error) {
            const { error: apiError, answered } = toApiError(error);
            if (answered && !UNCOUNTED_CODES.has(apiError.code)) {
                this.budget.recordCall(operation, this.conn.limitInfo.apiUsage);
            } else {
                this.budget.observe(this.conn.limitInfo.apiUsage);
            }
            throw apiError;
        }
    }

    /** One REST request under /services/data/vXX.X (`path` relative to it); 1 call. */
    request<T>(operation: string, method: HttpMethod, path: string, body?: unknown): Promise<T> {
        return this.counted(operation, () =>
            this.conn.request<T>(
                {
                    method,
                    url: this.dataPath(path),
                    ...(body === undefined
                        ? {}
                        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
                },
                REQUEST_OPTIONS
            )
        );
    }

    /**
     * A GET of an Apex REST resource (`path` relative to /services/apexrest); 1 call. This is the
     * request `conn.apex.get(path)` sends, made through `conn.request` so that the no-retry option
     * applies (`apex.get` passes its options as headers only).
     */
    apexGet<T>(operation: string, path: string): Promise<T> {
        return this.counted(operation, () =>
            this.conn.request<T>({ method: 'GET', url: `/services/apexrest${path}` }, REQUEST_OPTIONS)
        );
    }

    /** The raw bytes of a GET (blob fields); 1 call. */
    download(operation: string, path: string): Promise<Buffer> {
        return this.counted(operation, async () => {
            const request = this.conn.request({ method: 'GET', url: this.dataPath(path) }, REQUEST_OPTIONS);
            const chunks: Buffer[] = [];
            const collected = new Promise<void>((resolve, reject) => {
                request
                    .stream()
                    .on('data', (chunk: Buffer | string) => {
                        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'binary') : chunk);
                    })
                    .on('end', resolve)
                    .on('error', reject);
            });
            // The promise settles with the status (and rejects on an error answer); the stream has the bytes.
            await request;
            await collected;
            return Buffer.concat(chunks);
        });
    }

    /**
     * One Composite request (`allOrNone: false`, subrequests run in the order given and commit
     * one by one): 1 call for up to 25 subrequests, at most 5 of them queries or collections.
     * Answers the subrequests' answers in order.
     */
    async composite(operation: string, subrequests: readonly SubRequest[]): Promise<SubResponse[]> {
        if (subrequests.length === 0) {
            return [];
        }
        const heavy = subrequests.filter((sub) => /^\/(?:query|queryAll|composite\/sobjects)\b/.test(sub.path));
        if (subrequests.length > COMPOSITE_MAX_SUBREQUESTS || heavy.length > COMPOSITE_MAX_HEAVY_SUBREQUESTS) {
            // A packing bug, not an org answer: fail before spending a call.
            throw new RangeError(
                `A Composite request takes at most ${COMPOSITE_MAX_SUBREQUESTS} subrequests, ${COMPOSITE_MAX_HEAVY_SUBREQUESTS} of them queries or collections.`
            );
        }
        const compositeRequest = subrequests.map((sub, index) => ({
            method: sub.method,
            url: this.dataPath(sub.path),
            referenceId: `r${index}`,
            ...(sub.body === undefined ? {} : { body: sub.body })
        }));
        // collateSubrequests false: the subrequests run in the order given (later ones may depend
        // on the writes of earlier ones); allOrNone false: each commits on its own.
        const answer = await this.request<CompositeAnswer>(operation, 'POST', '/composite', {
            allOrNone: false,
            collateSubrequests: false,
            compositeRequest
        });
        const responses = answer.compositeResponse ?? [];
        return compositeRequest.map((sub) => {
            const response = responses.find((candidate) => candidate.referenceId === sub.referenceId);
            if (!response) {
                throw new SalesforceApiError(
                    'INVALID_COMPOSITE_RESPONSE',
                    `The Composite answer has no ${sub.referenceId}.`
                );
            }
            return { status: response.httpStatusCode ?? 500, body: response.body };
        });
    }
}
