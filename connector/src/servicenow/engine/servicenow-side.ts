// The ServiceNow side as the sync engine sees it: the engine's `OrgPort`, implemented over the
// side's SQLite store (connections, twins, queue, change outbox, secrets) and the instance's REST
// APIs (`IncidentApi`: incidents, additional comments, attachments). An incident plays the part of
// a Case: its sys_id is the "case id", its number (`INC0010001`) the twin key the other side sees.
//
// Exactly once, whatever crashes:
// - an incident created for a remote entity carries its link key in correlation_id; the same
//   creation asked again finds it there instead of creating a second one;
// - a comment is recorded as an intent (incident, SHA-256 of its text) in the store before it is
//   written to the instance, and the intent is dropped in the same transaction as the twin state
//   that remembers the comment; a repeated write that finds an intent first reads the journal and
//   skips comments the service account already wrote;
// - the MD5 of a file is remembered before it is uploaded, so a repeated upload is recognised by the
//   engine's checksum comparison;
// - twins, events, connection changes and processed signals of one write plan commit in one
//   SQLite transaction.
import { createHash } from 'node:crypto';
import type { Buffer } from 'node:buffer';
import { contentTypeOf } from '../../engine/case-entity.ts';
import type { EngineLog, OrgPort } from '../../engine/ports.ts';
import type {
    CaseFile,
    CaseSnapshot,
    RecordError,
    Snapshot,
    SnapshotRequest,
    SyncConnection,
    TriggerFilter,
    TriggerMatches,
    UploadedFile,
    WakeEvent,
    Work,
    WriteOutcome,
    WritePlan,
    WriteResult,
    IdRef
} from '../../salesforce/types.ts';
import type { Incident, IncidentApi, IncidentAttachment, JournalComment } from '../incident-api.ts';
import { ServiceNowApiError } from '../rest/errors.ts';
import type { ServiceNowStore } from '../store/servicenow-store.ts';
import { ChangeFeed } from './change-feed.ts';
import type { ChangeFeedOptions } from './change-feed.ts';

export interface ServiceNowSideOptions {
    readonly store: ServiceNowStore;
    readonly api: IncidentApi;
    readonly log: EngineLog;
    /** Change detection (see change-feed.ts). */
    readonly feed?: Partial<Omit<ChangeFeedOptions, 'store' | 'api' | 'log' | 'clock'>>;
    /** How often the store's wake counter is read (the console bumps it), default 250 ms. */
    readonly wakeCheckMs?: number;
    readonly clock?: () => number;
}

function sha256Hex(text: string | Uint8Array): string {
    return createHash('sha256').update(text).digest('hex');
}

function md5Hex(bytes: Uint8Array): string {
    return createHash('md5').update(bytes).digest('hex');
}

function extensionOf(fileName: string): string | null {
    const dot = fileName.lastIndexOf('.');
    return dot > 0 && dot < fileName.length - 1 ? fileName.slice(dot + 1) : null;
}

/** A failure the instance may not repeat (network, 5xx, 429, expired login): the whole write fails and is retried. */
function isTransient(error: unknown): boolean {
    return (
        !(error instanceof ServiceNowApiError) ||
        ['network', 'server', 'rate-limited', 'authentication', 'invalid-response'].includes(error.kind)
    );
}

function recordError(error: unknown): RecordError {
    const code = error instanceof ServiceNowApiError ? error.kind.toUpperCase().replace(/-/g, '_') : 'ERROR';
    return { code, message: error instanceof Error ? error.message : String(error), fields: [] };
}

function failed(error: unknown): WriteOutcome {
    return { ok: false, errors: [recordError(error)] };
}

/** The journal entries the service account wrote on an incident, by SHA-256 of their text. */
function ownCommentHashes(comments: readonly JournalComment[], userName: string): Set<string> {
    return new Set(
        comments
            .filter((comment) => comment.createdBy === userName)
            .map((comment) => `${comment.incidentSysId}:${sha256Hex(comment.value)}`)
    );
}

export class ServiceNowSide implements OrgPort {
    readonly store: ServiceNowStore;
    readonly api: IncidentApi;
    readonly feed: ChangeFeed;
    readonly #wakeCheckMs: number;
    /** What the last snapshot read showed of each incident: a write then tells whether someone else changed it first. */
    readonly #lastRead = new Map<string, { updatedOn: string; updatedBy: string | null }>();
    /** Incidents a write is changing, until its commit (with how many writes are at it). */
    readonly #writing = new Map<string, number>();
    /** Display names of comment authors by user name (read once each). */
    readonly #names = new Map<string, string>();

    constructor(options: ServiceNowSideOptions) {
        this.store = options.store;
        this.api = options.api;
        this.#wakeCheckMs = options.wakeCheckMs ?? 250;
        this.feed = new ChangeFeed({
            ...options.feed,
            store: options.store,
            api: options.api,
            log: options.log,
            clock: options.clock ?? Date.now,
            match: (sysIds, triggers) => this.matchTriggerFilters(sysIds, triggers),
            isWriting: (sysId) => (this.#writing.get(sysId) ?? 0) > 0
        });
    }

    get apiCalls(): number {
        return this.api.apiCalls;
    }

    readWork(options: { signalLimit?: number; eventLimit?: number; now?: Date } = {}): Promise<Work> {
        const now = (options.now ?? new Date()).toISOString();
        return Promise.resolve({
            signals: this.store.readSignals(options.signalLimit ?? 2000),
            dueEvents: this.store.readDueEvents(options.eventLimit ?? 200, now)
        });
    }

    readConnections(): Promise<SyncConnection[]> {
        return Promise.resolve(this.store.readConnections());
    }

    async readSnapshot(request: SnapshotRequest): Promise<Snapshot> {
        const cases =
            request.caseIds !== undefined && request.caseIds.length > 0 ? await this.#cases(request.caseIds) : [];
        return {
            cases,
            twins: request.twins === undefined ? [] : this.store.readTwins(request.twins),
            events:
                request.messageIds === undefined || request.messageIds.length === 0
                    ? []
                    : this.store.readEventsByMessageIds(request.messageIds)
        };
    }

    /** Incidents with their additional comments and attachments: 3 calls per 100 incidents. */
    async #cases(sysIds: readonly string[]): Promise<CaseSnapshot[]> {
        const incidents = await this.api.getIncidents(sysIds);
        if (incidents.length === 0) {
            return [];
        }
        const found = incidents.map((incident) => incident.sysId);
        const [comments, attachments] = [await this.api.readComments(found), await this.api.listAttachments(found)];
        const md5s = this.store.md5sOf(attachments.map((file) => file.sha256));
        await this.#learnNames(comments.flatMap((comment) => (comment.createdBy === null ? [] : [comment.createdBy])));
        const commentsOf = new Map<string, JournalComment[]>();
        for (const comment of comments) {
            const list = commentsOf.get(comment.incidentSysId) ?? [];
            list.push(comment);
            commentsOf.set(comment.incidentSysId, list);
        }
        const filesOf = new Map<string, IncidentAttachment[]>();
        for (const file of attachments) {
            const list = filesOf.get(file.incidentSysId) ?? [];
            list.push(file);
            filesOf.set(file.incidentSysId, list);
        }
        return incidents.map((incident) => {
            this.#lastRead.set(incident.sysId, { updatedOn: incident.updatedOn, updatedBy: incident.updatedBy });
            return this.#snapshot(
                incident,
                commentsOf.get(incident.sysId) ?? [],
                filesOf.get(incident.sysId) ?? [],
                md5s
            );
        });
    }

    /** Reads the display names of authors not seen before (1 call per 100 new names; none usually). */
    async #learnNames(userNames: readonly string[]): Promise<void> {
        const unknown = [...new Set(userNames)].filter((name) => !this.#names.has(name));
        if (unknown.length === 0) {
            return;
        }
        try {
            const found = await this.api.userDisplayNames(unknown);
            for (const name of unknown) {
                this.#names.set(name, found.get(name) ?? name);
            }
        } catch (error) {
            if (isTransient(error)) {
                throw error;
            }
            // Users the service account may not read: their user names stand in.
            for (const name of unknown) {
                this.#names.set(name, name);
            }
        }
    }

    #snapshot(
        incident: Incident,
        comments: readonly JournalComment[],
        attachments: readonly IncidentAttachment[],
        md5s: ReadonlyMap<string, string>
    ): CaseSnapshot {
        return {
            id: incident.sysId,
            caseNumber: incident.number,
            subject: incident.shortDescription,
            description: incident.description,
            systemModstamp: incident.updatedOn,
            lastModifiedById: incident.updatedBy,
            comments: comments.map((comment) => ({
                id: comment.sysId,
                body: comment.value,
                authorId: comment.createdBy,
                authorName:
                    comment.createdBy === null ? null : (this.#names.get(comment.createdBy) ?? comment.createdBy),
                createdAt: comment.createdOn
            })),
            files: attachments.map((file): CaseFile => ({
                contentDocumentId: file.sysId,
                contentVersionId: file.sysId,
                title: file.fileName,
                fileExtension: extensionOf(file.fileName),
                size: file.sizeBytes,
                checksum: md5s.get(file.sha256) ?? null
            }))
        };
    }

    /** Trigger filters are encoded queries over incident: one query per trigger and 100 incidents. */
    async matchTriggerFilters(caseIds: readonly string[], triggers: readonly TriggerFilter[]): Promise<TriggerMatches> {
        const byCase = new Map<string, string[]>();
        const failures: TriggerMatches['failures'] = [];
        for (const trigger of triggers) {
            const problem = triggerFilterProblem(trigger.filter);
            if (problem !== undefined) {
                failures.push({
                    triggerId: trigger.id,
                    connectionId: trigger.connectionId,
                    code: 'INVALID_FILTER',
                    message: problem
                });
                continue;
            }
            try {
                for (let start = 0; start < caseIds.length; start += 100) {
                    const chunk = caseIds.slice(start, start + 100);
                    const rows = await this.api.queryIncidents({
                        query: `sys_idIN${chunk.join(',')}^${trigger.filter}`
                    });
                    for (const row of rows) {
                        const list = byCase.get(row.sysId) ?? [];
                        list.push(trigger.connectionId);
                        byCase.set(row.sysId, list);
                    }
                }
            } catch (error) {
                if (isTransient(error)) {
                    throw error;
                }
                failures.push({
                    triggerId: trigger.id,
                    connectionId: trigger.connectionId,
                    code: recordError(error).code,
                    message: recordError(error).message
                });
            }
        }
        return { byCase, failures };
    }

    async write(plan: WritePlan): Promise<WriteResult> {
        // The feed must not take the node's own REST writes for someone's change while they are not
        // yet recorded as echoes (that happens in the commit below).
        const writing = [
            ...(plan.updateCases ?? []).map((update) => update.id),
            ...(plan.createComments ?? []).map((comment) => comment.caseId)
        ].filter((id): id is string => typeof id === 'string');
        for (const sysId of writing) {
            this.#writing.set(sysId, (this.#writing.get(sysId) ?? 0) + 1);
        }
        try {
            return await this.#write(plan);
        } finally {
            for (const sysId of writing) {
                const count = (this.#writing.get(sysId) ?? 1) - 1;
                if (count <= 0) {
                    this.#writing.delete(sysId);
                } else {
                    this.#writing.set(sysId, count);
                }
            }
        }
    }

    async #write(plan: WritePlan): Promise<WriteResult> {
        const refs = new Map<string, string>();
        const resolve = (ref: IdRef | null | undefined): string | null | undefined =>
            ref === null || ref === undefined ? ref : typeof ref === 'string' ? ref : refs.get(ref.ref);
        const echoes = new Map<string, string>();
        const touched = new Set<string>();

        const createCases = await this.#createIncidents(plan, refs, echoes);
        const updateCases: WriteOutcome[] = [];
        for (const update of plan.updateCases ?? []) {
            const sysId = resolve(update.id);
            if (!sysId) {
                updateCases.push({
                    ok: false,
                    errors: [{ code: 'INVALID_REFERENCE', message: 'unknown incident', fields: [] }]
                });
                continue;
            }
            try {
                const fields = {
                    ...(update.subject !== undefined ? { shortDescription: update.subject } : {}),
                    ...(update.description !== undefined ? { description: update.description } : {})
                };
                const incident = await this.api.updateIncident(sysId, fields);
                echoes.set(sysId, incident.updatedOn);
                touched.add(sysId);
                updateCases.push({ ok: true, id: sysId });
            } catch (error) {
                if (isTransient(error)) {
                    throw error;
                }
                updateCases.push(failed(error));
            }
        }
        const { outcomes: createComments, intents } = await this.#addComments(plan, resolve, echoes, touched);

        // Changes someone made just before this write and the change feed has not read yet: a signal
        // makes sure they are sent (the feed would take the write for the node's own echo).
        const watermark = this.store.readWatermark('incidents');
        const foreign = [...touched].filter((sysId) => {
            const seen = this.#lastRead.get(sysId);
            return (
                seen !== undefined &&
                seen.updatedBy !== this.api.userName &&
                (watermark === undefined ||
                    seen.updatedOn > watermark.value ||
                    (seen.updatedOn === watermark.value && !watermark.seenAtValue.includes(sysId)))
            );
        });

        return this.store.transaction(() => {
            const upsertTwins = (plan.upsertTwins ?? []).map((upsert): WriteOutcome => {
                const connectionId = resolve(upsert.connectionId);
                const caseId = resolve(upsert.caseId);
                if (!connectionId || (upsert.caseId !== undefined && upsert.caseId !== null && !caseId)) {
                    return {
                        ok: false,
                        errors: [{ code: 'INVALID_REFERENCE', message: 'unknown reference', fields: [] }]
                    };
                }
                // The store writes only the twin's own columns: the id and references resolved here.
                const result = this.store.upsertTwin(upsert.key ?? `${connectionId}:${caseId ?? ''}`, connectionId, {
                    ...upsert,
                    caseId
                });
                if (upsert.ref !== undefined) {
                    refs.set(upsert.ref, result.id);
                }
                return { ok: true, id: result.id, created: result.created };
            });
            const updateTwins = (plan.updateTwins ?? []).map((update): WriteOutcome => {
                const id = resolve(update.id);
                const ok =
                    id !== null &&
                    id !== undefined &&
                    this.store.updateTwin(id, {
                        ...update,
                        caseId: update.caseId === undefined ? undefined : (resolve(update.caseId) ?? null)
                    });
                return ok
                    ? { ok: true, id }
                    : { ok: false, errors: [{ code: 'ENTITY_IS_DELETED', message: 'no such twin', fields: [] }] };
            });
            const createEvents = (plan.createEvents ?? []).map((create): WriteOutcome => {
                const { ref, connectionId, twinId, caseId, ...fields } = create;
                const id = this.store.createEvent({
                    ...fields,
                    ...(connectionId !== undefined ? { connectionId: resolve(connectionId) ?? null } : {}),
                    ...(twinId !== undefined ? { twinId: resolve(twinId) ?? null } : {}),
                    ...(caseId !== undefined ? { caseId: resolve(caseId) ?? null } : {})
                });
                if (ref !== undefined) {
                    refs.set(ref, id);
                }
                return { ok: true, id };
            });
            const updateEvents = (plan.updateEvents ?? []).map((update): WriteOutcome => {
                const id = resolve(update.id);
                const ok =
                    id !== null &&
                    id !== undefined &&
                    this.store.updateEvent(id, {
                        ...update,
                        connectionId:
                            update.connectionId === undefined ? undefined : (resolve(update.connectionId) ?? null),
                        twinId: update.twinId === undefined ? undefined : (resolve(update.twinId) ?? null),
                        caseId: update.caseId === undefined ? undefined : (resolve(update.caseId) ?? null)
                    });
                return ok
                    ? { ok: true, id }
                    : { ok: false, errors: [{ code: 'ENTITY_IS_DELETED', message: 'no such event', fields: [] }] };
            });
            const updateConnections = (plan.updateConnections ?? []).map((update): WriteOutcome =>
                this.store.updateConnection(update)
                    ? { ok: true, id: update.id }
                    : { ok: false, errors: [{ code: 'ENTITY_IS_DELETED', message: 'no such connection', fields: [] }] }
            );
            const deleteSignals = (plan.deleteSignalIds ?? []).map((id): WriteOutcome => {
                this.store.deleteSignal(id);
                return { ok: true, id };
            });
            this.store.removeCommentIntents(intents);
            this.store.recordEchoes(echoes);
            for (const sysId of foreign) {
                this.store.insertSignal({ caseId: sysId, kind: 'Case', recordId: sysId, underSync: true });
            }
            return {
                createCases,
                updateCases,
                createComments,
                upsertTwins,
                updateTwins,
                createEvents,
                updateEvents,
                updateConnections,
                deleteSignals
            };
        });
    }

    /** Incidents for remote entities: found by their link key (correlation_id) first, created otherwise. */
    async #createIncidents(
        plan: WritePlan,
        refs: Map<string, string>,
        echoes: Map<string, string>
    ): Promise<WriteOutcome[]> {
        const creates = plan.createCases ?? [];
        if (creates.length === 0) {
            return [];
        }
        const keys = creates.flatMap((create) => (create.linkKey === undefined ? [] : [create.linkKey]));
        const existing = new Map(
            (keys.length === 0 ? [] : await this.api.getIncidentsByCorrelationId(keys)).map((incident) => [
                incident.correlationId,
                incident
            ])
        );
        const outcomes: WriteOutcome[] = [];
        for (const create of creates) {
            const found = create.linkKey === undefined ? undefined : existing.get(create.linkKey);
            try {
                const incident =
                    found ??
                    (await this.api.createIncident({
                        shortDescription: create.subject ?? null,
                        description: create.description ?? null,
                        correlationId: create.linkKey ?? null
                    }));
                if (found === undefined) {
                    echoes.set(incident.sysId, incident.updatedOn);
                }
                if (create.ref !== undefined) {
                    refs.set(create.ref, incident.sysId);
                }
                outcomes.push({ ok: true, id: incident.sysId, created: found === undefined });
            } catch (error) {
                if (isTransient(error)) {
                    throw error;
                }
                outcomes.push(failed(error));
            }
        }
        return outcomes;
    }

    async #addComments(
        plan: WritePlan,
        resolve: (ref: IdRef | null | undefined) => string | null | undefined,
        echoes: Map<string, string>,
        touched: Set<string>
    ): Promise<{ outcomes: WriteOutcome[]; intents: { incidentSysId: string; bodySha256: string }[] }> {
        const comments = (plan.createComments ?? []).map((comment) => {
            const incidentSysId = resolve(comment.caseId) ?? '';
            return { incidentSysId, body: comment.body, bodySha256: sha256Hex(comment.body) };
        });
        if (comments.length === 0) {
            return { outcomes: [], intents: [] };
        }
        // Intents left by a write that did not finish: the journal says which of them went through.
        const pending = this.store.commentIntentsOf(comments);
        const recheck = [
            ...new Set(
                comments.filter((c) => pending.has(`${c.incidentSysId}:${c.bodySha256}`)).map((c) => c.incidentSysId)
            )
        ];
        const alreadyWritten =
            recheck.length === 0
                ? new Set<string>()
                : ownCommentHashes(await this.api.readComments(recheck), this.api.userName);
        const intents = comments
            .filter((c) => c.incidentSysId !== '')
            .map(({ incidentSysId, bodySha256 }) => ({ incidentSysId, bodySha256 }));
        this.store.addCommentIntents(intents);
        const outcomes: WriteOutcome[] = [];
        for (const comment of comments) {
            if (comment.incidentSysId === '') {
                outcomes.push({
                    ok: false,
                    errors: [{ code: 'INVALID_REFERENCE', message: 'unknown incident', fields: [] }]
                });
                continue;
            }
            const key = `${comment.incidentSysId}:${comment.bodySha256}`;
            if (alreadyWritten.has(key)) {
                alreadyWritten.delete(key);
                outcomes.push({ ok: true, id: key });
                continue;
            }
            try {
                const incident = await this.api.addComment(comment.incidentSysId, comment.body);
                echoes.set(incident.sysId, incident.updatedOn);
                touched.add(incident.sysId);
                outcomes.push({ ok: true, id: key });
            } catch (error) {
                if (isTransient(error)) {
                    throw error;
                }
                outcomes.push(failed(error));
            }
        }
        return { outcomes, intents };
    }

    getConnectionSecret(connectionId: string): Promise<string> {
        const secret = this.store.readSecret(connectionId);
        return secret === undefined
            ? Promise.reject(new Error(`connection ${connectionId} has no secret in the store`))
            : Promise.resolve(secret);
    }

    async downloadFile(attachmentSysId: string): Promise<Buffer> {
        const bytes = await this.api.downloadAttachment(attachmentSysId);
        this.store.rememberDigest(sha256Hex(bytes), md5Hex(bytes));
        return bytes;
    }

    async uploadFile(input: { caseId: string; fileName: string; bytes: Uint8Array }): Promise<UploadedFile> {
        // Remembered first: an upload repeated after a crash is then recognised by its checksum.
        this.store.rememberDigest(sha256Hex(input.bytes), md5Hex(input.bytes));
        const attachment = await this.api.uploadAttachment({
            incidentSysId: input.caseId,
            fileName: input.fileName,
            contentType: contentTypeOf(extensionOf(input.fileName)),
            bytes: input.bytes
        });
        return { contentVersionId: attachment.sysId, contentDocumentId: attachment.sysId };
    }

    /**
     * Wakes the engine: when the console bumps the store's wake counter (connections changed, a sync
     * requested, a retry), and when the change feed recorded signals.
     */
    subscribeWake(
        onWake: (event: WakeEvent) => void,
        options: { replayId?: number; onError?: (error: Error) => void } = {}
    ): Promise<() => Promise<void>> {
        let last = this.store.readWake();
        const wakeTimer = setInterval(() => {
            try {
                const now = this.store.readWake();
                if (now.counter !== last.counter) {
                    const reason = now.connectionCounter !== last.connectionCounter ? 'connection' : now.reason;
                    last = now;
                    onWake({ replayId: now.counter, reason, createdAt: new Date().toISOString() });
                }
            } catch (error) {
                options.onError?.(error as Error);
            }
        }, this.#wakeCheckMs);
        wakeTimer.unref();
        const stopFeed = this.feed.start((count) => {
            if (count > 0) {
                onWake({ replayId: last.counter, reason: 'signals', createdAt: new Date().toISOString() });
            }
        });
        return Promise.resolve(async () => {
            clearInterval(wakeTimer);
            await stopFeed();
        });
    }
}

/** Why a trigger filter cannot be used, or undefined. `^NQ` would escape the conditions it is joined to. */
export function triggerFilterProblem(filter: string): string | undefined {
    const trimmed = filter.trim();
    if (trimmed === '') {
        return 'A trigger needs an encoded query, e.g. urgency=1';
    }
    if (/\^NQ/.test(trimmed)) {
        return 'A trigger filter cannot contain ^NQ; add one trigger per query instead';
    }
    if (/ORDERBY/i.test(trimmed)) {
        return 'A trigger filter cannot contain ORDERBY';
    }
    return undefined;
}
