// The Salesforce org as the sync engine sees it: plain methods over plain data (types.ts), each
// spending as few API calls as Salesforce allows. This class and the modules it uses are the only
// code of the connector that knows jsforce, API names or the namespace.
//
// What each method costs (calls counted as Salesforce counts them, see rest.ts):
//   readWork                1 (one Composite request with two queries)
//   readConnections         1
//   readTwins / readCases   ceil(queries / 5): one query per 200 ids, five queries per Composite
//   matchTriggerFilters     ceil(triggers x ceil(ids / 200) / 5)
//   write                   ceil(Collections subrequests / 5) per dependency phase: up to 1,000
//                           records per call
//   getConnectionSecret     1;  downloadFile 1;  uploadFile 1;  subscribeWake 0 (streaming)
// plus one call per extra 2,000-row batch of a large query result.
import type { Connection } from 'jsforce';
import { ApiBudget } from './api-budget.ts';
import type { ApiUsage, DailyApiRequestsLimit } from './api-budget.ts';
import { connectOrg, reconnectOrg } from './auth.ts';
import type { OrgAuthOptions } from './auth.ts';
import { apiErrorOfBody, SalesforceApiError } from './errors.ts';
import { CASE_KEY_PREFIX, CONTENT_VERSION_KEY_PREFIX, requireId, requireIds, SalesforceInputError } from './ids.ts';
import { apiNames } from './names.ts';
import type { ApiNames } from './names.ts';
import { chunk, queryAll, runQueries } from './queries.ts';
import {
    caseFields,
    connectionFields,
    eventFields,
    signalFields,
    toCase,
    toConnection,
    toEvent,
    toSignal,
    toTwin,
    twinFields
} from './records.ts';
import { OrgRest } from './rest.ts';
import { checkTriggerFilter, soqlDateTime, soqlIdList, soqlString } from './soql.ts';
import type { Row } from './queries.ts';
import type {
    CaseSnapshot,
    ChangedCases,
    QueuedEvent,
    Snapshot,
    SnapshotRequest,
    SyncConnection,
    SyncTwin,
    TriggerFailure,
    TriggerFilter,
    TriggerMatches,
    TwinSelection,
    UploadedFile,
    Work,
    WritePlan,
    WriteResult
} from './types.ts';
import { WakeStream } from './wake-stream.ts';
import type { WakeHandler, WakeSubscriptionOptions } from './wake-stream.ts';
import { executeWritePlan } from './write-plan.ts';
import type { WriteOptions } from './write-plan.ts';

/** Ids per `IN (...)` list: keeps a query's text and its result batch small. */
export const IDS_PER_QUERY = 200;

/** Rows one query batch holds at most: a limit above it costs a call per extra batch. */
export const MAX_BATCH_ROWS = 2000;

/**
 * Largest file uploadFile sends: base64 inside JSON is limited to 50 MB of text, 37.5 MB of
 * data. Larger files need a multipart upload, which this adapter does not do yet.
 */
export const MAX_UPLOAD_BYTES = 37_500_000;

/** What a SalesforceOrgClient is built from. */
export interface SalesforceOrgClientOptions {
    /** A connection from connectOrg (API version 65.0). */
    readonly connection: Connection;
    /** The package namespace of the org ('' when it has none). */
    readonly namespace: string;
    /** Shared budget (default: a new one). */
    readonly budget?: ApiBudget;
    /**
     * Opens a connection with a fresh session, used when the streaming server refuses the current
     * one (default: the current connection again, which works once jsforce renewed the session).
     */
    readonly reconnect?: () => Promise<Connection>;
    /** Tuning of write packing. */
    readonly write?: WriteOptions;
}

/** What readWork reads. */
export interface ReadWorkOptions {
    /** Most change signals to read, oldest first (default 200, 0 to skip, at most 2,000). */
    readonly signalLimit?: number;
    /** Most due queue entries to read (default 200, 0 to skip, at most 2,000). */
    readonly eventLimit?: number;
    /** Entries whose Next_Attempt__c is at or before this are due (default: now). */
    readonly now?: Date;
    /**
     * Also read the Cases under sync changed after this instant (the Case, a public comment or a
     * file): three more queries in the same Composite request, so no extra call.
     */
    readonly changedSince?: Date;
}

/** Rows each reconciliation query reads at most; the rest is read by the next reconciliation. */
const RECONCILE_LIMIT = 2000;

/** Which twins readTwins reads: those of these Cases and those with these ids (all twins when both are omitted). */
export type ReadTwinsOptions = TwinSelection;

/** A file to add to a Case. */
export interface UploadFileInput {
    readonly caseId: string;
    /** File name with its extension, e.g. `log.txt`. */
    readonly fileName: string;
    readonly bytes: Uint8Array;
}

function checkLimit(value: number | undefined, name: string): number {
    const limit = value ?? 200;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_BATCH_ROWS) {
        throw new SalesforceInputError(`${name} must be an integer from 0 to ${MAX_BATCH_ROWS}.`);
    }
    return limit;
}

/** The org, as the sync engine uses it. */
export class SalesforceOrgClient {
    /** The org's API names, qualified for its namespace. */
    readonly names: ApiNames;
    /** The daily allocation and the calls this client made. */
    readonly budget: ApiBudget;
    private readonly rest: OrgRest;
    private readonly reconnect: (() => Promise<Connection>) | undefined;
    private readonly writeOptions: WriteOptions;

    constructor(options: SalesforceOrgClientOptions) {
        this.names = apiNames(options.namespace);
        this.budget = options.budget ?? new ApiBudget();
        this.rest = new OrgRest(options.connection, this.budget);
        this.reconnect = options.reconnect;
        this.writeOptions = options.write ?? {};
    }

    /**
     * Opens a session (see auth.ts) and reads the daily allocation once (1 call, skipped with
     * `readApiLimits: false`), so throttling applies from the first call.
     */
    static async connect(
        auth: OrgAuthOptions,
        options: {
            readonly namespace: string;
            readonly budget?: ApiBudget;
            readonly readApiLimits?: boolean;
            readonly write?: WriteOptions;
        }
    ): Promise<SalesforceOrgClient> {
        const client = new SalesforceOrgClient({
            connection: await connectOrg(auth),
            namespace: options.namespace,
            budget: options.budget,
            write: options.write,
            reconnect: () => reconnectOrg(auth)
        });
        if (options.readApiLimits !== false) {
            await client.refreshApiUsage();
        }
        return client;
    }

    /** API calls this client made (every counted request). */
    get apiCalls(): number {
        return this.budget.callsMade;
    }

    /** API calls per method name. */
    apiCallsByMethod(): Readonly<Record<string, number>> {
        return this.budget.callsByOperation();
    }

    /** Reads the Limits resource (1 call) into the budget and answers the daily allocation's usage. */
    async refreshApiUsage(): Promise<ApiUsage> {
        const limits = await this.rest.request<{ DailyApiRequests?: DailyApiRequestsLimit }>(
            'refreshApiUsage',
            'GET',
            '/limits'
        );
        const daily = limits.DailyApiRequests;
        if (!daily || typeof daily.Max !== 'number' || typeof daily.Remaining !== 'number') {
            throw new SalesforceApiError(
                'INVALID_LIMITS_RESPONSE',
                'The Limits resource did not report DailyApiRequests.'
            );
        }
        this.budget.observeLimits(daily);
        return { used: daily.Max - daily.Remaining, limit: daily.Max };
    }

    /**
     * The change signals (outbox, oldest first) and the due queue entries (not Synchronized or
     * Failed, Next_Attempt__c blank or at or before `now`, earliest first): 1 call, a Composite
     * request with two queries.
     */
    async readWork(options: ReadWorkOptions = {}): Promise<Work> {
        const n = this.names;
        const signalLimit = checkLimit(options.signalLimit, 'signalLimit');
        const eventLimit = checkLimit(options.eventLimit, 'eventLimit');
        const now = soqlDateTime(options.now ?? new Date());
        const e = n.event;
        const soqls: string[] = [];
        if (signalLimit > 0) {
            soqls.push(
                `SELECT ${signalFields(n).join(', ')} FROM ${n.objects.signal} ORDER BY CreatedDate ASC, Name ASC LIMIT ${signalLimit}`
            );
        }
        if (eventLimit > 0) {
            soqls.push(
                `SELECT ${eventFields(n).join(', ')} FROM ${n.objects.event}` +
                    ` WHERE ${e.stage} NOT IN (${soqlString('Synchronized')}, ${soqlString('Failed')})` +
                    ` AND (${e.nextAttempt} = null OR ${e.nextAttempt} <= ${now})` +
                    ` ORDER BY ${e.nextAttempt} ASC NULLS FIRST, Name ASC LIMIT ${eventLimit}`
            );
        }
        const baseQueries = soqls.length;
        if (options.changedSince !== undefined) {
            soqls.push(...this.changedCaseQueries(options.changedSince));
        }
        const results = await queryAll(this.rest, 'readWork', soqls);
        return {
            signals: signalLimit > 0 ? results[0].map((row) => toSignal(row, n)) : [],
            dueEvents: eventLimit > 0 ? results[baseQueries - 1].map((row) => toEvent(row, n)) : [],
            ...(options.changedSince !== undefined ? { changed: changedCasesOf(results.slice(baseQueries)) } : {})
        };
    }

    /**
     * The reconciliation queries: Cases under sync (those with a twin) whose record, public comments
     * or file links have a SystemModstamp after `since`, oldest first. The semi-join keeps the rows to
     * Cases under sync, however busy the org; ContentDocumentLink accepts it as its required
     * LinkedEntityId filter.
     */
    private changedCaseQueries(since: Date): string[] {
        const n = this.names;
        const after = soqlDateTime(since);
        const underSync = `(SELECT ${n.twin.case} FROM ${n.objects.twin})`;
        const tail = `ORDER BY SystemModstamp ASC LIMIT ${RECONCILE_LIMIT}`;
        return [
            `SELECT Id, SystemModstamp FROM Case WHERE SystemModstamp > ${after} AND Id IN ${underSync} ${tail}`,
            `SELECT ParentId, SystemModstamp FROM CaseComment WHERE SystemModstamp > ${after} AND IsPublished = true AND ParentId IN ${underSync} ${tail}`,
            `SELECT LinkedEntityId, SystemModstamp FROM ContentDocumentLink WHERE LinkedEntityId IN ${underSync} AND SystemModstamp > ${after} ${tail}`
        ];
    }

    /** Every connection with every field, and its triggers: 1 call. */
    async readConnections(): Promise<SyncConnection[]> {
        const n = this.names;
        const [rows] = await queryAll(this.rest, 'readConnections', [
            `SELECT ${connectionFields(n).join(', ')} FROM ${n.objects.connection} ORDER BY Name ASC`
        ]);
        return rows.map((row) => toConnection(row, n));
    }

    /**
     * Twins of these Cases, with these ids, or of a connection (all of them, or those whose
     * Remote_Key__c is one of `remoteKeys`), every twin when nothing is given, with Sync_State__c
     * parsed. One query per 200 ids or keys, five per call; no call for empty lists.
     */
    async readTwins(options: ReadTwinsOptions = {}): Promise<SyncTwin[]> {
        const soqls = this.twinQueries(options);
        return soqls.length === 0 ? [] : this.twinsOf(await queryAll(this.rest, 'readTwins', soqls));
    }

    /** Queue entries (any stage) with these message ids: one query per 200 ids, no call for none. */
    async readEventsByMessageIds(messageIds: readonly string[]): Promise<QueuedEvent[]> {
        const soqls = this.eventQueries(messageIds);
        return soqls.length === 0
            ? []
            : (await queryAll(this.rest, 'readEventsByMessageIds', soqls))
                  .flat()
                  .map((row) => toEvent(row, this.names));
    }

    /**
     * The Cases, twins and queue entries of one decision read together: every query of readCases,
     * readTwins and readEventsByMessageIds packed five to a Composite request, so that a typical
     * snapshot (up to 200 Cases, a twin query, an event query) is one API call.
     */
    async readSnapshot(request: SnapshotRequest): Promise<Snapshot> {
        const caseQueries = this.caseQueries(request.caseIds ?? []);
        const twinQueries = request.twins === undefined ? [] : this.twinQueries(request.twins);
        const eventQueries = this.eventQueries(request.messageIds ?? []);
        const all = [...caseQueries, ...twinQueries, ...eventQueries];
        if (all.length === 0) {
            return { cases: [], twins: [], events: [] };
        }
        const results = await queryAll(this.rest, 'readSnapshot', all);
        const caseRows = results.slice(0, caseQueries.length);
        const twinRows = results.slice(caseQueries.length, caseQueries.length + twinQueries.length);
        const eventRows = results.slice(caseQueries.length + twinQueries.length);
        return {
            cases: this.casesOf(request.caseIds ?? [], caseRows),
            twins: this.twinsOf(twinRows),
            events: eventRows.flat().map((row) => toEvent(row, this.names))
        };
    }

    private twinQueries(options: ReadTwinsOptions): string[] {
        const n = this.names;
        const select = `SELECT ${twinFields(n).join(', ')} FROM ${n.objects.twin}`;
        const { caseIds, twinIds, connectionId, remoteKeys } = options;
        if (caseIds === undefined && twinIds === undefined && connectionId === undefined && remoteKeys === undefined) {
            return [`${select} ORDER BY Name ASC`];
        }
        if (remoteKeys !== undefined && connectionId === undefined) {
            throw new SalesforceInputError('remoteKeys name twins of one connection: give connectionId too.');
        }
        const cases = requireIds(caseIds ?? [], 'Case', CASE_KEY_PREFIX);
        const twins = requireIds(twinIds ?? [], 'Sync_Twin__c');
        const soqls = [
            ...chunk(cases, IDS_PER_QUERY).map(
                (ids) => `${select} WHERE ${n.twin.case} IN (${soqlIdList(ids, 'Case')}) ORDER BY Name ASC`
            ),
            ...chunk(twins, IDS_PER_QUERY).map(
                (ids) => `${select} WHERE Id IN (${soqlIdList(ids, 'Sync_Twin__c')}) ORDER BY Name ASC`
            )
        ];
        if (connectionId !== undefined) {
            const connection = soqlIdList([connectionId], 'Sync_Connection__c');
            if (remoteKeys === undefined) {
                soqls.push(`${select} WHERE ${n.twin.connection} = ${connection} ORDER BY Name ASC`);
            } else {
                const keys = [...new Set(remoteKeys)];
                for (const part of chunk(keys, IDS_PER_QUERY)) {
                    soqls.push(
                        `${select} WHERE ${n.twin.connection} = ${connection} AND ${n.twin.remoteKey} IN (${part.map((key) => soqlString(key)).join(', ')}) ORDER BY Name ASC`
                    );
                }
            }
        }
        return soqls;
    }

    private twinsOf(results: readonly Row[][]): SyncTwin[] {
        const seen = new Set<string>();
        const twins: SyncTwin[] = [];
        for (const rows of results) {
            for (const row of rows) {
                const twin = toTwin(row, this.names);
                if (!seen.has(twin.id)) {
                    seen.add(twin.id);
                    twins.push(twin);
                }
            }
        }
        return twins;
    }

    private eventQueries(messageIds: readonly string[]): string[] {
        const n = this.names;
        const ids = [...new Set(messageIds)];
        for (const id of ids) {
            if (typeof id !== 'string' || id === '' || id.length > 64) {
                throw new SalesforceInputError('A message id is a text of 1 to 64 characters.');
            }
        }
        return chunk(ids, IDS_PER_QUERY).map(
            (part) =>
                `SELECT ${eventFields(n).join(', ')} FROM ${n.objects.event} WHERE ${n.event.messageId} IN (${part.map((id) => soqlString(id)).join(', ')}) ORDER BY Name ASC`
        );
    }

    private caseQueries(caseIds: readonly string[]): string[] {
        const ids = requireIds(caseIds, 'Case', CASE_KEY_PREFIX);
        const select = `SELECT ${caseFields().join(', ')} FROM Case`;
        return chunk(ids, IDS_PER_QUERY).map((part) => `${select} WHERE Id IN (${soqlIdList(part, 'Case')})`);
    }

    private casesOf(caseIds: readonly string[], results: readonly Row[][]): CaseSnapshot[] {
        const ids = requireIds(caseIds, 'Case', CASE_KEY_PREFIX);
        const byId = new Map<string, CaseSnapshot>();
        for (const rows of results) {
            for (const row of rows) {
                const snapshot = toCase(row);
                byId.set(snapshot.id, snapshot);
            }
        }
        return ids.map((id) => byId.get(id)).filter((snapshot): snapshot is CaseSnapshot => snapshot !== undefined);
    }

    /**
     * The Cases with their public comments (oldest first) and files, in the order asked (Cases that
     * no longer exist are left out). One query per 200 Cases, five per call; comments and files
     * come as subqueries of the same query.
     */
    async readCases(caseIds: readonly string[]): Promise<CaseSnapshot[]> {
        const soqls = this.caseQueries(caseIds);
        return soqls.length === 0 ? [] : this.casesOf(caseIds, await queryAll(this.rest, 'readCases', soqls));
    }

    /**
     * Which of the Cases each trigger's filter matches: one `SELECT Id FROM Case WHERE Id IN (...)
     * AND (<filter>)` per trigger (and per 200 Cases), five per call. Ids are validated before
     * anything is sent (SalesforceInputError); a filter that is not a single condition, or that the
     * org refuses, is reported in `failures` and does not affect the other triggers.
     */
    /**
     * Bulk Exalate: the Cases that match a trigger's filter and have no twin on its connection yet,
     * oldest id first, at most `limit` (1 call per 2,000 ids). Those already under sync are left
     * out by the anti-join, so a run cut short by a crash carries on where it stopped.
     */
    async casesForBulk(trigger: TriggerFilter, limit: number): Promise<string[]> {
        const n = this.names;
        const filter = checkTriggerFilter(trigger.filter);
        const connectionId = requireId(trigger.connectionId, 'Sync_Connection__c');
        const [rows] = await queryAll(this.rest, 'casesForBulk', [
            `SELECT Id FROM Case WHERE (${filter}) AND Id NOT IN (SELECT ${n.twin.case} FROM ${n.objects.twin}` +
                ` WHERE ${n.twin.connection} = ${soqlString(connectionId)}) ORDER BY Id ASC LIMIT ${limit}`
        ]);
        return rows.map((row) => String(row.Id));
    }

    async matchTriggerFilters(caseIds: readonly string[], triggers: readonly TriggerFilter[]): Promise<TriggerMatches> {
        const ids = requireIds(caseIds, 'Case', CASE_KEY_PREFIX);
        const failures: TriggerFailure[] = [];
        const jobs: { trigger: TriggerFilter; soql: string }[] = [];
        const idChunks = chunk(ids, IDS_PER_QUERY);
        for (const trigger of triggers) {
            let filter: string;
            try {
                filter = checkTriggerFilter(trigger.filter);
            } catch (error) {
                if (!(error instanceof SalesforceInputError)) {
                    throw error;
                }
                failures.push({
                    triggerId: trigger.id,
                    connectionId: trigger.connectionId,
                    code: 'INVALID_FILTER',
                    message: error.message
                });
                continue;
            }
            for (const part of idChunks) {
                jobs.push({
                    trigger,
                    soql: `SELECT Id FROM Case WHERE Id IN (${soqlIdList(part, 'Case')}) AND (${filter})`
                });
            }
        }
        const byCase = new Map<string, string[]>();
        if (jobs.length === 0) {
            return { byCase, failures };
        }
        const outcomes = await runQueries(
            this.rest,
            'matchTriggerFilters',
            jobs.map((job) => job.soql)
        );
        const failed = new Set<string>();
        outcomes.forEach((outcome, index) => {
            const { trigger } = jobs[index];
            if (!outcome.ok) {
                if (!failed.has(trigger.id)) {
                    failed.add(trigger.id);
                    failures.push({
                        triggerId: trigger.id,
                        connectionId: trigger.connectionId,
                        code: outcome.error.code,
                        message: outcome.error.message
                    });
                }
                return;
            }
            for (const row of outcome.records) {
                if (typeof row.Id !== 'string') {
                    continue;
                }
                const connections = byCase.get(row.Id) ?? [];
                if (!connections.includes(trigger.connectionId)) {
                    connections.push(trigger.connectionId);
                }
                byCase.set(row.Id, connections);
            }
        });
        return { byCase, failures };
    }

    /**
     * Applies a write plan: Composite requests of up to five sObject Collections subrequests of up
     * to 200 records, Cases before what refers to them (see write-plan.ts). Every record's outcome
     * comes back in the plan's order; a failed record never stops another.
     */
    write(plan: WritePlan): Promise<WriteResult> {
        return executeWritePlan(this.rest, this.names, plan, this.writeOptions);
    }

    /**
     * Subscribes to the wake event (no API call: streaming is not metered). Resolves once the
     * subscription is confirmed, with the function that ends it.
     */
    async subscribeWake(onWake: WakeHandler, options: WakeSubscriptionOptions = {}): Promise<() => Promise<void>> {
        const stream = new WakeStream(
            {
                channel: this.names.wakeChannel,
                reasonField: this.names.wakeReason,
                connection: () => this.rest.connection,
                renewConnection: async () => {
                    const fresh = this.reconnect ? await this.reconnect() : this.rest.connection;
                    this.rest.replaceConnection(fresh);
                    return fresh;
                }
            },
            onWake,
            options
        );
        await stream.open();
        return () => stream.close();
    }

    /**
     * The connection's shared secret, from the package's Apex REST resource (1 call). The secret
     * is never logged and never part of an error message.
     */
    async getConnectionSecret(connectionId: string): Promise<string> {
        const id = requireId(connectionId, 'Sync_Connection__c');
        const path = `${this.names.apexRestBase}/connection-secret/${id}`;
        let answer: unknown;
        try {
            answer = await this.rest.apexGet<unknown>('getConnectionSecret', path);
        } catch (error) {
            if (!(error instanceof SalesforceApiError)) {
                throw error;
            }
            switch (error.code) {
                case 'FORBIDDEN':
                    throw new SalesforceApiError(
                        'FORBIDDEN',
                        "The connector's Salesforce user may not read connection secrets. Assign the Exalate Connector permission set (Exalate_Connector) to the integration user the connector logs in as (Setup > Users > the user > Permission Set Assignments), then retry."
                    );
                case 'NOT_FOUND':
                    throw new SalesforceApiError(
                        'NOT_FOUND',
                        `No secret is stored for connection ${id}, or the Exalate package's secret endpoint was not found at /services/apexrest${path} (check the namespace the connector is configured with). A connection gets its secret when its invitation is created or accepted.`
                    );
                default:
                    throw error;
            }
        }
        const secret =
            typeof answer === 'object' && answer !== null ? (answer as { secret?: unknown }).secret : undefined;
        if (typeof secret !== 'string' || secret === '') {
            throw new SalesforceApiError(
                'INVALID_SECRET_RESPONSE',
                `The secret endpoint answered no secret for connection ${id}.`
            );
        }
        return secret;
    }

    /** The content of a file version (1 call: blob downloads cannot be batched). */
    async downloadFile(contentVersionId: string): Promise<Buffer> {
        const id = requireId(contentVersionId, 'ContentVersion', CONTENT_VERSION_KEY_PREFIX);
        return await this.rest.download('downloadFile', `/sobjects/ContentVersion/${id}/VersionData`);
    }

    /**
     * Adds a file to a Case (1 call): a ContentVersion with FirstPublishLocationId = the Case (which
     * creates the document and its link) and, in the same Composite request, the read of its
     * ContentDocumentId.
     */
    async uploadFile(input: UploadFileInput): Promise<UploadedFile> {
        const caseId = requireId(input.caseId, 'Case', CASE_KEY_PREFIX);
        const fileName = input.fileName.split(/[\\/]/).pop()?.trim() ?? '';
        if (fileName === '') {
            throw new SalesforceInputError('uploadFile needs a file name.');
        }
        if (input.bytes.byteLength > MAX_UPLOAD_BYTES) {
            throw new SalesforceInputError(
                `${fileName} has ${input.bytes.byteLength} bytes; files over ${MAX_UPLOAD_BYTES} bytes need a multipart upload, which is not supported yet.`
            );
        }
        const dot = fileName.lastIndexOf('.');
        const title = dot > 0 ? fileName.slice(0, dot) : fileName;
        const [created, read] = await this.rest.composite('uploadFile', [
            {
                method: 'POST',
                path: '/sobjects/ContentVersion',
                body: {
                    Title: title,
                    PathOnClient: fileName,
                    VersionData: Buffer.from(input.bytes).toString('base64'),
                    FirstPublishLocationId: caseId
                }
            },
            // `@{r0.id}`: the id the first subrequest answered (OrgRest names subrequests r0, r1...).
            { method: 'GET', path: '/sobjects/ContentVersion/@{r0.id}?fields=ContentDocumentId' }
        ]);
        if (created.status >= 400) {
            throw apiErrorOfBody(created.body, created.status);
        }
        if (read.status >= 400) {
            throw apiErrorOfBody(read.body, read.status);
        }
        const version = created.body as { id?: unknown };
        const document = read.body as { ContentDocumentId?: unknown };
        if (typeof version.id !== 'string' || typeof document.ContentDocumentId !== 'string') {
            throw new SalesforceApiError(
                'INVALID_UPLOAD_RESPONSE',
                `Salesforce did not answer the ids of the uploaded file ${fileName}.`
            );
        }
        return { contentVersionId: version.id, contentDocumentId: document.ContentDocumentId };
    }
}

/** The Case ids of the reconciliation rows, and where to resume when a query was full. */
function changedCasesOf([cases, comments, links]: Row[][]): ChangedCases {
    const modstamps: Record<string, string> = {};
    let readUntil: string | null = null;
    const take = (rows: Row[], field: string): void => {
        for (const row of rows) {
            const id = row[field];
            const stamp = row.SystemModstamp;
            if (typeof id === 'string' && typeof stamp === 'string' && !(stamp <= (modstamps[id] ?? ''))) {
                modstamps[id] = stamp;
            }
        }
        const last = rows.at(-1)?.SystemModstamp;
        if (rows.length >= RECONCILE_LIMIT && typeof last === 'string' && (readUntil === null || last < readUntil)) {
            readUntil = last;
        }
    };
    take(cases, 'Id');
    take(comments, 'ParentId');
    take(links, 'LinkedEntityId');
    return { caseIds: Object.keys(modstamps), modstamps, readUntil };
}
