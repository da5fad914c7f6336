// The daily API allocation and the throttling rule: pure numbers, then one org whose allocation is
// small enough to run dry.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { ApiBudget } from '../src/salesforce/api-budget.ts';
import { SalesforceApiError } from '../src/salesforce/errors.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';

void describe('Salesforce adapter: API budget (numbers)', () => {
    void it('knows nothing and throttles nothing before the first reading', () => {
        const budget = new ApiBudget();
        assert.equal(budget.used, undefined);
        assert.equal(budget.limit, undefined);
        assert.equal(budget.remaining, undefined);
        assert.equal(budget.state(), 'unknown');
        assert.equal(budget.delayBeforeNextCall(), 0);
        assert.equal(budget.shouldThrottle(), false);
    });

    void it('runs at full speed while at least 10 % is left', () => {
        const budget = new ApiBudget();
        budget.observe({ used: 13_500, limit: 15_000 });
        assert.equal(budget.remaining, 1_500);
        assert.equal(budget.state(), 'normal');
        assert.equal(budget.delayBeforeNextCall(), 0);
        assert.equal(budget.shouldThrottle(), false);
    });

    void it('slows non-urgent work below 10 %, more the closer to 2 %', () => {
        const budget = new ApiBudget({ maxDelayMs: 60_000 });
        budget.observe({ used: 13_501, limit: 15_000 }); // 1,499 left: just under 10 %
        assert.equal(budget.state(), 'slow');
        const early = budget.delayBeforeNextCall();
        assert.ok(early > 0 && early < 100, `${early}`);
        budget.observe({ used: 14_100, limit: 15_000 }); // 900 left: 6 %, half-way to 2 %
        assert.equal(budget.delayBeforeNextCall(), 30_000);
        budget.observe({ used: 14_700, limit: 15_000 }); // 300 left: exactly 2 %
        assert.equal(budget.delayBeforeNextCall(), 60_000);
        assert.equal(budget.shouldThrottle(), true);
        assert.equal(budget.delayBeforeNextCall({ urgent: true }), 0, 'a user-requested sync is never slowed');
        assert.equal(budget.shouldThrottle({ urgent: true }), false);
    });

    void it('stops non-urgent work below 2 %, and urgent work only when nothing is left', () => {
        const budget = new ApiBudget();
        budget.observe({ used: 14_701, limit: 15_000 }); // 299 left: under 2 %
        assert.equal(budget.state(), 'stopped');
        assert.equal(budget.delayBeforeNextCall(), Number.POSITIVE_INFINITY);
        assert.equal(budget.delayBeforeNextCall({ urgent: true }), 0);
        budget.observe({ used: 15_000, limit: 15_000 });
        assert.equal(budget.remaining, 0);
        assert.equal(budget.delayBeforeNextCall({ urgent: true }), Number.POSITIVE_INFINITY);
        budget.observe({ used: 15_020, limit: 15_000 });
        assert.equal(budget.remaining, 0, 'never negative');
    });

    void it('reads the Limits resource and counts calls per operation', () => {
        const budget = new ApiBudget();
        budget.observeLimits({ Max: 100_000, Remaining: 99_000 });
        assert.equal(budget.used, 1_000);
        budget.recordCall('readWork', { used: 1_001, limit: 100_000 });
        budget.recordCall('readWork');
        budget.recordCall('write', undefined);
        assert.equal(budget.callsMade, 3);
        assert.deepEqual(budget.callsByOperation(), { readWork: 2, write: 1 });
        assert.equal(budget.used, 1_001, 'a call without a reading keeps the last one');
        budget.observe({ used: Number.NaN, limit: 5 });
        assert.equal(budget.used, 1_001, 'nonsense readings are ignored');
    });

    void it('takes other thresholds and refuses inconsistent ones', () => {
        const budget = new ApiBudget({ slowBelow: 0.5, stopBelow: 0.25, maxDelayMs: 1_000 });
        budget.observe({ used: 60, limit: 100 });
        assert.equal(budget.delayBeforeNextCall(), 400);
        assert.throws(() => new ApiBudget({ slowBelow: 0.02, stopBelow: 0.1 }), RangeError);
    });
});

void describe('Salesforce adapter: API budget against an org with 100 calls a day', () => {
    let emulator: SalesforceEmulator;
    let client: SalesforceOrgClient;

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0, dailyApiLimit: 100 });
        client = new SalesforceOrgClient({
            connection: new Connection({
                instanceUrl: emulator.instanceUrl,
                accessToken: emulator.connectorUser.accessToken,
                version: '65.0'
            }),
            namespace: ''
        });
    });
    after(async () => {
        await emulator.close();
    });

    void it('follows the allocation from the Limits resource and every response, and stops in time', async () => {
        const usage = await client.refreshApiUsage();
        assert.deepEqual(usage, { used: 1, limit: 100 }, 'the Limits resource counts itself');
        assert.equal(client.budget.used, 1);
        assert.equal(client.budget.limit, 100);
        assert.equal(client.budget.state(), 'normal');

        while ((client.budget.remaining ?? 0) >= 10) {
            await client.readConnections();
        }
        assert.equal(client.budget.used, 91);
        assert.equal(client.budget.state(), 'slow');
        assert.ok(client.budget.delayBeforeNextCall() > 0);
        assert.equal(client.budget.delayBeforeNextCall({ urgent: true }), 0);

        while ((client.budget.remaining ?? 0) >= 2) {
            await client.readConnections();
        }
        assert.equal(client.budget.used, 99);
        assert.equal(client.budget.state(), 'stopped');
        assert.equal(client.budget.delayBeforeNextCall(), Number.POSITIVE_INFINITY);
        assert.equal(client.budget.delayBeforeNextCall({ urgent: true }), 0);

        await client.readConnections();
        assert.equal(client.budget.remaining, 0);
        await assert.rejects(
            client.readConnections(),
            (error: unknown) => error instanceof SalesforceApiError && error.code === 'REQUEST_LIMIT_EXCEEDED'
        );
        assert.equal(client.apiCalls, 100, 'the refused request is not counted');
        assert.equal(emulator.apiCalls(), 100, "the client's count is the org's");
        assert.equal(client.budget.delayBeforeNextCall({ urgent: true }), Number.POSITIVE_INFINITY);
        assert.deepEqual(client.apiCallsByMethod(), { refreshApiUsage: 1, readConnections: 99 });
    });
});
