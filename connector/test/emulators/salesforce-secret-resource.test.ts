// The package's connection-secret Apex REST resource (ConnectorSecretResource) as the Salesforce
// emulator serves it: GET, POST and DELETE with the Apex class's rules and answers, and the admin
// API's apexRestSecretStore going through it.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { EmulatorUser, SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { AdminError } from '../../src/admin/errors.ts';
import { apexRestSecretStore } from '../../src/admin/secret-store.ts';
import { ApiBudget, apiNames } from '../../src/salesforce/index.ts';
import { connectionAs, idOf, rejection } from './salesforce-fixture.ts';

/** A secret as ConnectionController.newSecret makes one: 256 bits, base64url, no padding. */
function newSecret(): string {
    return randomBytes(32).toString('base64url');
}

interface RawAnswer {
    status: number;
    body: unknown;
    cacheControl: string | null;
}

void describe('Salesforce emulator: the connection-secret Apex REST resource', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;
    let agent: EmulatorUser;

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
        agent = emulator.createUser({
            name: 'Support Agent',
            username: 'agent@example.com',
            permissionSets: ['Exalate_User']
        });
    });
    after(async () => {
        await emulator.close();
    });

    async function newConnection(name: string): Promise<string> {
        return idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: name, Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
    }

    async function call(
        method: string,
        lastSegment: string,
        body?: string,
        user: EmulatorUser = emulator.connectorUser
    ): Promise<RawAnswer> {
        const response = await fetch(
            `${emulator.instanceUrl}/services/apexrest/exalate/v1/connection-secret/${lastSegment}`,
            {
                method,
                headers: {
                    Authorization: `Bearer ${user.accessToken}`,
                    ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
                },
                body
            }
        );
        const text = await response.text();
        return {
            status: response.status,
            body: text === '' ? undefined : JSON.parse(text),
            cacheControl: response.headers.get('cache-control')
        };
    }

    const errorCodeOf = (answer: RawAnswer): unknown => (answer.body as { errorCode?: unknown }).errorCode;

    void it('stores a secret with POST, replaces it, answers it with GET and removes it with DELETE, one API call each', async () => {
        const connectionId = await newConnection('store-read-remove');
        const first = newSecret();
        const second = newSecret();

        emulator.resetApiCalls();
        const stored = await call('POST', connectionId, JSON.stringify({ secret: first }));
        assert.deepEqual([stored.status, stored.body, stored.cacheControl], [200, { connectionId }, 'no-store']);
        assert.equal(emulator.apiCalls(), 1);

        const replaced = await call('POST', connectionId.slice(0, 15), JSON.stringify({ secret: second }));
        assert.deepEqual([replaced.status, replaced.body], [200, { connectionId }], 'a 15-character id works too');
        const read = await call('GET', connectionId);
        assert.deepEqual(
            [read.status, read.body, read.cacheControl],
            [200, { connectionId, secret: second }, 'no-store']
        );

        const removed = await call('DELETE', connectionId);
        assert.deepEqual([removed.status, removed.body, removed.cacheControl], [200, { connectionId }, 'no-store']);
        const gone = await call('GET', connectionId);
        assert.equal(gone.status, 404);
        assert.equal(errorCodeOf(gone), 'NOT_FOUND');
        const again = await call('DELETE', connectionId);
        assert.deepEqual(
            [again.status, again.body],
            [404, { errorCode: 'NOT_FOUND', message: `No secret is stored for connection ${connectionId}.` }]
        );
        assert.equal(emulator.apiCalls(), 6);
    });

    void it('lets only the connector store or remove a secret (403 FORBIDDEN), before looking at anything else', async () => {
        const connectionId = await newConnection('forbidden');
        const secret = newSecret();
        emulator.setConnectionSecret(connectionId, secret);

        const stored = await call('POST', connectionId, JSON.stringify({ secret: newSecret() }), agent);
        assert.deepEqual(
            [stored.status, stored.body, stored.cacheControl],
            [
                403,
                {
                    errorCode: 'FORBIDDEN',
                    message:
                        'Only the connector user, with the Exalate_Connector custom permission, can store connection secrets.'
                },
                'no-store'
            ]
        );
        const removed = await call('DELETE', connectionId, undefined, agent);
        assert.equal(removed.status, 403);
        assert.equal(errorCodeOf(removed), 'FORBIDDEN');
        const badId = await call('POST', 'not-an-id', '{}', agent);
        assert.equal(badId.status, 403, 'the caller is checked first');

        const read = await call('GET', connectionId);
        assert.equal((read.body as { secret: string }).secret, secret, 'the secret is unchanged');
    });

    void it('refuses a body that is not {"secret": <43 characters of base64url>} with 400 INVALID_SECRET, never echoing it', async () => {
        const connectionId = await newConnection('bad-secrets');
        const good = newSecret();
        const bodies = [
            JSON.stringify({ secret: good.slice(0, 42) }),
            JSON.stringify({ secret: `${good}A` }),
            JSON.stringify({ secret: `${good.slice(0, 42)}+` }),
            JSON.stringify({ secret: `${good.slice(0, 42)}=` }),
            JSON.stringify({ secret: null }),
            JSON.stringify({ secret: 42 }),
            JSON.stringify({ key: good }),
            JSON.stringify([good]),
            'not json',
            ''
        ];
        for (const body of bodies) {
            const answer = await call('POST', connectionId, body);
            assert.equal(answer.status, 400, body);
            assert.equal(errorCodeOf(answer), 'INVALID_SECRET', body);
            assert.equal(answer.cacheControl, 'no-store');
            assert.ok(!JSON.stringify(answer.body).includes(good.slice(0, 42)), 'never echoed');
        }
        const noBody = await call('POST', connectionId);
        assert.equal(errorCodeOf(noBody), 'INVALID_SECRET');
        assert.equal((await call('GET', connectionId)).status, 404, 'nothing was stored');
    });

    void it('answers 400 INVALID_ID unless the URL ends with a connection id, for every method', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'not a connection' }));
        for (const method of ['GET', 'POST', 'DELETE']) {
            for (const segment of ['not-an-id', caseId, '']) {
                const answer = await call(
                    method,
                    segment,
                    method === 'POST' ? JSON.stringify({ secret: newSecret() }) : undefined
                );
                assert.equal(answer.status, 400, `${method} ${segment}`);
                assert.equal(errorCodeOf(answer), 'INVALID_ID', `${method} ${segment}`);
            }
        }
    });

    void it('stores only for a connection that exists (404 NOT_FOUND), but removes the secret of a deleted one', async () => {
        const connectionId = await newConnection('deleted');
        const secret = newSecret();
        assert.equal((await call('POST', connectionId, JSON.stringify({ secret }))).status, 200);
        await conn.sobject('Sync_Connection__c').destroy(connectionId);

        const stored = await call('POST', connectionId, JSON.stringify({ secret: newSecret() }));
        assert.deepEqual(
            [stored.status, stored.body],
            [
                404,
                {
                    errorCode: 'NOT_FOUND',
                    message: `Connection ${connectionId} does not exist, or you do not have access to it.`
                }
            ]
        );
        assert.equal(((await call('GET', connectionId)).body as { secret: string }).secret, secret, 'unchanged');
        assert.equal((await call('DELETE', connectionId)).status, 200);
        assert.equal((await call('GET', connectionId)).status, 404);
    });

    void it('answers other methods with the platform 405, and other URLs with the platform 404', async () => {
        const connectionId = await newConnection('methods');
        const put = await rejection(
            conn.request({
                method: 'PUT',
                url: `/services/apexrest/exalate/v1/connection-secret/${connectionId}`,
                body: '{}'
            })
        );
        assert.equal(put.errorCode, 'METHOD_NOT_ALLOWED');
        const elsewhere = await rejection(
            conn.request({ method: 'POST', url: '/services/apexrest/exalate/v1/other/x', body: '{}' })
        );
        assert.equal(elsewhere.errorCode, 'NOT_FOUND');
        assert.equal(elsewhere.message, 'Could not find a match for URL');
    });

    void it('serves POST and DELETE under the namespace of a managed package', async (t) => {
        const packaged = await startSalesforceEmulator({ namespace: 'exa' });
        t.after(() => packaged.close());
        const ns = connectionAs(packaged);
        const connectionId = idOf(
            await ns
                .sobject('exa__Sync_Connection__c')
                .create({ Name: 'ns', exa__Local_Instance_Name__c: 'A', exa__Remote_Instance_Name__c: 'B' })
        );
        const secret = newSecret();
        const path = `/exa/exalate/v1/connection-secret/${connectionId}`;
        assert.deepEqual(await ns.apex.post(path, { secret }), { connectionId });
        assert.equal((await ns.apex.get<{ secret: string }>(path)).secret, secret);
        assert.deepEqual(await ns.apex.delete(path), { connectionId });
    });
});

void describe('apexRestSecretStore against the Salesforce emulator', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
    });
    after(async () => {
        await emulator.close();
    });

    async function newConnection(name: string): Promise<string> {
        return idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: name, Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
    }

    async function adminErrorOf(promise: Promise<unknown>): Promise<AdminError> {
        const error = await rejection(promise);
        assert.ok(error instanceof AdminError, String(error));
        return error;
    }

    void it('stores a secret, which GET then answers, and removes it, counting each call', async () => {
        const budget = new ApiBudget();
        const store = apexRestSecretStore({ connection: () => conn, names: apiNames(''), budget });
        const connectionId = await newConnection('store-through-admin');
        const secret = newSecret();

        await store.store(connectionId, secret);
        const read = await conn.apex.get<{ connectionId: string; secret: string }>(
            `/exalate/v1/connection-secret/${connectionId}`
        );
        assert.deepEqual(read, { connectionId, secret });

        await store.remove(connectionId);
        const gone = await rejection(conn.apex.get(`/exalate/v1/connection-secret/${connectionId}`));
        assert.equal(gone.errorCode, 'NOT_FOUND');
        await store.remove(connectionId); // nothing left to remove: not an error

        assert.deepEqual(budget.callsByOperation(), { 'admin:secret-post': 1, 'admin:secret-delete': 2 });
        assert.ok(budget.used !== undefined && budget.used > 0, 'the limit reading is taken');
    });

    void it('says why a secret cannot be stored: no such connection (502), not the connector (403)', async () => {
        const connectionId = await newConnection('refusals');
        await conn.sobject('Sync_Connection__c').destroy(connectionId);
        const store = apexRestSecretStore({ connection: () => conn, names: apiNames(''), budget: new ApiBudget() });
        const missing = await adminErrorOf(store.store(connectionId, newSecret()));
        assert.equal(missing.status, 502);
        assert.equal(
            missing.message,
            `The connection secret could not be stored: Connection ${connectionId} does not exist, or you do not have access to it.`
        );

        const agent = emulator.createUser({
            name: 'Some Admin',
            username: 'admin@example.com',
            permissionSets: ['Exalate_Admin']
        });
        const asAgent = apexRestSecretStore({
            connection: () => connectionAs(emulator, agent),
            names: apiNames(''),
            budget: new ApiBudget()
        });
        const forbidden = await adminErrorOf(asAgent.store(await newConnection('refusals-2'), newSecret()));
        assert.equal(forbidden.status, 403);
    });

    void it('answers 501 only when the org has no such operation: an older package (405) or no resource (404)', async () => {
        const connectionId = await newConnection('older-package');
        const store = apexRestSecretStore({ connection: () => conn, names: apiNames(''), budget: new ApiBudget() });
        emulator.failNext(
            { method: 'POST', pathIncludes: '/connection-secret/' },
            {
                status: 405,
                body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: "HTTP Method 'POST' not allowed. Allowed are GET" }]
            }
        );
        const older = await adminErrorOf(store.store(connectionId, newSecret()));
        assert.equal(older.status, 501);
        assert.match(older.message, /answered METHOD_NOT_ALLOWED: the package is older than this connector/);

        emulator.failNext(
            { method: 'DELETE', pathIncludes: '/connection-secret/' },
            { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'Could not find a match for URL' }] }
        );
        const none = await adminErrorOf(store.remove(connectionId));
        assert.equal(none.status, 501);

        // A namespace the org's package does not have: the platform's 404, not the resource's.
        const wrongNamespace = apexRestSecretStore({
            connection: () => conn,
            names: apiNames('exa'),
            budget: new ApiBudget()
        });
        assert.equal((await adminErrorOf(wrongNamespace.store(connectionId, newSecret()))).status, 501);
    });
});
