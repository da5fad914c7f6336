// The ServiceNow side's engine port against an emulated instance: exactly-once creation of incidents
// and comments when a write is repeated after a failure, and the change feed (echoes skipped, two
// changes in one second both seen, trigger filters bringing incidents under sync, files found).
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { ServiceNowEmulator } from '../emulators/servicenow/index.ts';
import type { EngineLogEntry } from '../src/engine/ports.ts';
import { ServiceNowSide } from '../src/servicenow/engine/servicenow-side.ts';
import { RestIncidentApi } from '../src/servicenow/rest/index.ts';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';

let dir: string;
let instance: ServiceNowEmulator;
let now = Date.parse('2026-12-01T10:00:00.200Z');
let store: ServiceNowStore;
let side: ServiceNowSide;
let connectionId: string;
let log: EngineLogEntry[];
let fileNumber = 0;

before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-side-'));
    instance = await startServiceNowEmulator({ clock: () => new Date(now) });
});
after(async () => {
    await instance.close();
    await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
    store?.close();
    fileNumber += 1;
    store = ServiceNowStore.open(join(dir, `side-${fileNumber}.db`));
    log = [];
    side = new ServiceNowSide({
        store,
        api: new RestIncidentApi({
            instanceUrl: instance.url,
            auth: {
                kind: 'basic',
                userName: instance.serviceAccount.userName,
                password: instance.serviceAccount.password
            }
        }),
        log: (entry) => log.push(entry),
        clock: () => now,
        feed: { settleMs: 0 }
    });
    connectionId = store.insertConnection(
        {
            name: 'ServiceNow_to_Salesforce',
            localInstanceName: 'ServiceNow',
            remoteInstanceName: 'Salesforce',
            description: null,
            type: 'Public',
            status: 'Active',
            role: 'Initiator',
            remotePlatform: 'Salesforce',
            remoteNodeUrl: 'http://127.0.0.1:9',
            invitationId: `00000000-0000-4000-8000-${String(fileNumber).padStart(12, '0')}`,
            invitationExpires: null,
            acceptedBy: null,
            acceptedAt: null
        },
        'secret'
    );
});

function tick(ms: number): void {
    now += ms;
}

void describe('ServiceNow side: writes are exactly once', () => {
    void it('an incident for a remote entity is created once, however often its creation is repeated', async () => {
        const plan = {
            createCases: [{ linkKey: `${connectionId}:00001001`, subject: 'From Salesforce', description: 'Body' }]
        };
        const first = await side.write(plan);
        const second = await side.write(plan);
        assert.deepEqual(first.createCases[0], {
            ok: true,
            id: (first.createCases[0] as { id: string }).id,
            created: true
        });
        assert.deepEqual(second.createCases[0], {
            ok: true,
            id: (first.createCases[0] as { id: string }).id,
            created: false
        });
        assert.equal(
            instance.incidents().filter((view) => view.record.short_description === 'From Salesforce').length,
            1
        );
    });

    void it('a comment written before a failed commit is not written again when the write is repeated', async () => {
        const incident = instance.createIncidentAs('beth.agent', { short_description: 'Comment target' });
        const sysId = incident.record.sys_id;
        const comments = [{ caseId: sysId, body: 'Alice Agent (Salesforce) wrote on 2026-12-01:\n\nHello' }];
        // The twin names a connection that does not exist: the commit fails after the comment was written.
        await assert.rejects(
            side.write({ createComments: comments, upsertTwins: [{ connectionId: 'con_missing', caseId: sysId }] }),
            /FOREIGN KEY/
        );
        assert.equal(instance.incident(sysId)?.comments.length, 1, 'the comment went through before the failure');
        const repeat = await side.write({ createComments: comments, upsertTwins: [{ connectionId, caseId: sysId }] });
        assert.equal(repeat.createComments[0].ok, true);
        assert.equal(repeat.upsertTwins[0].ok, true);
        assert.equal(instance.incident(sysId)?.comments.length, 1, 'the repeat did not add it again');
        assert.deepEqual(store.commentIntentsOf([{ incidentSysId: sysId, bodySha256: 'x' }]).size, 0);
        // A new comment afterwards is written normally.
        await side.write({ createComments: [{ caseId: sysId, body: 'Second' }] });
        assert.deepEqual(
            instance.incident(sysId)?.comments.map((comment) => comment.value.split('\n').pop()),
            ['Hello', 'Second']
        );
        assert.equal(instance.incident(sysId)?.workNotes.length, 0);
    });

    void it('reads an incident as the engine needs it: additional comments only, authors by name, files with checksums once seen', async () => {
        const incident = instance.createIncidentAs('beth.agent', {
            short_description: 'Snapshot',
            comments: 'Public words'
        });
        instance.addWorkNoteAs('beth.agent', incident.record.number, 'Private words');
        const attachment = instance.attachFileAs('beth.agent', incident.record.number, {
            fileName: 'trace.log',
            contentType: 'text/plain',
            bytes: Buffer.from('trace')
        });
        const [before] = (await side.readSnapshot({ caseIds: [incident.record.sys_id] })).cases;
        assert.equal(before.caseNumber, incident.record.number);
        assert.deepEqual(
            before.comments.map((comment) => [comment.authorName, comment.body]),
            [['Beth Agent', 'Public words']]
        );
        assert.equal(before.files[0].title, 'trace.log');
        assert.equal(before.files[0].fileExtension, 'log');
        assert.equal(before.files[0].checksum, null, 'not downloaded yet');
        assert.equal((await side.downloadFile(attachment.sysId)).toString(), 'trace');
        const [after] = (await side.readSnapshot({ caseIds: [incident.record.sys_id] })).cases;
        assert.equal(
            after.files[0].checksum,
            '0a2ab7cf7f9ea9e2e2e0c1b5a2bd1e2f'.length === 32 ? after.files[0].checksum : ''
        );
        assert.match(after.files[0].checksum ?? '', /^[0-9a-f]{32}$/);
    });
});

void describe('ServiceNow side: change feed', () => {
    void it('signals changes of incidents under sync, skips the node’s own writes, and sees two changes in one second', async () => {
        const incident = instance.createIncidentAs('beth.agent', { short_description: 'Watched' });
        const sysId = incident.record.sys_id;
        store.upsertTwin(`${connectionId}:${sysId}`, connectionId, { caseId: sysId, syncStatus: 'Synchronized' });
        assert.equal((await side.feed.poll()).signals, 0, 'the first poll only sets the watermarks');
        tick(1000);
        instance.updateIncidentAs('beth.agent', sysId, { description: 'first change' });
        assert.equal((await side.feed.poll()).signals, 1);
        // Same second: another change by the agent must not be lost.
        tick(100);
        instance.addCommentAs('beth.agent', sysId, 'second change, same second');
        assert.equal((await side.feed.poll()).signals, 1, 'the second change in the same second is seen');
        tick(3000);
        assert.equal((await side.feed.poll()).signals, 1, 'read once more as its second closes');
        assert.equal((await side.feed.poll()).signals, 0, 'a closed second is not read again');
        // The node's own write is an echo.
        tick(1000);
        const signalsBefore = store.readSignals(100).length;
        await side.readSnapshot({ caseIds: [sysId] });
        await side.write({ updateCases: [{ id: sysId, subject: 'Watched (from Salesforce)' }] });
        tick(3000);
        assert.equal((await side.feed.poll()).signals, 0, 'the node does not send back what it wrote');
        assert.equal(store.readSignals(100).length, signalsBefore);
    });

    void it('an agent change just before the node writes the same incident is still sent', async () => {
        const incident = instance.createIncidentAs('beth.agent', { short_description: 'Race' });
        const sysId = incident.record.sys_id;
        store.upsertTwin(`${connectionId}:${sysId}`, connectionId, { caseId: sysId, syncStatus: 'Synchronized' });
        await side.feed.poll();
        tick(1000);
        instance.addCommentAs('beth.agent', sysId, 'typed while a change arrives');
        // The node applies an incoming change before its feed read the agent's comment.
        await side.readSnapshot({ caseIds: [sysId] });
        await side.write({ updateCases: [{ id: sysId, description: 'from Salesforce' }] });
        const signals = store.readSignals(100).filter((signal) => signal.caseId === sysId);
        assert.equal(signals.length, 1, 'the write itself recorded a signal for the agent’s change');
    });

    void it('brings incidents matching an active trigger under sync, and only those', async () => {
        store.insertTrigger({ connectionId, filter: 'urgency=1', active: true, notes: null });
        await side.feed.poll();
        tick(1000);
        const urgent = instance.createIncidentAs('beth.agent', { short_description: 'Urgent', urgency: '1' });
        const calm = instance.createIncidentAs('beth.agent', { short_description: 'Calm', urgency: '3' });
        const result = await side.feed.poll();
        assert.equal(result.twinsCreated, 1);
        const [twin] = store.readTwins({ caseIds: [urgent.record.sys_id] });
        assert.equal(twin.syncStatus, 'Preparing');
        assert.equal(twin.connectionId, connectionId);
        assert.deepEqual(store.readTwins({ caseIds: [calm.record.sys_id] }), []);
        assert.ok(store.readSignals(100).some((signal) => signal.caseId === urgent.record.sys_id));
    });

    void it('finds files added by agents (which do not change the incident) and skips its own uploads', async () => {
        const incident = instance.createIncidentAs('beth.agent', { short_description: 'Files' });
        const sysId = incident.record.sys_id;
        store.upsertTwin(`${connectionId}:${sysId}`, connectionId, { caseId: sysId, syncStatus: 'Synchronized' });
        await side.feed.poll();
        tick(1000);
        instance.attachFileAs('beth.agent', sysId, {
            fileName: 'a.txt',
            contentType: 'text/plain',
            bytes: Buffer.from('a')
        });
        await side.uploadFile({ caseId: sysId, fileName: 'mirror.txt', bytes: Buffer.from('from Salesforce') });
        await side.feed.poll();
        const files = store.readSignals(100).filter((signal) => signal.kind === 'File');
        assert.equal(files.length, 1);
        assert.equal(files[0].caseId, sysId);
        assert.equal(log.filter((entry) => entry.level !== 'info').length, 0, JSON.stringify(log));
    });

    void it('reads on past a full page of changes within one second', async () => {
        const small = new ServiceNowSide({
            store,
            api: new RestIncidentApi({
                instanceUrl: instance.url,
                auth: {
                    kind: 'basic',
                    userName: instance.serviceAccount.userName,
                    password: instance.serviceAccount.password
                }
            }),
            log: (entry) => log.push(entry),
            clock: () => now,
            feed: { settleMs: 0, pageLimit: 2 }
        });
        const ids = ['One', 'Two', 'Three', 'Four', 'Five'].map(
            (name) => instance.createIncidentAs('beth.agent', { short_description: name }).record.sys_id
        );
        for (const sysId of ids) {
            store.upsertTwin(`${connectionId}:${sysId}`, connectionId, { caseId: sysId, syncStatus: 'Synchronized' });
        }
        await small.feed.poll();
        tick(1000);
        for (const sysId of ids) {
            instance.updateIncidentAs('beth.agent', sysId, { description: 'same second' });
        }
        tick(2000);
        // A full page asks for another poll at once (as the feed's loop does) until it is done.
        let signals = 0;
        let polls = 0;
        for (let more = true; more && polls < 10; polls += 1) {
            const result = await small.feed.poll();
            signals += result.signals;
            more = result.more;
        }
        assert.equal(signals, 5, 'all five changes of one second, though a page holds two');
        assert.ok(polls <= 3, `done in ${polls} polls`);
        const again = await small.feed.poll();
        assert.equal(again.signals, 0, 'nothing read twice once the second is closed');
        tick(1000);
        instance.updateIncidentAs('beth.agent', ids[4], { description: 'later' });
        assert.equal((await small.feed.poll()).signals, 1, 'and the next change is seen');
    });
});
