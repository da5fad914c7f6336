// Namespace-aware API names: the same adapter code must work in a subscriber org (`exa__...`) and in
// a dev org without a namespace.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { apiNames, normalizeNamespace } from '../src/salesforce/names.ts';

void describe('Salesforce adapter: API names', () => {
    void it('leaves every name unqualified in an org without a namespace', () => {
        const n = apiNames('');
        assert.equal(n.namespace, '');
        assert.equal(n.prefix, '');
        assert.deepEqual(n.objects, {
            connection: 'Sync_Connection__c',
            twin: 'Sync_Twin__c',
            event: 'Sync_Event__c',
            trigger: 'Sync_Trigger__c',
            signal: 'Sync_Signal__c',
            wake: 'Sync_Wake__e'
        });
        assert.equal(n.twin.key, 'Twin_Key__c');
        assert.equal(n.twin.case, 'Case__c');
        assert.equal(n.event.nextAttempt, 'Next_Attempt__c');
        assert.equal(n.relationships.twinsOfConnection, 'Twins__r');
        assert.equal(n.relationships.triggersOfConnection, 'Triggers__r');
        assert.equal(n.relationships.twinsOfCase, 'Sync_Twins__r');
        assert.equal(n.relationships.connection, 'Connection__r');
        assert.equal(n.wakeReason, 'Reason__c');
        assert.equal(n.wakeChannel, '/event/Sync_Wake__e');
        assert.equal(n.apexRestBase, '/exalate/v1');
        assert.equal(n.qualify('Other__c'), 'Other__c');
    });

    void it('qualifies every custom name with the namespace in a subscriber org', () => {
        const n = apiNames('exa');
        assert.equal(n.prefix, 'exa__');
        assert.deepEqual(n.objects, {
            connection: 'exa__Sync_Connection__c',
            twin: 'exa__Sync_Twin__c',
            event: 'exa__Sync_Event__c',
            trigger: 'exa__Sync_Trigger__c',
            signal: 'exa__Sync_Signal__c',
            wake: 'exa__Sync_Wake__e'
        });
        assert.equal(n.twin.key, 'exa__Twin_Key__c');
        assert.equal(n.twin.syncState, 'exa__Sync_State__c');
        assert.equal(n.connection.syncedCaseCount, 'exa__Synced_Case_Count__c');
        assert.equal(n.signal.caseRef, 'exa__Case_Ref__c');
        assert.equal(n.trigger.filter, 'exa__Filter__c');
        assert.equal(n.relationships.twinsOfConnection, 'exa__Twins__r');
        assert.equal(n.relationships.twin, 'exa__Twin__r');
        assert.equal(n.wakeReason, 'exa__Reason__c');
        assert.equal(n.wakeChannel, '/event/exa__Sync_Wake__e');
        assert.equal(n.apexRestBase, '/exa/exalate/v1');
        assert.equal(n.qualify('Other__c'), 'exa__Other__c');
    });

    void it('qualifies every field of every group, and never a standard name', () => {
        const n = apiNames('exa');
        const groups: object[] = [n.connection, n.twin, n.event, n.trigger, n.signal, n.relationships];
        for (const group of groups) {
            for (const name of Object.values(group) as string[]) {
                assert.match(name, /^exa__[A-Za-z_]+__[cr]$/);
            }
        }
        const plain = apiNames('');
        const plainGroups: object[] = [plain.connection, plain.twin, plain.event, plain.trigger, plain.signal];
        for (const group of plainGroups) {
            for (const name of Object.values(group) as string[]) {
                assert.match(name, /^[A-Z][A-Za-z_]+__c$/);
                assert.ok(!name.includes('exa'));
            }
        }
    });

    void it('accepts the namespace with or without __ and refuses what is not one', () => {
        assert.equal(normalizeNamespace('exa__'), 'exa');
        assert.equal(normalizeNamespace(' exa '), 'exa');
        assert.equal(apiNames('exa__').objects.twin, 'exa__Sync_Twin__c');
        assert.throws(() => apiNames('ex a'), /not a Salesforce namespace prefix/);
        assert.throws(() => apiNames("x' OR"), /not a Salesforce namespace prefix/);
        assert.throws(() => apiNames('1abc'), /not a Salesforce namespace prefix/);
    });

    void it('freezes the names', () => {
        const n = apiNames('exa');
        assert.ok(Object.isFrozen(n) && Object.isFrozen(n.twin) && Object.isFrozen(n.objects));
    });
});
