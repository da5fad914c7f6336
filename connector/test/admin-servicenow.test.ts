// The admin API of a ServiceNow node (the console outside Salesforce, over the node's store), over
// HTTP as the console's components call it: a real store in a temporary folder, an emulated
// instance (test infrastructure) for incidents, and the operations an admin uses: initiate and
// accept invitations, the connection list and its status changes, sync an incident by its number
// and follow it, the queue, errors and Retry, triggers, and the refusals a ServiceNow node gives
// where a Salesforce side would do something else. Then `npm run servicenow -- run --console-port`.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../emulators/servicenow/index.ts';
import { decodeInvitation, encodeInvitation } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import { newAdminToken, startServiceNowConsole } from '../src/admin/console.ts';
import type { RunningConsole } from '../src/admin/console.ts';
import type { ConnectionCommand } from '../src/node/endpoints.ts';
import { main } from '../src/servicenow/cli/commands.ts';
import { SETTING_NODE_URL } from '../src/servicenow/console/console.ts';
import { RestIncidentApi } from '../src/servicenow/rest/index.ts';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';
import type {
    ConnectionDto,
    ConsoleContextDto,
    InitiatedInvitationDto,
    SyncEventDto,
    TriggerDto,
    TwinStatusDto
} from '../../types/exalate-dto.d.ts';
import { consoleBundle } from './browser/bundle.ts';

interface Answer {
    status: number;
    body: unknown;
}

async function post(url: string, token: string | undefined, operation: string, params: unknown = {}): Promise<Answer> {
    const response = await fetch(new URL(`api/admin/${operation}`, url), {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json',
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` })
        },
        body: JSON.stringify(params)
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

function messageOf(answer: Answer): string {
    return (answer.body as { message?: string } | null)?.message ?? '';
}

/** A code as the Salesforce console's wizard writes it, for the ServiceNow admin to accept. */
function salesforceCode(options: {
    invitationId: string;
    name: string;
    type?: 'Public' | 'Private';
    expiresAt?: number;
}): string {
    return encodeInvitation({
        version: 1,
        invitationId: options.invitationId,
        connectionName: options.name,
        initiatorInstance: 'AcmeSalesforce',
        destinationInstance: 'AcmeServiceNow',
        initiatorPlatform: 'Salesforce',
        initiatorNodeUrl: 'https://sync.acme.example/salesforce',
        connectionType: options.type ?? 'Public',
        mode: 'Basic',
        expiresAt: options.expiresAt ?? Math.floor(Date.now() / 1000) + 3600,
        secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'
    });
}

/** What the Accept invitation wizard sends for a code. */
function acceptInput(code: string): Record<string, unknown> {
    const decoded = decodeInvitation(code, Math.floor(Date.now() / 1000) - 7200);
    assert.ok(decoded.ok, 'the test code decodes');
    const invitation = decoded.invitation;
    return {
        invitationId: invitation.invitationId,
        connectionName: invitation.connectionName,
        localInstanceName: invitation.destinationInstance,
        remoteInstanceName: invitation.initiatorInstance,
        description: null,
        type: invitation.connectionType,
        remotePlatform: invitation.initiatorPlatform,
        remoteNodeUrl: invitation.initiatorNodeUrl || null,
        expiresAt: new Date(invitation.expiresAt * 1000).toISOString(),
        secret: invitation.secret
    };
}

void describe('admin API of a ServiceNow node (its store and an emulated instance)', () => {
    let dir: string;
    let instance: ServiceNowEmulator;
    let store: ServiceNowStore;
    let running: RunningConsole;
    let token: string;
    const told: { connection: string; command: ConnectionCommand }[] = [];
    const secrets = new Map<string, string>();
    const call = <T>(operation: string, params: unknown = {}): Promise<T> =>
        post(running.url, token, operation, params).then((answer) => {
            assert.equal(answer.status, 200, `${operation}: ${messageOf(answer)}`);
            return answer.body as T;
        });
    const refusal = async (operation: string, params: unknown, status = 400): Promise<string> => {
        const answer = await post(running.url, token, operation, params);
        assert.equal(answer.status, status, `${operation} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return messageOf(answer);
    };

    before(async () => {
        dir = await mkdtemp(join(tmpdir(), 'exalate-admin-sn-'));
        await writeFile(join(dir, 'index.html'), '<!doctype html><title>Exalate</title>');
        await writeFile(join(dir, 'app.js'), 'export {};');
        instance = await startServiceNowEmulator();
        store = ServiceNowStore.open(join(dir, 'node.db'));
        store.writeSetting(SETTING_NODE_URL, 'https://sync.acme.example/servicenow');
        token = newAdminToken();
        running = await startServiceNowConsole({
            store,
            api: new RestIncidentApi({
                instanceUrl: instance.url,
                auth: {
                    kind: 'basic',
                    userName: instance.serviceAccount.userName,
                    password: instance.serviceAccount.password
                }
            }),
            instanceUrl: instance.url,
            instanceName: 'AcmeServiceNow',
            token,
            staticDir: dir,
            tellOtherNode: (connection, secret, command) => {
                // Signed with the connection's secret (read before a delete removes it).
                assert.equal(secret, secrets.get(connection.id));
                told.push({ connection: connection.name, command });
                return Promise.resolve();
            }
        });
    });

    after(async () => {
        await running?.close();
        store?.close();
        await instance?.close();
        await rm(dir, { recursive: true, force: true });
    });

    void it('needs the admin token, and serves only the console operations', async () => {
        assert.equal((await post(running.url, undefined, 'ConnectionController/listConnections')).status, 401);
        assert.equal(
            (await post(running.url, 'wrong-token-wrong-token', 'ConnectionController/listConnections')).status,
            401
        );
        const unknown = await post(running.url, token, 'ConnectionController/dropDatabase');
        assert.equal(unknown.status, 404);
        assert.match(messageOf(unknown), /not an operation of the console/);
        assert.deepEqual(await call('ConnectionController/listConnections'), []);
        const context = await call<ConsoleContextDto>('ConnectionController/getConsoleContext');
        assert.deepEqual(context, {
            orgDomainUrl: instance.url,
            namespacePrefix: '',
            suggestedInstanceName: 'AcmeServiceNow',
            platform: 'ServiceNow'
        });
    });

    void it('Initiate connection: a Pending connection with its secret kept in the store only, and a code the other side can read', async () => {
        const initiated = await call<InitiatedInvitationDto>('ConnectionController/initiateConnection', {
            input: {
                name: 'AcmeServiceNow_to_AcmeSalesforce',
                localInstanceName: 'AcmeServiceNow',
                remoteInstanceName: 'AcmeSalesforce',
                description: 'Priority 1 incidents',
                type: 'Public',
                remotePlatform: 'Salesforce',
                remoteNodeUrl: 'https://sync.acme.example/salesforce'
            }
        });
        assert.match(initiated.secret, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(initiated.connection.status, 'Pending');
        assert.equal(initiated.connection.role, 'Initiator');
        assert.equal(initiated.connection.remoteNodeUrl, 'https://sync.acme.example/salesforce');
        const hours = (Date.parse(initiated.expiresAt) - Date.now()) / 3_600_000;
        assert.ok(hours > 71.9 && hours <= 72, `expires in 72 hours, not ${hours}`);
        assert.equal(store.readSecret(initiated.connection.id), initiated.secret);
        const listed = await call<ConnectionDto[]>('ConnectionController/listConnections');
        assert.equal(listed.length, 1);
        assert.equal(listed[0].invitationId, initiated.invitationId);
        assert.ok(!JSON.stringify(listed).includes(initiated.secret), 'no listing shows the secret');
        assert.equal(
            (await call<ConnectionDto>('ConnectionController/getConnection', { connectionId: listed[0].id })).name,
            'AcmeServiceNow_to_AcmeSalesforce'
        );

        // The wizard writes the code from this answer; the Salesforce side reads it.
        const code = encodeInvitation({
            version: 1,
            invitationId: initiated.invitationId,
            connectionName: initiated.connection.name,
            initiatorInstance: initiated.connection.localInstanceName,
            destinationInstance: initiated.connection.remoteInstanceName,
            initiatorPlatform: 'ServiceNow',
            initiatorNodeUrl: 'https://sync.acme.example/servicenow',
            connectionType: initiated.connection.type,
            mode: 'Basic',
            expiresAt: Math.floor(Date.parse(initiated.expiresAt) / 1000),
            secret: initiated.secret
        });
        assert.ok(decodeInvitation(code, Math.floor(Date.now() / 1000)).ok);

        assert.equal(
            await refusal('ConnectionController/initiateConnection', {
                input: {
                    ...listed[0],
                    name: 'AcmeServiceNow_to_AcmeSalesforce',
                    type: 'Public',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: 'https://b.example'
                }
            }),
            'A connection named AcmeServiceNow_to_AcmeSalesforce already exists.'
        );
        assert.match(
            await refusal('ConnectionController/initiateConnection', {
                input: {
                    name: 'To_Other_ServiceNow',
                    localInstanceName: 'AcmeServiceNow',
                    remoteInstanceName: 'OtherServiceNow',
                    type: 'Public',
                    remotePlatform: 'ServiceNow',
                    remoteNodeUrl: 'https://other.example'
                }
            }),
            /connects to Salesforce orgs only/
        );
        assert.match(
            await refusal('ConnectionController/initiateConnection', {
                input: {
                    name: 'X',
                    localInstanceName: 'A',
                    remoteInstanceName: 'B',
                    type: 'Public',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: 'ftp://b'
                }
            }),
            /Remote node URL must start with https:\/\//
        );
        // "This side's URL" is the instance: the wizard makes a Local connection of it, which a node cannot have.
        assert.match(
            await refusal('ConnectionController/createConnection', {
                input: {
                    name: 'Local',
                    localInstanceName: 'A',
                    remoteInstanceName: 'B',
                    type: 'Local',
                    remotePlatform: 'Salesforce'
                }
            }),
            /has no Local connections/
        );
        // A private node cannot be reached by the other side, so it can only accept.
        store.writeSetting(SETTING_NODE_URL, '');
        try {
            assert.match(
                await refusal('ConnectionController/initiateConnection', {
                    input: {
                        name: 'Private_one',
                        localInstanceName: 'A',
                        remoteInstanceName: 'B',
                        type: 'Private',
                        remotePlatform: 'Salesforce',
                        remoteNodeUrl: null
                    }
                }),
                /can only accept invitations/
            );
        } finally {
            store.writeSetting(SETTING_NODE_URL, 'https://sync.acme.example/servicenow');
        }
        assert.equal(
            (await call<ConnectionDto[]>('ConnectionController/listConnections')).length,
            1,
            'nothing half-made'
        );
        await call('ConnectionController/deleteConnection', { connectionId: listed[0].id });
        assert.deepEqual(told, [], 'a Pending connection has nobody to tell');
        assert.equal(
            await refusal('ConnectionController/getConnection', { connectionId: listed[0].id }),
            'This connection no longer exists.'
        );
    });

    let connectionId = '';

    void it('Accept invitation: a Pending Acceptor; the same code again, an expired one and a Local one are refused', async () => {
        const code = salesforceCode({
            invitationId: '4b1d2b3c-1111-4222-8333-944455556666',
            name: 'AcmeSalesforce_to_AcmeServiceNow'
        });
        const accepted = await call<ConnectionDto>('ConnectionController/acceptInvitation', {
            input: acceptInput(code)
        });
        connectionId = accepted.id;
        secrets.set(accepted.id, store.readSecret(accepted.id) ?? '');
        assert.equal(accepted.status, 'Pending');
        assert.equal(accepted.role, 'Acceptor');
        assert.equal(accepted.remotePlatform, 'Salesforce');
        assert.equal(accepted.remoteNodeUrl, 'https://sync.acme.example/salesforce');
        assert.equal(accepted.acceptedBy, 'ServiceNow admin');
        assert.equal(store.readSecret(accepted.id), 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I');
        assert.equal(store.readWake().reason, 'connection', 'the running node hears of it at once');

        assert.equal(
            await refusal('ConnectionController/acceptInvitation', { input: acceptInput(code) }),
            'This invitation code was already used.'
        );
        const expired = acceptInput(
            salesforceCode({
                invitationId: '5b1d2b3c-1111-4222-8333-944455556666',
                name: 'Old',
                expiresAt: Math.floor(Date.now() / 1000) - 60
            })
        );
        assert.match(
            await refusal('ConnectionController/acceptInvitation', { input: expired }),
            /^This invitation expired on .*Ask AcmeSalesforce to send a new one\.$/
        );
        const local = {
            ...acceptInput(salesforceCode({ invitationId: '6b1d2b3c-1111-4222-8333-944455556666', name: 'L' })),
            type: 'Local'
        };
        assert.match(await refusal('ConnectionController/acceptInvitation', { input: local }), /Local connection/);
        assert.equal(
            await refusal('ConnectionController/activateConnection', { connectionId }),
            'Connection AcmeSalesforce_to_AcmeServiceNow is waiting for the other side to accept the invitation.'
        );
        assert.equal(
            await refusal('CaseSyncController/requestSync', { connectionId, caseRef: 'INC0010001' }),
            'Connection AcmeSalesforce_to_AcmeServiceNow is not active (status: Pending). Activate it first.'
        );
        assert.deepEqual(await call('CaseSyncController/listActiveConnections'), []);
        // The node's handshake with the inviting node makes it Active (here, as the engine writes it).
        store.updateConnection({ id: connectionId, status: 'Active' });
        assert.deepEqual(
            (await call<ConnectionDto[]>('CaseSyncController/listActiveConnections')).map((c) => c.name),
            ['AcmeSalesforce_to_AcmeServiceNow']
        );
    });

    void it('syncs an incident by its number: the twin and its first stage, the queue, the incident page and entity sync status', async () => {
        const incident = instance.createIncidentAs('beth.agent', {
            short_description: 'Email delivery delayed for the finance team',
            description: 'Messages to finance@acme.example arrive two hours late.'
        });
        const number = String(incident.record.number);
        const sysId = String(incident.record.sys_id);
        assert.equal(
            await refusal('CaseSyncController/requestSync', { connectionId, caseRef: ' ' }),
            'Enter an incident number, such as INC0010001.'
        );
        assert.equal(
            await refusal('CaseSyncController/requestSync', { connectionId, caseRef: 'INC9999999' }),
            'No incident INC9999999 on the instance (or the service account cannot read it).'
        );
        assert.match(
            await refusal('CaseSyncController/requestSync', { connectionId, caseRef: '00001000' }),
            /is not an incident number such as INC0010001/
        );
        const twin = await call<TwinStatusDto>('CaseSyncController/requestSync', {
            connectionId,
            caseRef: number.toLowerCase()
        });
        assert.equal(twin.caseId, sysId);
        assert.equal(twin.caseNumber, number);
        assert.equal(twin.connectionName, 'AcmeSalesforce_to_AcmeServiceNow');
        assert.equal(twin.status, 'Preparing');
        assert.equal(twin.latestEventStage, 'Preparing');
        assert.equal(store.readWake().reason, 'sync-request');

        const progress = await call<SyncEventDto>('CaseSyncController/getSyncProgress', {
            eventId: twin.latestEventId
        });
        assert.equal(progress.caseNumber, number);
        assert.equal(progress.direction, 'Outgoing');
        assert.equal(progress.stage, 'Preparing');
        assert.match(progress.name, /^EV-\d{8}$/);
        assert.equal(
            await refusal('CaseSyncController/getSyncProgress', { eventId: 'evt_nothing' }),
            'This sync event no longer exists, or you do not have access to its Case.'
        );

        const queue = await call<SyncEventDto[]>('SyncQueueController/listQueue', { connectionId, limitSize: 50 });
        assert.deepEqual(
            queue.map((event) => [event.name, event.caseNumber, event.stage]),
            [[progress.name, number, 'Preparing']]
        );
        // The record page of the incident (?c__recordId=<sys_id>) asks by sys_id.
        const onPage = await call<TwinStatusDto[]>('CaseSyncController/getCaseSyncStatus', { caseId: sysId });
        assert.deepEqual(
            onPage.map((t) => [t.twinId, t.caseNumber]),
            [[twin.twinId, number]]
        );
        const again = await call<TwinStatusDto>('CaseSyncController/requestSync', { connectionId, caseRef: sysId });
        assert.equal(again.twinId, twin.twinId, 'Sync now on the same incident keeps its twin');
        const found = await call<TwinStatusDto | null>('SyncQueueController/getEntitySyncStatus', {
            connectionId,
            caseRef: number
        });
        assert.equal(found?.twinId, twin.twinId);
        const other = instance.createIncidentAs('beth.agent', { short_description: 'Printer on floor 3 offline' });
        assert.equal(
            await call('SyncQueueController/getEntitySyncStatus', {
                connectionId,
                caseRef: String(other.record.number)
            }),
            null
        );
        assert.match(
            await refusal('SyncQueueController/getEntitySyncStatus', { connectionId, caseRef: 'INC0099999' }),
            /No incident INC0099999 on the instance/
        );
    });

    void it('lists a failed sync under Errors with its cause; Retry queues it again; only failed entries can be retried', async () => {
        const [event] = await call<SyncEventDto[]>('SyncQueueController/listQueue', { connectionId });
        store.updateEvent(event.id, {
            stage: 'Failed',
            error: 'Delivery to the other side failed: the node at https://sync.acme.example/salesforce did not answer'
        });
        assert.equal(
            await refusal('SyncQueueController/retryEvent', {
                eventId: (await call<SyncEventDto[]>('SyncQueueController/listQueue', { connectionId }))[0].id
            }),
            'Only failed events can be retried.'
        );
        const errors = await call<SyncEventDto[]>('SyncQueueController/listErrors', { connectionId });
        assert.equal(errors.length, 1);
        assert.match(errors[0].error ?? '', /did not answer/);
        assert.match(errors[0].caseNumber ?? '', /^INC\d{7}$/);
        const retried = await call<SyncEventDto>('SyncQueueController/retryEvent', { eventId: event.id });
        assert.equal(retried.stage, 'Preparing');
        assert.equal(retried.error, undefined);
        assert.equal(store.readWake().reason, 'retry');
        assert.deepEqual(await call('SyncQueueController/listErrors', { connectionId }), []);
        assert.equal(
            await refusal('SyncQueueController/retryEvent', { eventId: 'evt_gone' }),
            'This event no longer exists.'
        );
    });

    void it('triggers are encoded queries over incident, checked on the instance; Bulk Exalate says it is not available', async () => {
        assert.match(
            await refusal('SyncQueueController/saveTrigger', {
                input: { connectionId, filter: "Priority = 'High'", active: true }
            }),
            /encoded query over incident, such as urgency=1\^category=network, not SOQL/
        );
        assert.match(
            await refusal('SyncQueueController/saveTrigger', {
                input: { connectionId, filter: 'urgency=1^NQurgency=2', active: true }
            }),
            /cannot contain \^NQ/
        );
        assert.match(
            await refusal('SyncQueueController/saveTrigger', { input: { connectionId, filter: '', active: true } }),
            /^Filter is required/
        );
        const saved = await call<TriggerDto>('SyncQueueController/saveTrigger', {
            input: { connectionId, filter: 'urgency=1', active: false, notes: 'Urgent incidents' }
        });
        assert.deepEqual(
            { filter: saved.filter, active: saved.active, notes: saved.notes, connectionId: saved.connectionId },
            { filter: 'urgency=1', active: false, notes: 'Urgent incidents', connectionId }
        );
        const edited = await call<TriggerDto>('SyncQueueController/saveTrigger', {
            input: { id: saved.id, filter: 'urgency=1^category=network', active: true, notes: null }
        });
        assert.equal(edited.filter, 'urgency=1^category=network');
        assert.equal(edited.active, true);
        assert.equal(edited.notes, undefined);
        assert.deepEqual(
            store.findConnection(connectionId)?.triggers.map((t) => [t.filter, t.active]),
            [['urgency=1^category=network', true]],
            'the node reads the changed trigger'
        );
        const off = await call<TriggerDto>('SyncQueueController/setTriggerActive', {
            triggerId: saved.id,
            active: false
        });
        assert.equal(off.active, false);
        assert.match(
            await refusal('SyncQueueController/bulkExalate', { triggerId: saved.id }, 501),
            /^Bulk Exalate is not available on a ServiceNow node yet/
        );
        assert.deepEqual(
            (await call<TriggerDto[]>('SyncQueueController/listTriggers', { connectionId })).map((t) => t.id),
            [saved.id]
        );
        await call('SyncQueueController/deleteTrigger', { triggerId: saved.id });
        assert.deepEqual(await call('SyncQueueController/listTriggers', { connectionId }), []);
        assert.equal(
            await refusal('SyncQueueController/deleteTrigger', { triggerId: saved.id }),
            'This trigger no longer exists.'
        );
    });

    void it('deactivates, activates and deletes a connection and tells the other node each time; Unexalate takes an incident out of sync', async () => {
        const deactivated = await call<ConnectionDto>('ConnectionController/deactivateConnection', { connectionId });
        assert.equal(deactivated.status, 'Deactivated');
        assert.equal(
            await refusal('CaseSyncController/requestSync', { connectionId, caseRef: 'INC0010001' }),
            'Connection AcmeSalesforce_to_AcmeServiceNow is not active (status: Deactivated). Activate it first.'
        );
        assert.equal(
            (await call<ConnectionDto>('ConnectionController/activateConnection', { connectionId })).status,
            'Active'
        );
        assert.equal(
            (await call<ConnectionDto>('ConnectionController/activateConnection', { connectionId })).status,
            'Active'
        );
        const [twin] = store.readTwins({ connectionId });
        await call('CaseSyncController/unexalate', { twinId: twin.id });
        assert.deepEqual(store.readTwins({ connectionId }), []);
        assert.equal(
            await refusal('CaseSyncController/unexalate', { twinId: twin.id }),
            'This incident is no longer under sync on that connection.'
        );
        await call('ConnectionController/deleteConnection', { connectionId });
        assert.deepEqual(told, [
            { connection: 'AcmeSalesforce_to_AcmeServiceNow', command: 'deactivate' },
            { connection: 'AcmeSalesforce_to_AcmeServiceNow', command: 'activate' },
            { connection: 'AcmeSalesforce_to_AcmeServiceNow', command: 'delete' }
        ]);
        assert.deepEqual(await call('ConnectionController/listConnections'), []);
        assert.equal(store.readSecret(connectionId), undefined, 'the secret went with the connection');
    });
});

void describe('npm run servicenow -- run --console-port', () => {
    void it('serves the console beside the node, on 127.0.0.1, with the admin token in the link it prints once', async () => {
        const staticDir = await consoleBundle();
        assert.ok(staticDir);
        const dir = await mkdtemp(join(tmpdir(), 'exalate-sn-run-console-'));
        const instance = await startServiceNowEmulator();
        let out = '';
        let stop: () => void = () => undefined;
        const stopRequested = new Promise<void>((resolve) => (stop = resolve));
        const env = {
            EXALATE_SN_STORE: join(dir, 'node.db'),
            EXALATE_SN_INSTANCE_URL: instance.url,
            EXALATE_SN_USER: instance.serviceAccount.userName,
            EXALATE_SN_PASSWORD: instance.serviceAccount.password
        };
        const exited = main(['run', '--port', '0', '--console-port', '0', '--instance-name', 'AcmeServiceNow'], {
            out: (text) => (out += text),
            err: (text) => (out += text),
            env,
            stopRequested
        });
        try {
            const deadline = Date.now() + 20_000;
            while (!/Console: \S+/.test(out)) {
                assert.ok(Date.now() < deadline, `no console link in:\n${out}`);
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const link = new URL(/Console: (\S+)/.exec(out)![1]);
            assert.equal(link.hostname, '127.0.0.1');
            const linkToken = /^#token=(.{16,})$/.exec(link.hash)?.[1];
            assert.ok(linkToken !== undefined, 'the link carries the admin token');
            assert.equal(out.split(linkToken).length, 2, 'the token is printed once');
            link.hash = '';
            const page = await fetch(link);
            assert.equal(page.status, 200);
            assert.match(await page.text(), /<title>Exalate<\/title>/);
            assert.equal((await post(link.href, undefined, 'ConnectionController/listConnections')).status, 401);
            const context = await post(link.href, linkToken, 'ConnectionController/getConsoleContext');
            assert.deepEqual(context.body, {
                orgDomainUrl: instance.url,
                namespacePrefix: '',
                suggestedInstanceName: 'AcmeServiceNow',
                platform: 'ServiceNow'
            });
            stop();
            assert.equal(await exited, 0);
            await assert.rejects(
                fetch(link, { signal: AbortSignal.timeout(2_000) }),
                'the console stopped with the node'
            );
        } finally {
            stop();
            await exited;
            await instance.close();
            await rm(dir, { recursive: true, force: true });
        }
    });
});
