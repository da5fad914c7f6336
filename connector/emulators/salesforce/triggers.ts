// What the package's Apex triggers do in an org (force-app/main/default/triggers and the
// *SignalHandler classes with ChangeSignalRecorder): after a DML batch on Case (insert; update
// when Subject or Description changed; delete), CaseComment (public ones: insert; update when
// CommentBody or IsPublished changed) or ContentDocumentLink (insert, linked to a Case), record
// one Sync_Signal__c per changed record (per twin for a deleted Case under sync, its Record_Ref__c
// then naming the twin) for Cases that have a Sync_Twin__c, or for every Case
// while an active Sync_Trigger__c exists, and publish one Sync_Wake__e (Reason__c 'signals') per
// transaction. Nothing is recorded while the writing user is the connector (Exalate_Connector).
// All of it happens inside the request's transaction and costs no API call.

import type { Dml, PreparedRecord, TriggerHooks } from './dml.ts';
import type { ObjectDef, Schema } from './schema.ts';
import type { Store, StoredRecord, Transaction } from './store.ts';

type Kind = 'Case' | 'Comment' | 'File' | 'Deleted';

interface Signal {
    caseId: string;
    kind: Kind;
    recordId: string | null;
}

export interface TriggerDeps {
    schema: Schema;
    store: Store;
    dml: Dml;
    /** Whether the user holds the Exalate_Connector custom permission (permission set). */
    isConnector(userId: string): boolean;
}

export const SIGNALLED_CASE_FIELDS = ['Subject', 'Description'];

export class PackageTriggers implements TriggerHooks {
    private readonly deps: TriggerDeps;

    constructor(deps: TriggerDeps) {
        this.deps = deps;
    }

    private name(object: string): string {
        return this.deps.schema.packaged(object);
    }

    afterInsert(tx: Transaction, object: ObjectDef, records: StoredRecord[]): void {
        switch (object.name) {
            case 'Case':
                this.record(
                    tx,
                    records.map((record) => ({ caseId: String(record.Id), kind: 'Case', recordId: String(record.Id) }))
                );
                return;
            case 'CaseComment':
                this.record(
                    tx,
                    records
                        .filter((record) => record.IsPublished === true)
                        .map((record) => ({
                            caseId: String(record.ParentId),
                            kind: 'Comment',
                            recordId: String(record.Id)
                        }))
                );
                return;
            case 'ContentDocumentLink':
                this.record(
                    tx,
                    records
                        .filter((record) => this.deps.schema.objectOfId(String(record.LinkedEntityId))?.name === 'Case')
                        .map((record) => ({
                            caseId: String(record.LinkedEntityId),
                            kind: 'File',
                            recordId: String(record.ContentDocumentId)
                        }))
                );
                return;
            default:
                return;
        }
    }

    afterUpdate(
        tx: Transaction,
        object: ObjectDef,
        records: StoredRecord[],
        previous: Map<string, StoredRecord>
    ): void {
        if (object.name === 'Case') {
            this.record(
                tx,
                records
                    .filter((record) => {
                        const before = previous.get(String(record.Id));
                        return !before || SIGNALLED_CASE_FIELDS.some((field) => record[field] !== before[field]);
                    })
                    .map((record) => ({ caseId: String(record.Id), kind: 'Case', recordId: String(record.Id) }))
            );
        } else if (object.name === 'CaseComment') {
            this.record(
                tx,
                records
                    .filter((record) => {
                        const before = previous.get(String(record.Id));
                        const changed =
                            !before ||
                            record.CommentBody !== before.CommentBody ||
                            record.IsPublished !== before.IsPublished;
                        return record.IsPublished === true && changed;
                    })
                    .map((record) => ({
                        caseId: String(record.ParentId),
                        kind: 'Comment',
                        recordId: String(record.Id)
                    }))
            );
        }
    }

    afterDelete(tx: Transaction, object: ObjectDef, records: StoredRecord[]): void {
        if (object.name === 'Case') {
            this.record(
                tx,
                records.map((record) => ({ caseId: String(record.Id), kind: 'Deleted', recordId: String(record.Id) }))
            );
        }
    }

    /** ChangeSignalRecorder.record: the signals that matter, one insert, one wake per transaction. */
    private record(tx: Transaction, signals: Signal[]): void {
        if (signals.length === 0 || this.deps.isConnector(tx.userId)) {
            return;
        }
        const caseIds = new Set(signals.map((signal) => signal.caseId));
        const deletedCaseIds = new Set(
            signals.filter((signal) => signal.kind === 'Deleted').map((signal) => signal.caseId)
        );
        const deletedTwins = new Map<string, string[]>();
        const underSync = this.casesWithTwins(caseIds, deletedCaseIds, deletedTwins);
        const anyActiveTrigger = underSync.size < caseIds.size && this.hasActiveTrigger();
        const rows: PreparedRecord[] = [];
        for (const signal of signals) {
            const isUnderSync = underSync.has(signal.caseId);
            if (!isUnderSync && !anyActiveTrigger) {
                continue;
            }
            // A deleted Case's twins have lost their lookup: one signal per twin names it.
            const twinIds = signal.kind === 'Deleted' ? (deletedTwins.get(signal.caseId) ?? []) : [];
            for (const recordId of twinIds.length > 0 ? twinIds : [signal.recordId]) {
                rows.push({
                    values: {
                        [this.name('Case__c')]: signal.kind === 'Deleted' ? null : signal.caseId,
                        [this.name('Case_Ref__c')]: signal.caseId,
                        [this.name('Kind__c')]: signal.kind,
                        [this.name('Record_Ref__c')]: recordId,
                        [this.name('Under_Sync__c')]: isUnderSync
                    },
                    blobs: new Map()
                });
            }
        }
        const signalObject = this.deps.schema.object(this.name('Sync_Signal__c'));
        if (rows.length === 0 || !signalObject) {
            return;
        }
        this.deps.dml.insert(tx, signalObject, rows, true);
        if (!tx.wakePublished) {
            const wake = this.deps.schema.object(this.name('Sync_Wake__e'));
            if (wake) {
                const outcome = this.deps.dml.publish(tx, wake, { [this.name('Reason__c')]: 'signals' });
                tx.wakePublished = outcome.success;
            }
        }
    }

    /**
     * Cases with a twin; a deleted Case's twins may already have Case__c cleared, their key still ends
     * with its id. The twin ids of deleted Cases go into `deletedTwins`, by Case id.
     */
    private casesWithTwins(
        caseIds: Set<string>,
        deletedCaseIds: Set<string>,
        deletedTwins: Map<string, string[]>
    ): Set<string> {
        const addDeleted = (caseId: string, twinId: string): void => {
            deletedTwins.set(caseId, [...(deletedTwins.get(caseId) ?? []), twinId]);
        };
        const caseField = this.name('Case__c');
        const keyField = this.name('Twin_Key__c');
        const withTwins = new Set<string>();
        for (const twin of this.deps.store.live(this.name('Sync_Twin__c'))) {
            const caseId = twin[caseField];
            if (typeof caseId === 'string') {
                if (caseIds.has(caseId)) {
                    withTwins.add(caseId);
                    if (deletedCaseIds.has(caseId)) {
                        addDeleted(caseId, String(twin.Id));
                    }
                }
                continue;
            }
            const key = twin[keyField];
            if (typeof key === 'string') {
                const keyedCase = key.slice(key.indexOf(':') + 1);
                for (const deleted of deletedCaseIds) {
                    if (keyedCase.toLowerCase() === deleted.toLowerCase() || keyedCase === deleted.slice(0, 15)) {
                        withTwins.add(deleted);
                        addDeleted(deleted, String(twin.Id));
                    }
                }
            }
        }
        return withTwins;
    }

    private hasActiveTrigger(): boolean {
        const active = this.name('Active__c');
        return this.deps.store.live(this.name('Sync_Trigger__c')).some((trigger) => trigger[active] === true);
    }
}
