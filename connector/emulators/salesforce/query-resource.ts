// The Query and QueryAll resources: `GET /query?q=...`, `GET /queryAll?q=...` and the next batch
// at `GET /query/<locator>-<offset>`. A query's results are fixed when it runs (a server-side
// cursor); each batch holds up to 2,000 rows, or the `Sforce-Query-Options: batchSize=N` (200 to
// 2,000) the client asks for, counting child rows of subqueries toward the batch size. As in an
// org, a user keeps at most 10 open cursors (the oldest is dropped) and a cursor expires after
// 15 minutes without use; a dropped or unknown locator answers INVALID_QUERY_LOCATOR.

import { ApiError } from './errors.ts';
import { KEY_PREFIX } from './ids.ts';
import type { IdFactory } from './ids.ts';
import type { JsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { json } from './rest-context.ts';
import { runQuery } from './soql.ts';
import { methodNotAllowed } from './sobjects.ts';

interface Cursor {
    locator: string;
    userId: string;
    records: JsonObject[];
    weights: number[];
    totalSize: number;
    lastUsed: number;
}

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;
const CURSORS_PER_USER = 10;
const CURSOR_IDLE_MS = 15 * 60_000;

export class QueryCursors {
    private readonly cursors = new Map<string, Cursor>();
    private readonly ids: IdFactory;

    constructor(ids: IdFactory) {
        this.ids = ids;
    }

    open(userId: string, records: JsonObject[], weights: number[], totalSize: number): Cursor {
        const now = Date.now();
        for (const [locator, cursor] of this.cursors) {
            if (now - cursor.lastUsed > CURSOR_IDLE_MS) {
                this.cursors.delete(locator);
            }
        }
        const mine = [...this.cursors.values()].filter((cursor) => cursor.userId === userId);
        if (mine.length >= CURSORS_PER_USER) {
            this.cursors.delete(mine[0].locator);
        }
        const cursor = {
            locator: this.ids.next(KEY_PREFIX.QueryLocator),
            userId,
            records,
            weights,
            totalSize,
            lastUsed: now
        };
        this.cursors.set(cursor.locator, cursor);
        return cursor;
    }

    get(locator: string, userId: string): Cursor | undefined {
        const cursor = this.cursors.get(locator);
        if (!cursor || cursor.userId !== userId || Date.now() - cursor.lastUsed > CURSOR_IDLE_MS) {
            return undefined;
        }
        cursor.lastUsed = Date.now();
        return cursor;
    }

    close(locator: string): void {
        this.cursors.delete(locator);
    }
}

function batchSize(request: RestRequest): number {
    const header = request.headers['sforce-query-options'] ?? '';
    const match = /batchSize\s*=\s*(\d+)/i.exec(header);
    if (!match) {
        return DEFAULT_BATCH;
    }
    return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(match[1])));
}

/** One batch of a cursor from `offset`: the rows whose weights fit in the batch size (at least one). */
function page(
    cursor: Cursor,
    offset: number,
    size: number,
    request: RestRequest,
    resource: string,
    cursors: QueryCursors
): JsonObject {
    let end = offset;
    let used = 0;
    while (end < cursor.records.length) {
        const weight = cursor.weights[end] ?? 1;
        if (end > offset && used + weight > size) {
            break;
        }
        used += weight;
        end += 1;
    }
    const done = end >= cursor.records.length;
    const answer: JsonObject = { totalSize: cursor.totalSize, done };
    if (!done) {
        answer.nextRecordsUrl = `/services/data/v${request.apiVersion}/${resource}/${cursor.locator}-${end}`;
    } else {
        cursors.close(cursor.locator);
    }
    answer.records = cursor.records.slice(offset, end);
    return answer;
}

/** Dispatches `/query`, `/queryAll` and their locators; `segments` follow the resource name. */
export function queryResource(
    org: Org,
    cursors: QueryCursors,
    request: RestRequest,
    resource: 'query' | 'queryAll',
    segments: string[]
): RestResponse {
    if (request.method !== 'GET') {
        throw methodNotAllowed(request.method, 'GET,HEAD');
    }
    if (segments.length === 1) {
        const match = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(segments[0]);
        const cursor = match ? cursors.get(match[1], request.userId) : undefined;
        if (!match || !cursor) {
            throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        }
        return json(200, page(cursor, Number(match[2]), batchSize(request), request, resource, cursors));
    }
    if (segments.length > 1) {
        throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const soql = request.query.get('q');
    if (soql === null || soql.trim() === '') {
        throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    const result = runQuery(org, soql, {
        includeDeleted: resource === 'queryAll',
        now: Date.now(),
        apiVersion: request.apiVersion
    });
    if (result.records.length === 0) {
        return json(200, { totalSize: result.totalSize, done: true, records: [] });
    }
    const cursor = cursors.open(request.userId, result.records, result.weights, result.totalSize);
    return json(200, page(cursor, 0, batchSize(request), request, resource, cursors));
}
