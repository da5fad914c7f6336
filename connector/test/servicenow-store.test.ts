// The ServiceNow side's SQLite store: migrations, what it keeps for the engine and the console, and
// durability: a writer killed with SIGKILL at random moments leaves a file that opens, passes
// SQLite's integrity check and holds every commit the writer acknowledged, each one whole.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS, SCHEMA_VERSION, StoreTooNewError } from '../src/servicenow/store/migrations.ts';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';
import type { NewConnection } from '../src/servicenow/store/servicenow-store.ts';

let dir: string;
before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-store-'));
});
after(async () => {
    await rm(dir, { recursive: true, force: true });
});

function connection(overrides: Partial<NewConnection> = {}): NewConnection {
    return {
        name: 'ServiceNow_to_Salesforce',
        localInstanceName: 'ServiceNow',
        remoteInstanceName: 'Salesforce',
        description: null,
        type: 'Public',
        status: 'Pending',
        role: 'Initiator',
        remotePlatform: 'Salesforce',
        remoteNodeUrl: null,
        invitationId: '3f2b8c1e-9a4d-4e7b-8c21-5d6f0a9b7e13',
        invitationExpires: '2030-01-01T00:00:00.000Z',
        acceptedBy: null,
        acceptedAt: null,
        ...overrides
    };
}

void describe('ServiceNow store: migrations', () => {
    void it('creates the schema once and records it; reopening applies nothing', () => {
        const path = join(dir, 'migrate.db');
        ServiceNowStore.open(path).close();
        const db = new Database(path);
        assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        const rows = db.prepare('SELECT version, name FROM schema_migrations').all() as { version: number }[];
        assert.deepEqual(
            rows.map((row) => row.version),
            MIGRATIONS.map((migration) => migration.version)
        );
        assert.deepEqual(migrate(db), [], 'nothing left to apply');
        db.close();
    });

    void it('refuses a file written by a newer connector and leaves it untouched', () => {
        const path = join(dir, 'newer.db');
        ServiceNowStore.open(path).close();
        const db = new Database(path);
        db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
        db.close();
        assert.throws(() => ServiceNowStore.open(path), StoreTooNewError);
        const again = new Database(path);
        assert.equal(again.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
        again.close();
    });

    void it('a migration that fails leaves the file at the version before it', () => {
        const db = new Database(join(dir, 'failing.db'));
        const broken = [
            ...MIGRATIONS,
            { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE extra (id TEXT); SELECT * FROM nowhere;' }
        ];
        assert.throws(() => migrate(db, broken), /no such table: nowhere/);
        assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get(), undefined);
        db.close();
    });
});

void describe('ServiceNow store: records', () => {
    let store: ServiceNowStore;
    before(() => {
        store = ServiceNowStore.open(join(dir, 'records.db'));
    });
    after(() => store.close());

    void it('keeps a connection and its secret apart, and refuses an invitation accepted twice', () => {
        const id = store.insertConnection(connection(), 'the-secret-value');
        assert.equal(store.readSecret(id), 'the-secret-value');
        assert.ok(!JSON.stringify(store.readConnections()).includes('the-secret-value'), 'no listing shows a secret');
        assert.equal(store.findConnectionByInvitation('3F2B8C1E-9A4D-4E7B-8C21-5D6F0A9B7E13')?.id, id);
        assert.throws(() => store.insertConnection(connection({ name: 'again' }), 'other'), /UNIQUE/);
        assert.equal(store.readConnections().length, 1, 'the refused copy left nothing behind');
        assert.ok(store.updateConnection({ id, status: 'Active', acceptedBy: 'Salesforce' }));
        assert.equal(store.findConnection(id)?.status, 'Active');
        store.deleteConnection(id);
    });

    void it('deletes a connection with its triggers, twins and secret', () => {
        const id = store.insertConnection(connection({ invitationId: '11111111-1111-4111-8111-111111111111' }), 's');
        store.insertTrigger({ connectionId: id, filter: 'urgency=1', active: true, notes: null });
        store.upsertTwin(`${id}:abc`, id, { caseId: 'abc', syncStatus: 'Preparing' });
        assert.equal(store.findConnection(id)?.triggers[0].filter, 'urgency=1');
        assert.equal(store.findConnection(id)?.syncedCaseCount, 1);
        assert.ok(store.deleteConnection(id));
        assert.equal(store.readSecret(id), undefined);
        assert.deepEqual(store.readTwins({ connectionId: id }), []);
        assert.deepEqual(store.db.prepare('SELECT COUNT(*) AS n FROM connection_triggers').get(), { n: 0 });
    });

    void it('upserts twins by key, reads them by case, id, connection and remote key', () => {
        const id = store.insertConnection(connection({ invitationId: '22222222-2222-4222-8222-222222222222' }), 's');
        const first = store.upsertTwin(`${id}:inc1`, id, { caseId: 'inc1', syncState: { summary: 'a' } });
        const again = store.upsertTwin(`${id}:inc1`, id, { remoteKey: '00001001', lastIncomingSeq: 3 });
        assert.equal(first.created, true);
        assert.deepEqual(again, { id: first.id, created: false });
        const [twin] = store.readTwins({ connectionId: id, remoteKeys: ['00001001'] });
        assert.equal(twin.caseId, 'inc1');
        assert.equal(twin.lastIncomingSeq, 3);
        assert.deepEqual(twin.syncState, { summary: 'a' }, 'what was not given is left alone');
        assert.match(twin.name, /^TW-\d{6}$/);
        assert.equal(store.readTwins({ caseIds: ['inc1'] })[0].id, first.id);
        assert.equal(store.readTwins({ twinIds: [first.id] })[0].id, first.id);
    });

    void it('reads due events earliest first, and Retry puts a failed one back', () => {
        const early = store.createEvent({
            direction: 'Outgoing',
            stage: 'Sending',
            nextAttempt: '2026-01-01T00:00:01.000Z'
        });
        const later = store.createEvent({
            direction: 'Outgoing',
            stage: 'Preparing',
            nextAttempt: '2026-01-01T00:00:09.000Z'
        });
        const failed = store.createEvent({ direction: 'Outgoing', stage: 'Failed', error: 'refused' });
        const due = store.readDueEvents(10, '2026-01-01T00:00:05.000Z').map((event) => event.id);
        assert.deepEqual(due, [early]);
        assert.deepEqual(
            store.readDueEvents(10, '2026-01-01T00:00:10.000Z').map((event) => event.id),
            [early, later]
        );
        assert.equal(store.retryEvent(early), false, 'only a failed event is retried');
        assert.equal(store.retryEvent(failed), true);
        const retried = store.findEvent(failed);
        assert.equal(retried?.stage, 'Preparing');
        assert.equal(retried?.error, null);
        assert.match(retried?.name ?? '', /^EV-\d{8}$/);
    });

    void it('keeps watermarks, echoes, digests and the wake counter', () => {
        assert.equal(store.readWatermark('incidents'), undefined);
        store.writeWatermark('incidents', { value: '2026-01-01T00:00:00.000Z', seenAtValue: ['a', 'b'] });
        store.writeWatermark('incidents', { value: '2026-01-01T00:00:02.000Z', seenAtValue: ['c'] });
        assert.deepEqual(store.readWatermark('incidents'), { value: '2026-01-01T00:00:02.000Z', seenAtValue: ['c'] });
        store.recordEchoes(new Map([['inc9', '2026-01-01T00:00:03.000Z']]));
        assert.equal(store.echoesOf(['inc9', 'nope']).get('inc9'), '2026-01-01T00:00:03.000Z');
        store.rememberDigest('f'.repeat(64), 'a'.repeat(32));
        assert.equal(store.md5sOf(['f'.repeat(64)]).get('f'.repeat(64)), 'a'.repeat(32));
        const before = store.readWake();
        const after = store.bumpWake('connection');
        assert.equal(after.counter, before.counter + 1);
        assert.equal(after.connectionCounter, before.connectionCounter + 1);
        assert.equal(store.bumpWake('retry').connectionCounter, after.connectionCounter);
    });
});

/** Runs the writer until it acknowledged some rounds, then kills it with SIGKILL; answers the last acknowledged round. */
async function writeThenKill(
    path: string,
    firstRound: number,
    acksBeforeKill: number,
    extraMs: number
): Promise<number> {
    const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'servicenow-store-writer.ts'), path, String(firstRound)],
        {
            stdio: ['ignore', 'pipe', 'inherit']
        }
    );
    let lastAcked = firstRound - 1;
    let buffered = '';
    let acks = 0;
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', () => resolve());
        child.stdout.on('data', (chunk: Buffer) => {
            buffered += chunk.toString('utf8');
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) {
                if (/^\d+$/.test(line)) {
                    lastAcked = Number(line);
                    acks += 1;
                }
            }
            if (acks >= acksBeforeKill) {
                resolve();
            }
        });
    });
    // Kill a little later, at a moment the test does not choose: mid-transaction or mid-checkpoint.
    await new Promise((resolve) => setTimeout(resolve, extraMs));
    child.kill('SIGKILL');
    // Every line written before the kill has been read by the time the process and its pipe close.
    await closed;
    for (const line of buffered.split('\n')) {
        if (/^\d+$/.test(line)) {
            lastAcked = Number(line);
        }
    }
    return lastAcked;
}

void describe('ServiceNow store: kill -9', () => {
    void it('reopens consistent after SIGKILL at random moments, with every acknowledged commit whole', async () => {
        const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
        let state = seed;
        const random = (): number => {
            state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
            return state / 2 ** 31;
        };
        const path = join(dir, 'crash.db');
        let next = 1;
        let acknowledged = 0;
        for (let kill = 0; kill < 5; kill += 1) {
            const last = await writeThenKill(path, next, 20 + Math.floor(random() * 200), Math.floor(random() * 40));
            acknowledged = Math.max(acknowledged, last);
            const store = ServiceNowStore.open(path);
            try {
                assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok', `seed ${seed}`);
                const twins = store.readTwins();
                const rounds = twins.map((twin) => Number((twin.key ?? '').split(':')[1])).sort((a, b) => a - b);
                const newest = rounds.at(-1) ?? 0;
                assert.ok(
                    newest >= acknowledged,
                    `seed ${seed}: round ${acknowledged} was acknowledged, the file ends at ${newest}`
                );
                assert.deepEqual(
                    rounds,
                    Array.from({ length: newest }, (_, i) => i + 1),
                    `seed ${seed}: no round missing`
                );
                const events = store.readEventsByMessageIds(rounds.map((round) => `message-${round}`));
                assert.equal(events.length, newest, `seed ${seed}: every twin has its event (one transaction)`);
                assert.equal(store.readSignals(100_000).length, newest, `seed ${seed}: every twin has its signal`);
                assert.equal(store.readWatermark('incidents')?.value, String(newest).padStart(10, '0'));
                next = newest + 1;
            } finally {
                store.close();
            }
        }
        assert.ok(acknowledged >= 100, `the writer got somewhere (${acknowledged} rounds)`);
    });
});
