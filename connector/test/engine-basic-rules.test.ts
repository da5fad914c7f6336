import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    EMPTY_STATE,
    SALESFORCE_CASE_LIMITS,
    hasOutgoingChange,
    outgoingReplica,
    outgoingReplicas,
    PAYLOAD_FIELD_CHARS,
    PAYLOAD_MARGIN_CHARS,
    planIncoming,
    splitComment,
    stateAfterAcknowledged,
    stateAfterApplied,
    type IncomingPlan,
    type LocalEntity,
    type SyncedState
} from '../src/engine/basic-rules.ts';
import type { Replica } from '../src/protocol/messages.ts';

const CONTEXT = { remoteInstance: 'ServiceNowB', sentAt: '2026-11-21T10:00:00.000Z', limits: SALESFORCE_CASE_LIMITS };

function localCase(overrides: Partial<LocalEntity> = {}): LocalEntity {
    return {
        id: '500000000000001AAA',
        key: '00001027',
        url: 'https://acme.my.salesforce.com/500000000000001AAA',
        summary: 'Printer on fire',
        description: 'Third floor.',
        modifiedAt: '2026-11-21T09:00:00.000Z',
        comments: [],
        attachments: [],
        ...overrides
    };
}

function remoteReplica(overrides: Partial<Replica> = {}): Replica {
    return {
        key: 'INC0010001',
        url: 'https://acme.service-now.com/incident.do?sys_id=abc',
        summary: 'Printer on fire',
        description: 'Third floor.',
        comments: [],
        attachments: [],
        ...overrides
    };
}

/** Applies a plan to a local entity the way an adapter would, returning the entity and the new state. */
function apply(entity: LocalEntity, plan: IncomingPlan, state: SyncedState, replica: Replica) {
    let next = 0;
    const created = plan.commentsToCreate.map((comment) => ({ ...comment, localId: `00a-local-${++next}` }));
    const updated: LocalEntity = {
        ...entity,
        summary: plan.summary ?? entity.summary,
        description: plan.description ?? entity.description,
        comments: [
            ...entity.comments,
            ...created.map((comment) => ({
                id: comment.localId,
                author: 'Exalate connector',
                createdAt: CONTEXT.sentAt,
                body: comment.body
            }))
        ]
    };
    return {
        entity: updated,
        state: stateAfterApplied(
            state,
            updated,
            { summary: replica.summary, description: replica.description },
            created,
            []
        )
    };
}

void describe('outgoing replica', () => {
    void test('carries the fields, the comments and files that started here, and nothing the other side already has', () => {
        const entity = localCase({
            comments: [
                { id: 'c1', author: 'Ann', createdAt: '2026-11-20T08:00:00.000Z', body: 'Smoke seen' },
                { id: 'c2', author: 'Exalate connector', createdAt: '2026-11-20T09:00:00.000Z', body: 'mirrored' },
                { id: 'c3', author: 'Bob', createdAt: '2026-11-20T10:00:00.000Z', body: 'Extinguisher used' }
            ],
            attachments: [
                { id: 'f1', name: 'photo.jpg', contentType: 'image/jpeg', size: 10, sha256: 'a'.repeat(64) },
                { id: 'f2', name: 'log.txt', contentType: 'text/plain', size: 5, sha256: 'b'.repeat(64) }
            ]
        });
        const state: SyncedState = {
            ...EMPTY_STATE,
            sentComments: ['c1'],
            receivedComments: { 'remote-9': 'c2' },
            receivedAttachments: { 'remote-f': 'f2' }
        };

        const replica = outgoingReplica(entity, state);

        assert.equal(replica.summary, 'Printer on fire');
        assert.deepEqual(
            replica.comments.map((comment) => comment.id),
            ['c3']
        );
        assert.deepEqual(
            replica.attachments.map((file) => file.id),
            ['f1']
        );
    });

    void test('has nothing to send once the other side acknowledged it, and something again after a local edit', () => {
        const entity = localCase({
            comments: [{ id: 'c1', author: 'Ann', createdAt: '2026-11-20T08:00:00.000Z', body: 'Smoke seen' }]
        });
        assert.equal(hasOutgoingChange(entity, EMPTY_STATE), true);

        const acknowledged = stateAfterAcknowledged(EMPTY_STATE, outgoingReplica(entity, EMPTY_STATE));

        assert.equal(hasOutgoingChange(entity, acknowledged), false);
        assert.equal(hasOutgoingChange({ ...entity, summary: 'Printer fixed' }, acknowledged), true);
    });
});

void describe('outgoing replicas under a size budget', () => {
    const BUDGET = 20_000;

    function comments(count: number, body: (index: number) => string): LocalEntity['comments'] {
        return Array.from({ length: count }, (_, index) => ({
            id: `c${String(index).padStart(5, '0')}`,
            author: 'Ann',
            createdAt: new Date(Date.parse('2026-11-20T08:00:00.000Z') + index * 1000).toISOString(),
            body: body(index)
        }));
    }

    void test('one replica, equal to the whole one, when everything fits', () => {
        const entity = localCase({ comments: comments(3, (i) => `note ${i}`) });
        assert.deepEqual(outgoingReplicas(entity, EMPTY_STATE, BUDGET), [outgoingReplica(entity, EMPTY_STATE)]);
        assert.equal(outgoingReplicas(localCase(), EMPTY_STATE, BUDGET).length, 1, 'a field change alone is one');
    });

    void test('cuts many comments into replicas that each fit, every comment once, oldest first', () => {
        // A full description, then 60 comments of 4,000 characters with characters JSON escapes.
        const entity = localCase({
            description: 'd"\n'.repeat(8_000),
            comments: [...comments(60, (i) => `${i}:` + 'x"\n\t'.repeat(800))].reverse()
        });
        const replicas = outgoingReplicas(entity, EMPTY_STATE, 100_000);
        assert.ok(replicas.length > 1);
        for (const replica of replicas) {
            assert.ok(JSON.stringify(replica).length <= 100_000, `${JSON.stringify(replica).length} characters`);
            assert.ok(replica.comments.length > 0, 'no replica without a comment');
            assert.equal(replica.description, entity.description, 'each replica is the full state of the fields');
            assert.equal(replica.summary, entity.summary);
        }
        assert.deepEqual(
            replicas.flatMap((replica) => replica.comments.map((comment) => comment.id)),
            comments(60, () => '').map((comment) => comment.id),
            'every comment once, in the order they were written'
        );
    });

    void test('a Salesforce Case at its limits always fits the payload field, message envelope included', () => {
        const entity = localCase({
            summary: 's'.repeat(255),
            description: 'é"'.repeat(16_000),
            comments: comments(2_500, (i) => (i % 10 === 0 ? 'w'.repeat(4_000) : `short ${i}`)),
            attachments: Array.from({ length: 50 }, (_, i) => ({
                id: `068${String(i).padStart(15, '0')}`,
                name: `file-${i}.log`,
                contentType: 'text/plain',
                size: 1_000,
                sha256: 'a'.repeat(64)
            }))
        });
        const envelope = 400;
        const replicas = outgoingReplicas(entity, EMPTY_STATE, PAYLOAD_FIELD_CHARS - PAYLOAD_MARGIN_CHARS - envelope);
        assert.ok(replicas.length >= 4, `${replicas.length} replicas`);
        for (const replica of replicas) {
            assert.ok(JSON.stringify(replica).length + envelope <= PAYLOAD_FIELD_CHARS);
        }
        assert.equal(replicas.flatMap((replica) => replica.comments).length, 2_500);
        assert.equal(replicas.flatMap((replica) => replica.attachments).length, 50);
    });

    void test('acknowledging the replicas one by one leaves the rest to send, then nothing', () => {
        const entity = localCase({ comments: comments(30, () => 'y'.repeat(1_000)) });
        let state = EMPTY_STATE;
        let messages = 0;
        while (hasOutgoingChange(entity, state)) {
            const [first] = outgoingReplicas(entity, state, 10_000);
            state = stateAfterAcknowledged(state, first);
            messages += 1;
            assert.ok(messages < 10, 'the change ends');
        }
        assert.equal(state.sentComments.length, 30);
        assert.equal(messages, Math.ceil(30 / Math.floor(10_000 / 1_060)));
    });

    void test('a comment larger than the budget still goes, alone in its replica', () => {
        const entity = localCase({ comments: comments(3, (i) => (i === 1 ? 'z'.repeat(30_000) : 'small')) });
        const replicas = outgoingReplicas(entity, EMPTY_STATE, BUDGET);
        assert.deepEqual(
            replicas.map((replica) => replica.comments.map((comment) => comment.id)),
            [['c00000'], ['c00001'], ['c00002']]
        );
    });
});

void describe('incoming replica', () => {
    void test('a new remote entity gives all its fields, its comments with the remote author named, and its files', () => {
        const replica = remoteReplica({
            comments: [{ id: 'j1', author: 'Fred Luddy', createdAt: '2026-11-20T08:00:00Z', body: 'On my way' }],
            attachments: [
                { id: 'att1', name: 'a.pdf', contentType: 'application/pdf', size: 3, sha256: 'c'.repeat(64) }
            ]
        });

        const plan = planIncoming(replica, undefined, EMPTY_STATE, CONTEXT);

        assert.equal(plan.summary, 'Printer on fire');
        assert.equal(plan.description, 'Third floor.');
        assert.deepEqual(plan.commentsToCreate, [
            { remoteId: 'j1', part: 1, body: 'Fred Luddy (ServiceNowB) wrote on 2026-11-20T08:00:00Z:\n\nOn my way' }
        ]);
        assert.deepEqual(
            plan.attachmentsToFetch.map((file) => file.id),
            ['att1']
        );
    });

    void test('applying the same replica twice changes nothing the second time and duplicates nothing', () => {
        const replica = remoteReplica({
            summary: 'Printer on fire again',
            comments: [{ id: 'j1', author: 'Fred', createdAt: '2026-11-20T08:00:00Z', body: 'On my way' }]
        });
        const first = apply(
            localCase(),
            planIncoming(replica, localCase(), EMPTY_STATE, CONTEXT),
            EMPTY_STATE,
            replica
        );

        const second = planIncoming(replica, first.entity, first.state, CONTEXT);

        assert.equal(second.summary, undefined);
        assert.equal(second.description, undefined);
        assert.deepEqual(second.commentsToCreate, []);
        assert.deepEqual(
            second.decisions.map((decision) => decision.outcome),
            ['unchanged', 'unchanged']
        );
    });

    void test('a field changed only on the remote side is applied; one changed only here is kept', () => {
        const state: SyncedState = {
            ...EMPTY_STATE,
            summary: 'Printer on fire',
            description: 'Third floor.',
            remoteSummary: 'Printer on fire',
            remoteDescription: 'Third floor.'
        };
        const local = localCase({ description: 'Third floor, room 301.' });
        const replica = remoteReplica({ summary: 'Printer on fire (urgent)' });

        const plan = planIncoming(replica, local, state, CONTEXT);

        assert.equal(plan.summary, 'Printer on fire (urgent)');
        assert.equal(plan.description, undefined);
        assert.deepEqual(
            plan.decisions.map((decision) => [decision.field, decision.outcome]),
            [
                ['summary', 'applied'],
                ['description', 'unchanged']
            ]
        );
    });

    void test('a field changed on both sides goes to the later change, and the decision says why', () => {
        const state: SyncedState = {
            ...EMPTY_STATE,
            summary: 'Printer on fire',
            description: 'Third floor.',
            remoteSummary: 'Printer on fire',
            remoteDescription: 'Third floor.'
        };
        const replica = remoteReplica({ summary: 'Remote title' });

        const localLater = planIncoming(
            replica,
            localCase({ summary: 'Local title', modifiedAt: '2026-11-21T11:00:00.000Z' }),
            state,
            CONTEXT
        );
        const remoteLater = planIncoming(
            replica,
            localCase({ summary: 'Local title', modifiedAt: '2026-11-21T08:00:00.000Z' }),
            state,
            CONTEXT
        );

        assert.equal(localLater.summary, undefined);
        assert.equal(localLater.decisions[0].outcome, 'kept-local');
        assert.match(localLater.decisions[0].reason, /changed on both sides; the local change/);
        assert.equal(remoteLater.summary, 'Remote title');
        assert.match(remoteLater.decisions[0].reason, /the remote change .* is later/);
    });

    void test('a summary too long for Subject is cut with "…", starts the description, and is not written again next time', () => {
        const longSummary = 'S'.repeat(300);
        const replica = remoteReplica({ summary: longSummary });

        const plan = planIncoming(replica, localCase(), EMPTY_STATE, CONTEXT);
        const applied = apply(localCase(), plan, EMPTY_STATE, replica);
        const again = planIncoming(replica, applied.entity, applied.state, CONTEXT);

        assert.equal(plan.summary!.length, 255);
        assert.ok(plan.summary!.endsWith('…'));
        assert.equal(plan.description, `${longSummary}\n\nThird floor.`);
        assert.match(plan.notes[0], /300 characters, more than the 255/);
        assert.equal(again.summary, undefined);
        assert.equal(again.description, undefined);
    });

    void test('a description too long for the field is cut and the note says how much is missing', () => {
        const replica = remoteReplica({ description: 'D'.repeat(32010) });

        const plan = planIncoming(replica, localCase(), EMPTY_STATE, CONTEXT);

        assert.equal(plan.description!.length, 32000);
        assert.match(plan.notes[0], /the last 11 characters are on INC0010001 only/);
    });

    void test('a comment too long for the field is split into numbered parts, none of which is ever sent back', () => {
        const replica = remoteReplica({
            comments: [{ id: 'j1', author: 'Fred', createdAt: '2026-11-20T08:00:00Z', body: 'x'.repeat(9000) }]
        });

        const plan = planIncoming(replica, localCase(), EMPTY_STATE, CONTEXT);
        const applied = apply(localCase(), plan, EMPTY_STATE, replica);

        assert.equal(plan.commentsToCreate.length, 3);
        assert.ok(plan.commentsToCreate.every((comment) => comment.body.length <= 4000));
        assert.deepEqual(
            plan.commentsToCreate.map((comment) => comment.body.slice(0, 11)),
            ['(part 1/3) ', '(part 2/3) ', '(part 3/3) ']
        );
        assert.deepEqual(outgoingReplica(applied.entity, applied.state).comments, []);
        assert.deepEqual(planIncoming(replica, applied.entity, applied.state, CONTEXT).commentsToCreate, []);
    });

    void test('a file whose bytes are already on the Case is not fetched again', () => {
        const sha256 = 'd'.repeat(64);
        const local = localCase({
            attachments: [{ id: 'f1', name: 'same.pdf', contentType: 'application/pdf', size: 3, sha256 }]
        });
        const replica = remoteReplica({
            attachments: [{ id: 'att1', name: 'same.pdf', contentType: 'application/pdf', size: 3, sha256 }]
        });

        assert.deepEqual(planIncoming(replica, local, EMPTY_STATE, CONTEXT).attachmentsToFetch, []);
    });
});

void describe('two sides talking', () => {
    void test('comments added on both sides over several rounds end up once on each side, and nothing echoes', () => {
        let a = { entity: localCase({ id: 'A', key: 'A-1' }), state: EMPTY_STATE };
        let b = { entity: localCase({ id: 'B', key: 'B-1' }), state: EMPTY_STATE };
        const send = (from: typeof a, to: typeof b) => {
            const replica = outgoingReplica(from.entity, from.state);
            const plan = planIncoming(replica, to.entity, to.state, CONTEXT);
            const applied = apply(to.entity, plan, to.state, replica);
            return { from: { ...from, state: stateAfterAcknowledged(from.state, replica) }, to: applied };
        };
        const comment = (id: string, body: string) => ({ id, author: 'Someone', createdAt: CONTEXT.sentAt, body });

        a = { ...a, entity: { ...a.entity, comments: [comment('a1', 'first from A')] } };
        ({ from: a, to: b } = send(a, b));
        b = { ...b, entity: { ...b.entity, comments: [...b.entity.comments, comment('b1', 'reply from B')] } };
        ({ from: b, to: a } = send(b, a));
        ({ from: a, to: b } = send(a, b));
        ({ from: b, to: a } = send(b, a));

        assert.equal(a.entity.comments.length, 2);
        assert.equal(b.entity.comments.length, 2);
        assert.equal(hasOutgoingChange(a.entity, a.state), false);
        assert.equal(hasOutgoingChange(b.entity, b.state), false);
    });
});

void describe('splitComment', () => {
    void test('leaves a comment that fits alone', () => {
        assert.deepEqual(splitComment('short', 4000), ['short']);
    });
});
