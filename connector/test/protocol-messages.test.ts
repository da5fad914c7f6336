// Message envelopes of node protocol v1 (connector/src/protocol/messages.ts): good messages pass as
// clean copies; a bad one is refused with the path of the field that is wrong; size bounds hold.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
    MAX_BATCH_MESSAGES,
    MAX_MESSAGE_BYTES,
    checkProtocolHeader,
    validateAck,
    validateAckBatch,
    validateMessageBatch,
    validatePollResponse,
    validateSyncMessage
} from '../src/protocol/messages.ts';
import type { SyncMessage, ValidationReason, ValidationResult } from '../src/protocol/messages.ts';

const CONNECTION = randomUUID();

function upsert(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        protocol: 1,
        messageId: randomUUID(),
        connectionId: CONNECTION,
        twinKey: '00001027',
        sequence: 3,
        sentAt: '2026-01-01T09:30:00.000Z',
        kind: 'entity-upsert',
        replica: {
            key: '00001027',
            url: 'https://emea.my.salesforce.com/lightning/r/Case/500000000000001AAA/view',
            summary: 'Printer on fire',
            description: 'It is still burning.\nSecond line.',
            comments: [
                { id: 'c-1', author: 'Ada', createdAt: '2026-01-01T09:00:00Z', body: 'On it.' },
                { id: 'c-2', author: 'Grace', createdAt: '2026-01-01T10:15:00.123+01:00', body: '' }
            ],
            attachments: [
                {
                    id: 'a-1',
                    name: 'photo.jpg',
                    contentType: 'image/jpeg',
                    size: 123456,
                    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
                }
            ]
        },
        ...changes
    };
}

/** The message with one field, at a dotted path, replaced (or removed with `undefined`). */
function withField(path: string, value: unknown): Record<string, unknown> {
    const message = structuredClone(upsert());
    const keys = path.split('.');
    let target: Record<string, unknown> = message;
    for (const key of keys.slice(0, -1)) {
        target = target[key] as Record<string, unknown>;
    }
    const last = keys.at(-1) as string;
    if (value === undefined) {
        delete target[last];
    } else {
        target[last] = value;
    }
    return message;
}

function expectRefused<T>(result: ValidationResult<T>, field: string, reason: ValidationReason = 'malformed'): string {
    assert.ok(!result.ok, `expected ${field} to be refused`);
    assert.equal(result.field, field, result.message);
    assert.equal(result.reason, reason, result.message);
    assert.equal(result.status, reason === 'too-large' ? 413 : 400);
    if (field !== '') {
        assert.ok(result.message.startsWith(field), `the message names the field: ${result.message}`);
    }
    return result.message;
}

void describe('sync message validation', () => {
    void it('accepts a good upsert and returns a copy of the known fields only', () => {
        const message = upsert({ futureField: { anything: true } });
        const result = validateSyncMessage(message, { connectionId: CONNECTION });
        assert.ok(result.ok, result.ok ? '' : result.message);
        const { futureField, ...known } = message;
        assert.ok(futureField);
        assert.deepEqual(result.value, known);
        assert.notEqual(result.value, message);
    });

    void it('accepts entity-deleted and unlink messages without a replica', () => {
        for (const kind of ['entity-deleted', 'unlink']) {
            const result = validateSyncMessage(upsert({ kind, replica: undefined }));
            assert.ok(result.ok, result.ok ? '' : result.message);
            assert.equal('replica' in result.value, false);
        }
    });

    void it("carries the receiver's key when the sender knows it, and leaves it out otherwise", () => {
        const known = validateSyncMessage(upsert({ receiverKey: '00001001' }));
        assert.ok(known.ok, known.ok ? '' : known.message);
        assert.equal(known.value.receiverKey, '00001001');
        const unknown = validateSyncMessage(upsert());
        assert.ok(unknown.ok, unknown.ok ? '' : unknown.message);
        assert.equal('receiverKey' in unknown.value, false);
    });

    void it('names the field of a bad message', () => {
        const cases: [string, unknown, RegExp?][] = [
            ['messageId', 'not-a-uuid', /a lowercase UUID, not "not-a-uuid"/],
            ['messageId', randomUUID().toUpperCase()],
            ['connectionId', undefined, /is missing/],
            ['twinKey', '  ', /must not be blank/],
            ['twinKey', 'k'.repeat(256), /256 characters long; at most 255/],
            ['receiverKey', '', /must not be blank/],
            ['receiverKey', 7, /must be a string, not 7/],
            ['sequence', 0, /a whole number, 1 or more, not 0/],
            ['sequence', 1.5],
            ['sequence', '3', /not "3"/],
            ['sentAt', '2026-02-30T00:00:00Z', /no such date/],
            ['sentAt', '2026-01-01 09:30:00', /ISO 8601/],
            ['sentAt', '2026-01-01T09:30:00', /with a zone/],
            ['kind', 'entity-update', /one of entity-upsert, entity-deleted, unlink, not "entity-update"/],
            ['replica', undefined, /an entity-upsert message carries the entity's replica/],
            ['replica', [], /must be a JSON object, not an array/],
            ['replica.key', '', /must not be blank/],
            ['replica.url', 'javascript:alert(1)', /http\(s\) URL/],
            ['replica.summary', 42, /must be a string, not 42/],
            ['replica.description', null, /not null/],
            ['replica.comments', undefined, /is missing/],
            ['replica.comments', {}, /JSON array/]
        ];
        for (const [field, value, message] of cases) {
            const text = expectRefused(validateSyncMessage(withField(field, value)), field);
            if (message !== undefined) {
                assert.match(text, message);
            }
        }
    });

    void it('names fields inside lists by index', () => {
        const message = upsert();
        const replica = message.replica as {
            comments: Record<string, unknown>[];
            attachments: Record<string, unknown>[];
        };
        replica.comments[1].createdAt = 'yesterday';
        expectRefused(validateSyncMessage(message), 'replica.comments[1].createdAt');
        const second = upsert();
        (second.replica as typeof replica).attachments[0].sha256 =
            'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
        expectRefused(validateSyncMessage(second), 'replica.attachments[0].sha256');
        const third = upsert();
        (third.replica as typeof replica).attachments[0].size = -1;
        expectRefused(validateSyncMessage(third), 'replica.attachments[0].size');
        const fourth = upsert();
        (fourth.replica as typeof replica).attachments[0].contentType = 'jpeg';
        expectRefused(validateSyncMessage(fourth), 'replica.attachments[0].contentType');
    });

    void it('refuses a replica on a message that is not an upsert', () => {
        const text = expectRefused(validateSyncMessage(upsert({ kind: 'unlink' })), 'replica');
        assert.match(text, /must be absent in an unlink message/);
    });

    void it('tells another protocol version from a malformed one', () => {
        const newer = expectRefused(validateSyncMessage(upsert({ protocol: 2 })), 'protocol', 'unsupported-protocol');
        assert.match(newer, /protocol is 2: this node speaks protocol 1/);
        expectRefused(validateSyncMessage(upsert({ protocol: '1' })), 'protocol');
        expectRefused(validateSyncMessage(upsert({ protocol: undefined })), 'protocol');
    });

    void it('refuses a message for another connection than the one that signed the request', () => {
        const text = expectRefused(validateSyncMessage(upsert(), { connectionId: randomUUID() }), 'connectionId');
        assert.match(text, /signed for connection/);
    });

    void it('refuses what is not an object', () => {
        for (const value of [null, 'message', 42, [upsert()]]) {
            const text = expectRefused(validateSyncMessage(value), '');
            assert.match(text, /the body must be a JSON object/);
        }
    });

    void it('enforces the size bound of 1 MiB of JSON, and no bound on single strings', () => {
        const fitting = upsert();
        const replica = fitting.replica as { description: string };
        replica.description = '';
        replica.description = 'x'.repeat(MAX_MESSAGE_BYTES - Buffer.byteLength(JSON.stringify(fitting)));
        assert.equal(Buffer.byteLength(JSON.stringify(fitting)), MAX_MESSAGE_BYTES);
        assert.ok(validateSyncMessage(fitting).ok, 'exactly 1 MiB passes, with a 1 MiB description');
        const over = upsert();
        (over.replica as { summary: string }).summary = 'é'.repeat(MAX_MESSAGE_BYTES / 2);
        const text = expectRefused(validateSyncMessage(over), '', 'too-large');
        assert.match(text, /at most 1048576 bytes of JSON/);
    });

    void it('does not repeat long text in its messages', () => {
        const secretLooking = 'customer data '.repeat(10);
        const result = validateSyncMessage(withField('twinKey', secretLooking.repeat(3)));
        assert.ok(!result.ok);
        assert.ok(!result.message.includes('customer data'));
    });

    void it('survives JSON nested deeper than the stack', () => {
        let deep: unknown = {};
        for (let depth = 0; depth < 100_000; depth++) {
            deep = { deep };
        }
        const result = validateSyncMessage(upsert({ extra: deep }));
        assert.ok(!result.ok);
        assert.equal(result.reason, 'too-large');
    });
});

void describe('acks, batches and poll answers', () => {
    void it('checks acks: status, optional members, and an error for a rejection', () => {
        const messageId = randomUUID();
        assert.ok(
            validateAck({
                messageId,
                status: 'applied',
                remoteKey: 'INC0010001',
                remoteUrl: 'https://snow.example.com/x'
            }).ok
        );
        assert.ok(validateAck({ messageId, status: 'out-of-order', error: 'expected sequence 4' }).ok);
        expectRefused(validateAck({ messageId, status: 'rejected' }), 'error');
        expectRefused(validateAck({ messageId, status: 'done' }), 'status');
        expectRefused(validateAck({ messageId, status: 'applied', remoteKey: '' }), 'remoteKey');
        const clean = validateAck({ messageId, status: 'duplicate', extra: 1 });
        assert.ok(clean.ok);
        assert.deepEqual(clean.value, { messageId, status: 'duplicate' });
    });

    void it('checks a batch: paths name the message, the count and the connection are bounded', () => {
        const good = {
            messages: [upsert(), upsert({ kind: 'unlink', replica: undefined })],
            acks: [{ messageId: randomUUID(), status: 'applied' }]
        };
        const result = validateMessageBatch(good, { connectionId: CONNECTION });
        assert.ok(result.ok, result.ok ? '' : result.message);
        assert.equal(result.value.messages.length, 2);
        assert.ok(validateMessageBatch({ messages: [], acks: [] }).ok, 'a batch may carry acks only');

        const bad = { messages: [upsert(), upsert(), upsert({ twinKey: 7 })] };
        expectRefused(validateMessageBatch(bad), 'messages[2].twinKey');
        expectRefused(
            validateMessageBatch({ messages: [upsert()], acks: [{ status: 'applied' }] }),
            'acks[0].messageId'
        );
        expectRefused(validateMessageBatch({}), 'messages');
        expectRefused(
            validateMessageBatch({ messages: [upsert({ connectionId: randomUUID() })] }, { connectionId: CONNECTION }),
            'messages[0].connectionId'
        );
        const tooMany = {
            messages: Array.from({ length: MAX_BATCH_MESSAGES + 1 }, () =>
                upsert({ kind: 'unlink', replica: undefined })
            )
        };
        expectRefused(validateMessageBatch(tooMany), 'messages', 'too-large');
    });

    void it('checks that an ack batch answers the messages sent, in order', () => {
        const ids = [randomUUID(), randomUUID()];
        const acks = ids.map((messageId) => ({ messageId, status: 'applied' }));
        assert.ok(validateAckBatch({ acks }, ids).ok);
        expectRefused(validateAckBatch({ acks: [...acks].reverse() }, ids), 'acks[0].messageId');
        expectRefused(validateAckBatch({ acks: acks.slice(1) }, ids), 'acks');
    });

    void it('checks a poll answer and its cursor', () => {
        const result = validatePollResponse({ messages: [upsert()], cursor: 'c-000042' }, { connectionId: CONNECTION });
        assert.ok(result.ok);
        const messages: readonly SyncMessage[] = result.value.messages;
        assert.equal(messages.length, 1);
        expectRefused(validatePollResponse({ messages: [], cursor: 'c 42' }), 'cursor');
        expectRefused(validatePollResponse({ messages: [], cursor: '' }), 'cursor');
        expectRefused(
            validatePollResponse({ messages: [upsert({ sequence: -1 })], cursor: 'c-1' }),
            'messages[0].sequence'
        );
    });
});

void describe('protocol header', () => {
    void it('accepts major version 1 with any minor version and refuses the rest with 400 unsupported-protocol', () => {
        assert.deepEqual(checkProtocolHeader({ 'x-exalate-protocol': '1' }), { ok: true, major: 1, minor: 0 });
        assert.deepEqual(checkProtocolHeader({ 'X-Exalate-Protocol': '1.3' }), { ok: true, major: 1, minor: 3 });
        const refusals = [
            {},
            { 'x-exalate-protocol': '2' },
            { 'x-exalate-protocol': 'one' },
            { 'x-exalate-protocol': ['1', '1'] }
        ];
        for (const headers of refusals) {
            const result = checkProtocolHeader(headers);
            assert.ok(!result.ok);
            assert.equal(result.reason, 'unsupported-protocol');
            assert.equal(result.status, 400);
        }
        const newer = checkProtocolHeader({ 'x-exalate-protocol': '2.0' });
        assert.ok(!newer.ok);
        assert.match(newer.message, /speaks protocol 2; this node speaks protocol 1/);
    });
});
