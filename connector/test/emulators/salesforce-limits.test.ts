// API-call counting, the Limits resource, limit exhaustion, fault injection and the package's
// Apex REST secret endpoint, through the Salesforce emulator.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, idOf, rejection } from './salesforce-fixture.ts';

void describe('Salesforce emulator: API limits and Apex REST', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
    });
    after(async () => {
        await emulator.close();
    });

    void it('counts one call per request and reports it in Sforce-Limit-Info', async () => {
        emulator.resetApiCalls();
        await conn.sobject('Case').create({ Subject: 'counted' });
        await conn.query('SELECT Id FROM Case');
        assert.equal(emulator.apiCalls(), 2);
        assert.deepEqual(conn.limitInfo.apiUsage, { used: 2, limit: 15000 });

        const response = await fetch(`${emulator.instanceUrl}/services/data/v${API_VERSION}/limits`, {
            headers: { Authorization: `Bearer ${emulator.connectorUser.accessToken}` }
        });
        assert.equal(response.headers.get('sforce-limit-info'), 'api-usage=3/15000');
        const limits = (await response.json()) as Record<string, { Max: number; Remaining: number }>;
        assert.deepEqual(limits.DailyApiRequests, { Max: 15000, Remaining: 14997 });
        assert.ok(limits.DailyAsyncApexExecutions.Max > 0);
        assert.ok(limits.DailyDeliveredPlatformEvents.Max > 0);
    });

    void it('does not count token requests', async () => {
        emulator.resetApiCalls();
        const response = await fetch(`${emulator.loginUrl}/services/oauth2/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
                grant_type: 'password',
                client_id: 'key',
                username: emulator.connectorUser.username,
                password: 'x'
            }).toString()
        });
        assert.equal(response.status, 200);
        assert.equal(emulator.apiCalls(), 0);
    });

    void it('refuses requests with 403 REQUEST_LIMIT_EXCEEDED once the daily allocation is used', async (t) => {
        const small = await startSalesforceEmulator({ dailyApiLimit: 3 });
        t.after(() => small.close());
        const limited = connectionAs(small);
        await limited.query('SELECT Id FROM Case');
        await limited.query('SELECT Id FROM Case');
        await limited.query('SELECT Id FROM Case');
        const error = await rejection(limited.query('SELECT Id FROM Case'));
        assert.equal(error.errorCode, 'REQUEST_LIMIT_EXCEEDED');
        assert.equal(error.message, 'TotalRequests Limit exceeded.');
        const raw = await fetch(`${small.instanceUrl}/services/data/v${API_VERSION}/sobjects`, {
            headers: { Authorization: `Bearer ${small.connectorUser.accessToken}` }
        });
        assert.equal(raw.status, 403);
        assert.deepEqual(await raw.json(), [
            { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }
        ]);
        assert.equal(small.apiCalls(), 3);
        small.resetApiCalls();
        const after = await limited.query('SELECT Id FROM Case');
        assert.equal(after.totalSize, 0);
    });

    void it('injects a fault into the next matching request', async () => {
        emulator.failNext(
            { method: 'GET', pathIncludes: '/query' },
            {
                status: 400,
                body: [{ errorCode: 'QUERY_TIMEOUT', message: 'Your query request was running for too long.' }]
            }
        );
        const error = await rejection(conn.query('SELECT Id FROM Case'));
        assert.equal(error.errorCode, 'QUERY_TIMEOUT');
        const next = await conn.query('SELECT Id FROM Case');
        assert.ok(next.totalSize >= 1, 'the fault is used once');

        // jsforce itself retries a GET answered 503 (after 0.5 s): the caller never sees it.
        emulator.resetApiCalls();
        emulator.failNext(
            { pathIncludes: '/query' },
            { status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }] }
        );
        const retried = await conn.query('SELECT Id FROM Case');
        assert.ok(retried.totalSize >= 1);
        assert.equal(emulator.apiCalls(), 1, 'the injected answer is not counted, the retry is');
    });

    void it('answers the Apex REST secret endpoint like ConnectorSecretResource (200/403/404/400), counting each call', async () => {
        const connectionId = idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: 'secret-test', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
        const path = `/exalate/v1/connection-secret/${connectionId}`;

        const missing = await rejection(conn.apex.get(path));
        assert.equal(missing.errorCode, 'NOT_FOUND');

        emulator.setConnectionSecret(connectionId, 'c2VjcmV0');
        emulator.resetApiCalls();
        const answer = await conn.apex.get<{ connectionId: string; secret: string }>(path);
        assert.deepEqual(answer, { connectionId, secret: 'c2VjcmV0' });
        assert.equal(emulator.apiCalls(), 1);

        const agent = emulator.createUser({
            name: 'Support Agent',
            username: 'agent@example.com',
            permissionSets: ['Exalate_User']
        });
        const forbidden = await rejection(connectionAs(emulator, agent).apex.get(path));
        assert.equal(forbidden.errorCode, 'FORBIDDEN');

        const raw = await fetch(`${emulator.instanceUrl}/services/apexrest/exalate/v1/connection-secret/not-an-id`, {
            headers: { Authorization: `Bearer ${emulator.connectorUser.accessToken}` }
        });
        assert.equal(raw.status, 400);
        assert.equal(((await raw.json()) as { errorCode: string }).errorCode, 'INVALID_ID');
    });

    void it('puts the namespace into custom names and the Apex REST path of a managed package', async (t) => {
        const packaged = await startSalesforceEmulator({ namespace: 'exa' });
        t.after(() => packaged.close());
        const ns = connectionAs(packaged);
        const connectionId = idOf(
            await ns
                .sobject('exa__Sync_Connection__c')
                .create({ Name: 'ns', exa__Local_Instance_Name__c: 'A', exa__Remote_Instance_Name__c: 'B' })
        );
        const twins = await ns.query(
            `SELECT Id, (SELECT Id FROM exa__Twins__r) FROM exa__Sync_Connection__c WHERE Id = '${connectionId}'`
        );
        assert.equal(twins.totalSize, 1);
        packaged.setConnectionSecret(connectionId, 's');
        const answer = await ns.apex.get<{ secret: string }>(`/exa/exalate/v1/connection-secret/${connectionId}`);
        assert.equal(answer.secret, 's');
    });
});
