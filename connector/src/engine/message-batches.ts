// Batches the other node accepts: at most MAX_BATCH_MESSAGES messages and MAX_BATCH_BYTES of JSON.
//
// A message holds up to about 131,000 characters (what a sync event's payload field takes), so a
// hundred large ones would be far over the 4 MiB a node reads in one request and be refused with
// 413. Batches are therefore cut by size as well as by count.
import { Buffer } from 'node:buffer';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from '../protocol/messages.ts';
import type { SyncMessage } from '../protocol/messages.ts';

/** Room left for the batch's envelope and acks. */
const ENVELOPE_BYTES = 64 * 1024;

/** The bytes the messages of one batch may take. */
export const BATCH_MESSAGE_BYTES = MAX_BATCH_BYTES - ENVELOPE_BYTES;

/** The size of a message in a batch: its JSON and the comma that separates it from the next. */
export function messageBytes(message: SyncMessage): number {
    return Buffer.byteLength(JSON.stringify(message)) + 1;
}

/**
 * Cuts items into batches of at most `maxCount` items whose messages take at most `maxBytes`, in
 * their order. A single message larger than `maxBytes` (it cannot be) would still go alone.
 */
export function cutIntoBatches<T>(
    items: readonly T[],
    sizeOf: (item: T) => number,
    maxCount = MAX_BATCH_MESSAGES,
    maxBytes = BATCH_MESSAGE_BYTES
): T[][] {
    const batches: T[][] = [];
    let batch: T[] = [];
    let bytes = 0;
    for (const item of items) {
        const size = sizeOf(item);
        if (batch.length > 0 && (batch.length >= maxCount || bytes + size > maxBytes)) {
            batches.push(batch);
            batch = [];
            bytes = 0;
        }
        batch.push(item);
        bytes += size;
    }
    if (batch.length > 0) {
        batches.push(batch);
    }
    return batches;
}
