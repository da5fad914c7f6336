// Batches a node accepts: at most 100 messages and 4 MiB of JSON per request or poll answer, however
// large the messages (a message holds up to about 131,000 characters).
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { BATCH_MESSAGE_BYTES, cutIntoBatches, messageBytes } from '../src/engine/message-batches.ts';
import { PollOutbox } from '../src/engine/poll-outbox.ts';
import { MAX_BATCH_BYTES, validateMessageBatch } from '../src/protocol/messages.ts';
import type { SyncMessage } from '../src/protocol/messages.ts';

const CONNECTION = randomUUID();

function message(twin: number, descriptionLength: number): SyncMessage {
    return {
        protocol: 1,
        messageId: randomUUID(),
        connectionId: CONNECTION,
        twinKey: String(1000 + twin),
        sequence: 1,
        sentAt: '2026-01-01T09:30:00.000Z',
        kind: 'entity-upsert',
        replica: {
            key: String(1000 + twin),
            url: '',
            summary: `Case ${twin}`,
            description: 'é'.repeat(descriptionLength),
            comments: [],
            attachments: []
        }
    };
}

function batchBytes(messages: readonly SyncMessage[]): number {
    return Buffer.byteLength(JSON.stringify({ messages }));
}

void describe('message batches', () => {
    void it('cuts 100 messages of 130,000 characters into batches under 4 MiB, in order', () => {
        const messages = Array.from({ length: 100 }, (_, index) => message(index, 130_000));
        const batches = cutIntoBatches(messages, messageBytes);
        assert.ok(batches.length > 1, `${batches.length} batch`);
        assert.deepEqual(batches.flat(), messages, 'every message once, in order');
        for (const batch of batches) {
            assert.ok(batchBytes(batch) <= MAX_BATCH_BYTES, `${batchBytes(batch)} bytes`);
            const checked = validateMessageBatch({ messages: batch }, { connectionId: CONNECTION });
            assert.ok(checked.ok, checked.ok ? '' : checked.message);
        }
    });

    void it('keeps small messages 100 to a batch', () => {
        const messages = Array.from({ length: 250 }, (_, index) => message(index, 10));
        assert.deepEqual(
            cutIntoBatches(messages, messageBytes).map((batch) => batch.length),
            [100, 100, 50]
        );
    });

    void it('answers a poll with what fits, and the rest at the next poll', () => {
        const outbox = new PollOutbox();
        const messages = Array.from({ length: 40 }, (_, index) => message(index, 130_000));
        for (const entry of messages) {
            outbox.add(entry);
        }
        const received: SyncMessage[] = [];
        let after: string | undefined;
        for (let poll = 0; poll < 40 && received.length < messages.length; poll += 1) {
            const answer = outbox.read(after, 100, BATCH_MESSAGE_BYTES);
            assert.ok(answer.messages.length > 0);
            assert.ok(batchBytes(answer.messages) <= MAX_BATCH_BYTES, `${batchBytes(answer.messages)} bytes`);
            received.push(...answer.messages);
            after = answer.cursor;
        }
        assert.deepEqual(
            received.map((entry) => entry.messageId),
            messages.map((entry) => entry.messageId)
        );
    });
});
