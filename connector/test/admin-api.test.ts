// The connector's admin API for the console outside Salesforce, over HTTP against an emulated org:
// who may call it, what it refuses and how, and that it answers the Apex controllers' DTOs and
// messages. The browser tests drive the same API through the console itself.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { FaultResponse, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { ApiBudget } from '../src/salesforce/index.ts';
import { CONSOLE_BUILD_DIR, newAdminToken, startSalesforceConsole } from '../src/admin/console.ts';
import type { RunningConsole } from '../src/admin/console.ts';
import { OPERATION_NAMES } from '../src/admin/operations.ts';
import { startAdminServer } from '../src/admin/server.ts';
import { consoleBundle, ROOT } from './browser/bundle.ts';

const GOOD_INPUT = {
    name: 'SalesforceA_to_SalesforceB',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'SalesforceB',
    type: 'Public',
    remotePlatform: 'Salesforce',
    remoteNodeUrl: 'https://b-node.example.com'
};

interface Answer {
    status: number;
    body: unknown;
    headers: Headers;
}

async function post(url: string, token: string | undefined, path: string, params: unknown = {}): Promise<Answer> {
    const response = await fetch(new URL(path, url), {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json',
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` })
        },
        body: JSON.stringify(params)
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

function messageOf(answer: Answer): string {
    return (answer.body as { message?: string } | null)?.message ?? '';
}

void describe('admin API: an emulated org through jsforce', () => {
    let org: SalesforceEmulator;
    let running: RunningConsole;
    let token: string;
    let staticDir: string;
    const secrets = new Map<string, string>();

    before(async () => {
        staticDir = await mkdtemp(join(tmpdir(), 'exalate-admin-static-'));
        await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Exalate</title>');
        await writeFile(join(staticDir, 'app.js'), 'export {};');
        org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 1_000 });
        token = newAdminToken();
        running = await startSalesforceConsole({
            auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
            namespace: '',
            budget: new ApiBudget(),
            token,
            instanceName: 'SalesforceA',
            secrets: () => ({
                store: (id, secret) => {
                    secrets.set(id, secret);
                    org.setConnectionSecret(id, secret);
                    return Promise.resolve();
                },
                remove: (id) => {
                    secrets.delete(id);
                    org.setConnectionSecret(id, null);
                    return Promise.resolve();
                }
            }),
            staticDir
        });
    });

    after(async () => {
        await running?.close();
        await org?.close();
        await rm(staticDir, { recursive: true, force: true });
    });

    void it('listens on 127.0.0.1 and gives a link with the token in its fragment', () => {
        assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
        assert.equal(running.link, `${running.url}#token=${token}`);
    });

    void it('refuses a call without the token, or with a wrong one, and names the way in', async () => {
        for (const given of [undefined, 'not-the-token', `${token}x`]) {
            const answer = await post(running.url, given, 'api/admin/ConnectionController/listConnections');
            assert.equal(answer.status, 401);
            assert.match(messageOf(answer), /admin token is missing or wrong/);
        }
        assert.equal(org.records('Sync_Connection__c').length, 0);
    });

    void it('serves only the console operations, as POST with JSON', async () => {
        const unknown = await post(running.url, token, 'api/admin/ConnectionController/deleteEverything');
        assert.equal(unknown.status, 404);
        assert.equal(messageOf(unknown), 'ConnectionController.deleteEverything is not an operation of the console.');
        const get = await fetch(new URL('api/admin/ConnectionController/listConnections', running.url), {
            headers: { Authorization: `Bearer ${token}` }
        });
        assert.equal(get.status, 405);
        const form = await fetch(new URL('api/admin/ConnectionController/listConnections', running.url), {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: 'a=1'
        });
        assert.equal(form.status, 415);
    });

    void it('serves the console files with a strict content security policy, and nothing outside them', async () => {
        const page = await fetch(running.url);
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
        for (const path of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/nothing.js']) {
            const response = await fetch(`${running.url.replace(/\/$/, '')}${path}`);
            assert.equal(response.status, 404, path);
        }
    });

    void it('answers the Apex DTOs: getConsoleContext, initiateConnection (the secret once), listConnections (never the secret)', async () => {
        const context = await post(running.url, token, 'api/admin/ConnectionController/getConsoleContext');
        assert.deepEqual(context.body, {
            orgDomainUrl: org.instanceUrl,
            namespacePrefix: '',
            suggestedInstanceName: 'SalesforceA',
            platform: 'Salesforce'
        });
        const initiated = await post(running.url, token, 'api/admin/ConnectionController/initiateConnection', {
            input: GOOD_INPUT
        });
        assert.equal(initiated.status, 200, messageOf(initiated));
        const body = initiated.body as {
            connection: { id: string; status: string; role: string; invitationId: string };
            invitationId: string;
            expiresAt: string;
            secret: string;
        };
        assert.equal(body.connection.status, 'Pending');
        assert.equal(body.connection.role, 'Initiator');
        assert.equal(body.invitationId, body.connection.invitationId);
        assert.match(body.secret, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(secrets.get(body.connection.id), body.secret);
        const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
        assert.ok(hours > 71.9 && hours <= 72, `expires in ${hours} h`);
        const list = await post(running.url, token, 'api/admin/ConnectionController/listConnections');
        assert.equal((list.body as unknown[]).length, 1);
        assert.doesNotMatch(JSON.stringify(list.body), new RegExp(body.secret));
        assert.equal(list.headers.get('cache-control'), 'no-store');
    });

    void it('refuses what the Apex refuses, with its words, and writes nothing', async () => {
        const before = org.records('Sync_Connection__c').length;
        const cases: [string, unknown, string][] = [
            [
                'initiateConnection',
                { input: GOOD_INPUT },
                'A connection named SalesforceA_to_SalesforceB already exists.'
            ],
            [
                'initiateConnection',
                { input: { ...GOOD_INPUT, name: 'Other', remoteNodeUrl: 'http://b.example.com' } },
                'Remote node URL must start with https:// (http:// is allowed only for http://localhost or http://127.0.0.1 during local development). Correct the URL.'
            ],
            [
                'initiateConnection',
                { input: { ...GOOD_INPUT, name: 'Other', type: 'Local' } },
                'A Local connection syncs Cases within this org and needs no invitation. Create it with New connection instead.'
            ],
            [
                'acceptInvitation',
                {
                    input: {
                        invitationId: '6f1c1f3e-9a59-4f0e-8d2a-7c6b5a4f3e2d',
                        connectionName: 'SalesforceX_to_SalesforceA',
                        localInstanceName: 'SalesforceA',
                        remoteInstanceName: 'SalesforceX',
                        type: 'Public',
                        remotePlatform: 'Salesforce',
                        remoteNodeUrl: 'https://x.example.com',
                        expiresAt: '2020-01-01T00:00:00.000Z',
                        secret: 'A'.repeat(43)
                    }
                },
                'This invitation expired on 2020-01-01T00:00:00Z. Ask SalesforceX to send a new one.'
            ],
            ['getConnection', { connectionId: 'a01000000000000AAA' }, 'This connection no longer exists.'],
            ['activateConnection', { connectionId: null }, 'This connection no longer exists.']
        ];
        for (const [method, params, message] of cases) {
            const answer = await post(running.url, token, `api/admin/ConnectionController/${method}`, params);
            assert.equal(answer.status, 400, `${method}: ${messageOf(answer)}`);
            assert.equal(messageOf(answer), message);
        }
        const pending = (org.records('Sync_Connection__c')[0] as { Id: string }).Id;
        const activate = await post(running.url, token, 'api/admin/ConnectionController/activateConnection', {
            connectionId: pending
        });
        assert.equal(
            messageOf(activate),
            'Connection SalesforceA_to_SalesforceB is waiting for the other side to accept the invitation.'
        );
        const sync = await post(running.url, token, 'api/admin/CaseSyncController/requestSync', {
            connectionId: pending,
            caseRef: '00001234'
        });
        assert.equal(
            messageOf(sync),
            'Connection SalesforceA_to_SalesforceB is not active (status: Pending). Activate it first.'
        );
        assert.equal(org.records('Sync_Connection__c').length, before);
    });

    void it('deleting a connection removes it and its secret', async () => {
        const [connection] = org.records('Sync_Connection__c') as { Id: string }[];
        const deleted = await post(running.url, token, 'api/admin/ConnectionController/deleteConnection', {
            connectionId: connection.Id
        });
        assert.equal(deleted.status, 200, messageOf(deleted));
        assert.equal(deleted.body, null);
        assert.equal(org.records('Sync_Connection__c').length, 0);
        assert.equal(secrets.size, 0);
    });

    void it('triggers: a filter that does not run is refused, and Bulk Exalate runs only an active trigger of an active connection', async () => {
        const local = await post(running.url, token, 'api/admin/ConnectionController/createConnection', {
            input: {
                ...GOOD_INPUT,
                name: 'Local_cases',
                remoteInstanceName: 'SalesforceA2',
                type: 'Local',
                remoteNodeUrl: null
            }
        });
        assert.equal(local.status, 200, messageOf(local));
        const connectionId = (local.body as { id: string; status: string }).id;
        assert.equal((local.body as { status: string }).status, 'Active');
        const call = (method: string, params: unknown): Promise<Answer> =>
            post(running.url, token, `api/admin/SyncQueueController/${method}`, params);

        const wrong = await call('saveTrigger', { input: { connectionId, filter: "Priorty = 'High'", active: true } });
        assert.equal(wrong.status, 400);
        assert.match(messageOf(wrong), /^The filter is not valid SOQL: No such column 'Priorty' on entity 'Case'/);
        const saved = await call('saveTrigger', {
            input: { connectionId, filter: "Priority = 'High'", active: false }
        });
        assert.equal(saved.status, 200, messageOf(saved));
        const triggerId = (saved.body as { id: string }).id;
        assert.equal(
            messageOf(await call('bulkExalate', { triggerId })),
            'This trigger is not active. Activate it first: Bulk Exalate runs only active triggers.'
        );
        assert.equal((await call('setTriggerActive', { triggerId, active: true })).status, 200);
        const bulk = await call('bulkExalate', { triggerId });
        assert.equal(bulk.status, 200, messageOf(bulk));
        const requested = (bulk.body as { bulkRequested?: string }).bulkRequested;
        assert.ok(requested !== undefined && Math.abs(Date.parse(requested) - Date.now()) < 60_000, requested);
        await post(running.url, token, 'api/admin/ConnectionController/deactivateConnection', { connectionId });
        assert.equal(
            messageOf(await call('bulkExalate', { triggerId })),
            'Connection Local_cases is not active (status: Deactivated). Activate it first.'
        );
        const listed = await call('listTriggers', { connectionId });
        assert.deepEqual(
            (listed.body as { filter: string; active: boolean }[]).map((row) => [row.filter, row.active]),
            [["Priority = 'High'", true]]
        );
        for (const method of ['listTriggers', 'listQueue', 'listErrors']) {
            const none = await call(method, { connectionId: 'not-an-id' });
            assert.deepEqual([none.status, none.body], [200, []], method);
        }
        assert.equal((await call('deleteTrigger', { triggerId })).body, null);
        assert.equal(messageOf(await call('deleteTrigger', { triggerId })), 'This trigger no longer exists.');
    });
});

void describe("admin API: the package's connection-secret resource", () => {
    let org: SalesforceEmulator;
    let running: RunningConsole;
    let token: string;
    let staticDir: string;

    before(async () => {
        org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 1_000 });
        staticDir = await mkdtemp(join(tmpdir(), 'exalate-admin-static-'));
        await writeFile(join(staticDir, 'index.html'), '<!doctype html>');
        await writeFile(join(staticDir, 'app.js'), '');
        token = newAdminToken();
        // No `secrets` option: the secret goes through the package's Apex REST resource, as against an org.
        running = await startSalesforceConsole({
            auth: { kind: 'token', instanceUrl: org.instanceUrl, accessToken: org.connectorUser.accessToken },
            namespace: '',
            budget: new ApiBudget(),
            token,
            staticDir
        });
    });
    after(async () => {
        await running.close();
        await org.close();
        await rm(staticDir, { recursive: true, force: true });
    });

    /** The secret the org holds for a connection, read as the connector reads it (GET on the resource). */
    async function secretInOrg(connectionId: string): Promise<string | undefined> {
        const response = await fetch(
            `${org.instanceUrl}/services/apexrest/exalate/v1/connection-secret/${connectionId}`,
            { headers: { Authorization: `Bearer ${org.connectorUser.accessToken}` } }
        );
        return response.status === 404 ? undefined : ((await response.json()) as { secret: string }).secret;
    }

    void it('initiating stores the secret through the resource, and deleting the connection removes it', async () => {
        const initiated = await post(running.url, token, 'api/admin/ConnectionController/initiateConnection', {
            input: { ...GOOD_INPUT, name: 'Through_the_resource' }
        });
        assert.equal(initiated.status, 200, messageOf(initiated));
        const { connection, secret } = initiated.body as { connection: { id: string }; secret: string };
        assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(await secretInOrg(connection.id), secret);

        const deleted = await post(running.url, token, 'api/admin/ConnectionController/deleteConnection', {
            connectionId: connection.id
        });
        assert.equal(deleted.status, 200, messageOf(deleted));
        assert.equal(await secretInOrg(connection.id), undefined);
    });

    const refusals: [string, FaultResponse][] = [
        [
            'an older package (GET only: 405)',
            {
                status: 405,
                body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: "HTTP Method 'POST' not allowed. Allowed are GET" }]
            }
        ],
        [
            'an org without the resource (404)',
            { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'Could not find a match for URL' }] }
        ]
    ];
    for (const [what, fault] of refusals) {
        void it(`initiating against ${what} answers 501 and leaves no half-made connection behind`, async () => {
            const connectionsBefore = org.records('Sync_Connection__c').length;
            org.failNext({ method: 'POST', pathIncludes: '/connection-secret/' }, fault);
            const answer = await post(running.url, token, 'api/admin/ConnectionController/initiateConnection', {
                input: { ...GOOD_INPUT, name: 'Older_package' }
            });
            assert.equal(answer.status, 501);
            assert.match(
                messageOf(answer),
                /^The Exalate package in this org cannot take a connection secret from the connector \(.*the package is older than this connector\)\. Upgrade the package, or initiate or accept this invitation in the Exalate tab in Salesforce instead\.$/
            );
            assert.equal(org.records('Sync_Connection__c').length, connectionsBefore);
        });
    }
});

void describe('admin server', () => {
    void it('will not start without a real token', async () => {
        await assert.rejects(
            startAdminServer({ staticDir: tmpdir(), token: 'short', api: () => Promise.resolve(null) }),
            /at least 16 characters/
        );
    });
});

void describe('the console build and the admin API', () => {
    void it('every Apex method the console calls is an operation of the admin API', async () => {
        const staticDir = await consoleBundle();
        const routed = JSON.parse(await readFile(join(staticDir, 'apex-methods.json'), 'utf8')) as string[];
        assert.ok(routed.length >= 20, `only ${routed.length} Apex methods routed`);
        assert.deepEqual(
            routed.filter((name) => !OPERATION_NAMES.includes(name)),
            [],
            'methods the console calls that the admin API does not serve'
        );
    });
});

void describe('npm run connector -- run --console-port', () => {
    void it('serves the console beside the connector, prints its link once, and stops on SIGTERM', async () => {
        const staticDir = await consoleBundle();
        assert.equal(staticDir, CONSOLE_BUILD_DIR);
        const org = await startSalesforceEmulator({ streamingConnectTimeoutMs: 1_000 });
        const token = newAdminToken();
        const child = spawn(
            process.execPath,
            [
                '--import',
                'tsx',
                join(ROOT, 'connector/src/cli.ts'),
                'run',
                '--instance-url',
                org.instanceUrl,
                '--port',
                '0',
                '--console-port',
                '0',
                '--instance-name',
                'SalesforceA'
            ],
            {
                cwd: ROOT,
                env: {
                    ...process.env,
                    EXALATE_ACCESS_TOKEN: org.connectorUser.accessToken,
                    EXALATE_ADMIN_TOKEN: token
                },
                stdio: ['ignore', 'pipe', 'pipe']
            }
        );
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        try {
            const deadline = Date.now() + 30_000;
            while (!/^Console: (\S+)$/m.test(output)) {
                assert.ok(Date.now() < deadline, `no console link printed:\n${output}`);
                assert.equal(child.exitCode, null, `the connector exited:\n${output}`);
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const link = /^Console: (\S+)$/m.exec(output)![1];
            assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#token=/);
            assert.equal(link.split('#token=')[1], token);
            assert.equal(output.split(token).length - 1, 1, 'the token is printed once, in the link');
            const base = link.split('#')[0];
            const page = await fetch(base);
            assert.equal(page.status, 200);
            assert.match(await page.text(), /<title>Exalate<\/title>/);
            const context = await post(base, token, 'api/admin/ConnectionController/getConsoleContext');
            assert.equal(context.status, 200);
            assert.equal((context.body as { suggestedInstanceName: string }).suggestedInstanceName, 'SalesforceA');
            child.kill('SIGTERM');
            assert.equal(await exited, 0);
            await assert.rejects(fetch(base), 'the console stopped with the connector');
        } finally {
            child.kill('SIGKILL');
            await org.close();
        }
    });
});
