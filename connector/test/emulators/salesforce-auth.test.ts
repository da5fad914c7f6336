// OAuth and sessions of the Salesforce emulator, driven through jsforce as the connector logs in.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, rejection } from './salesforce-fixture.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>): string {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
    return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), privateKey).toString('base64url')}`;
}

async function tokenRequest(emulator: SalesforceEmulator, params: Record<string, string>): Promise<Response> {
    return fetch(`${emulator.loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString()
    });
}

void describe('Salesforce emulator: OAuth and sessions', () => {
    let emulator: SalesforceEmulator;

    before(async () => {
        emulator = await startSalesforceEmulator();
    });
    after(async () => {
        await emulator.close();
    });

    void it('logs in with the username-password flow, as jsforce does it', async () => {
        const conn = new Connection({
            oauth2: { loginUrl: emulator.loginUrl, clientId: 'consumer-key', clientSecret: 'consumer-secret' },
            version: API_VERSION
        });
        const info = await conn.login(emulator.connectorUser.username, 'any password');
        assert.equal(info.id, emulator.connectorUser.id);
        assert.equal(info.organizationId, emulator.orgId);
        assert.equal(conn.instanceUrl, emulator.instanceUrl);
        const result = await conn.query<{ Username: string }>(`SELECT Username FROM User WHERE Id = '${info.id}'`);
        assert.equal(result.records[0].Username, emulator.connectorUser.username);
    });

    void it("answers a token request in Salesforce's shape", async () => {
        const response = await tokenRequest(emulator, {
            grant_type: 'password',
            client_id: 'consumer-key',
            client_secret: 'consumer-secret',
            username: emulator.connectorUser.username,
            password: 'secret'
        });
        assert.equal(response.status, 200);
        const body = (await response.json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), [
            'access_token',
            'id',
            'instance_url',
            'issued_at',
            'signature',
            'token_type'
        ]);
        assert.equal(body.token_type, 'Bearer');
        assert.equal(body.instance_url, emulator.instanceUrl);
        assert.equal(body.id, `${emulator.loginUrl}/id/${emulator.orgId}/${emulator.connectorUser.id}`);
        assert.match(String(body.issued_at), /^\d{13}$/);
        assert.equal(response.headers.get('sforce-limit-info'), null, 'a token request is not an API call');
    });

    void it('logs in with the JWT bearer flow (structure, sub and exp checked, signature not verified)', async () => {
        const conn = new Connection({ loginUrl: emulator.loginUrl, version: API_VERSION });
        const assertion = jwt({
            iss: 'consumer-key',
            sub: emulator.connectorUser.username,
            aud: 'https://login.salesforce.com',
            exp: Math.floor(Date.now() / 1000) + 180
        });
        const info = await conn.authorize({ grant_type: JWT_BEARER, assertion });
        assert.equal(info.id, emulator.connectorUser.id);
        const limits = await conn.limits();
        assert.ok(limits.DailyApiRequests.Max > 0);
    });

    void it('refuses a bad grant with 400 invalid_grant', async () => {
        const badPassword = await tokenRequest(emulator, {
            grant_type: 'password',
            client_id: 'consumer-key',
            username: 'nobody@example.com',
            password: 'x'
        });
        assert.equal(badPassword.status, 400);
        assert.deepEqual(await badPassword.json(), {
            error: 'invalid_grant',
            error_description: 'authentication failure'
        });

        const expired = await tokenRequest(emulator, {
            grant_type: JWT_BEARER,
            assertion: jwt({
                iss: 'k',
                sub: emulator.connectorUser.username,
                aud: 'x',
                exp: Math.floor(Date.now() / 1000) - 10
            })
        });
        assert.equal(expired.status, 400);
        assert.equal(((await expired.json()) as { error: string }).error, 'invalid_grant');

        const malformed = await tokenRequest(emulator, { grant_type: JWT_BEARER, assertion: 'not-a-jwt' });
        assert.equal(malformed.status, 400);

        const conn = new Connection({ loginUrl: emulator.loginUrl, version: API_VERSION });
        const error = await rejection(
            conn.authorize({
                grant_type: JWT_BEARER,
                assertion: jwt({
                    iss: 'k',
                    sub: 'ghost@example.com',
                    aud: 'x',
                    exp: Math.floor(Date.now() / 1000) + 60
                })
            })
        );
        assert.equal(error.name, 'invalid_grant');

        const unsupported = await tokenRequest(emulator, { grant_type: 'client_credentials' });
        assert.equal(unsupported.status, 400);
        assert.equal(((await unsupported.json()) as { error: string }).error, 'unsupported_grant_type');
    });

    void it('answers 401 INVALID_SESSION_ID without a token or with an unknown one', async () => {
        const none = await fetch(`${emulator.instanceUrl}/services/data/v${API_VERSION}/sobjects/Case`);
        assert.equal(none.status, 401);
        assert.deepEqual(await none.json(), [
            { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }
        ]);

        const conn = new Connection({ instanceUrl: emulator.instanceUrl, accessToken: 'bogus', version: API_VERSION });
        const error = await rejection(conn.query('SELECT Id FROM Case'));
        assert.equal(error.errorCode, 'INVALID_SESSION_ID');
    });

    void it('refreshes an expired session with the refresh token flow', async () => {
        const user = emulator.createUser({ name: 'Refresh Tester', username: 'refresh@example.com' });
        const conn = new Connection({
            oauth2: { loginUrl: emulator.loginUrl, clientId: 'consumer-key', clientSecret: 'consumer-secret' },
            instanceUrl: emulator.instanceUrl,
            accessToken: user.accessToken,
            refreshToken: user.refreshToken,
            version: API_VERSION
        });
        emulator.expireSession(user.accessToken);
        const result = await conn.query('SELECT Id FROM Case');
        assert.equal(result.totalSize, 0);
        assert.notEqual(conn.accessToken, user.accessToken, 'jsforce got a new access token');
    });

    void it('lists the API versions without a session and without counting a call', async () => {
        const before = emulator.apiCalls();
        const response = await fetch(`${emulator.instanceUrl}/services/data`);
        const versions = (await response.json()) as { label: string; url: string; version: string }[];
        assert.deepEqual(versions.at(-1), { label: "Winter '26", url: '/services/data/v65.0', version: '65.0' });
        assert.equal(emulator.apiCalls(), before);
    });

    void it('answers the identity URL as jsforce identity() reads it', async () => {
        const conn = connectionAs(emulator);
        const identity = await conn.identity();
        assert.equal(identity.user_id, emulator.connectorUser.id);
        assert.equal(identity.username, emulator.connectorUser.username);
    });
});
