// The schema of the ServiceNow side's SQLite store, as numbered migrations. A file records the last
// migration applied in `PRAGMA user_version` and in `schema_migrations` (version, name, when), so an
// older file is brought up to date when it is opened, each migration in its own transaction: a
// crash during one leaves the file at the version before it.
//
// Never edit a migration that has shipped: add the next one.
import type Database from 'better-sqlite3';

export interface Migration {
    readonly version: number;
    readonly name: string;
    readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
    {
        version: 1,
        name: 'connections, triggers, secrets, twins, queue, signals, watermarks, wake counter, echoes',
        sql: `
            CREATE TABLE schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            -- Auto numbers (EV-00000001, TW-000001): never reused, even after a delete.
            CREATE TABLE counters (
                name TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            );
            CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                local_instance_name TEXT,
                remote_instance_name TEXT,
                description TEXT,
                type TEXT CHECK (type IN ('Public', 'Private', 'Local')),
                mode TEXT CHECK (mode IN ('Basic')),
                status TEXT CHECK (status IN ('Pending', 'Active', 'Deactivated', 'Error')),
                role TEXT CHECK (role IN ('Initiator', 'Acceptor')),
                remote_platform TEXT CHECK (remote_platform IN ('Salesforce', 'ServiceNow')),
                remote_node_url TEXT,
                -- An invitation is accepted once on a side: a reused code is refused by this key.
                invitation_id TEXT UNIQUE,
                invitation_expires TEXT,
                accepted_by TEXT,
                accepted_at TEXT,
                status_detail TEXT,
                created_at TEXT NOT NULL
            );
            CREATE TABLE connection_triggers (
                id TEXT PRIMARY KEY,
                connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
                -- A ServiceNow encoded query over incident, e.g. urgency=1^category=network.
                filter TEXT NOT NULL,
                active INTEGER NOT NULL DEFAULT 1,
                notes TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX connection_triggers_by_connection ON connection_triggers (connection_id);
            -- Kept apart from connections so that no listing query can return a secret by accident.
            CREATE TABLE connection_secrets (
                connection_id TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
                secret TEXT NOT NULL
            );
            CREATE TABLE twins (
                id TEXT PRIMARY KEY,
                number INTEGER NOT NULL UNIQUE,
                connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
                case_id TEXT,
                twin_key TEXT UNIQUE,
                remote_key TEXT,
                remote_id TEXT,
                remote_url TEXT,
                sync_status TEXT,
                last_synced TEXT,
                last_error TEXT,
                last_outgoing_seq INTEGER,
                last_incoming_seq INTEGER,
                echo_modstamp TEXT,
                sync_state TEXT,
                modified_at TEXT NOT NULL
            );
            CREATE INDEX twins_by_case ON twins (case_id);
            CREATE INDEX twins_by_remote_key ON twins (connection_id, remote_key);
            CREATE TABLE events (
                id TEXT PRIMARY KEY,
                number INTEGER NOT NULL UNIQUE,
                connection_id TEXT,
                twin_id TEXT,
                case_id TEXT,
                direction TEXT CHECK (direction IN ('Outgoing', 'Incoming')),
                stage TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt TEXT,
                error TEXT,
                message_id TEXT,
                sequence INTEGER,
                payload TEXT,
                requested_by TEXT,
                completed TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX events_by_message_id ON events (message_id);
            CREATE INDEX events_due ON events (stage, next_attempt);
            CREATE INDEX events_by_twin ON events (twin_id);
            CREATE TABLE signals (
                id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL UNIQUE,
                case_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('Case', 'Comment', 'File', 'Deleted')),
                record_id TEXT,
                under_sync INTEGER NOT NULL,
                created_at TEXT NOT NULL
            );
            -- Change detection: how far the instance has been read, per feed.
            CREATE TABLE watermarks (
                feed TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                -- Records already seen at exactly this timestamp (ServiceNow has whole seconds).
                seen_at_value TEXT NOT NULL DEFAULT '[]'
            );
            -- Bumped by any process that changes what the node should do (the console); the node
            -- reads it often and cheaply.
            CREATE TABLE wake (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                counter INTEGER NOT NULL,
                connection_counter INTEGER NOT NULL,
                reason TEXT,
                bumped_at TEXT
            );
            INSERT INTO wake (id, counter, connection_counter) VALUES (1, 0, 0);
            -- Comments about to be added: a crash between the REST call and the commit leaves the
            -- intent, and the next attempt checks the journal instead of adding the comment twice.
            CREATE TABLE comment_intents (
                incident_sys_id TEXT NOT NULL,
                body_sha256 TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (incident_sys_id, body_sha256)
            );
            -- MD5 of content by SHA-256 (ServiceNow reports SHA-256, the engine dedupes files by MD5).
            CREATE TABLE content_digests (
                sha256 TEXT PRIMARY KEY,
                md5 TEXT NOT NULL
            );
            -- The sys_updated_on the node's own last write gave an incident: a change seen with that
            -- date and the service account as its writer is the node's own echo, not sent back.
            CREATE TABLE echoes (
                incident_sys_id TEXT PRIMARY KEY,
                updated_on TEXT NOT NULL
            );
        `
    },
    {
        version: 2,
        name: 'settings',
        sql: `
            -- What the running node tells the console: its URL and this side's instance name.
            CREATE TABLE settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
        `
    }
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** A store file written by a newer version of the connector than this one. */
export class StoreTooNewError extends Error {
    override readonly name = 'StoreTooNewError';
}

/** Brings the database to SCHEMA_VERSION; answers the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > latest) {
        throw new StoreTooNewError(
            `The store file has schema version ${current}; this connector knows up to ${latest}. Run a newer connector, or restore a backup.`
        );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
        if (migration.version <= current) {
            continue;
        }
        db.transaction(() => {
            db.exec(migration.sql);
            db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
                migration.version,
                migration.name,
                new Date().toISOString()
            );
            // user_version is part of the database header, so it commits with the transaction.
            db.pragma(`user_version = ${migration.version}`);
        })();
        applied.push(migration.version);
    }
    return applied;
}
