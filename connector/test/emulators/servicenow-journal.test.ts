// Journal fields of the ServiceNow emulator: writing comments / work_notes adds sys_journal_field
// rows; the incident's own field reads back empty, or as the journal with display values.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../../emulators/servicenow/index.ts';

type Row = Record<string, string>;

async function call(
    emulator: ServiceNowEmulator,
    method: string,
    path: string,
    body?: unknown
): Promise<{ status: number; result: unknown }> {
    const { userName, password } = emulator.serviceAccount;
    const response = await fetch(`${emulator.url}${path}`, {
        method,
        headers: {
            Authorization: `Basic ${Buffer.from(`${userName}:${password}`).toString('base64')}`,
            'Content-Type': 'application/json'
        },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    return { status: response.status, result: ((await response.json()) as { result: unknown }).result };
}

void describe('ServiceNow emulator: journal (additional comments and work notes)', () => {
    let emulator: ServiceNowEmulator;

    before(async () => {
        emulator = await startServiceNowEmulator();
    });
    after(async () => {
        await emulator.close();
    });

    void it('appends one sys_journal_field row per comment or work note written on the incident', async () => {
        const created = await call(emulator, 'POST', '/api/now/table/incident', {
            short_description: 'Disk full',
            comments: 'First public comment'
        });
        const sysId = (created.result as Row).sys_id;
        await call(emulator, 'PATCH', `/api/now/table/incident/${sysId}`, { comments: 'Second public comment' });
        await call(emulator, 'PATCH', `/api/now/table/incident/${sysId}`, { work_notes: 'Internal only' });
        emulator.addCommentAs(emulator.agent.userName, sysId, 'From the agent');

        const query = encodeURIComponent(`element_id=${sysId}^element=comments^ORDERBYsys_created_on`);
        const journal = await call(emulator, 'GET', `/api/now/table/sys_journal_field?sysparm_query=${query}`);
        const rows = journal.result as Row[];
        assert.deepEqual(
            rows.map((row) => [row.value, row.sys_created_by, row.name, row.element]),
            [
                ['First public comment', emulator.serviceAccount.userName, 'incident', 'comments'],
                ['Second public comment', emulator.serviceAccount.userName, 'incident', 'comments'],
                ['From the agent', emulator.agent.userName, 'incident', 'comments']
            ]
        );
        assert.match(rows[0].sys_id, /^[0-9a-f]{32}$/);
        const view = emulator.incident(sysId);
        assert.deepEqual(
            view?.workNotes.map((entry) => entry.value),
            ['Internal only']
        );
        assert.equal(view?.comments.length, 3);
    });

    void it('reads journal fields back empty as stored, and as the journal text with display values', async () => {
        const incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Keyboard' });
        emulator.addCommentAs(emulator.agent.userName, incident.record.number, 'Older comment');
        emulator.addCommentAs(emulator.agent.userName, incident.record.number, 'Newer comment');
        emulator.addWorkNoteAs(emulator.agent.userName, incident.record.number, 'A work note');
        const path = `/api/now/table/incident/${incident.record.sys_id}?sysparm_fields=comments,work_notes`;
        const raw = (await call(emulator, 'GET', path)).result as Row;
        assert.deepEqual(raw, { comments: '', work_notes: '' });
        const shown = (await call(emulator, 'GET', `${path}&sysparm_display_value=true`)).result as Row;
        assert.match(
            shown.comments,
            /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} - Beth Agent \(Additional comments\)\nNewer comment\n\n.*Older comment/s
        );
        assert.equal(shown.comments.includes('A work note'), false);
        assert.match(shown.work_notes, /\(Work notes\)\nA work note/);
    });

    void it('adds no entry for an empty comment and does not save an update that changes nothing', async () => {
        const incident = emulator.createIncidentAs(emulator.agent.userName, { short_description: 'Same' });
        await call(emulator, 'PATCH', `/api/now/table/incident/${incident.record.sys_id}`, {
            comments: '   ',
            short_description: 'Same'
        });
        const after = emulator.incident(incident.record.sys_id);
        assert.equal(after?.comments.length, 0);
        assert.equal(after?.record.sys_mod_count, '0');
    });
});
