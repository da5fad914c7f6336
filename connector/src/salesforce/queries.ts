// Batched reads: any number of SOQL queries run as Query subrequests of Composite requests, five per
// request (the most Salesforce allows), so N queries cost ceil(N / 5) calls instead of N.
//
// A query answers up to 2,000 rows per batch (child rows of subqueries included); the rest comes
// from its `nextRecordsUrl`, and a child subquery with more rows than fit carries its own
// `nextRecordsUrl`. Those follow-up batches are fetched the same way: packed five per Composite
// request. Salesforce invalidates a page's child cursors when the parent cursor moves on, so a
// query's child batches are always fetched before its next parent batch.
import { apiErrorOfBody } from './errors.ts';
import type { SalesforceApiError } from './errors.ts';
import type { OrgRest, SubRequest } from './rest.ts';
import { COMPOSITE_MAX_HEAVY_SUBREQUESTS } from './rest.ts';

/** A row as the REST API answers it (`attributes` included). */
export type Row = Record<string, unknown>;

/** The rows of one query, or why it failed. */
export type QueryOutcome =
    { readonly ok: true; readonly records: Row[] } | { readonly ok: false; readonly error: SalesforceApiError };

interface QueryPage {
    records?: unknown;
    done?: unknown;
    nextRecordsUrl?: unknown;
}

interface Job {
    readonly records: Row[];
    error?: SalesforceApiError;
    /** Child batches of the latest parent page not fetched yet (queued or in the current round). */
    pendingChildren: number;
    /** The parent's next batch, fetched once no child batch is pending. */
    parentNext?: string;
}

interface Task {
    readonly job: Job;
    readonly path: string;
    /** Where the rows go: the job's rows (parent batches) or a child subquery's `records` array. */
    readonly child?: { readonly holder: QueryPage; readonly rows: Row[] };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rowsOf(page: QueryPage): Row[] {
    return Array.isArray(page.records) ? page.records.filter(isObject) : [];
}

/** `/services/data/v65.0/query/01g...-2000` → `/query/01g...-2000` (the rest prepends the version). */
function relativeLocator(url: string): string {
    return url.replace(/^\/services\/data\/v\d+\.\d+/, '');
}

/**
 * Runs the queries, packed five per Composite call, following every cursor (parent and child), and
 * answers their complete rows in order. A query that fails does not stop the others; a Composite
 * request that fails as a whole throws.
 */
export async function runQueries(rest: OrgRest, operation: string, soqls: readonly string[]): Promise<QueryOutcome[]> {
    const jobs: Job[] = soqls.map(() => ({ records: [], pendingChildren: 0 }));
    const queue: Task[] = soqls.map((soql, index) => ({
        job: jobs[index],
        path: `/query?q=${encodeURIComponent(soql)}`
    }));

    const takeRound = (): Task[] => {
        const round = queue.splice(0, COMPOSITE_MAX_HEAVY_SUBREQUESTS);
        for (const job of jobs) {
            if (round.length >= COMPOSITE_MAX_HEAVY_SUBREQUESTS) {
                break;
            }
            if (job.parentNext !== undefined && job.pendingChildren === 0 && job.error === undefined) {
                round.push({ job, path: job.parentNext });
                job.parentNext = undefined;
            }
        }
        return round;
    };

    const accept = (task: Task, page: QueryPage): void => {
        const { job } = task;
        const rows = rowsOf(page);
        const next = typeof page.nextRecordsUrl === 'string' && page.done === false ? page.nextRecordsUrl : undefined;
        if (task.child) {
            task.child.rows.push(...rows);
            job.pendingChildren -= 1;
            if (next !== undefined) {
                job.pendingChildren += 1;
                queue.push({ job, path: relativeLocator(next), child: task.child });
            } else {
                task.child.holder.done = true;
                delete task.child.holder.nextRecordsUrl;
            }
            return;
        }
        job.records.push(...rows);
        for (const row of rows) {
            for (const value of Object.values(row)) {
                if (
                    isObject(value) &&
                    Array.isArray(value.records) &&
                    value.done === false &&
                    typeof value.nextRecordsUrl === 'string'
                ) {
                    const holder: QueryPage = value;
                    job.pendingChildren += 1;
                    queue.push({
                        job,
                        path: relativeLocator(value.nextRecordsUrl),
                        child: { holder, rows: value.records as Row[] }
                    });
                }
            }
        }
        if (next !== undefined) {
            job.parentNext = relativeLocator(next);
        }
    };

    for (let round = takeRound(); round.length > 0; round = takeRound()) {
        const subrequests: SubRequest[] = round.map((task) => ({ method: 'GET', path: task.path }));
        const answers = await rest.composite(operation, subrequests);
        round.forEach((task, index) => {
            const answer = answers[index];
            if (task.job.error !== undefined) {
                return;
            }
            if (answer.status >= 400 || !isObject(answer.body)) {
                task.job.error = apiErrorOfBody(answer.body, answer.status);
                return;
            }
            accept(task, answer.body);
        });
        // A failed query's remaining batches are not fetched.
        for (let index = queue.length - 1; index >= 0; index--) {
            if (queue[index].job.error !== undefined) {
                queue.splice(index, 1);
            }
        }
    }
    return jobs.map((job): QueryOutcome =>
        job.error ? { ok: false, error: job.error } : { ok: true, records: job.records }
    );
}

/** Runs the queries and answers their rows; the first failing query throws its error. */
export async function queryAll(rest: OrgRest, operation: string, soqls: readonly string[]): Promise<Row[][]> {
    const outcomes = await runQueries(rest, operation, soqls);
    return outcomes.map((outcome) => {
        if (!outcome.ok) {
            throw outcome.error;
        }
        return outcome.records;
    });
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
    const chunks: T[][] = [];
    for (let index = 0; index < items.length; index += size) {
        chunks.push(items.slice(index, index + size));
    }
    return chunks;
}
