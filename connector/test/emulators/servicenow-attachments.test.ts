// The Attachment API of the ServiceNow emulator: binary upload, metadata with a SHA-256 hash,
// listing by encoded query, download, delete and the refusals a client can meet.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../../emulators/servicenow/index.ts';
import type { IncidentView, ServiceNowEmulator } from '../../emulators/servicenow/index.ts';

type Row = Record<string, string>;

function authHeader(emulator: ServiceNowEmulator): string {
    const { userName, password } = emulator.serviceAccount;
    return `Basic ${Buffer.from(`${userName}:${password}`).toString('base64')}`;
}

async function upload(
    emulator: ServiceNowEmulator,
    incidentSysId: string,
    fileName: string,
    bytes: Buffer,
    contentType: string | undefined
): Promise<{ status: number; json: { result?: Row; error?: { message: string } } }> {
    const query = new URLSearchParams({ table_name: 'incident', table_sys_id: incidentSysId, file_name: fileName });
    const response = await fetch(`${emulator.url}/api/now/attachment/file?${query.toString()}`, {
        method: 'POST',
        headers: { Authorization: authHeader(emulator), ...(contentType ? { 'Content-Type': contentType } : {}) },
        body: bytes
    });
    return { status: response.status, json: (await response.json()) as never };
}

void describe('ServiceNow emulator: Attachment API', () => {
    let emulator: ServiceNowEmulator;
    let incident: IncidentView;

    before(async () => {
        emulator = await startServiceNowEmulator({ maxAttachmentBytes: 1024 });
        incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Screenshot attached' });
    });
    after(async () => {
        await emulator.close();
    });

    void it('stores an uploaded file with its metadata and gives it back byte for byte', async () => {
        const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
        const created = await upload(emulator, incident.record.sys_id, 'dump.bin', bytes, 'application/octet-stream');
        assert.equal(created.status, 201);
        const meta = created.json.result as Row;
        assert.match(meta.sys_id, /^[0-9a-f]{32}$/);
        assert.equal(meta.file_name, 'dump.bin');
        assert.equal(meta.size_bytes, '8');
        assert.equal(meta.table_name, 'incident');
        assert.equal(meta.table_sys_id, incident.record.sys_id);
        assert.equal(meta.hash, createHash('sha256').update(bytes).digest('hex'));
        assert.equal(meta.sys_created_by, emulator.serviceAccount.userName);
        assert.equal(meta.download_link, `${emulator.url}/api/now/attachment/${meta.sys_id}/file`);

        const file = await fetch(meta.download_link, { headers: { Authorization: authHeader(emulator) } });
        assert.equal(file.status, 200);
        assert.equal(file.headers.get('content-type'), 'application/octet-stream');
        assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
        const header = JSON.parse(file.headers.get('x-attachment-metadata') ?? '{}') as Row;
        assert.equal(header.file_name, 'dump.bin');

        const one = await fetch(`${emulator.url}/api/now/attachment/${meta.sys_id}`, {
            headers: { Authorization: authHeader(emulator) }
        });
        assert.equal(((await one.json()) as { result: Row }).result.hash, meta.hash);
        assert.equal(
            emulator.incident(incident.record.number)?.attachments[0].content.toString('hex'),
            bytes.toString('hex')
        );
    });

    void it('lists attachments by encoded query, with X-Total-Count', async () => {
        const other = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Another' });
        emulator.attachFileAs(emulator.agent.userName, other.record.number, {
            fileName: 'agent.txt',
            contentType: 'text/plain',
            bytes: Buffer.from('from the UI')
        });
        const query = encodeURIComponent(
            `table_name=incident^table_sys_idIN${incident.record.sys_id},${other.record.sys_id}^ORDERBYsys_created_on`
        );
        const response = await fetch(`${emulator.url}/api/now/attachment?sysparm_query=${query}`, {
            headers: { Authorization: authHeader(emulator) }
        });
        const rows = ((await response.json()) as { result: Row[] }).result;
        assert.deepEqual(
            rows.map((row) => [row.file_name, row.sys_created_by]),
            [
                ['dump.bin', emulator.serviceAccount.userName],
                ['agent.txt', emulator.agent.userName]
            ]
        );
        assert.equal(response.headers.get('x-total-count'), '2');
        const onlyOther = await fetch(
            `${emulator.url}/api/now/attachment?sysparm_query=${encodeURIComponent(`table_sys_id=${other.record.sys_id}`)}`,
            { headers: { Authorization: authHeader(emulator) } }
        );
        assert.deepEqual(
            ((await onlyOther.json()) as { result: Row[] }).result.map((row) => row.file_name),
            ['agent.txt']
        );
    });

    void it('refuses an upload without Content-Type, to an unknown incident, or over the size limit (413)', async () => {
        const noType = await upload(emulator, incident.record.sys_id, 'a.txt', Buffer.from('x'), undefined);
        assert.equal(noType.status, 400);
        const unknown = await upload(emulator, '0'.repeat(32), 'a.txt', Buffer.from('x'), 'text/plain');
        assert.equal(unknown.status, 400);
        const big = await upload(
            emulator,
            incident.record.sys_id,
            'big.bin',
            Buffer.alloc(4096, 7),
            'application/octet-stream'
        );
        assert.equal(big.status, 413);
        assert.equal(big.json.error?.message, 'Request entity too large');
        assert.equal(emulator.incident(incident.record.sys_id)?.attachments.length, 1);
    });

    void it('deletes an attachment; reading it afterwards answers 404', async () => {
        const view = emulator.attachFileAs(emulator.agent.userName, incident.record.number, {
            fileName: 'gone.txt',
            contentType: 'text/plain',
            bytes: Buffer.from('bye')
        });
        const deleted = await fetch(`${emulator.url}/api/now/attachment/${view.sysId}`, {
            method: 'DELETE',
            headers: { Authorization: authHeader(emulator) }
        });
        assert.equal(deleted.status, 204);
        const missing = await fetch(`${emulator.url}/api/now/attachment/${view.sysId}/file`, {
            headers: { Authorization: authHeader(emulator) }
        });
        assert.equal(missing.status, 404);
        assert.equal(((await missing.json()) as { status: string }).status, 'failure');
    });
});
