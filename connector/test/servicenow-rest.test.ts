// The ServiceNow REST adapter (IncidentApi) against the ServiceNow emulator over HTTP on
// 127.0.0.1: reads and writes, paging and chunking, comments, attachments, OAuth refresh, 429
// retries and typed errors.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../emulators/servicenow/index.ts';
import {
    RestIncidentApi,
    ServiceNowApiError,
    createServiceNowRestApi,
    fromGlideDateTime,
    toGlideDateTime
} from '../src/servicenow/rest/index.ts';
import type { RestIncidentApiOptions } from '../src/servicenow/rest/index.ts';

function basicApi(emulator: ServiceNowEmulator, extra: Partial<RestIncidentApiOptions> = {}): RestIncidentApi {
    const { userName, password } = emulator.serviceAccount;
    return new RestIncidentApi({ instanceUrl: emulator.url, auth: { kind: 'basic', userName, password }, ...extra });
}

function oauthApi(emulator: ServiceNowEmulator, password = emulator.serviceAccount.password): RestIncidentApi {
    return new RestIncidentApi({
        instanceUrl: emulator.url,
        auth: {
            kind: 'oauth',
            userName: emulator.serviceAccount.userName,
            password,
            clientId: emulator.oauthClient.clientId,
            clientSecret: emulator.oauthClient.clientSecret
        }
    });
}

async function rejection(promise: Promise<unknown>): Promise<ServiceNowApiError> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof ServiceNowApiError, `expected a ServiceNowApiError, got ${String(error)}`);
        return error;
    }
    assert.fail('expected a rejection');
}

void describe('ServiceNow REST adapter', () => {
    let emulator: ServiceNowEmulator;

    before(async () => {
        emulator = await startServiceNowEmulator();
    });
    after(async () => {
        await emulator.close();
    });

    void it('creates and updates incidents as the service account, with ISO dates', async () => {
        const api = createServiceNowRestApi({
            instanceUrl: `${emulator.url}/`,
            auth: {
                kind: 'basic',
                userName: emulator.serviceAccount.userName,
                password: emulator.serviceAccount.password
            }
        });
        assert.equal(api.userName, emulator.serviceAccount.userName);
        const created = await api.createIncident({
            shortDescription: 'From Salesforce',
            description: 'Body',
            correlationId: 'link-1'
        });
        assert.match(created.number, /^INC\d{7}$/);
        assert.equal(created.shortDescription, 'From Salesforce');
        assert.equal(created.correlationId, 'link-1');
        assert.equal(created.updatedBy, emulator.serviceAccount.userName);
        assert.match(created.updatedOn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
        assert.equal(
            created.updatedOn,
            fromGlideDateTime(emulator.incident(created.sysId)?.record.sys_updated_on ?? '')
        );

        const updated = await api.updateIncident(created.sysId, { description: null });
        assert.equal(updated.description, null);
        assert.equal(updated.shortDescription, 'From Salesforce');
        assert.equal(emulator.incident(created.number)?.record.description, '');
        assert.equal(api.apiCalls, 2);
    });

    void it('finds incidents by sys_id, number and correlation id in chunks, leaving unknown ones out', async () => {
        const agent = emulator.agent.userName;
        const made = [1, 2, 3, 4, 5].map((n) =>
            emulator.createIncidentAs(agent, { short_description: `Agent ${n}`, correlation_id: `c-${n}` })
        );
        const api = basicApi(emulator, { chunkSize: 2 });
        const byId = await api.getIncidents([
            ...made.map((view) => view.record.sys_id),
            'f'.repeat(32),
            made[0].record.sys_id
        ]);
        assert.deepEqual(byId.map((incident) => incident.shortDescription).sort(), [
            'Agent 1',
            'Agent 2',
            'Agent 3',
            'Agent 4',
            'Agent 5'
        ]);
        // Six distinct ids in chunks of two: three requests.
        assert.equal(api.apiCalls, 3);
        assert.equal(byId[0].updatedBy, agent);
        const byNumber = await api.getIncidentsByNumber([made[1].record.number, 'INC0999999']);
        assert.deepEqual(
            byNumber.map((incident) => incident.sysId),
            [made[1].record.sys_id]
        );
        const byCorrelation = await api.getIncidentsByCorrelationId(['c-3', 'c-4', 'nope']);
        assert.deepEqual(byCorrelation.map((incident) => incident.shortDescription).sort(), ['Agent 3', 'Agent 4']);
        assert.deepEqual(await api.getIncidents([]), []);
        const bad = await rejection(api.getIncidentsByCorrelationId(['a,b']));
        assert.equal(bad.kind, 'invalid-input');
    });

    void it('pages through a query ordered by sys_updated_on, honouring limit and offset', async () => {
        const api = basicApi(emulator, { pageSize: 2 });
        const all = await api.queryIncidents({ query: 'short_descriptionSTARTSWITHAgent' });
        assert.deepEqual(all.map((incident) => incident.shortDescription).sort(), [
            'Agent 1',
            'Agent 2',
            'Agent 3',
            'Agent 4',
            'Agent 5'
        ]);
        // Rows written in the same second come in sys_id order, as the port promises.
        const key = (incident: { updatedOn: string; sysId: string }): string =>
            `${incident.updatedOn} ${incident.sysId}`;
        assert.deepEqual(all.map(key), all.map(key).sort());
        // Pages of 2, 2 and 1 row.
        assert.equal(api.apiCalls, 3);
        const window = await api.queryIncidents({ query: 'short_descriptionSTARTSWITHAgent', limit: 3, offset: 1 });
        assert.deepEqual(
            window.map((incident) => incident.sysId),
            all.slice(1, 4).map((incident) => incident.sysId)
        );
        const since = await api.queryIncidents({
            query: `sys_updated_on>=${toGlideDateTime(all[4].updatedOn)}^short_descriptionSTARTSWITHAgent`
        });
        assert.ok(since.some((incident) => incident.shortDescription === 'Agent 5'));
        const everything = await api.queryIncidents({ query: '' });
        assert.equal(everything.length, emulator.incidents().length);
    });

    void it('orders a query by last update and picks up only what changed since a cursor', async () => {
        let now = Date.parse('2026-11-21T13:00:00Z');
        const timed = await startServiceNowEmulator({ clock: () => new Date(now) });
        try {
            const agent = timed.agent.userName;
            const first = timed.createIncidentAs(agent, { short_description: 'First' });
            now += 1000;
            timed.createIncidentAs(agent, { short_description: 'Second' });
            now += 1000;
            timed.createIncidentAs(agent, { short_description: 'Third' });
            now += 1000;
            timed.updateIncidentAs(agent, first.record.number, { description: 'Edited later' });
            const api = basicApi(timed);
            const ordered = await api.queryIncidents({ query: '' });
            assert.deepEqual(
                ordered.map((incident) => incident.shortDescription),
                ['Second', 'Third', 'First']
            );
            assert.equal(ordered[2].updatedOn, '2026-11-21T13:00:03.000Z');
            const changed = await api.queryIncidents({
                query: `sys_updated_on>${toGlideDateTime('2026-11-21T13:00:01.500Z')}`
            });
            assert.deepEqual(
                changed.map((incident) => incident.shortDescription),
                ['Third', 'First']
            );
        } finally {
            await timed.close();
        }
    });

    void it('writes and reads additional comments, oldest first, never work notes', async () => {
        const api = basicApi(emulator);
        const one = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Comments 1' });
        const two = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Comments 2' });
        emulator.addCommentAs(emulator.agent.userName, one.record.number, 'Agent says hi');
        emulator.addWorkNoteAs(emulator.agent.userName, one.record.number, 'Private note');
        await api.addComment(one.record.sys_id, 'Connector replies');
        await api.addComment(two.record.sys_id, 'On the second one');
        const comments = await api.readComments([one.record.sys_id, two.record.sys_id]);
        assert.deepEqual(
            comments.map((comment) => [comment.incidentSysId, comment.value, comment.createdBy]),
            [
                [one.record.sys_id, 'Agent says hi', emulator.agent.userName],
                [one.record.sys_id, 'Connector replies', emulator.serviceAccount.userName],
                [two.record.sys_id, 'On the second one', emulator.serviceAccount.userName]
            ]
        );
        assert.deepEqual(
            emulator.incident(one.record.number)?.workNotes.map((note) => note.value),
            ['Private note']
        );
        assert.match(comments[0].createdOn, /Z$/);
        assert.equal((await rejection(api.addComment(one.record.sys_id, '  '))).kind, 'invalid-input');
    });

    void it('uploads, lists and downloads attachments with their SHA-256', async () => {
        const api = basicApi(emulator);
        const incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Files' });
        const bytes = new Uint8Array([1, 2, 3, 4, 200]);
        const uploaded = await api.uploadAttachment({
            incidentSysId: incident.record.sys_id,
            fileName: 'log.bin',
            contentType: 'application/octet-stream',
            bytes
        });
        assert.equal(uploaded.sha256, createHash('sha256').update(bytes).digest('hex'));
        assert.equal(uploaded.sizeBytes, 5);
        emulator.attachFileAs(emulator.agent.userName, incident.record.number, {
            fileName: 'agent.txt',
            contentType: 'text/plain',
            bytes: Buffer.from('hello')
        });
        const listed = await api.listAttachments([incident.record.sys_id]);
        assert.deepEqual(
            listed.map((attachment) => [attachment.fileName, attachment.contentType, attachment.sizeBytes]),
            [
                ['log.bin', 'application/octet-stream', 5],
                ['agent.txt', 'text/plain', 5]
            ]
        );
        assert.equal(listed[1].sha256, createHash('sha256').update('hello').digest('hex'));
        assert.equal((await api.downloadAttachment(listed[1].sysId)).toString('utf8'), 'hello');
    });

    void it('computes the SHA-256 from the content when the instance gives no hash', async () => {
        const api = basicApi(emulator);
        const incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Old release' });
        const file = emulator.attachFileAs(emulator.agent.userName, incident.record.number, {
            fileName: 'a.txt',
            contentType: 'text/plain',
            bytes: Buffer.from('abc')
        });
        emulator.failNext(
            { method: 'GET', pathIncludes: '/api/now/attachment?' },
            {
                status: 200,
                body: {
                    result: [
                        {
                            sys_id: file.sysId,
                            table_sys_id: incident.record.sys_id,
                            file_name: 'a.txt',
                            content_type: 'text/plain',
                            size_bytes: '3',
                            hash: 'd41d8cd98f00b204e9800998ecf8427e',
                            sys_created_on: '2026-11-21 13:45:12'
                        }
                    ]
                }
            }
        );
        const [listed] = await api.listAttachments([incident.record.sys_id]);
        assert.equal(listed.sha256, createHash('sha256').update('abc').digest('hex'));
        assert.equal(listed.createdOn, '2026-11-21T13:45:12.000Z');
        assert.equal(api.apiCalls, 2);
    });

    void it('logs in with OAuth and, when the access token expires, refreshes once and retries', async () => {
        const api = oauthApi(emulator);
        const created = await api.createIncident({ shortDescription: 'Over OAuth' });
        assert.equal(created.updatedBy, emulator.serviceAccount.userName);
        emulator.expireAccessTokens();
        const [again] = await api.getIncidents([created.sysId]);
        assert.equal(again.shortDescription, 'Over OAuth');
        // One create, the refused read, its retry.
        assert.equal(api.apiCalls, 3);
        emulator.expireAccessTokens();
        emulator.expireRefreshTokens();
        assert.equal((await api.getIncidents([created.sysId])).length, 1);
    });

    void it('renews an expired token once for concurrent requests', async () => {
        const api = oauthApi(emulator);
        const created = await api.createIncident({ shortDescription: 'Concurrent' });
        emulator.resetApiCalls();
        emulator.expireAccessTokens();
        const answers = await Promise.all([1, 2, 3].map(() => api.getIncidents([created.sysId])));
        assert.deepEqual(
            answers.map((found) => found.length),
            [1, 1, 1]
        );
        assert.equal(emulator.tokenRequests(), 1);
        // Three refused reads (not counted by the instance), three retries.
        assert.equal(emulator.apiCalls(emulator.serviceAccount.userName), 3);
    });

    void it('reports refused credentials as an authentication error without the password', async () => {
        const secret = 'Secret-Wrong-Pass-9';
        const oauth = await rejection(oauthApi(emulator, secret).getIncidents(['a'.repeat(32)]));
        assert.equal(oauth.kind, 'authentication');
        assert.equal(oauth.message.includes(secret), false);
        const basic = await rejection(
            new RestIncidentApi({
                instanceUrl: emulator.url,
                auth: { kind: 'basic', userName: emulator.serviceAccount.userName, password: secret }
            }).getIncidents(['a'.repeat(32)])
        );
        assert.equal(basic.kind, 'authentication');
        assert.equal(basic.status, 401);
        assert.match(basic.message, /User Not Authenticated/);
        assert.equal(basic.message.includes(secret), false);
        assert.equal(JSON.stringify(basic).includes(secret), false);
    });

    void it('waits as Retry-After asks on 429, then gives up with a rate-limited error after its retries', async () => {
        const waits: number[] = [];
        const api = basicApi(emulator, {
            maxRateLimitRetries: 2,
            sleep: (ms) => {
                waits.push(ms);
                return Promise.resolve();
            }
        });
        emulator.failNext(
            { pathIncludes: '/api/now/table/incident' },
            {
                status: 429,
                headers: { 'Retry-After': '2' },
                body: { error: { message: 'Rate limit exceeded', detail: null }, status: 'failure' }
            }
        );
        const created = await api.createIncident({ shortDescription: 'After a wait' });
        assert.equal(created.shortDescription, 'After a wait');
        assert.deepEqual(waits, [2000]);
        assert.equal(emulator.incidents().filter((view) => view.record.short_description === 'After a wait').length, 1);

        emulator.setRateLimit({ limit: 0, windowSeconds: 30 });
        try {
            const error = await rejection(api.getIncidents([created.sysId]));
            assert.equal(error.kind, 'rate-limited');
            assert.equal(error.status, 429);
            assert.ok((error.retryAfterSeconds ?? 0) > 0);
            assert.match(error.message, /Rate limit exceeded/);
            assert.equal(waits.length, 3);
        } finally {
            emulator.setRateLimit(undefined);
        }
    });

    void it('turns ServiceNow error bodies into typed errors naming what the instance said', async () => {
        const api = basicApi(emulator);
        const missing = await rejection(api.updateIncident('0'.repeat(32), { shortDescription: 'x' }));
        assert.equal(missing.kind, 'not-found');
        assert.match(missing.message, /PATCH \/api\/now\/table\/incident\/0{32} answered 404: No Record found/);
        assert.equal(missing.detail, "Record doesn't exist or ACL restricts the record retrieval");
        const gone = await rejection(api.downloadAttachment('1'.repeat(32)));
        assert.equal(gone.kind, 'not-found');
        emulator.failNext(
            { method: 'GET', pathIncludes: '/api/now/table/incident' },
            {
                status: 200,
                body: {
                    result: [{ sys_id: 'a'.repeat(32), number: 'INC0010001', sys_updated_on: '21-11-2026 01:45:12 PM' }]
                }
            }
        );
        const localDates = await rejection(api.getIncidents(['a'.repeat(32)]));
        assert.equal(localDates.kind, 'invalid-response');
        assert.match(localDates.message, /sys_updated_on/);
        emulator.failNext(
            { method: 'GET', pathIncludes: '/api/now/table/incident' },
            { status: 502, body: 'Bad Gateway' }
        );
        const proxy = await rejection(api.getIncidents(['a'.repeat(32)]));
        assert.equal(proxy.kind, 'server');
        assert.match(proxy.message, /answered 502: HTTP 502/);
        const unreachable = await rejection(
            new RestIncidentApi({
                instanceUrl: 'http://127.0.0.1:1',
                auth: { kind: 'basic', userName: 'u', password: 'p' }
            }).getIncidents(['x'])
        );
        assert.equal(unreachable.kind, 'network');
    });

    void it('reports an upload over the instance limit as too large', async () => {
        const small = await startServiceNowEmulator({ maxAttachmentBytes: 16 });
        try {
            const api = basicApi(small);
            const incident = small.createIncidentAs(small.agent.userName, { short_description: 'Big file' });
            const error = await rejection(
                api.uploadAttachment({
                    incidentSysId: incident.record.sys_id,
                    fileName: 'big.bin',
                    contentType: 'application/octet-stream',
                    bytes: new Uint8Array(64)
                })
            );
            assert.equal(error.kind, 'too-large');
            assert.equal(small.incident(incident.record.number)?.attachments.length, 0);
        } finally {
            await small.close();
        }
    });

    void it('converts dates both ways and refuses values that are not dates', () => {
        assert.equal(fromGlideDateTime('2026-11-21 13:45:12'), '2026-11-21T13:45:12.000Z');
        assert.equal(toGlideDateTime('2026-11-21T13:45:12.789Z'), '2026-11-21 13:45:12');
        assert.throws(() => fromGlideDateTime('21/11/2026'), RangeError);
        assert.throws(() => toGlideDateTime('not a date'), RangeError);
    });
});
