// Authentication, API-call counting, rate limiting and request size limits of the ServiceNow
// emulator: basic auth, the OAuth token endpoint with expiring tokens, 401 / 413 / 429 answers.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../../emulators/servicenow/index.ts';

const basic = (userName: string, password: string): string =>
    `Basic ${Buffer.from(`${userName}:${password}`).toString('base64')}`;

async function token(
    emulator: ServiceNowEmulator,
    params: Record<string, string>
): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${emulator.url}/oauth_token.do`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            client_id: emulator.oauthClient.clientId,
            client_secret: emulator.oauthClient.clientSecret,
            ...params
        }).toString()
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const incidents = (emulator: ServiceNowEmulator, authorization: string): Promise<Response> =>
    fetch(`${emulator.url}/api/now/table/incident?sysparm_limit=1`, { headers: { Authorization: authorization } });

void describe('ServiceNow emulator: authentication and limits', () => {
    let emulator: ServiceNowEmulator;

    before(async () => {
        emulator = await startServiceNowEmulator();
    });
    after(async () => {
        await emulator.close();
    });

    void it("answers bad or missing credentials 401 with ServiceNow's error body, and counts only authenticated calls per user", async () => {
        emulator.resetApiCalls();
        const wrong = await incidents(emulator, basic(emulator.serviceAccount.userName, 'wrong'));
        assert.equal(wrong.status, 401);
        assert.deepEqual(await wrong.json(), {
            error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
            status: 'failure'
        });
        const none = await fetch(`${emulator.url}/api/now/table/incident`);
        assert.equal(none.status, 401);
        const { userName, password } = emulator.serviceAccount;
        assert.equal((await incidents(emulator, basic(userName, password))).status, 200);
        assert.equal((await incidents(emulator, basic(userName, password))).status, 200);
        assert.equal((await incidents(emulator, basic(emulator.agent.userName, emulator.agent.password))).status, 200);
        assert.equal(emulator.apiCalls(userName), 2);
        assert.equal(emulator.apiCalls(emulator.agent.userName), 1);
        assert.equal(emulator.apiCalls(), 3);
    });

    void it('issues OAuth tokens for the password grant, refreshes them, and refuses expired ones', async () => {
        const { userName, password } = emulator.serviceAccount;
        const denied = await token(emulator, { grant_type: 'password', username: userName, password: 'nope' });
        assert.equal(denied.status, 401);
        assert.equal(denied.json.error, 'server_error');

        const granted = await token(emulator, { grant_type: 'password', username: userName, password });
        assert.equal(granted.status, 200);
        assert.equal(granted.json.token_type, 'Bearer');
        assert.equal(granted.json.expires_in, 1799);
        const access = String(granted.json.access_token);
        assert.equal((await incidents(emulator, `Bearer ${access}`)).status, 200);

        emulator.expireAccessTokens();
        assert.equal((await incidents(emulator, `Bearer ${access}`)).status, 401);
        const refreshed = await token(emulator, {
            grant_type: 'refresh_token',
            refresh_token: String(granted.json.refresh_token)
        });
        assert.equal(refreshed.status, 200);
        assert.notEqual(refreshed.json.access_token, access);
        assert.equal((await incidents(emulator, `Bearer ${String(refreshed.json.access_token)}`)).status, 200);

        emulator.expireRefreshTokens();
        const stale = await token(emulator, {
            grant_type: 'refresh_token',
            refresh_token: String(granted.json.refresh_token)
        });
        assert.equal(stale.status, 401);
    });

    void it('expires access tokens after their lifetime on the emulator clock', async () => {
        let now = Date.parse('2026-11-21T13:00:00Z');
        const timed = await startServiceNowEmulator({ accessTokenTtlSeconds: 60, clock: () => new Date(now) });
        try {
            const { userName, password } = timed.serviceAccount;
            const granted = await token(timed, { grant_type: 'password', username: userName, password });
            assert.equal((await incidents(timed, `Bearer ${String(granted.json.access_token)}`)).status, 200);
            now += 61_000;
            assert.equal((await incidents(timed, `Bearer ${String(granted.json.access_token)}`)).status, 401);
        } finally {
            await timed.close();
        }
    });

    void it('refuses requests over the rate limit rule with 429, Retry-After and X-RateLimit headers', async () => {
        const { userName, password } = emulator.serviceAccount;
        emulator.setRateLimit({ limit: 2, windowSeconds: 3600 });
        try {
            const first = await incidents(emulator, basic(userName, password));
            assert.equal(first.headers.get('x-ratelimit-limit'), '2');
            assert.equal((await incidents(emulator, basic(userName, password))).status, 200);
            const refused = await incidents(emulator, basic(userName, password));
            assert.equal(refused.status, 429);
            assert.ok(Number(refused.headers.get('retry-after')) > 3500);
            const body = (await refused.json()) as { error: { message: string }; status: string };
            assert.equal(body.error.message, 'Rate limit exceeded');
            assert.equal(body.status, 'failure');
            // The rule counts per user: the agent still gets through.
            assert.equal(
                (await incidents(emulator, basic(emulator.agent.userName, emulator.agent.password))).status,
                200
            );
        } finally {
            emulator.setRateLimit(undefined);
        }
        assert.equal((await incidents(emulator, basic(userName, password))).status, 200);
    });

    void it('answers a JSON body over the request size limit with 413 and writes nothing', async () => {
        const small = await startServiceNowEmulator({ maxRequestBodyBytes: 200 });
        try {
            const { userName, password } = small.serviceAccount;
            const response = await fetch(`${small.url}/api/now/table/incident`, {
                method: 'POST',
                headers: { Authorization: basic(userName, password), 'Content-Type': 'application/json' },
                body: JSON.stringify({ short_description: 'x', description: 'y'.repeat(1000) })
            });
            assert.equal(response.status, 413);
            assert.equal(((await response.json()) as { status: string }).status, 'failure');
            assert.equal(small.incidents().length, 0);
        } finally {
            await small.close();
        }
    });
});
