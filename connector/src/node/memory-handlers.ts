// An in-memory implementation of `NodeHandlers`: the transport's test double, and a small executable
// reading of the handler contract (waiting long-polls that end early when a message arrives or the
// signal fires, uploads kept only when their body ended normally, idempotent invitation acceptance).
//
// It is not the sync engine: it applies nothing (every new message is acked `applied`, a repeated id
// `duplicate`), keeps everything in memory, and records every call so tests can tell whether a request
// reached the engine.
import { Buffer } from 'node:buffer';
import { createConfirmation } from '../protocol/invitation-proof.ts';
import type { InvitationConfirmation, VerifiedAcceptance } from '../protocol/invitation-proof.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import { MAX_BATCH_MESSAGES } from '../protocol/messages.ts';
import type { Ack, MessageBatch, SyncMessage } from '../protocol/messages.ts';
import { sha256Hex } from '../protocol/signing.ts';
import type { ConnectionCommand } from './endpoints.ts';
import type {
    AcceptInvitationResult,
    AttachmentSource,
    AttachmentUpload,
    NodeHandlers,
    PollMessagesResult,
    PollRequest,
    ReceiveMessagesResult,
    StoreAttachmentResult
} from './handlers.ts';

/** The name of a handler method, for `calls`. */
export type HandlerMethod = keyof NodeHandlers;

/** One recorded call. */
export interface HandlerCall {
    readonly method: HandlerMethod;
    /** The connection or invitation id the call was about. */
    readonly id: string;
}

interface Connection {
    readonly keys: ConnectionKeys;
    status: 'Active' | 'Deactivated';
}

interface Invitation {
    readonly keys: ConnectionKeys;
    readonly expiresAt: number;
    accepted?: { readonly fields: string; readonly confirmation: InvitationConfirmation };
}

interface Outbox {
    readonly entries: { readonly seq: number; readonly message: SyncMessage }[];
    seq: number;
    readonly waiters: Set<() => void>;
}

const CURSOR = /^c-([0-9]{1,15})$/;
const CHUNK_BYTES = 64 * 1024;

/** Handlers that keep a node's state in memory. */
export class MemoryHandlers implements NodeHandlers {
    /** Every call of a handler method, in order. */
    readonly calls: HandlerCall[] = [];
    /** Messages received per connection, in arrival order (duplicates included). */
    readonly received = new Map<string, SyncMessage[]>();
    /** Acks of polled messages received per connection. */
    readonly acksReceived = new Map<string, Ack[]>();
    /** Attachments stored, by `<connection id>/<sha256>`. */
    readonly attachments = new Map<string, Buffer>();
    readonly #clock: () => number;
    readonly #connections = new Map<string, Connection>();
    readonly #invitations = new Map<string, Invitation>();
    readonly #outboxes = new Map<string, Outbox>();
    readonly #offered = new Map<string, Buffer>();
    readonly #seen = new Map<string, Ack>();
    readonly #failures = new Map<HandlerMethod, unknown>();

    /** @param options the clock for invitation expiry; `Date.now` unless given */
    constructor(options: { readonly clock?: () => number } = {}) {
        this.#clock = options.clock ?? Date.now;
    }

    /** Adds an active connection with this node's keys of it. */
    addConnection(keys: ConnectionKeys): void {
        this.#connections.set(keys.connectionId, { keys, status: 'Active' });
    }

    /** Adds an invitation this node created (initiator keys), expiring at the given time (ms). */
    addInvitation(keys: ConnectionKeys, expiresAt: number): void {
        this.#invitations.set(keys.connectionId, { keys, expiresAt });
    }

    /** The connection's status, or `undefined` when it does not exist (or was deleted). */
    statusOf(connectionId: string): 'Active' | 'Deactivated' | undefined {
        return this.#connections.get(connectionId)?.status;
    }

    /**
     * Puts a message in the outbox of a connection, for the peer's long-poll; wakes waiting polls.
     *
     * @returns the cursor after the message
     */
    enqueue(connectionId: string, message: SyncMessage): string {
        const outbox = this.#outbox(connectionId);
        outbox.seq += 1;
        outbox.entries.push({ seq: outbox.seq, message });
        for (const wake of outbox.waiters) {
            wake();
        }
        return `c-${outbox.seq}`;
    }

    /**
     * Makes bytes available to the peer of a connection (as if a message sent on it referenced them).
     *
     * @returns their SHA-256
     */
    offerAttachment(connectionId: string, bytes: Uint8Array): string {
        const sha256 = sha256Hex(bytes);
        this.#offered.set(`${connectionId}/${sha256}`, Buffer.from(bytes));
        return sha256;
    }

    /** Makes the next call of a method throw this error (once). */
    failNext(method: HandlerMethod, error: unknown): void {
        this.#failures.set(method, error);
    }

    /** How many times a method was called. */
    callsOf(method: HandlerMethod): number {
        return this.calls.filter((call) => call.method === method).length;
    }

    keysFor(connectionId: string): ConnectionKeys | undefined {
        this.#record('keysFor', connectionId);
        return this.#connections.get(connectionId)?.keys;
    }

    invitationKeys(invitationId: string): ConnectionKeys | undefined {
        this.#record('invitationKeys', invitationId);
        return this.#invitations.get(invitationId)?.keys;
    }

    acceptInvitation(acceptance: VerifiedAcceptance): AcceptInvitationResult {
        this.#record('acceptInvitation', acceptance.invitationId);
        const invitation = this.#invitations.get(acceptance.invitationId);
        if (invitation === undefined) {
            return { ok: false, reason: 'unknown-invitation', message: 'No such invitation.' };
        }
        const fields = JSON.stringify([
            acceptance.invitationId,
            acceptance.acceptorInstance,
            acceptance.acceptorPlatform,
            acceptance.acceptorNodeUrl,
            acceptance.acceptorNonce,
            acceptance.proof
        ]);
        // Accepted before: the same acceptance is a retry and gets the same answer; another is refused.
        // Checked before expiry, so a retry after the expiry still gets its answer.
        if (invitation.accepted !== undefined) {
            return invitation.accepted.fields === fields
                ? { ok: true, confirmation: invitation.accepted.confirmation }
                : {
                      ok: false,
                      reason: 'already-accepted',
                      message: `Invitation ${acceptance.invitationId} was accepted already.`
                  };
        }
        if (this.#clock() >= invitation.expiresAt) {
            return {
                ok: false,
                reason: 'invitation-expired',
                message: `Invitation ${acceptance.invitationId} expired at ${new Date(invitation.expiresAt).toISOString()}.`
            };
        }
        const confirmation = createConfirmation(acceptance, invitation.keys);
        invitation.accepted = { fields, confirmation };
        this.addConnection(invitation.keys);
        return { ok: true, confirmation };
    }

    receiveMessages(connectionId: string, batch: MessageBatch): ReceiveMessagesResult {
        this.#record('receiveMessages', connectionId);
        if (this.#connections.get(connectionId)?.status !== 'Active') {
            return { ok: false, reason: 'connection-inactive', message: 'The connection is deactivated.' };
        }
        const acks = this.acksReceived.get(connectionId) ?? [];
        acks.push(...(batch.acks ?? []));
        this.acksReceived.set(connectionId, acks);
        const received = this.received.get(connectionId) ?? [];
        this.received.set(connectionId, received);
        return {
            ok: true,
            acks: batch.messages.map((message) => {
                received.push(message);
                const seen = this.#seen.get(message.messageId);
                if (seen !== undefined) {
                    return { ...seen, status: 'duplicate' };
                }
                const ack: Ack = { messageId: message.messageId, status: 'applied', remoteKey: `R-${message.twinKey}` };
                this.#seen.set(message.messageId, ack);
                return ack;
            })
        };
    }

    async pollMessages(connectionId: string, request: PollRequest): Promise<PollMessagesResult> {
        this.#record('pollMessages', connectionId);
        if (this.#connections.get(connectionId)?.status !== 'Active') {
            return { ok: false, reason: 'connection-inactive', message: 'The connection is deactivated.' };
        }
        const outbox = this.#outbox(connectionId);
        const after = Number(CURSOR.exec(request.after ?? '')?.[1] ?? 0);
        // The poller stored everything up to `after`: those entries may go.
        while (outbox.entries.length > 0 && outbox.entries[0].seq <= after) {
            outbox.entries.shift();
        }
        const take = () => outbox.entries.filter((entry) => entry.seq > after).slice(0, MAX_BATCH_MESSAGES);
        let batch = take();
        if (batch.length === 0 && request.waitMs > 0 && !request.signal.aborted) {
            await new Promise<void>((resolve) => {
                const wake = (): void => {
                    clearTimeout(timer);
                    outbox.waiters.delete(wake);
                    request.signal.removeEventListener('abort', wake);
                    resolve();
                };
                const timer = setTimeout(wake, request.waitMs);
                outbox.waiters.add(wake);
                request.signal.addEventListener('abort', wake, { once: true });
            });
            batch = take();
        }
        return {
            ok: true,
            messages: batch.map((entry) => entry.message),
            cursor: batch.length > 0 ? `c-${batch[batch.length - 1].seq}` : (request.after ?? 'c-0')
        };
    }

    async storeAttachment(connectionId: string, upload: AttachmentUpload): Promise<StoreAttachmentResult> {
        this.#record('storeAttachment', connectionId);
        const key = `${connectionId}/${upload.sha256}`;
        if (this.attachments.has(key)) {
            return 'already-held';
        }
        // Kept aside until the body ended normally: a throw (too large, not the signed bytes, sender
        // gone) leaves nothing behind.
        const chunks: Uint8Array[] = [];
        for await (const chunk of upload.body) {
            chunks.push(chunk);
        }
        this.attachments.set(key, Buffer.concat(chunks));
        return 'stored';
    }

    openAttachment(connectionId: string, sha256: string): AttachmentSource | undefined {
        this.#record('openAttachment', connectionId);
        const bytes = this.#offered.get(`${connectionId}/${sha256}`);
        if (bytes === undefined) {
            return undefined;
        }
        return { size: bytes.length, stream: chunksOf(bytes) };
    }

    control(connectionId: string, command: ConnectionCommand): void {
        this.#record('control', connectionId);
        const connection = this.#connections.get(connectionId);
        if (connection === undefined) {
            return;
        }
        if (command === 'delete') {
            this.#connections.delete(connectionId);
            return;
        }
        connection.status = command === 'activate' ? 'Active' : 'Deactivated';
    }

    #record(method: HandlerMethod, id: string): void {
        this.calls.push({ method, id });
        if (this.#failures.has(method)) {
            const error = this.#failures.get(method);
            this.#failures.delete(method);
            throw error;
        }
    }

    #outbox(connectionId: string): Outbox {
        let outbox = this.#outboxes.get(connectionId);
        if (outbox === undefined) {
            outbox = { entries: [], seq: 0, waiters: new Set() };
            this.#outboxes.set(connectionId, outbox);
        }
        return outbox;
    }
}

async function* chunksOf(bytes: Buffer): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
        await Promise.resolve();
        yield bytes.subarray(offset, offset + CHUNK_BYTES);
    }
}
