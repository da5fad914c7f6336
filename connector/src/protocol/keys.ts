// Per-connection keys of node protocol v1, derived from the connection's shared secret.
//
// The shared secret travels once, inside the invitation code. Neither side ever uses it directly:
// HKDF-SHA256 (RFC 5869) turns it into one key per job, so that a value computed for one job (a proof,
// a request signature) can never be passed off as a value of another job.
//
//   PRK = HKDF-Extract(salt = UTF-8 of the connection id, IKM = the 32 secret bytes)
//   key = HKDF-Expand(PRK, info = label below, L = 32)
//
// Request and response keys exist once per direction. Both nodes serve the same endpoints
// (`POST /exalate/v1/messages` on either side of a Public connection), so with one request key a
// request the initiator sent could be sent back to the initiator itself and would verify there: the
// node would apply its own Cases as if they came from the other side. With a key per sending role a
// reflected request or response simply fails verification.
//
// Secrets and keys live in `SecretKey`, whose only outputs are HMACs and derived keys: `toString`,
// `toJSON` and `util.inspect` show its purpose, never its bytes, so a key that ends up in a log line,
// an error report or a JSON dump gives nothing away.
import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Jobs a secret value can do; a `SecretKey` is typed by its job so that keys cannot be swapped. */
export type KeyPurpose = 'shared-secret' | 'request-signing' | 'response-signing' | 'invitation-proof';

/** The side of a connection: the initiator created the invitation, the acceptor accepted it. */
export type ConnectionRole = 'initiator' | 'acceptor';

/** Length of the shared secret and of every derived key, in bytes. */
export const KEY_BYTES = 32;

/**
 * HKDF `info` labels of protocol v1 (ASCII). The role in a signing label is the role of the side that
 * signs: the acceptor signs its requests with `exalate/v1 request-signing acceptor`, and the initiator
 * verifies them with the same key.
 */
export const KEY_LABELS = {
    requestSigning: {
        initiator: 'exalate/v1 request-signing initiator',
        acceptor: 'exalate/v1 request-signing acceptor'
    },
    responseSigning: {
        initiator: 'exalate/v1 response-signing initiator',
        acceptor: 'exalate/v1 response-signing acceptor'
    },
    invitationProof: 'exalate/v1 invitation-proof'
} as const;

/**
 * Connection ids are the invitation id written as a lowercase UUID. One spelling only, because the id
 * is an HKDF salt and part of every signed string: `3F2B...` and `3f2b...` would give other keys.
 */
export const CONNECTION_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const UUID_ANY_CASE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SECRET_TEXT_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const REDACTED = '[redacted]';
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A secret value (the shared secret or a key derived from it). It computes HMAC-SHA256 and derives
 * keys; it never hands out its bytes, and prints as `SecretKey(<label>, [redacted])`.
 *
 * The bytes are held in a `KeyObject` in a private field: not enumerable, not copied by spreading,
 * not shown by `util.inspect`, not serialised by `JSON.stringify`.
 */
export class SecretKey<P extends KeyPurpose = KeyPurpose> {
    /** The job of the key. */
    readonly purpose: P;
    /** A readable name for logs, e.g. `request-signing initiator`; never part of the secret. */
    readonly label: string;
    readonly #key: KeyObject;

    /**
     * @param purpose the job of the key
     * @param label a readable name for logs
     * @param bytes the key material, 32 bytes; copied, so the caller can and should zero its buffer
     */
    constructor(purpose: P, label: string, bytes: Uint8Array) {
        if (bytes.length !== KEY_BYTES) {
            throw new RangeError(`a ${purpose} key must be ${KEY_BYTES} bytes, not ${bytes.length}`);
        }
        this.purpose = purpose;
        this.label = label;
        this.#key = createSecretKey(Buffer.from(bytes));
    }

    /**
     * HMAC-SHA256 with this key.
     *
     * @param data the message; a string is taken as UTF-8
     * @returns the 32-byte MAC
     */
    hmacSha256(data: string | Uint8Array): Buffer {
        return createHmac('sha256', this.#key).update(data).digest();
    }

    /**
     * HKDF-SHA256 with this key as input key material.
     *
     * @param salt the HKDF salt
     * @param info the HKDF info label (ASCII)
     * @param purpose the job of the new key
     * @param label the readable name of the new key
     * @returns the new 32-byte key
     */
    deriveKey<Q extends KeyPurpose>(salt: Uint8Array, info: string, purpose: Q, label: string): SecretKey<Q> {
        const bytes = new Uint8Array(hkdfSync('sha256', this.#key, salt, Buffer.from(info, 'ascii'), KEY_BYTES));
        try {
            return new SecretKey(purpose, label, bytes);
        } finally {
            // Best effort: the KeyObject holds its own copy; leave no second copy on the heap.
            bytes.fill(0);
        }
    }

    /** @returns `SecretKey(<label>, [redacted])`: the key's name, never its bytes */
    toString(): string {
        return `SecretKey(${this.label}, ${REDACTED})`;
    }

    /** @returns `"[redacted]"`, so that `JSON.stringify` of anything holding a key does not leak it */
    toJSON(): string {
        return REDACTED;
    }

    /** What `util.inspect` and `console.log` show. */
    [INSPECT](): string {
        return this.toString();
    }
}

/**
 * Reads the shared secret as carried in the invitation code and stored in `Connection_Secret__c`.
 *
 * @param text 43 characters of base64url without padding, holding 32 bytes
 * @returns the secret, wrapped
 * @throws TypeError describing the shape that was expected; the message never repeats the text
 */
export function parseSharedSecret(text: string): SecretKey<'shared-secret'> {
    if (typeof text !== 'string') {
        throw new TypeError(`the shared secret must be text, not a value of type ${typeof text}`);
    }
    if (!SECRET_TEXT_SHAPE.test(text)) {
        const found = text.length !== 43 ? `${text.length} characters` : 'other characters';
        throw new TypeError(
            `the shared secret must be 43 characters of base64url (A-Z, a-z, 0-9, - and _) holding 32 bytes, not ${found}`
        );
    }
    const bytes = Buffer.from(text, 'base64url');
    try {
        // 43 characters carry 258 bits; the last 2 must be zero, or two texts would name one secret.
        if (bytes.length !== KEY_BYTES || bytes.toString('base64url') !== text) {
            throw new TypeError(
                'the shared secret is not canonical base64url: the unused bits of its last character must be zero'
            );
        }
        return new SecretKey('shared-secret', 'shared-secret', bytes);
    } finally {
        bytes.fill(0);
    }
}

/**
 * Writes a connection id in its one protocol spelling.
 *
 * @param invitationId the invitation id as in the invitation code, a UUID in either case
 * @returns the lowercase UUID
 * @throws TypeError when it is not a UUID
 */
export function normalizeConnectionId(invitationId: string): string {
    if (typeof invitationId !== 'string' || !UUID_ANY_CASE.test(invitationId)) {
        throw new TypeError('the connection id must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e');
    }
    return invitationId.toLowerCase();
}

/** The keys one side of one connection works with. */
export interface ConnectionKeys {
    /** The connection (invitation) id, lowercase UUID. */
    readonly connectionId: string;
    /** The side this node plays in the connection. */
    readonly localRole: ConnectionRole;
    /** Signs the requests this node sends. */
    readonly outgoingRequests: SecretKey<'request-signing'>;
    /** Verifies the requests the other node sends. */
    readonly incomingRequests: SecretKey<'request-signing'>;
    /** Signs the responses this node sends (answers to the other node's requests). */
    readonly outgoingResponses: SecretKey<'response-signing'>;
    /** Verifies the responses the other node sends (answers to this node's requests). */
    readonly incomingResponses: SecretKey<'response-signing'>;
    /** Computes and checks the proofs of the invitation handshake; the same on both sides. */
    readonly invitationProof: SecretKey<'invitation-proof'>;
}

/** The other side of a connection. */
export function otherRole(role: ConnectionRole): ConnectionRole {
    return role === 'initiator' ? 'acceptor' : 'initiator';
}

/**
 * Derives the keys of one side of a connection.
 *
 * @param secret the shared secret: 43 characters of base64url, or a secret from `parseSharedSecret`
 * @param connectionId the connection (invitation) id, a UUID in either case (used lowercase)
 * @param localRole the side this node plays
 * @returns the connection's keys for this side
 * @throws TypeError when the secret or the id has the wrong shape; messages never contain the secret
 */
export function deriveConnectionKeys(
    secret: string | SecretKey<'shared-secret'>,
    connectionId: string,
    localRole: ConnectionRole
): ConnectionKeys {
    if (localRole !== 'initiator' && localRole !== 'acceptor') {
        throw new TypeError('the local role must be initiator or acceptor');
    }
    const id = normalizeConnectionId(connectionId);
    const shared = typeof secret === 'string' ? parseSharedSecret(secret) : secret;
    if (!(shared instanceof SecretKey) || shared.purpose !== 'shared-secret') {
        throw new TypeError('the secret must be the shared secret of the connection');
    }
    const salt = Buffer.from(id, 'utf8');
    const remoteRole = otherRole(localRole);
    const requestKey = (role: ConnectionRole): SecretKey<'request-signing'> =>
        shared.deriveKey(salt, KEY_LABELS.requestSigning[role], 'request-signing', `request-signing ${role}`);
    const responseKey = (role: ConnectionRole): SecretKey<'response-signing'> =>
        shared.deriveKey(salt, KEY_LABELS.responseSigning[role], 'response-signing', `response-signing ${role}`);
    return Object.freeze({
        connectionId: id,
        localRole,
        outgoingRequests: requestKey(localRole),
        incomingRequests: requestKey(remoteRole),
        outgoingResponses: responseKey(localRole),
        incomingResponses: responseKey(remoteRole),
        invitationProof: shared.deriveKey(salt, KEY_LABELS.invitationProof, 'invitation-proof', 'invitation-proof')
    });
}
