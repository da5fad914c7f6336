// Change detection on a ServiceNow instance, which has no push: every `intervalMs` the feed reads
// what changed since its watermarks and records change signals in the store, which the engine's
// outgoing pass reads as it reads a Salesforce side's outbox.
//
// - Incidents: `sys_updated_on>=<watermark>` (1 call). An incident under sync gets a signal; one that
//   is not is checked against the active triggers of active connections (1 call per trigger, only
//   when there is such an incident) and, when it matches, comes under sync (a Preparing twin).
//   Adding an additional comment updates the incident, so comments are found here too.
// - Attachments: adding a file does not change the incident's sys_updated_on, so files are found
//   by `sys_created_on>=<watermark>` over sys_attachment (1 call).
// - Echoes: what the node's own service account wrote is not sent back. A row whose writer is the
//   service account and whose date is the one the node's own last write gave the incident (kept in
//   the store by the side) is skipped; files uploaded by the service account are skipped.
// - Watermarks have whole seconds, so two changes in one second must not be merged: rows of the
//   newest second are remembered as seen only once that second is over (plus `settleMs` for clock
//   skew); until then they are read, and signalled, again.
//
// An idle feed costs 2 REST calls per interval. Signals and the new watermark commit together, so a
// crash between them repeats a signal (harmless: the engine sends only what changed), never loses one.
import type { EngineLog } from '../../engine/ports.ts';
import type { TriggerFilter, TriggerMatches } from '../../salesforce/types.ts';
import type { IncidentApi } from '../incident-api.ts';
import type { ServiceNowStore, Watermark } from '../store/servicenow-store.ts';

export interface ChangeFeedOptions {
    readonly store: ServiceNowStore;
    readonly api: IncidentApi;
    readonly log: EngineLog;
    readonly clock: () => number;
    /**
     * Whether the node is writing this incident right now (its REST calls done or under way, its
     * commit not yet): the service account's changes to it are the node's own, whatever their date.
     */
    readonly isWriting?: (sysId: string) => boolean;
    /** Evaluates trigger filters (the side's matchTriggerFilters). */
    readonly match?: (sysIds: readonly string[], triggers: readonly TriggerFilter[]) => Promise<TriggerMatches>;
    /** Time between two reads, default 5 s. */
    readonly intervalMs?: number;
    /** How long after its second a change is final, default 2 s. */
    readonly settleMs?: number;
    /** Rows read per feed and poll, default 1,000 (more are read by the next poll, at once). */
    readonly pageLimit?: number;
}

export const INCIDENT_FEED = 'incidents';
export const ATTACHMENT_FEED = 'attachments';

interface FeedRow {
    readonly id: string;
    readonly incidentSysId: string;
    readonly at: string;
    readonly by: string | null;
    readonly correlationId: string | null;
}

/** What one poll did. */
export interface FeedPoll {
    readonly signals: number;
    readonly twinsCreated: number;
    /** A feed read a full page: poll again at once. */
    readonly more: boolean;
}

function floorToSecond(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export class ChangeFeed {
    readonly #options: ChangeFeedOptions;
    #match: ChangeFeedOptions['match'];
    readonly #intervalMs: number;
    readonly #settleMs: number;
    readonly #pageLimit: number;
    /** Polls made, for the console and the benchmark. */
    polls = 0;

    constructor(options: ChangeFeedOptions) {
        this.#options = options;
        this.#match = options.match;
        this.#intervalMs = options.intervalMs ?? 5_000;
        this.#settleMs = options.settleMs ?? 2_000;
        this.#pageLimit = options.pageLimit ?? 1_000;
    }

    /** Sets the trigger matcher (the side gives its own once constructed). */
    useMatcher(match: NonNullable<ChangeFeedOptions['match']>): void {
        this.#match = match;
    }

    /** Polls every interval until the answered function is called; `onPoll` hears of each poll. */
    start(onPoll: (signals: number) => void): () => Promise<void> {
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        let running: Promise<void> = Promise.resolve();
        const tick = (): void => {
            running = this.poll()
                .then((result) => {
                    onPoll(result.signals);
                    return result.more ? 0 : this.#intervalMs;
                })
                .catch((error: unknown) => {
                    this.#options.log({
                        level: 'warn',
                        event: 'change-feed-failed',
                        message: `Reading the changes of the ServiceNow instance failed: ${(error as Error).message}; trying again in ${Math.round(this.#intervalMs / 1000)} s`
                    });
                    return this.#intervalMs;
                })
                .then((delay) => {
                    if (!stopped) {
                        timer = setTimeout(tick, delay);
                        timer.unref();
                    }
                });
        };
        tick();
        return async () => {
            stopped = true;
            clearTimeout(timer);
            await running;
        };
    }

    /** One read of both feeds. */
    async poll(): Promise<FeedPoll> {
        this.polls += 1;
        const { store, api } = this.#options;
        const now = this.#options.clock();
        const incidentMark = store.readWatermark(INCIDENT_FEED);
        const attachmentMark = store.readWatermark(ATTACHMENT_FEED);
        if (incidentMark === undefined || attachmentMark === undefined) {
            // First start: changes from now on.
            store.transaction(() => {
                const start = { value: floorToSecond(now), seenAtValue: [] };
                store.writeWatermark(INCIDENT_FEED, incidentMark ?? start);
                store.writeWatermark(ATTACHMENT_FEED, attachmentMark ?? start);
            });
            return { signals: 0, twinsCreated: 0, more: false };
        }
        const incidents = await this.#read(incidentMark, async (offset) =>
            (
                await api.queryIncidents({
                    query: `sys_updated_on>=${glide(incidentMark.value)}`,
                    limit: this.#pageLimit,
                    offset
                })
            ).map((incident): FeedRow => ({
                id: incident.sysId,
                incidentSysId: incident.sysId,
                at: incident.updatedOn,
                by: incident.updatedBy,
                correlationId: incident.correlationId
            }))
        );
        const files = await this.#read(attachmentMark, async (offset) =>
            (await api.attachmentsCreatedSince(attachmentMark.value, this.#pageLimit, offset)).map((file): FeedRow => ({
                id: file.sysId,
                incidentSysId: file.incidentSysId,
                at: file.createdOn,
                by: file.createdBy,
                correlationId: null
            }))
        );
        const freshIncidents = incidents.filter((row) => isNew(row, incidentMark));
        const freshFiles = files.filter((row) => isNew(row, attachmentMark) && row.by !== api.userName);

        const ids = [...new Set([...freshIncidents, ...freshFiles].map((row) => row.incidentSysId))];
        const underSync = new Set(store.readTwins({ caseIds: ids }).map((twin) => twin.caseId));
        const echoes = store.echoesOf(freshIncidents.map((row) => row.id));
        const changed: FeedRow[] = [];
        const candidates: FeedRow[] = [];
        for (const row of freshIncidents) {
            if (
                row.by === api.userName &&
                (echoes.get(row.id) === row.at || this.#options.isWriting?.(row.id) === true)
            ) {
                continue;
            }
            if (underSync.has(row.id)) {
                changed.push(row);
            } else if (row.correlationId === null || !row.correlationId.startsWith('con_')) {
                // An incident the node created for a remote entity is never brought under sync by a trigger.
                candidates.push(row);
            }
        }
        const newTwins = await this.#triggerMatches(candidates.map((row) => row.id));
        const fileSignals = freshFiles.filter((row) => underSync.has(row.incidentSysId));

        let signals = 0;
        store.transaction(() => {
            for (const { connectionId, sysId } of newTwins) {
                store.upsertTwin(`${connectionId}:${sysId}`, connectionId, { caseId: sysId, syncStatus: 'Preparing' });
            }
            for (const sysId of new Set([...changed.map((row) => row.id), ...newTwins.map((twin) => twin.sysId)])) {
                store.insertSignal({ caseId: sysId, kind: 'Case', recordId: sysId, underSync: true });
                signals += 1;
            }
            for (const row of fileSignals) {
                store.insertSignal({ caseId: row.incidentSysId, kind: 'File', recordId: row.id, underSync: true });
                signals += 1;
            }
            store.writeWatermark(INCIDENT_FEED, this.#advance(incidentMark, incidents, now));
            store.writeWatermark(ATTACHMENT_FEED, this.#advance(attachmentMark, files, now));
        });
        return {
            signals,
            twinsCreated: newTwins.length,
            more:
                incidents.some((row) => row.at !== incidentMark.value) && incidents.length >= this.#pageLimit
                    ? true
                    : files.some((row) => row.at !== attachmentMark.value) && files.length >= this.#pageLimit
        };
    }

    /**
     * A page of rows from the watermark on; further pages only while every row read is still at the
     * watermark's own second (more rows than a page changed within one second): the watermark cannot
     * move past such a page, so reading only its first page again would never get further.
     */
    async #read(mark: Watermark, page: (offset: number) => Promise<FeedRow[]>): Promise<FeedRow[]> {
        const rows: FeedRow[] = [];
        for (;;) {
            const next = await page(rows.length);
            rows.push(...next);
            if (next.length < this.#pageLimit || next.some((row) => row.at !== mark.value)) {
                return rows;
            }
        }
    }

    /** Incidents not under sync that match an active trigger of an active connection. */
    async #triggerMatches(sysIds: readonly string[]): Promise<{ connectionId: string; sysId: string }[]> {
        if (sysIds.length === 0 || this.#match === undefined) {
            return [];
        }
        const triggers = this.#options.store
            .readConnections()
            .filter((connection) => connection.status === 'Active')
            .flatMap((connection) =>
                connection.triggers
                    .filter((trigger) => trigger.active)
                    .map((trigger) => ({ id: trigger.id, connectionId: connection.id, filter: trigger.filter }))
            );
        if (triggers.length === 0) {
            return [];
        }
        const matches = await this.#match(sysIds, triggers);
        for (const failure of matches.failures) {
            this.#options.log({
                level: 'warn',
                event: 'trigger-failed',
                message: `Trigger ${failure.triggerId} could not be evaluated (${failure.code}): ${failure.message}`,
                connectionId: failure.connectionId
            });
        }
        return [...matches.byCase].flatMap(([sysId, connections]) =>
            [...new Set(connections)].map((connectionId) => ({ connectionId, sysId }))
        );
    }

    /** The watermark after reading `rows`: their newest date, with what was seen at it once that second is final. */
    #advance(mark: Watermark, rows: readonly FeedRow[], now: number): Watermark {
        const newest = rows.reduce((max, row) => (row.at > max ? row.at : max), mark.value);
        const final = Date.parse(newest) + 1000 + this.#settleMs <= now;
        if (!final) {
            // Read again next time, so that a second change in the same second is not missed.
            return { value: newest, seenAtValue: newest === mark.value ? mark.seenAtValue : [] };
        }
        const seen = new Set(newest === mark.value ? mark.seenAtValue : []);
        for (const row of rows) {
            if (row.at === newest) {
                seen.add(row.id);
            }
        }
        return { value: newest, seenAtValue: [...seen] };
    }
}

function isNew(row: FeedRow, mark: Watermark): boolean {
    return !(row.at === mark.value && mark.seenAtValue.includes(row.id));
}

/** `2026-11-21T13:45:12.000Z` as a Glide date-time for an encoded query. */
function glide(iso: string): string {
    return iso.slice(0, 19).replace('T', ' ');
}
