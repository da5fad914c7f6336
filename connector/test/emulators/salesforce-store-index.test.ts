// The emulated org's value index (what unique checks and external-id upserts look records up by)
// must answer exactly what a scan would, after inserts, updates, deletes and rollbacks.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Store, Transaction } from '../../emulators/salesforce/store.ts';
import type { StoredRecord } from '../../emulators/salesforce/store.ts';

const lower = (value: unknown): string => String(value).toLowerCase();

function ids(records: StoredRecord[]): string[] {
    return records.map((record) => String(record.Id));
}

void describe('Salesforce emulator: value index', () => {
    void it('finds records by key as a scan would, through updates, deletes and rollbacks', () => {
        const store = new Store();
        const find = (key: string): string[] => ids(store.findBy('Sync_Twin__c', 'Twin_Key__c', 'lower', lower, key));
        const tx = new Transaction('005000000000001');
        store.insert(tx, 'Sync_Twin__c', { Id: 'a05000000000001', Twin_Key__c: 'Conn:Case1' });
        assert.deepEqual(find('conn:case1'), ['a05000000000001'], 'built from existing records on first use');

        store.insert(tx, 'Sync_Twin__c', { Id: 'a05000000000002', Twin_Key__c: 'Conn:Case2' });
        assert.deepEqual(find('conn:case2'), ['a05000000000002'], 'kept up to date by inserts');

        store.update(tx, 'a05000000000002', { Twin_Key__c: 'Conn:Case3' });
        assert.deepEqual(find('conn:case2'), [], 'the old value is gone after an update');
        assert.deepEqual(find('conn:case3'), ['a05000000000002']);

        const savepoint = store.savepoint(tx);
        store.insert(tx, 'Sync_Twin__c', { Id: 'a05000000000003', Twin_Key__c: 'Conn:Case4' });
        store.update(tx, 'a05000000000001', { Twin_Key__c: 'Conn:Case5' });
        store.rollbackTo(tx, savepoint);
        assert.deepEqual(find('conn:case4'), [], 'a rolled-back insert is not found');
        assert.deepEqual(find('conn:case5'), [], 'a rolled-back update is undone');
        assert.deepEqual(find('conn:case1'), ['a05000000000001']);

        store.markDeleted(tx, 'a05000000000001', Date.now(), {});
        assert.deepEqual(find('conn:case1'), [], 'a deleted record is not live');
    });
});
