// Opening a session: an access token (with or without refresh), the JWT bearer flow (assertion built
// and signed here), and an `sf` CLI login.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { connectOrg, reconnectOrg, SALESFORCE_API_VERSION } from '../src/salesforce/auth.ts';
import { buildJwtAssertion, JWT_LIFETIME_SECONDS } from '../src/salesforce/jwt.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function decodePart(part: string): Record<string, unknown> {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

void describe('Salesforce adapter: JWT bearer assertion', () => {
    void it('states iss, sub, aud (the login origin) and exp = now + 3 min, and is signed RS256', () => {
        const now = new Date('2026-11-21T13:45:12.999Z');
        const assertion = buildJwtAssertion({
            clientId: '3MVG9-consumer-key',
            username: 'connector@acme.example',
            loginUrl: 'https://login.salesforce.com/some/path?x=1',
            privateKeyPem: PRIVATE_KEY_PEM,
            now
        });
        const parts = assertion.split('.');
        assert.equal(parts.length, 3);
        for (const part of parts) {
            assert.match(part, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
        }
        assert.deepEqual(decodePart(parts[0]), { alg: 'RS256' });
        const exp = Math.floor(now.getTime() / 1000) + JWT_LIFETIME_SECONDS;
        assert.deepEqual(decodePart(parts[1]), {
            iss: '3MVG9-consumer-key',
            sub: 'connector@acme.example',
            aud: 'https://login.salesforce.com',
            exp
        });
        assert.equal(JWT_LIFETIME_SECONDS, 180);
        const signature = Buffer.from(parts[2], 'base64url');
        assert.equal(signature.length, 256, 'an RSA-2048 signature');
        assert.equal(verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, signature), true);
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
        assert.equal(verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), other, signature), false);
    });

    void it('refuses a key that is not an RSA private key, without quoting it', () => {
        assert.throws(
            () =>
                buildJwtAssertion({
                    clientId: 'c',
                    username: 'u',
                    loginUrl: 'https://x.example',
                    privateKeyPem: 'SECRET-NOT-A-KEY'
                }),
            (error: unknown) =>
                error instanceof Error && /could not be read/.test(error.message) && !error.message.includes('SECRET')
        );
        const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString();
        assert.throws(
            () => buildJwtAssertion({ clientId: 'c', username: 'u', loginUrl: 'https://x.example', privateKeyPem: ec }),
            /RS256 needs an RSA key/
        );
    });
});

void describe('Salesforce adapter: connecting to an org', () => {
    let emulator: SalesforceEmulator;

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0 });
    });
    after(async () => {
        await emulator.close();
    });

    void it('token: uses the access token as is, without any call', async () => {
        const conn = await connectOrg({
            kind: 'token',
            instanceUrl: emulator.instanceUrl,
            accessToken: emulator.connectorUser.accessToken
        });
        assert.equal(conn.version, SALESFORCE_API_VERSION);
        assert.equal(emulator.apiCalls(), 0, 'connecting costs no call');
        const client = new SalesforceOrgClient({ connection: conn, namespace: '' });
        assert.deepEqual(await client.readConnections(), []);
        assert.equal(client.apiCalls, 1);
    });

    void it('token: renews an expired session with the refresh token and client id', async () => {
        const user = emulator.createUser({
            name: 'Refreshing Connector',
            username: 'refresh@exalate.emulator',
            permissionSets: ['Exalate_Connector']
        });
        const auth = {
            kind: 'token' as const,
            instanceUrl: emulator.instanceUrl,
            accessToken: user.accessToken,
            refreshToken: user.refreshToken,
            clientId: 'consumer-key'
        };
        const client = new SalesforceOrgClient({ connection: await connectOrg(auth), namespace: '' });
        emulator.expireSession(user.accessToken);
        emulator.resetApiCalls();
        assert.deepEqual(await client.readConnections(), []);
        assert.equal(client.apiCalls, 1, 'the refused attempt (401) is not a call');
        assert.equal(emulator.apiCalls(), 1);

        const fresh = await reconnectOrg(auth);
        assert.notEqual(fresh.accessToken, user.accessToken);
        assert.equal(emulator.apiCalls(), 1, 'renewing a session costs no call');
    });

    void it('token: a refresh token without a client id is refused with the reason', async () => {
        await assert.rejects(
            connectOrg({ kind: 'token', instanceUrl: emulator.instanceUrl, accessToken: 'x', refreshToken: 'y' }),
            /give the clientId/
        );
        await assert.rejects(
            reconnectOrg({ kind: 'token', instanceUrl: emulator.instanceUrl, accessToken: 'x' }),
            /cannot be renewed/
        );
    });

    void it('jwt: logs in with a signed assertion, and signs a new one when the session ends', async () => {
        const auth = {
            kind: 'jwt' as const,
            loginUrl: emulator.loginUrl,
            clientId: 'consumer-key',
            username: emulator.connectorUser.username,
            privateKeyPem: PRIVATE_KEY_PEM
        };
        emulator.resetApiCalls();
        const conn = await connectOrg(auth);
        assert.equal(emulator.apiCalls(), 0, 'the token request is not a call');
        assert.equal(conn.instanceUrl, emulator.instanceUrl);
        assert.equal(conn.userInfo?.id, emulator.connectorUser.id);
        assert.equal(conn.version, '65.0');
        const client = new SalesforceOrgClient({ connection: conn, namespace: '' });
        await client.readConnections();

        const firstToken = conn.accessToken as string;
        emulator.expireSession(firstToken);
        await client.readConnections();
        assert.notEqual(conn.accessToken, firstToken, 'a new assertion gave a new session');
        assert.equal(client.apiCalls, 2);
        assert.equal(emulator.apiCalls(), 2);
    });

    void it('SalesforceOrgClient.connect: opens the session and reads the allocation once (1 call)', async () => {
        emulator.resetApiCalls();
        const client = await SalesforceOrgClient.connect(
            {
                kind: 'jwt',
                loginUrl: emulator.loginUrl,
                clientId: 'consumer-key',
                username: emulator.connectorUser.username,
                privateKeyPem: PRIVATE_KEY_PEM
            },
            { namespace: '' }
        );
        assert.equal(client.apiCalls, 1);
        assert.equal(emulator.apiCalls(), 1);
        assert.deepEqual(client.apiCallsByMethod(), { refreshApiUsage: 1 });
        assert.equal(client.budget.limit, 15_000);
        assert.equal(client.budget.state(), 'normal');
        const quiet = await SalesforceOrgClient.connect(
            { kind: 'token', instanceUrl: emulator.instanceUrl, accessToken: emulator.connectorUser.accessToken },
            { namespace: '', readApiLimits: false }
        );
        assert.equal(quiet.apiCalls, 0);
        assert.equal(quiet.budget.state(), 'unknown');
    });

    void it('jwt: a refused login says what to check', async () => {
        await assert.rejects(
            connectOrg({
                kind: 'jwt',
                loginUrl: emulator.loginUrl,
                clientId: 'consumer-key',
                username: 'nobody@acme.example',
                privateKeyPem: PRIVATE_KEY_PEM
            }),
            (error: unknown) =>
                error instanceof Error &&
                error.message.includes('nobody@acme.example') &&
                error.message.includes('invalid_grant') &&
                error.message.includes('pre-authorized') &&
                !error.message.includes('PRIVATE KEY')
        );
    });

    void it('sf-cli: a missing login names the alias and the sf command to run', async () => {
        const home = mkdtempSync(join(tmpdir(), 'sf-home-'));
        const previousHome = process.env.HOME;
        // @salesforce/core reads (and creates) ~/.sf and ~/.sfdx: point it at an empty home.
        process.env.HOME = home;
        try {
            await assert.rejects(
                connectOrg({ kind: 'sf-cli', aliasOrUsername: 'exalate-dev-missing' }),
                (error: unknown) =>
                    error instanceof Error &&
                    error.message.includes('"exalate-dev-missing"') &&
                    error.message.includes('sf org login web --alias exalate-dev-missing')
            );
        } finally {
            process.env.HOME = previousHome;
            rmSync(home, { recursive: true, force: true });
        }
    });
});
