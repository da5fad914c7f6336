// What the HTTP server of a node asks of the sync engine: the interface the engine implements.
//
// The server does everything the protocol demands of HTTP (routing, size limits, signature and replay
// checks, validation of bodies, signed answers, error answers) and calls these methods only for
// requests that passed all of it, with plain values: validated messages, a connection id that signed
// the request, a stream of bytes. The engine never sees a request, a header or a status code; it
// answers with plain values or with a typed refusal that the server turns into the protocol's error
// answer. Anything it throws becomes `500 internal`, logged with its cause and never sent.
import type { ConnectionKeys } from '../protocol/keys.ts';
import type { InvitationConfirmation, VerifiedAcceptance } from '../protocol/invitation-proof.ts';
import type { Ack, MessageBatch, SyncMessage } from '../protocol/messages.ts';
import type { ConnectionCommand } from './endpoints.ts';

/** A value, or a promise of it: handlers may answer synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/** A refusal the protocol has an error code for; the server answers with its status and `{ error, message }`. */
export interface Refusal<R extends string> {
    readonly ok: false;
    /** The protocol error code. */
    readonly reason: R;
    /** For the other side's admin; sent to the other node, so no secrets and no customer data. */
    readonly message: string;
}

/** Answer to an acceptance: the confirmation, or why the invitation cannot be accepted. */
export type AcceptInvitationResult =
    | { readonly ok: true; readonly confirmation: InvitationConfirmation }
    /** `unknown-invitation` answers 404; `already-accepted` and `invitation-expired` 409. */
    | Refusal<'unknown-invitation' | 'already-accepted' | 'invitation-expired'>;

/** Answer to a batch: one ack per message, in the order of the messages. */
export type ReceiveMessagesResult =
    | { readonly ok: true; readonly acks: readonly Ack[] }
    /** The connection is deactivated on this side: 409. */
    | Refusal<'connection-inactive'>;

/** A long-poll, as the handler sees it. */
export interface PollRequest {
    /** The cursor of the last answer the poller stored; `undefined` for the start of the outbox. */
    readonly after: string | undefined;
    /** How long to wait for a message when there is none: 0 to 55,000 ms (the poll's `wait`). */
    readonly waitMs: number;
    /**
     * Fires when the poller disconnected or the server is closing. Stop waiting then: resolve with
     * what there is (usually no messages) or reject; the server answers if anyone still listens.
     */
    readonly signal: AbortSignal;
}

/** Answer to a long-poll. */
export type PollMessagesResult =
    | {
          readonly ok: true;
          /** The messages after `after`, oldest first: at most 100 and 4 MiB of JSON. */
          readonly messages: readonly SyncMessage[];
          /** The place after the last message returned; `after` (or the start) when there is none. */
          readonly cursor: string;
      }
    /** The connection is deactivated on this side: 409. */
    | Refusal<'connection-inactive'>;

/** An attachment upload, as the handler sees it. */
export interface AttachmentUpload {
    /** The attachment's SHA-256, lowercase hex: the path's `{sha256}`, equal to the signed content hash. */
    readonly sha256: string;
    /** The size the sender announced (`content-length`), or `undefined` for a chunked upload. */
    readonly declaredSize: number | undefined;
    /** The receiver's limit: the body never yields more than this. */
    readonly maxBytes: number;
    /**
     * The bytes, as they arrive. Readable once. The iteration ends normally only when every byte was
     * read, within `maxBytes`, and their SHA-256 is `sha256`; otherwise it throws
     * (`AttachmentBodyRejected`, or the network error when the sender went away) and whatever the
     * handler wrote from it MUST be discarded. So write to a temporary place and keep it only when the
     * loop ended normally.
     */
    readonly body: AsyncIterable<Uint8Array>;
}

/**
 * What `storeAttachment` did: `stored` (201) after reading the whole body, or `already-held` (200)
 * when this node holds those bytes already. A handler that answers `already-held` need not read the
 * body: the server reads the rest and checks it before answering.
 */
export type StoreAttachmentResult = 'stored' | 'already-held';

/** An attachment to serve. */
export interface AttachmentSource {
    /** Its size in bytes: sent as `content-length`. */
    readonly size: number;
    /** Its bytes. The server counts and hashes them, and cuts the answer short when they are not the bytes asked for. */
    readonly stream: AsyncIterable<Uint8Array>;
}

/**
 * The sync engine's side of the HTTP server. Connection ids are lowercase UUIDs; every method but the
 * key lookups is called only for a request that verified (or, for `acceptInvitation`, whose proof
 * verified), so the connection id is the one that signed the request.
 */
export interface NodeHandlers {
    /**
     * The keys of this node's side of a connection, to verify its requests and sign the answers:
     * `deriveConnectionKeys(secret, connectionId, <the role this node plays on it>)`. Which direction
     * key does what follows from that role (see keys.ts); the server uses `incomingRequests` and
     * `outgoingResponses`. Return `undefined` for a connection this node does not hold (never set up,
     * or deleted): the request gets `401 unknown-connection`.
     *
     * Called for every signed request before anything else of this interface, also for requests that
     * then fail verification: keep it a lookup.
     */
    keysFor(connectionId: string): MaybePromise<ConnectionKeys | undefined>;

    /**
     * The keys of an invitation this node created, pending or accepted (`localRole` `initiator`), to
     * check an acceptance's proof. `undefined` when this node created no such invitation: the
     * acceptance gets `404 unknown-invitation`.
     */
    invitationKeys(invitationId: string): MaybePromise<ConnectionKeys | undefined>;

    /**
     * An acceptance of one of this node's invitations, whose fields and proof verified. Decide:
     *
     * - first acceptance, not expired: store the acceptor's details, make the connection `Active`,
     *   answer `createConfirmation(acceptance, keys)` and remember that confirmation;
     * - the same acceptance again (all six fields equal): the remembered confirmation, unchanged (the
     *   acceptor is retrying after a lost answer);
     * - accepted by another acceptance: `already-accepted`; expired and not accepted: `invitation-expired`.
     */
    acceptInvitation(acceptance: VerifiedAcceptance): MaybePromise<AcceptInvitationResult>;

    /**
     * A batch from the other node. Record `batch.acks` (acks of messages it fetched by long-poll),
     * then process the messages in array order (dedupe by `messageId`, order by `sequence`, see the
     * spec) and answer one ack per message, same order. Every message's `connectionId` is `connectionId`.
     */
    receiveMessages(connectionId: string, batch: MessageBatch): MaybePromise<ReceiveMessagesResult>;

    /**
     * A long-poll of the other (private) node: the messages of its outbox after `after`. When there is
     * none, wait up to `waitMs` and resolve as soon as one arrives; stop waiting when `signal` fires.
     * The handler may drop the outbox entries up to `after`: the poller has stored them.
     */
    pollMessages(connectionId: string, request: PollRequest): MaybePromise<PollMessagesResult>;

    /** An attachment the other node sends (see `AttachmentUpload` for when its bytes may be kept). */
    storeAttachment(connectionId: string, upload: AttachmentUpload): MaybePromise<StoreAttachmentResult>;

    /**
     * An attachment the other node fetches. Serve only attachments referenced by messages this node
     * sent on this connection; `undefined` otherwise, or when it holds no such bytes (`404 unknown-attachment`).
     */
    openAttachment(connectionId: string, sha256: string): MaybePromise<AttachmentSource | undefined>;

    /**
     * The other side's admin changed the connection; follow. Idempotent: deactivating a deactivated
     * connection succeeds again. After `deactivate`, answer `receiveMessages` and `pollMessages` with
     * `connection-inactive`. For `delete`, the keys may go at once: the server signs the answer with
     * the keys it verified the request with, and `keysFor` then answers `undefined`.
     */
    control(connectionId: string, command: ConnectionCommand): MaybePromise<void>;
}
