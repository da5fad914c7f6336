// The ServiceNow admin's console on the command line, against a running node, an emulated instance
// and an emulated Salesforce org with its connector: initiate and print the code, the other admin
// accepts it, list connections, sync an incident by number and watch its stages, deactivate and
// activate (the other side follows), retry a failed sync; refusals are readable and exit 1; --json.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { acceptInvitation } from '../emulators/scenario/console-actions.ts';
import { eventually, textOf } from '../emulators/scenario/two-org-stack.ts';
import { startServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import type { ServiceNowStack } from '../emulators/scenario/servicenow-stack.ts';
import { main } from '../src/servicenow/cli/commands.ts';

interface Run {
    code: number;
    out: string;
    err: string;
}

async function cli(stack: ServiceNowStack, ...args: string[]): Promise<Run> {
    let out = '';
    let err = '';
    const code = await main(args, {
        out: (text) => {
            out += text;
        },
        err: (text) => {
            err += text;
        },
        env: {
            EXALATE_SN_STORE: stack.sn.storePath,
            EXALATE_SN_INSTANCE_URL: stack.sn.instance.url,
            EXALATE_SN_USER: stack.sn.instance.serviceAccount.userName,
            EXALATE_SN_PASSWORD: stack.sn.instance.serviceAccount.password
        }
    });
    return { code, out, err };
}

void describe('ServiceNow console (CLI)', () => {
    let stack: ServiceNowStack;
    let connectionName: string;
    before(async () => {
        stack = await startServiceNowStack({ initiator: 'servicenow', connect: false });
    });
    after(async () => {
        await stack.close();
    });

    void it('refuses unclear commands with the usage (exit 2) and bad codes with a reason (exit 1)', async () => {
        const both = await cli(stack, 'initiate', '--destination-url', 'https://a.example', '--no-url');
        assert.equal(both.code, 2);
        assert.match(both.err, /exclude each other/);
        const neither = await cli(stack, 'initiate');
        assert.equal(neither.code, 2);
        assert.match(neither.err, /--no-url when it has none/);
        const garbage = await cli(stack, 'accept', 'EXA1-not-a-code');
        assert.equal(garbage.code, 1);
        assert.match(garbage.err, /code/i);
        const unknown = await cli(stack, 'frobnicate');
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /Unknown command: frobnicate/);
    });

    void it('initiates a connection, prints the code; Salesforce accepts it; connections shows it Active', async () => {
        const initiated = await cli(
            stack,
            'initiate',
            '--destination-url',
            stack.sf.connector.nodeUrl,
            '--remote-instance',
            'Acme Salesforce'
        );
        assert.equal(initiated.code, 0, initiated.err);
        const code = /^(EXA1-\S+)$/m.exec(initiated.out)?.[1];
        assert.ok(code, initiated.out);
        assert.match(initiated.out, /Pending until then/);
        const pending = await cli(stack, 'connections', '--json');
        const [row] = (JSON.parse(pending.out) as { connections: { name: string; status: string }[] }).connections;
        assert.equal(row.status, 'Pending');
        connectionName = row.name;
        assert.equal(connectionName, 'ServiceNow_to_Acme Salesforce');
        assert.ok(!pending.out.includes(code.slice(-20)), 'no listing shows the secret');

        await eventually('the node knows the invitation', () => stack.sn.connector.engine.connections.length === 1);
        stack.sf.connectionId = acceptInvitation(stack.sf.org, code);
        await eventually('Active on the ServiceNow side', async () =>
            (await cli(stack, 'connections')).out.includes('Active')
        );
        const listed = await cli(stack, 'connections');
        assert.match(listed.out, /Name\s+Status\s+Type\s+Role\s+Other side/);
        assert.match(
            listed.out,
            /ServiceNow_to_Acme Salesforce\s+Active\s+Public\s+Initiator\s+Acme Salesforce \(Salesforce\)/
        );
        const again = await cli(stack, 'accept', code);
        assert.equal(again.code, 1, 'a code is used once');
        assert.match(again.err, /already used on this node/);
    });

    void it('syncs an incident by number and shows its stages until Synchronized', async () => {
        const incident = stack.sn.instance.createIncidentAs('beth.agent', {
            short_description: 'Email bounces',
            description: 'All mail to the partner domain.'
        });
        const run = await cli(stack, 'sync', connectionName, incident.record.number.toLowerCase(), '--timeout', '20');
        assert.equal(run.code, 0, run.out + run.err);
        const lines = run.out.trim().split('\n');
        assert.match(lines[0], new RegExp(`^Syncing ${incident.record.number} \\(EV-\\d{8}\\)$`));
        assert.equal(lines[1].trim(), 'Preparing');
        assert.equal(lines.at(-2)?.trim(), 'Synchronized');
        assert.match(lines.at(-1) ?? '', new RegExp(`^${incident.record.number} is synchronized as \\d{8}\\.$`));
        assert.ok(stack.sf.org.records('Case').some((row) => row.Subject === 'Email bounces'));
        const missing = await cli(stack, 'sync', connectionName, 'INC0099999');
        assert.equal(missing.code, 1);
        assert.match(missing.err, /No incident INC0099999/);
        const json = await cli(stack, 'queue', '--json');
        assert.deepEqual(JSON.parse(json.out), { queue: [] });
    });

    void it('deactivates and activates the connection on both sides', async () => {
        const off = await cli(stack, 'deactivate', connectionName);
        assert.equal(off.code, 0, off.err);
        assert.match(off.out, /Deactivated[\s\S]*The other side was told\./);
        const sfConnection = (): unknown =>
            stack.sf.org.records('Sync_Connection__c').find((row) => row.Id === stack.sf.connectionId)?.Status__c;
        await eventually('Salesforce follows', () => sfConnection() === 'Deactivated');
        const on = await cli(stack, 'activate', connectionName);
        assert.equal(on.code, 0, on.err);
        await eventually('Salesforce follows again', () => sfConnection() === 'Active');
    });

    void it('lists a failed sync under errors and retries it to Synchronized', async () => {
        const incident = stack.sn.instance.createIncidentAs('beth.agent', { short_description: 'Disk full' });
        const store = stack.sn.connector.store;
        const connection = store.readConnections()[0];
        // A sync that failed (as after eight failed deliveries): the twin and its Failed entry.
        const twin = store.upsertTwin(`${connection.id}:${incident.record.sys_id}`, connection.id, {
            caseId: incident.record.sys_id,
            syncStatus: 'Failed'
        });
        store.createEvent({
            connectionId: connection.id,
            twinId: twin.id,
            caseId: incident.record.sys_id,
            direction: 'Outgoing',
            stage: 'Failed',
            error: 'Delivery to the other side failed: connect ECONNREFUSED (gave up after 8 attempts; Retry sends it again)'
        });
        const errors = await cli(stack, 'errors');
        assert.match(errors.out, /Entry\s+Incident\s+Direction\s+Stage/);
        const entry = /(EV-\d{8})\s.*Failed/.exec(errors.out)?.[1];
        assert.ok(entry, errors.out);
        const retried = await cli(stack, 'retry', entry);
        assert.equal(retried.code, 0, retried.err);
        assert.match(retried.out, /queued again/);
        await eventually('the retried sync reaches Salesforce', () =>
            stack.sf.org.records('Case').some((row) => row.Subject === 'Disk full')
        );
        await eventually('no errors left', async () => (await cli(stack, 'errors')).out.trim() === 'No errors.');
        const twice = await cli(stack, 'retry', entry);
        assert.equal(twice.code, 1);
        assert.match(twice.err, /only failed entries can be retried/);
    });

    void it('initiates a private connection without a URL, and deletes connections on both sides', async () => {
        const privateOne = await cli(stack, 'initiate', '--no-url', '--name', 'For a private org');
        assert.equal(privateOne.code, 0, privateOne.err);
        assert.match(privateOne.out, /the destination is private: it will open every request itself/);
        const listed = JSON.parse((await cli(stack, 'connections', '--json')).out) as {
            connections: { name: string; type: string; status: string; remoteNodeUrl: string | null }[];
        };
        const row = listed.connections.find((connection) => connection.name === 'For a private org');
        assert.deepEqual(row && [row.type, row.status, row.remoteNodeUrl], ['Private', 'Pending', null]);

        const removed = await cli(stack, 'delete', connectionName);
        assert.equal(removed.code, 0, removed.err);
        assert.match(removed.out, /deleted; its incidents stay/);
        await eventually('Salesforce stops syncing it', () => {
            const record = stack.sf.org.records('Sync_Connection__c').find((r) => r.Id === stack.sf.connectionId);
            return record?.Status__c === 'Deactivated' && textOf(record, 'Status_Detail__c').includes('deleted');
        });
        const after = await cli(stack, 'connections');
        assert.ok(!after.out.includes(connectionName), after.out);
        const gone = await cli(stack, 'sync', connectionName, 'INC0010001');
        assert.equal(gone.code, 1);
        assert.match(gone.err, /No connection/);
    });
});
