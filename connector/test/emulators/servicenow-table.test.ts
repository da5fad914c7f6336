// The Table API of the ServiceNow emulator over HTTP: numbering, sys_* fields, writes, encoded
// queries, fields, paging headers, display values and error answers.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../../emulators/servicenow/index.ts';

type Row = Record<string, unknown>;

async function call(
    emulator: ServiceNowEmulator,
    method: string,
    path: string,
    body?: unknown
): Promise<{
    status: number;
    headers: Headers;
    json: { result?: unknown; error?: { message: string; detail: string | null }; status?: string };
}> {
    const { userName, password } = emulator.serviceAccount;
    const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers: {
            Authorization: `Basic ${Buffer.from(`${userName}:${password}`).toString('base64')}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' })
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as never) : {} };
}

const list = async (emulator: ServiceNowEmulator, query: string): Promise<Row[]> =>
    (await call(emulator, 'GET', `/api/now/table/incident?${query}`)).json.result as Row[];

void describe('ServiceNow emulator: Table API', () => {
    let emulator: ServiceNowEmulator;

    before(async () => {
        emulator = await startServiceNowEmulator();
        const agent = emulator.agent.userName;
        emulator.createIncidentAs(agent, { short_description: 'Printer on fire', urgency: '1' });
        emulator.createIncidentAs(agent, { short_description: 'Email down', urgency: '2', correlation_id: 'case-1' });
        emulator.createIncidentAs(agent, { short_description: 'VPN slow', urgency: '3' });
    });
    after(async () => {
        await emulator.close();
    });

    void it('numbers incidents INC0010001, INC0010002... and stamps 32-hex sys_ids and UTC sys_* dates', async () => {
        const created = await call(emulator, 'POST', '/api/now/table/incident', {
            short_description: 'Laptop stolen',
            sys_created_by: 'someone.else',
            number: 'INC9999999',
            no_such_field: 'x'
        });
        assert.equal(created.status, 201);
        const row = created.json.result as Row;
        assert.equal(row.number, 'INC0010004');
        assert.match(String(row.sys_id), /^[0-9a-f]{32}$/);
        assert.match(String(row.sys_created_on), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        assert.equal(row.sys_created_by, emulator.serviceAccount.userName);
        assert.equal(row.sys_updated_by, emulator.serviceAccount.userName);
        assert.equal(row.sys_mod_count, '0');
        assert.equal('no_such_field' in row, false);
        assert.equal(created.headers.get('location'), `${emulator.url}/api/now/table/incident/${String(row.sys_id)}`);
        assert.deepEqual(
            emulator.incidents().map((incident) => incident.record.number),
            ['INC0010001', 'INC0010002', 'INC0010003', 'INC0010004']
        );
    });

    void it('PATCH changes fields, bumps sys_mod_count and records the writer', async () => {
        const incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Old' });
        const patched = await call(emulator, 'PATCH', `/api/now/table/incident/${incident.record.sys_id}`, {
            short_description: 'New'
        });
        assert.equal(patched.status, 200);
        const row = patched.json.result as Row;
        assert.equal(row.short_description, 'New');
        assert.equal(row.sys_mod_count, '1');
        assert.equal(row.sys_updated_by, emulator.serviceAccount.userName);
        assert.equal(row.sys_created_by, emulator.agent.userName);
        assert.equal(emulator.incident(incident.record.number)?.record.short_description, 'New');
    });

    void it('answers encoded queries: =, !=, IN, comparisons, STARTSWITH, LIKE, ISEMPTY, ^OR and ORDERBYDESC', async () => {
        const numbers = async (query: string): Promise<unknown[]> =>
            (await list(emulator, `sysparm_fields=number&sysparm_query=${encodeURIComponent(query)}`)).map(
                (row) => row.number
            );
        assert.deepEqual(await numbers('urgency=1'), ['INC0010001']);
        assert.deepEqual(await numbers('number!=INC0010001^numberININC0010001,INC0010002,INC0010003'), [
            'INC0010002',
            'INC0010003'
        ]);
        assert.deepEqual(await numbers('numberININC0010003,INC0010001,INC0099999'), ['INC0010001', 'INC0010003']);
        assert.deepEqual(
            await numbers('urgency>1^urgency<=3^ORDERBYDESCnumber^numberININC0010001,INC0010002,INC0010003'),
            ['INC0010003', 'INC0010002']
        );
        assert.deepEqual(await numbers('urgency>=2^urgency<3'), ['INC0010002']);
        assert.deepEqual(await numbers('short_descriptionLIKEmail'), ['INC0010002']);
        assert.deepEqual(await numbers('correlation_idISNOTEMPTY'), ['INC0010002']);
        assert.deepEqual(await numbers('urgency=1^ORurgency=3^numberININC0010001,INC0010002,INC0010003'), [
            'INC0010001',
            'INC0010003'
        ]);
        assert.equal((await numbers('correlation_idISEMPTY')).includes('INC0010002'), false);
        const since = emulator.incident('INC0010001')?.record.sys_created_on ?? '';
        assert.equal((await numbers(`sys_created_on>=${since}^numberININC0010001,INC0010002,INC0010003`)).length, 3);
        assert.deepEqual(await numbers(`sys_created_on<${since}`), []);
    });

    void it('ignores a condition on an unknown field, as an instance does, unless strict queries are on', async () => {
        const all = await list(emulator, 'sysparm_fields=number');
        const typo = await list(emulator, `sysparm_fields=number&sysparm_query=${encodeURIComponent('urgncy=1')}`);
        assert.equal(typo.length, all.length);
        const strict = await startServiceNowEmulator({ strictQueries: true });
        try {
            const refused = await call(strict, 'GET', '/api/now/table/incident?sysparm_query=urgncy%3D1');
            assert.equal(refused.status, 400);
            assert.equal(refused.json.status, 'failure');
        } finally {
            await strict.close();
        }
    });

    void it('returns only sysparm_fields and pages with sysparm_limit / sysparm_offset, X-Total-Count and Link', async () => {
        const first = await call(
            emulator,
            'GET',
            '/api/now/table/incident?sysparm_fields=number,sys_id&sysparm_limit=2&sysparm_query=ORDERBYnumber'
        );
        const rows = first.json.result as Row[];
        assert.deepEqual(Object.keys(rows[0]).sort(), ['number', 'sys_id']);
        assert.deepEqual(
            rows.map((row) => row.number),
            ['INC0010001', 'INC0010002']
        );
        const total = Number(first.headers.get('x-total-count'));
        assert.equal(total, emulator.incidents().length);
        const link = first.headers.get('link') ?? '';
        assert.match(link, /rel="next"/);
        const next = /<([^>]+)>;rel="next"/.exec(link)?.[1] ?? '';
        assert.match(next, /sysparm_offset=2/);
        const second = await call(emulator, 'GET', next.slice(emulator.url.length));
        assert.deepEqual(
            (second.json.result as Row[]).map((row) => row.number),
            ['INC0010003', 'INC0010004']
        );
    });

    void it('gives reference links unless excluded, and {display_value, value} pairs with display_value=all', async () => {
        const sysId = String(emulator.incident('INC0010001')?.record.sys_id);
        const linked = (await call(emulator, 'GET', `/api/now/table/incident/${sysId}?sysparm_fields=opened_by`)).json
            .result as Row;
        assert.deepEqual(linked.opened_by, {
            link: `${emulator.url}/api/now/table/sys_user/${emulator.agent.sysId}`,
            value: emulator.agent.sysId
        });
        const bare = (
            await call(
                emulator,
                'GET',
                `/api/now/table/incident/${sysId}?sysparm_fields=opened_by&sysparm_exclude_reference_link=true`
            )
        ).json.result as Row;
        assert.equal(bare.opened_by, emulator.agent.sysId);
        const all = (
            await call(
                emulator,
                'GET',
                `/api/now/table/incident/${sysId}?sysparm_fields=urgency&sysparm_display_value=all`
            )
        ).json.result as Row;
        assert.deepEqual(all.urgency, { display_value: '1', value: '1' });
    });

    void it("answers errors in ServiceNow's shape: unknown record, unknown table, bad JSON, read-only tables", async () => {
        const missing = await call(emulator, 'GET', `/api/now/table/incident/${'0'.repeat(32)}`);
        assert.equal(missing.status, 404);
        assert.deepEqual(missing.json, {
            error: { message: 'No Record found', detail: "Record doesn't exist or ACL restricts the record retrieval" },
            status: 'failure'
        });
        const patchMissing = await call(emulator, 'PATCH', `/api/now/table/incident/${'0'.repeat(32)}`, {
            urgency: '1'
        });
        assert.equal(patchMissing.status, 404);
        const table = await call(emulator, 'GET', '/api/now/table/no_such_table');
        assert.equal(table.status, 400);
        assert.equal(table.json.error?.message, 'Invalid table no_such_table');
        const badJson = await call(emulator, 'POST', '/api/now/table/incident', '{"short_description":');
        assert.equal(badJson.status, 400);
        assert.equal(badJson.json.status, 'failure');
        const journalWrite = await call(emulator, 'POST', '/api/now/table/sys_journal_field', { value: 'x' });
        assert.equal(journalWrite.status, 403);
    });
});
