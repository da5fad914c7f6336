// One emulated org: its schema, records, users and permission sets, connection secrets, the DML
// engine with the package's triggers, and transactions whose platform events go to the event
// bus when they commit. Also how records look in API answers (field values formatted,
// roll-ups computed, blob fields as URLs).

import { Dml } from './dml.ts';
import type { PreparedRecord, SaveOutcome } from './dml.ts';
import { RecordError } from './errors.ts';
import { IdFactory, KEY_PREFIX, nextOrganizationId } from './ids.ts';
import type { Json, JsonObject } from './json.ts';
import { Schema } from './schema.ts';
import type { FieldDef, ObjectDef, ScalarValue } from './schema.ts';
import type { QuerySource } from './soql.ts';
import { Store, Transaction } from './store.ts';
import type { StoredEvent, StoredRecord } from './store.ts';
import { Clock, formatDateTime } from './time.ts';
import { PackageTriggers } from './triggers.ts';

export const CONNECTOR_PERMISSION_SET = 'Exalate_Connector';

export interface OrgOptions {
    forceAppDir?: string;
    namespace: string;
    apiVersion: string;
}

/** Raised by the test helpers (insertAs, updateAs, deleteAs) when a save fails, as a UI save would. */
export class DmlFailure extends Error {
    readonly outcomes: SaveOutcome[];

    constructor(outcomes: SaveOutcome[]) {
        const errors = outcomes
            .flatMap((outcome) => outcome.errors)
            .filter((error) => error.statusCode !== 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
        super(errors.map((error) => `${error.statusCode}: ${error.message}`).join('; ') || 'save failed');
        this.outcomes = outcomes;
    }
}

export class Org implements QuerySource {
    readonly schema: Schema;
    readonly store = new Store();
    readonly ids = new IdFactory();
    readonly clock = new Clock();
    readonly dml: Dml;
    readonly orgId: string;
    readonly apiVersion: string;
    private readonly permissionSets = new Map<string, Set<string>>();
    private readonly secrets = new Map<string, string>();
    private readonly systemUserId: string;
    /** Receives the platform events of each committed transaction. */
    onCommit: (events: StoredEvent[]) => void = () => undefined;

    constructor(options: OrgOptions) {
        this.schema = new Schema(options.forceAppDir, options.namespace);
        this.apiVersion = options.apiVersion;
        this.orgId = nextOrganizationId();
        this.dml = new Dml({ schema: this.schema, store: this.store, ids: this.ids, clock: this.clock });
        this.dml.hooks = new PackageTriggers({
            schema: this.schema,
            store: this.store,
            dml: this.dml,
            isConnector: (userId) => this.isConnector(userId)
        });
        this.systemUserId = this.createUser({ name: 'Automated Process', username: 'autoproc@emulator.invalid' });
    }

    // -----------------------------------------------------------------------------------------
    // Users
    // -----------------------------------------------------------------------------------------

    createUser(options: { name: string; username: string; permissionSets?: string[] }): string {
        if (this.userIdByUsername(options.username)) {
            throw new Error(`a user named ${options.username} exists`);
        }
        const id = this.ids.next(KEY_PREFIX.User);
        const now = this.clock.tick();
        const parts = options.name.trim().split(/\s+/);
        const lastName = parts.length > 1 ? parts.slice(1).join(' ') : options.name;
        const firstName = parts.length > 1 ? parts[0] : null;
        const tx = new Transaction(this.systemUserId ?? id);
        this.store.insert(tx, 'User', {
            Id: id,
            Username: options.username,
            FirstName: firstName,
            LastName: lastName,
            Name: options.name,
            Email: options.username.includes('@') ? options.username : null,
            Alias: options.name.replace(/\s+/g, '').slice(0, 8),
            IsActive: true,
            IsDeleted: false,
            CreatedDate: now,
            CreatedById: this.systemUserId ?? id,
            LastModifiedDate: now,
            LastModifiedById: this.systemUserId ?? id,
            SystemModstamp: now
        });
        this.permissionSets.set(id, new Set(options.permissionSets ?? []));
        return id;
    }

    userIdByUsername(username: string): string | undefined {
        const wanted = username.toLowerCase();
        const user = this.store.live('User').find((record) => String(record.Username).toLowerCase() === wanted);
        return user ? String(user.Id) : undefined;
    }

    hasPermissionSet(userId: string, name: string): boolean {
        const sets = this.permissionSets.get(userId);
        return !!sets && (sets.has(name) || sets.has(this.schema.packaged(name)));
    }

    isConnector(userId: string): boolean {
        return this.hasPermissionSet(userId, CONNECTOR_PERMISSION_SET);
    }

    // -----------------------------------------------------------------------------------------
    // Connection secrets (the protected custom setting, reached only through Apex REST)
    // -----------------------------------------------------------------------------------------

    setConnectionSecret(connectionId: string, secret: string | null): void {
        if (secret === null) {
            this.secrets.delete(connectionId.slice(0, 15));
        } else {
            this.secrets.set(connectionId.slice(0, 15), secret);
        }
    }

    connectionSecret(connectionId: string): string | undefined {
        return this.secrets.get(connectionId.slice(0, 15));
    }

    // -----------------------------------------------------------------------------------------
    // Transactions
    // -----------------------------------------------------------------------------------------

    begin(userId: string): Transaction {
        return new Transaction(userId);
    }

    commit(tx: Transaction): void {
        const events = [...tx.events];
        tx.undo.length = 0;
        tx.events.length = 0;
        if (events.length > 0) {
            this.onCommit(events);
        }
    }

    rollback(tx: Transaction): void {
        this.store.rollback(tx);
    }

    /** Runs `work` in its own transaction: committed unless it throws. */
    inTransaction<T>(userId: string, work: (tx: Transaction) => T): T {
        const tx = this.begin(userId);
        try {
            const result = work(tx);
            this.commit(tx);
            return result;
        } catch (error) {
            this.rollback(tx);
            throw error;
        }
    }

    /** A direct, all-or-none save as a user would make in the UI; triggers run. */
    saveAs(
        userId: string,
        operation: 'insert' | 'update' | 'delete',
        type: string,
        records: JsonObject[] | string[]
    ): string[] {
        const object = this.schema.object(type);
        if (!object) {
            throw new Error(`unknown sObject type ${type}`);
        }
        return this.inTransaction(userId, (tx) => {
            let outcomes: SaveOutcome[];
            if (operation === 'delete') {
                outcomes = this.dml.delete(tx, records.map(String), true, object);
            } else if (operation === 'insert') {
                const prepared = (records as JsonObject[]).map((record) => this.dml.prepare(object, record, 'insert'));
                outcomes = this.dml.insert(tx, object, prepared, true);
            } else {
                const inputs = (records as JsonObject[]).map((record) => {
                    const id = record.Id ?? record.id;
                    if (typeof id !== 'string') {
                        throw new RecordError('MISSING_ARGUMENT', 'Id not specified in an update call');
                    }
                    return { id, record: this.dml.prepare(object, record, 'update'), object };
                });
                outcomes = this.dml.update(tx, inputs, true);
            }
            if (outcomes.some((outcome) => !outcome.success)) {
                throw new DmlFailure(outcomes);
            }
            return outcomes.map((outcome) => String(outcome.id));
        });
    }

    prepared(values: StoredRecord): PreparedRecord {
        return { values, blobs: new Map() };
    }

    // -----------------------------------------------------------------------------------------
    // Reading records as the API answers them
    // -----------------------------------------------------------------------------------------

    records(type: string, includeDeleted: boolean): StoredRecord[] {
        return includeDeleted ? this.store.all(type) : this.store.live(type);
    }

    get(id: string): StoredRecord | undefined {
        return this.store.get(id);
    }

    recordUrl(object: ObjectDef, id: string, apiVersion = this.apiVersion): string {
        return `/services/data/v${apiVersion}/sobjects/${object.name}/${id}`;
    }

    rawValue(_object: ObjectDef, record: StoredRecord, field: FieldDef): ScalarValue {
        if (field.summary) {
            const { childObject, childField } = field.summary;
            return this.store.live(childObject).filter((child) => child[childField] === record.Id).length;
        }
        return record[field.name] ?? null;
    }

    valueJson(object: ObjectDef, record: StoredRecord, field: FieldDef, apiVersion = this.apiVersion): Json {
        if (field.type === 'base64') {
            return this.store.blob(String(record.Id), field.name)
                ? `${this.recordUrl(object, String(record.Id), apiVersion)}/${field.name}`
                : null;
        }
        const value = this.rawValue(object, record, field);
        if (field.type === 'datetime' && typeof value === 'number') {
            return formatDateTime(value);
        }
        return value;
    }

    /** A whole record as `GET /sobjects/{type}/{id}` answers it (or only the given fields). */
    recordJson(object: ObjectDef, record: StoredRecord, apiVersion = this.apiVersion, fields?: FieldDef[]): JsonObject {
        const json: JsonObject = {
            attributes: { type: object.name, url: this.recordUrl(object, String(record.Id), apiVersion) }
        };
        for (const field of fields ?? object.fields) {
            json[field.name] = this.valueJson(object, record, field, apiVersion);
        }
        return json;
    }
}
