// The ServiceNow side's database: one SQLite file holding what the package's custom objects hold on
// a Salesforce side (connections, triggers, twins, the queue, the change outbox), plus the secrets,
// the change-detection watermarks and the wake counter the console bumps.
//
// Durability: WAL with synchronous=FULL. NORMAL would survive a kill -9 too (the WAL is written
// before commit returns), but after a power loss it may roll back the last commits, and the node
// tells the other side "applied" right after a commit: a commit that is acknowledged must survive
// anything, so every commit waits for its fsync. Commits are few (one per write plan), so the cost
// is small.
import Database from 'better-sqlite3';
import type {
    ChangeSignal,
    ConnectionUpdate,
    EventFields,
    IsoDateTime,
    QueuedEvent,
    SignalKind,
    SyncConnection,
    SyncTrigger,
    SyncTwin,
    TwinFields,
    TwinSelection
} from '../../salesforce/types.ts';
import { migrate } from './migrations.ts';
import { newRecordId } from './record-ids.ts';
import { toConnection, toEvent, toSignal, toTrigger, toTwin } from './rows.ts';
import type { Row } from './rows.ts';

/** Twin fields with every reference resolved to an id. */
export type TwinValues = Omit<TwinFields, 'caseId'> & { readonly caseId?: string | null };

/** Event fields with every reference resolved to an id. */
export type EventValues = Omit<EventFields, 'connectionId' | 'twinId' | 'caseId'> & {
    readonly connectionId?: string | null;
    readonly twinId?: string | null;
    readonly caseId?: string | null;
};

/** A new connection, as the console creates it. */
export interface NewConnection {
    readonly name: string;
    readonly localInstanceName: string | null;
    readonly remoteInstanceName: string | null;
    readonly description: string | null;
    readonly type: 'Public' | 'Private';
    readonly status: 'Pending' | 'Active';
    readonly role: 'Initiator' | 'Acceptor';
    readonly remotePlatform: 'Salesforce' | 'ServiceNow';
    readonly remoteNodeUrl: string | null;
    readonly invitationId: string;
    readonly invitationExpires: IsoDateTime | null;
    readonly acceptedBy: string | null;
    readonly acceptedAt: IsoDateTime | null;
}

/** What the wake counter says. */
export interface WakeState {
    readonly counter: number;
    /** Bumped only by changes to connections (the node rereads them then). */
    readonly connectionCounter: number;
    readonly reason: string | null;
}

/** A change-detection watermark: the newest timestamp read, and what was seen at exactly it. */
export interface Watermark {
    readonly value: IsoDateTime;
    readonly seenAtValue: readonly string[];
}

const TWIN_COLUMNS: Readonly<Record<keyof TwinValues, string>> = {
    caseId: 'case_id',
    remoteKey: 'remote_key',
    remoteId: 'remote_id',
    remoteUrl: 'remote_url',
    syncStatus: 'sync_status',
    lastSynced: 'last_synced',
    lastError: 'last_error',
    lastOutgoingSeq: 'last_outgoing_seq',
    lastIncomingSeq: 'last_incoming_seq',
    echoModstamp: 'echo_modstamp',
    syncState: 'sync_state'
};

const EVENT_COLUMNS: Readonly<Record<keyof EventValues, string>> = {
    connectionId: 'connection_id',
    twinId: 'twin_id',
    caseId: 'case_id',
    direction: 'direction',
    stage: 'stage',
    attempts: 'attempts',
    nextAttempt: 'next_attempt',
    error: 'error',
    messageId: 'message_id',
    sequence: 'sequence',
    payload: 'payload',
    requestedById: 'requested_by',
    completed: 'completed'
};

const CONNECTION_COLUMNS: Readonly<Record<Exclude<keyof ConnectionUpdate, 'id'>, string>> = {
    status: 'status',
    statusDetail: 'status_detail',
    remoteNodeUrl: 'remote_node_url',
    acceptedBy: 'accepted_by',
    acceptedAt: 'accepted_at'
};

/** Columns and values of the properties present (undefined leaves a column alone). */
function assignments<T extends object>(
    values: T,
    columns: Readonly<Partial<Record<keyof T, string>>>
): { columns: string[]; values: unknown[] } {
    const out: { columns: string[]; values: unknown[] } = { columns: [], values: [] };
    for (const [property, column] of Object.entries(columns) as [keyof T, string][]) {
        // Only the mapped properties are written: an id or a ref never becomes a column.
        const value = values[property];
        if (value === undefined) {
            continue;
        }
        out.columns.push(column);
        out.values.push(property === 'syncState' ? (value === null ? null : JSON.stringify(value)) : sqlValue(value));
    }
    return out;
}

function sqlValue(value: unknown): unknown {
    return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function placeholders(count: number): string {
    return Array.from({ length: count }, () => '?').join(', ');
}

/** Lists bound as `IN (?, ?, ...)` in chunks: SQLite allows 32,766 variables per statement. */
const IDS_PER_STATEMENT = 500;

function chunks<T>(items: readonly T[]): T[][] {
    const out: T[][] = [];
    for (let start = 0; start < items.length; start += IDS_PER_STATEMENT) {
        out.push(items.slice(start, start + IDS_PER_STATEMENT));
    }
    return out;
}

export class ServiceNowStore {
    readonly db: Database.Database;
    readonly #clock: () => number;

    private constructor(db: Database.Database, clock: () => number) {
        this.db = db;
        this.#clock = clock;
    }

    /** Opens (or creates) the store file and brings its schema up to date. */
    static open(path: string, options: { readonly clock?: () => number } = {}): ServiceNowStore {
        const db = new Database(path);
        try {
            db.pragma('journal_mode = WAL');
            db.pragma('synchronous = FULL');
            db.pragma('foreign_keys = ON');
            // The console runs in another process: a write waits for the other's commit.
            db.pragma('busy_timeout = 5000');
            migrate(db);
        } catch (error) {
            db.close();
            throw error;
        }
        return new ServiceNowStore(db, options.clock ?? Date.now);
    }

    close(): void {
        if (this.db.open) {
            this.db.close();
        }
    }

    now(): IsoDateTime {
        return new Date(this.#clock()).toISOString();
    }

    /** Runs `work` in one transaction (IMMEDIATE: it takes the write lock at once). */
    transaction<T>(work: () => T): T {
        return this.db.transaction(work).immediate();
    }

    #nextNumber(name: 'event' | 'twin' | 'signal'): number {
        const row = this.db
            .prepare(
                'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value'
            )
            .get(name) as { value: number };
        return row.value;
    }

    // ------------------------------------------------------------------------------------------
    // Connections, triggers, secrets

    readConnections(): SyncConnection[] {
        const triggers = new Map<string, SyncTrigger[]>();
        for (const row of this.db.prepare('SELECT * FROM connection_triggers ORDER BY created_at, id').all() as Row[]) {
            const trigger = toTrigger(row);
            const list = triggers.get(trigger.connectionId) ?? [];
            list.push(trigger);
            triggers.set(trigger.connectionId, list);
        }
        const rows = this.db
            .prepare(
                `SELECT c.*, (SELECT COUNT(*) FROM twins t WHERE t.connection_id = c.id) AS synced_case_count
                 FROM connections c ORDER BY c.name, c.id`
            )
            .all() as Row[];
        return rows.map((row) => toConnection(row, triggers.get(row.id as string) ?? []));
    }

    findConnection(id: string): SyncConnection | undefined {
        return this.readConnections().find((connection) => connection.id === id);
    }

    findConnectionByInvitation(invitationId: string): SyncConnection | undefined {
        const wanted = invitationId.toLowerCase();
        return this.readConnections().find((connection) => connection.invitationId?.toLowerCase() === wanted);
    }

    /** Inserts a connection and its secret together. */
    insertConnection(connection: NewConnection, secret: string): string {
        const id = newRecordId('connection');
        this.transaction(() => {
            this.db
                .prepare(
                    `INSERT INTO connections (id, name, local_instance_name, remote_instance_name, description, type, mode,
                        status, role, remote_platform, remote_node_url, invitation_id, invitation_expires, accepted_by,
                        accepted_at, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, 'Basic', ?, ?, ?, ?, ?, ?, ?, ?, ?)`
                )
                .run(
                    id,
                    connection.name,
                    connection.localInstanceName,
                    connection.remoteInstanceName,
                    connection.description,
                    connection.type,
                    connection.status,
                    connection.role,
                    connection.remotePlatform,
                    connection.remoteNodeUrl,
                    connection.invitationId,
                    connection.invitationExpires,
                    connection.acceptedBy,
                    connection.acceptedAt,
                    this.now()
                );
            this.db.prepare('INSERT INTO connection_secrets (connection_id, secret) VALUES (?, ?)').run(id, secret);
        });
        return id;
    }

    /** Applies a connection update; false when the connection does not exist. */
    updateConnection(update: ConnectionUpdate): boolean {
        const set = assignments(update, CONNECTION_COLUMNS);
        if (set.columns.length === 0) {
            return this.db.prepare('SELECT 1 FROM connections WHERE id = ?').get(update.id) !== undefined;
        }
        const result = this.db
            .prepare(`UPDATE connections SET ${set.columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`)
            .run(...set.values, update.id);
        return result.changes === 1;
    }

    /** Deletes a connection with its triggers, twins and secret (the incidents stay). */
    deleteConnection(id: string): boolean {
        return this.db.prepare('DELETE FROM connections WHERE id = ?').run(id).changes === 1;
    }

    /** The connection's secret; never part of any listing. */
    readSecret(connectionId: string): string | undefined {
        const row = this.db
            .prepare('SELECT secret FROM connection_secrets WHERE connection_id = ?')
            .get(connectionId) as { secret: string } | undefined;
        return row?.secret;
    }

    insertTrigger(trigger: { connectionId: string; filter: string; active: boolean; notes: string | null }): string {
        const id = newRecordId('trigger');
        this.db
            .prepare(
                'INSERT INTO connection_triggers (id, connection_id, filter, active, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)'
            )
            .run(id, trigger.connectionId, trigger.filter, trigger.active ? 1 : 0, trigger.notes, this.now());
        return id;
    }

    /** Turns a trigger on or off; false when it does not exist. */
    setTriggerActive(id: string, active: boolean): boolean {
        return (
            this.db.prepare('UPDATE connection_triggers SET active = ? WHERE id = ?').run(active ? 1 : 0, id)
                .changes === 1
        );
    }

    deleteTrigger(id: string): boolean {
        return this.db.prepare('DELETE FROM connection_triggers WHERE id = ?').run(id).changes === 1;
    }

    // ------------------------------------------------------------------------------------------
    // Twins

    /** Twins as TwinSelection says (the union of the selections; every twin when none is given). */
    readTwins(selection: TwinSelection = {}): SyncTwin[] {
        const { caseIds, twinIds, connectionId, remoteKeys } = selection;
        if (caseIds === undefined && twinIds === undefined && connectionId === undefined) {
            return (this.db.prepare('SELECT * FROM twins ORDER BY number').all() as Row[]).map(toTwin);
        }
        const rows = new Map<string, Row>();
        const collect = (sql: string, params: unknown[]): void => {
            for (const row of this.db.prepare(sql).all(...params) as Row[]) {
                rows.set(row.id as string, row);
            }
        };
        for (const part of chunks([...new Set(caseIds ?? [])])) {
            collect(`SELECT * FROM twins WHERE case_id IN (${placeholders(part.length)})`, part);
        }
        for (const part of chunks([...new Set(twinIds ?? [])])) {
            collect(`SELECT * FROM twins WHERE id IN (${placeholders(part.length)})`, part);
        }
        if (connectionId !== undefined) {
            if (remoteKeys === undefined) {
                collect('SELECT * FROM twins WHERE connection_id = ?', [connectionId]);
            } else {
                for (const part of chunks([...new Set(remoteKeys)])) {
                    collect(
                        `SELECT * FROM twins WHERE connection_id = ? AND remote_key IN (${placeholders(part.length)})`,
                        [connectionId, ...part]
                    );
                }
            }
        }
        return [...rows.values()].sort((a, b) => (a.number as number) - (b.number as number)).map(toTwin);
    }

    /** Creates the twin with this key, or updates it (its connection never changes). */
    upsertTwin(key: string, connectionId: string, values: TwinValues): { id: string; created: boolean } {
        const existing = this.db.prepare('SELECT id FROM twins WHERE twin_key = ?').get(key) as
            { id: string } | undefined;
        if (existing !== undefined) {
            this.updateTwin(existing.id, values);
            return { id: existing.id, created: false };
        }
        const id = newRecordId('twin');
        const set = assignments(values, TWIN_COLUMNS);
        this.db
            .prepare(
                `INSERT INTO twins (id, number, connection_id, twin_key, modified_at${set.columns.map((c) => `, ${c}`).join('')})
                 VALUES (?, ?, ?, ?, ?${set.columns.map(() => ', ?').join('')})`
            )
            .run(id, this.#nextNumber('twin'), connectionId, key, this.now(), ...set.values);
        return { id, created: true };
    }

    /** Updates a twin by id; false when it does not exist. */
    updateTwin(id: string, values: TwinValues): boolean {
        const set = assignments(values, TWIN_COLUMNS);
        const result = this.db
            .prepare(
                `UPDATE twins SET modified_at = ?${set.columns.map((column) => `, ${column} = ?`).join('')} WHERE id = ?`
            )
            .run(this.now(), ...set.values, id);
        return result.changes === 1;
    }

    // ------------------------------------------------------------------------------------------
    // Queue

    createEvent(values: EventValues): string {
        const id = newRecordId('event');
        const set = assignments(values, EVENT_COLUMNS);
        this.db
            .prepare(
                `INSERT INTO events (id, number, created_at${set.columns.map((c) => `, ${c}`).join('')})
                 VALUES (?, ?, ?${set.columns.map(() => ', ?').join('')})`
            )
            .run(id, this.#nextNumber('event'), this.now(), ...set.values);
        return id;
    }

    updateEvent(id: string, values: EventValues): boolean {
        const set = assignments(values, EVENT_COLUMNS);
        if (set.columns.length === 0) {
            return this.db.prepare('SELECT 1 FROM events WHERE id = ?').get(id) !== undefined;
        }
        const result = this.db
            .prepare(`UPDATE events SET ${set.columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`)
            .run(...set.values, id);
        return result.changes === 1;
    }

    findEvent(id: string): QueuedEvent | undefined {
        const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
    }

    /** Entries not Synchronized or Failed whose next attempt is blank or at or before `now`, earliest first. */
    readDueEvents(limit: number, now: IsoDateTime): QueuedEvent[] {
        if (limit <= 0) {
            return [];
        }
        const rows = this.db
            .prepare(
                `SELECT * FROM events
                 WHERE stage NOT IN ('Synchronized', 'Failed') AND (next_attempt IS NULL OR next_attempt <= ?)
                 ORDER BY next_attempt IS NOT NULL, next_attempt, number LIMIT ?`
            )
            .all(now, limit) as Row[];
        return rows.map(toEvent);
    }

    readEventsByMessageIds(messageIds: readonly string[]): QueuedEvent[] {
        const out: QueuedEvent[] = [];
        for (const part of chunks([...new Set(messageIds)])) {
            const rows = this.db
                .prepare(`SELECT * FROM events WHERE message_id IN (${placeholders(part.length)}) ORDER BY number`)
                .all(...part) as Row[];
            out.push(...rows.map(toEvent));
        }
        return out;
    }

    /** Queue entries for the console: open ones (`open`) or failed ones, newest first. */
    listEvents(options: {
        readonly which: 'open' | 'failed';
        readonly connectionId?: string;
        readonly limit: number;
    }): QueuedEvent[] {
        const stageClause =
            options.which === 'failed'
                ? "stage = 'Failed'"
                : "(stage IS NULL OR stage NOT IN ('Synchronized', 'Failed'))";
        const connectionClause = options.connectionId === undefined ? '' : ' AND connection_id = ?';
        const params: unknown[] = options.connectionId === undefined ? [] : [options.connectionId];
        const rows = this.db
            .prepare(`SELECT * FROM events WHERE ${stageClause}${connectionClause} ORDER BY number DESC LIMIT ?`)
            .all(...params, options.limit) as Row[];
        return rows.map(toEvent);
    }

    /** Events of a twin, oldest first (its stages). */
    eventsOfTwin(twinId: string): QueuedEvent[] {
        return (this.db.prepare('SELECT * FROM events WHERE twin_id = ? ORDER BY number').all(twinId) as Row[]).map(
            toEvent
        );
    }

    // ------------------------------------------------------------------------------------------
    // Change signals

    readSignals(limit: number): ChangeSignal[] {
        if (limit <= 0) {
            return [];
        }
        return (this.db.prepare('SELECT * FROM signals ORDER BY seq LIMIT ?').all(limit) as Row[]).map(toSignal);
    }

    insertSignal(signal: { caseId: string; kind: SignalKind; recordId: string | null; underSync: boolean }): string {
        const id = newRecordId('signal');
        this.db
            .prepare(
                'INSERT INTO signals (id, seq, case_id, kind, record_id, under_sync, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
            )
            .run(
                id,
                this.#nextNumber('signal'),
                signal.caseId,
                signal.kind,
                signal.recordId,
                signal.underSync ? 1 : 0,
                this.now()
            );
        return id;
    }

    deleteSignal(id: string): boolean {
        return this.db.prepare('DELETE FROM signals WHERE id = ?').run(id).changes === 1;
    }

    // ------------------------------------------------------------------------------------------
    // Change detection and wake

    readWatermark(feed: string): Watermark | undefined {
        const row = this.db.prepare('SELECT value, seen_at_value FROM watermarks WHERE feed = ?').get(feed) as
            { value: string; seen_at_value: string } | undefined;
        if (row === undefined) {
            return undefined;
        }
        let seen: string[] = [];
        try {
            const parsed: unknown = JSON.parse(row.seen_at_value);
            seen = Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
        } catch {
            seen = [];
        }
        return { value: row.value, seenAtValue: seen };
    }

    writeWatermark(feed: string, watermark: Watermark): void {
        this.db
            .prepare(
                `INSERT INTO watermarks (feed, value, seen_at_value) VALUES (?, ?, ?)
                 ON CONFLICT (feed) DO UPDATE SET value = excluded.value, seen_at_value = excluded.seen_at_value`
            )
            .run(feed, watermark.value, JSON.stringify(watermark.seenAtValue));
    }

    /** Tells a running node that something changed (any process may call it). */
    bumpWake(reason: 'connection' | 'sync-request' | 'retry' | 'signals'): WakeState {
        this.db
            .prepare(
                `UPDATE wake SET counter = counter + 1,
                    connection_counter = connection_counter + (CASE WHEN ? = 'connection' THEN 1 ELSE 0 END),
                    reason = ?, bumped_at = ? WHERE id = 1`
            )
            .run(reason, reason, this.now());
        return this.readWake();
    }

    readWake(): WakeState {
        const row = this.db.prepare('SELECT counter, connection_counter, reason FROM wake WHERE id = 1').get() as {
            counter: number;
            connection_counter: number;
            reason: string | null;
        };
        return { counter: row.counter, connectionCounter: row.connection_counter, reason: row.reason };
    }

    /** Puts a failed event back in the queue (as the console's Retry does); false when it is not Failed. */
    retryEvent(id: string): boolean {
        return this.transaction(() => {
            const row = this.db.prepare('SELECT stage, twin_id FROM events WHERE id = ?').get(id) as
                { stage: string | null; twin_id: string | null } | undefined;
            if (row?.stage !== 'Failed') {
                return false;
            }
            this.db
                .prepare(
                    "UPDATE events SET stage = 'Preparing', next_attempt = ?, error = NULL, completed = NULL WHERE id = ?"
                )
                .run(this.now(), id);
            if (row.twin_id !== null) {
                this.db
                    .prepare("UPDATE twins SET sync_status = 'Preparing', modified_at = ? WHERE id = ?")
                    .run(this.now(), row.twin_id);
            }
            return true;
        });
    }

    /** Events by their auto-number (`EV-00000042` or 42). */
    findEventByNumber(number: number): QueuedEvent | undefined {
        const row = this.db.prepare('SELECT * FROM events WHERE number = ?').get(number) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
    }

    /** Counts of open and failed events per connection (for the console's listing). */
    eventCounts(): Map<string, { open: number; failed: number }> {
        const rows = this.db
            .prepare(
                `SELECT connection_id,
                    SUM(CASE WHEN stage = 'Failed' THEN 1 ELSE 0 END) AS failed,
                    SUM(CASE WHEN stage IS NULL OR stage NOT IN ('Synchronized', 'Failed') THEN 1 ELSE 0 END) AS open
                 FROM events GROUP BY connection_id`
            )
            .all() as { connection_id: string | null; failed: number; open: number }[];
        return new Map(rows.map((row) => [row.connection_id ?? '', { open: row.open, failed: row.failed }]));
    }

    // ------------------------------------------------------------------------------------------
    // Settings

    readSetting(name: string): string | undefined {
        const row = this.db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as
            { value: string } | undefined;
        return row?.value;
    }

    writeSetting(name: string, value: string): void {
        this.db
            .prepare(
                'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'
            )
            .run(name, value);
    }

    // ------------------------------------------------------------------------------------------
    // Echoes: the sys_updated_on the node's own writes gave incidents

    recordEchoes(echoes: ReadonlyMap<string, IsoDateTime>): void {
        const statement = this.db.prepare(
            `INSERT INTO echoes (incident_sys_id, updated_on) VALUES (?, ?)
             ON CONFLICT (incident_sys_id) DO UPDATE SET updated_on = excluded.updated_on`
        );
        for (const [sysId, updatedOn] of echoes) {
            statement.run(sysId, updatedOn);
        }
    }

    echoesOf(sysIds: readonly string[]): Map<string, IsoDateTime> {
        const out = new Map<string, IsoDateTime>();
        for (const part of chunks([...new Set(sysIds)])) {
            const rows = this.db
                .prepare(
                    `SELECT incident_sys_id, updated_on FROM echoes WHERE incident_sys_id IN (${placeholders(part.length)})`
                )
                .all(...part) as { incident_sys_id: string; updated_on: string }[];
            for (const row of rows) {
                out.set(row.incident_sys_id, row.updated_on);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Exactly-once bookkeeping of REST writes

    commentIntentsOf(keys: readonly { incidentSysId: string; bodySha256: string }[]): Set<string> {
        const found = new Set<string>();
        const statement = this.db.prepare(
            'SELECT 1 FROM comment_intents WHERE incident_sys_id = ? AND body_sha256 = ?'
        );
        for (const key of keys) {
            if (statement.get(key.incidentSysId, key.bodySha256) !== undefined) {
                found.add(`${key.incidentSysId}:${key.bodySha256}`);
            }
        }
        return found;
    }

    addCommentIntents(keys: readonly { incidentSysId: string; bodySha256: string }[]): void {
        const statement = this.db.prepare(
            'INSERT OR IGNORE INTO comment_intents (incident_sys_id, body_sha256, created_at) VALUES (?, ?, ?)'
        );
        this.transaction(() => {
            for (const key of keys) {
                statement.run(key.incidentSysId, key.bodySha256, this.now());
            }
        });
    }

    removeCommentIntents(keys: readonly { incidentSysId: string; bodySha256: string }[]): void {
        const statement = this.db.prepare('DELETE FROM comment_intents WHERE incident_sys_id = ? AND body_sha256 = ?');
        for (const key of keys) {
            statement.run(key.incidentSysId, key.bodySha256);
        }
    }

    rememberDigest(sha256: string, md5: string): void {
        this.db.prepare('INSERT OR IGNORE INTO content_digests (sha256, md5) VALUES (?, ?)').run(sha256, md5);
    }

    md5sOf(sha256s: readonly string[]): Map<string, string> {
        const out = new Map<string, string>();
        for (const part of chunks([...new Set(sha256s)])) {
            const rows = this.db
                .prepare(`SELECT sha256, md5 FROM content_digests WHERE sha256 IN (${placeholders(part.length)})`)
                .all(...part) as { sha256: string; md5: string }[];
            for (const row of rows) {
                out.set(row.sha256, row.md5);
            }
        }
        return out;
    }
}
