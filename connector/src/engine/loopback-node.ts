// The other end of a Local connection: two Cases of the same org kept in sync by this same engine.
//
// A Local connection has no second node and no network. Its messages go from the engine's outgoing
// side straight into its own incoming side, through the same code as a message that came over HTTP
// (ordering, exactly-once apply, acks, Basic rules), so a Local twin behaves like any other twin.
//
// Both ends of the message land in the same org, whose Sync_Event__c.Message_Id__c is unique: the
// outgoing event holds the message id, so the incoming side sees a mirrored id derived from it. The
// derivation is fixed, so a message offered again after a restart has the same mirrored id and is
// recognised as already applied.
import { createHash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { AcceptedInvitation, AttachmentDownload } from '../node/client.ts';
import { STATUS_AFTER_COMMAND } from '../node/endpoints.ts';
import type { ConnectionCommand, ConnectionStatus } from '../node/endpoints.ts';
import type {
    AttachmentSource,
    AttachmentUpload,
    MaybePromise,
    ReceiveMessagesResult,
    StoreAttachmentResult
} from '../node/handlers.ts';
import type { Ack, AckBatch, MessageBatch, PollResponse } from '../protocol/messages.ts';
import type { RemoteNode } from './ports.ts';

/** What the loopback needs of the engine: the handlers a node's HTTP server would call. */
export interface LoopbackReceiver {
    receiveMessages(connectionId: string, batch: MessageBatch): MaybePromise<ReceiveMessagesResult>;
    storeAttachment(connectionId: string, upload: AttachmentUpload): MaybePromise<StoreAttachmentResult>;
    openAttachment(connectionId: string, sha256: string): MaybePromise<AttachmentSource | undefined>;
}

/** Raised where a Local connection is asked for something only a connection between two nodes has. */
export class NotAvailableOnLocalConnection extends Error {
    override readonly name = 'NotAvailableOnLocalConnection';
}

/** A protocol connection id for a Local connection record: a UUID derived from the record id. */
export function localConnectionId(recordId: string): string {
    return uuidFrom(`local-connection:${recordId}`);
}

/** The id under which the incoming side records a message sent on a Local connection. */
export function mirroredMessageId(messageId: string): string {
    return uuidFrom(`local-message:${messageId}`);
}

function uuidFrom(seed: string): string {
    const hex = createHash('sha256').update(seed).digest('hex');
    // Shaped as an RFC 9562 version 8 (custom) UUID with the RFC variant.
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class LoopbackNode implements RemoteNode {
    readonly connectionId: string;
    readonly #receiver: LoopbackReceiver;
    readonly #maxAttachmentBytes: number;

    constructor(connectionId: string, receiver: LoopbackReceiver, options: { maxAttachmentBytes: number }) {
        this.connectionId = connectionId;
        this.#receiver = receiver;
        this.#maxAttachmentBytes = options.maxAttachmentBytes;
    }

    async sendMessages(batch: MessageBatch): Promise<AckBatch> {
        const original = new Map<string, string>();
        const messages = batch.messages.map((message) => {
            const mirrored = mirroredMessageId(message.messageId);
            original.set(mirrored, message.messageId);
            return { ...message, messageId: mirrored };
        });
        const result = await this.#receiver.receiveMessages(this.connectionId, { messages });
        if (!result.ok) {
            throw new Error(result.message);
        }
        const acks: Ack[] = result.acks.map((ack) => ({
            ...ack,
            messageId: original.get(ack.messageId) ?? ack.messageId
        }));
        return { acks };
    }

    async putAttachment(sha256: string, size: number, body: Uint8Array): Promise<'stored' | 'already-held'> {
        if (size > this.#maxAttachmentBytes) {
            throw new Error(`the file is ${size} bytes; files up to ${this.#maxAttachmentBytes} bytes are synced`);
        }
        if (createHash('sha256').update(body).digest('hex') !== sha256) {
            throw new Error('the file changed while it was read; it is sent with the next change');
        }
        return this.#receiver.storeAttachment(this.connectionId, {
            sha256,
            declaredSize: size,
            maxBytes: this.#maxAttachmentBytes,
            body: Readable.from([Buffer.from(body)])
        });
    }

    async getAttachment(sha256: string): Promise<AttachmentDownload> {
        const source = await this.#receiver.openAttachment(this.connectionId, sha256);
        if (source === undefined) {
            throw new Error(`no file with SHA-256 ${sha256} is offered on this Local connection`);
        }
        return {
            size: source.size,
            stream: source.stream,
            cancel: () => Promise.resolve()
        };
    }

    /** Both ends are this org: the admin's change already applies to both. */
    control(command: ConnectionCommand): Promise<ConnectionStatus> {
        return Promise.resolve(STATUS_AFTER_COMMAND[command]);
    }

    acceptInvitation(): Promise<AcceptedInvitation> {
        return Promise.reject(new NotAvailableOnLocalConnection('a Local connection has no invitation'));
    }

    poll(): Promise<PollResponse> {
        return Promise.reject(new NotAvailableOnLocalConnection('a Local connection is never polled'));
    }
}
