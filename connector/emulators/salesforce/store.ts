// In-memory records, one table per object, with transactions: every change made inside a
// transaction is journaled so that an all-or-none failure (a collection with allOrNone, a
// composite request with allOrNone) rolls everything back, triggers' work included. Platform
// events published in a transaction are held until it commits (PublishAfterCommit), so a
// rolled-back transaction wakes nobody. Deleted records stay in their table with IsDeleted = true,
// as in the recycle bin (queryAll and getDeleted see them).

import type { ScalarValue } from './schema.ts';

/** A stored record: canonical field name -> value. Datetimes are ms since epoch, dates `YYYY-MM-DD`. */
export type StoredRecord = Record<string, ScalarValue>;

export interface StoredEvent {
    type: string;
    id: string;
    payload: StoredRecord;
}

export interface Savepoint {
    undo: number;
    events: number;
    wakePublished: boolean;
}

export class Transaction {
    readonly userId: string;
    readonly undo: (() => void)[] = [];
    readonly events: StoredEvent[] = [];
    /** ChangeSignalRecorder publishes one wake event per transaction. */
    wakePublished = false;

    constructor(userId: string) {
        this.userId = userId;
    }
}

/** Turns a field value into the key it is looked up by (e.g. lowercased for a case-insensitive field). */
export type IndexKey = (value: ScalarValue) => ScalarValue;

/** Ids of the records of one type by the key of one field's value, kept up to date by every write. */
interface ValueIndex {
    readonly field: string;
    readonly key: IndexKey;
    readonly ids: Map<ScalarValue, Set<string>>;
}

export class Store {
    private readonly tables = new Map<string, Map<string, StoredRecord>>();
    /** Value indexes by type, then by `<field>/<key name>`: built on first use, then maintained. */
    private readonly indexes = new Map<string, Map<string, ValueIndex>>();
    private readonly typeOfId = new Map<string, string>();
    /** Binary field values (ContentVersion.VersionData), by `<id>/<field>`. */
    private readonly blobs = new Map<string, Buffer>();
    /** When each deleted record was deleted (ms), for getDeleted. */
    private readonly deletedAt = new Map<string, number>();

    private table(type: string): Map<string, StoredRecord> {
        let table = this.tables.get(type);
        if (!table) {
            table = new Map();
            this.tables.set(type, table);
        }
        return table;
    }

    /** The stored record (deleted or not), or undefined. Callers must not modify it. */
    get(id: string): StoredRecord | undefined {
        const type = this.typeOfId.get(id);
        return type === undefined ? undefined : this.tables.get(type)?.get(id);
    }

    typeOf(id: string): string | undefined {
        return this.typeOfId.get(id);
    }

    /** Records of a type in creation order, deleted ones included. Callers must not modify them. */
    all(type: string): StoredRecord[] {
        return [...(this.tables.get(type)?.values() ?? [])];
    }

    live(type: string): StoredRecord[] {
        return this.all(type).filter((record) => record.IsDeleted !== true);
    }

    /**
     * The live records of a type whose `field`, turned by `key`, equals `wanted`: what a scan of
     * `live(type)` would find, in creation order, without the scan (unique checks and external-id
     * upserts would otherwise cost a scan per record, quadratic in a bulk load). `keyName` names
     * `key`: one index is kept per field and key.
     */
    findBy(type: string, field: string, keyName: string, key: IndexKey, wanted: ScalarValue): StoredRecord[] {
        const index = this.index(type, field, keyName, key);
        const table = this.tables.get(type);
        const ids = index.ids.get(wanted);
        if (ids === undefined || table === undefined) {
            return [];
        }
        return [...ids]
            .map((id) => table.get(id))
            .filter((record): record is StoredRecord => record !== undefined && record.IsDeleted !== true);
    }

    private index(type: string, field: string, keyName: string, key: IndexKey): ValueIndex {
        let byName = this.indexes.get(type);
        if (byName === undefined) {
            byName = new Map();
            this.indexes.set(type, byName);
        }
        const name = `${field}/${keyName}`;
        let index = byName.get(name);
        if (index === undefined) {
            index = { field, key, ids: new Map() };
            for (const record of this.tables.get(type)?.values() ?? []) {
                this.indexAdd(index, record);
            }
            byName.set(name, index);
        }
        return index;
    }

    private indexAdd(index: ValueIndex, record: StoredRecord): void {
        const value = record[index.field];
        if (value === null || value === undefined) {
            return;
        }
        const key = index.key(value);
        let ids = index.ids.get(key);
        if (ids === undefined) {
            ids = new Set();
            index.ids.set(key, ids);
        }
        ids.add(String(record.Id));
    }

    private indexRemove(index: ValueIndex, record: StoredRecord): void {
        const value = record[index.field];
        if (value === null || value === undefined) {
            return;
        }
        const key = index.key(value);
        const ids = index.ids.get(key);
        ids?.delete(String(record.Id));
        if (ids?.size === 0) {
            index.ids.delete(key);
        }
    }

    /** Moves a record's entries in the indexes of its type from `before` to `after` (either may be absent). */
    private reindex(type: string, before: StoredRecord | undefined, after: StoredRecord | undefined): void {
        for (const index of this.indexes.get(type)?.values() ?? []) {
            if (before !== undefined) {
                this.indexRemove(index, before);
            }
            if (after !== undefined) {
                this.indexAdd(index, after);
            }
        }
    }

    insert(tx: Transaction, type: string, record: StoredRecord): void {
        const id = String(record.Id);
        const stored = { ...record };
        this.table(type).set(id, stored);
        this.typeOfId.set(id, type);
        this.reindex(type, undefined, stored);
        tx.undo.push(() => {
            this.tables.get(type)?.delete(id);
            this.typeOfId.delete(id);
            this.reindex(type, stored, undefined);
            this.blobs.forEach((_, key) => {
                if (key.startsWith(`${id}/`)) {
                    this.blobs.delete(key);
                }
            });
        });
    }

    /** Replaces the stored values of a record with `changes` merged in. */
    update(tx: Transaction, id: string, changes: StoredRecord): void {
        const type = this.typeOfId.get(id);
        const table = type === undefined ? undefined : this.tables.get(type);
        const previous = table?.get(id);
        if (!table || !previous) {
            throw new Error(`no record ${id}`);
        }
        const next = { ...previous, ...changes };
        table.set(id, next);
        this.reindex(type as string, previous, next);
        tx.undo.push(() => {
            table.set(id, previous);
            this.reindex(type as string, next, previous);
        });
    }

    markDeleted(tx: Transaction, id: string, at: number, changes: StoredRecord): void {
        this.update(tx, id, { ...changes, IsDeleted: true });
        this.deletedAt.set(id, at);
        tx.undo.push(() => this.deletedAt.delete(id));
    }

    deletedTime(id: string): number | undefined {
        return this.deletedAt.get(id);
    }

    setBlob(tx: Transaction, id: string, fieldName: string, data: Buffer): void {
        const key = `${id}/${fieldName}`;
        const previous = this.blobs.get(key);
        this.blobs.set(key, data);
        tx.undo.push(() => {
            if (previous) {
                this.blobs.set(key, previous);
            } else {
                this.blobs.delete(key);
            }
        });
    }

    blob(id: string, fieldName: string): Buffer | undefined {
        return this.blobs.get(`${id}/${fieldName}`);
    }

    /** A point to roll back to without abandoning the whole transaction. */
    savepoint(tx: Transaction): Savepoint {
        return { undo: tx.undo.length, events: tx.events.length, wakePublished: tx.wakePublished };
    }

    rollbackTo(tx: Transaction, savepoint: Savepoint): void {
        while (tx.undo.length > savepoint.undo) {
            const undo = tx.undo.pop();
            undo?.();
        }
        tx.events.length = Math.min(tx.events.length, savepoint.events);
        tx.wakePublished = savepoint.wakePublished;
    }

    rollback(tx: Transaction): void {
        this.rollbackTo(tx, { undo: 0, events: 0, wakePublished: false });
    }
}
