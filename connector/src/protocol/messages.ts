// Message envelopes of node protocol v1: TypeScript types and the runtime checks a receiver runs on
// JSON it parsed from the other node.
//
// The checks are structural: types, required fields, shapes of ids, hashes and dates, and a size
// bound. They do not judge content (a 10,000-character summary is valid here: the receiver truncates
// or splits it for its own platform), and they do not look at unknown fields, which a later minor
// version may add: the validated value is a fresh copy holding the known fields only, so nothing the
// checks did not see travels further into the connector.
//
// Error messages name the field (`replica.comments[2].createdAt`) and say what was expected. They
// never repeat free text (summaries, comments, which hold customer data) and quote short values only.
import { Buffer } from 'node:buffer';
import { HEADER, readHeader } from './headers.ts';
import type { HeaderRecord } from './headers.ts';

/** The major version of the protocol: the `protocol` field of messages and the `x-exalate-protocol` header. */
export const PROTOCOL_VERSION = 1;

/** Largest serialised (UTF-8 JSON) size of one `SyncMessage`: 1 MiB. Attachments travel separately. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Most messages (and most acks) in one batch. */
export const MAX_BATCH_MESSAGES = 100;

/** Largest body of `POST /exalate/v1/messages` and of a long-poll answer: 4 MiB. Larger: 413. */
export const MAX_BATCH_BYTES = 4 * MAX_MESSAGE_BYTES;

/** What happened to the entity the message is about. */
export type SyncMessageKind = 'entity-upsert' | 'entity-deleted' | 'unlink';

/** One comment of a replica. */
export interface ReplicaComment {
    /** The comment's id on the sending side; stable, so the receiver can tell new comments from known ones. */
    readonly id: string;
    /** Display name of the author. */
    readonly author: string;
    /** When the comment was written, ISO 8601 with a zone (`Z` or `+hh:mm`). */
    readonly createdAt: string;
    /** The comment text. */
    readonly body: string;
}

/** One attachment of a replica; its bytes are fetched with `GET /exalate/v1/attachments/{sha256}`. */
export interface ReplicaAttachment {
    /** The attachment's id on the sending side. */
    readonly id: string;
    /** File name. */
    readonly name: string;
    /** MIME type, e.g. `application/pdf`. */
    readonly contentType: string;
    /** Size in bytes. */
    readonly size: number;
    /** Lowercase hex SHA-256 of the bytes: the attachment's address. */
    readonly sha256: string;
}

/** The sender's full current state of the entity (not a delta): applying the newest replica is enough. */
export interface Replica {
    /** The entity's key on the sending side, e.g. the CaseNumber `00001027` or `INC0010001`. */
    readonly key: string;
    /** Link to the entity on the sending side, `http(s)://...`, or `""` when it has none. */
    readonly url: string;
    /** Subject / short description. */
    readonly summary: string;
    /** Description. */
    readonly description: string;
    /** All comments to sync, oldest first. */
    readonly comments: readonly ReplicaComment[];
    /** All attachments to sync. */
    readonly attachments: readonly ReplicaAttachment[];
}

/** One change of one twin, from one node to the other. */
export interface SyncMessage {
    /** Protocol major version; 1. */
    readonly protocol: 1;
    /** Unique id of this message, a lowercase UUID; a message sent again keeps its id. */
    readonly messageId: string;
    /** The connection, lowercase UUID; must be the connection that signed the request carrying it. */
    readonly connectionId: string;
    /** The sender's key of the entity (e.g. CaseNumber): names the twin on this connection. */
    readonly twinKey: string;
    /**
     * The receiver's key of its twin entity, when the sender knows it (it learnt it from an ack, or
     * its entity was created from the receiver's message). Lets a receiver that has not yet
     * recorded the ack of its own first message find the twin instead of creating a second entity.
     */
    readonly receiverKey?: string;
    /** Per twin and per direction: 1 for the first message, then increasing by 1. */
    readonly sequence: number;
    /** When the sender created the message, ISO 8601 with a zone. */
    readonly sentAt: string;
    /** What happened. */
    readonly kind: SyncMessageKind;
    /** The entity's state: required for `entity-upsert`, absent otherwise. */
    readonly replica?: Replica;
}

/** What the receiver did with a message. */
export type AckStatus = 'applied' | 'duplicate' | 'out-of-order' | 'rejected';

/** The receiver's answer to one message. */
export interface Ack {
    /** The message answered. */
    readonly messageId: string;
    /** The outcome. */
    readonly status: AckStatus;
    /** The receiver's key of its twin entity, once it has one. */
    readonly remoteKey?: string;
    /** Link to the receiver's twin entity. */
    readonly remoteUrl?: string;
    /** Why the message was rejected (required for `rejected`), or why it is out of order; for an admin. */
    readonly error?: string;
}

/** Body of `POST /exalate/v1/messages`. */
export interface MessageBatch {
    /** Messages for the receiver, in the order to apply them (a twin's messages by sequence). */
    readonly messages: readonly SyncMessage[];
    /** Acks for messages the sender fetched by long-poll (a private side has no other way to answer). */
    readonly acks?: readonly Ack[];
}

/** Answer to `POST /exalate/v1/messages`: one ack per message, in the order of the messages. */
export interface AckBatch {
    readonly acks: readonly Ack[];
}

/** Answer to `GET /exalate/v1/messages?after=<cursor>&wait=<seconds>`. */
export interface PollResponse {
    /** Messages for the polling side, possibly none (the wait ran out). */
    readonly messages: readonly SyncMessage[];
    /** Cursor to send as `after` in the next poll: URL-safe, opaque to the poller. */
    readonly cursor: string;
}

/** Body of every error response of the protocol. */
export interface ErrorBody {
    /** Machine-readable reason, e.g. `bad-signature`. */
    readonly error: string;
    /** What happened, for the admin who reads the log. */
    readonly message: string;
}

/** Why a body was refused: `malformed` and `unsupported-protocol` answer 400, `too-large` 413. */
export type ValidationReason = 'malformed' | 'unsupported-protocol' | 'too-large';

/** Result of a check: the validated copy, or the first problem found, with the field it is in. */
export type ValidationResult<T> =
    | { readonly ok: true; readonly value: T }
    | {
          readonly ok: false;
          readonly reason: ValidationReason;
          readonly status: 400 | 413;
          /** Path of the field, e.g. `messages[0].replica.summary`; `""` for the body itself. */
          readonly field: string;
          readonly message: string;
      };

/** Options of the message checks. */
export interface MessageValidationOptions {
    /**
     * The connection that signed the request (from signature verification). A message naming another
     * connection is refused: a node that is a peer on two connections must not be able to speak on
     * the one it is not part of.
     */
    readonly connectionId?: string;
}

const KINDS: readonly string[] = ['entity-upsert', 'entity-deleted', 'unlink'];
const ACK_STATUSES: readonly string[] = ['applied', 'duplicate', 'out-of-order', 'rejected'];
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;
const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** Cursors go into a query string unencoded, and the signed path must be exactly what was sent. */
const CURSOR = /^[A-Za-z0-9._~-]{1,200}$/;
const PROTOCOL_HEADER_VALUE = /^(\d{1,6})(?:\.(\d{1,6}))?$/;
const MAX_KEY_LENGTH = 255;

/** A refused field; thrown inside the checks and turned into a result at the top. */
class Invalid extends Error {
    constructor(
        readonly field: string,
        message: string,
        readonly reason: ValidationReason = 'malformed'
    ) {
        super(message);
    }
}

/**
 * Checks one message as parsed from JSON.
 *
 * @param value the parsed JSON
 * @param options the connection that signed the request, to refuse messages for another one
 * @returns a copy with the known fields, or the first problem, naming its field
 */
export function validateSyncMessage(
    value: unknown,
    options: MessageValidationOptions = {}
): ValidationResult<SyncMessage> {
    return run(() => {
        checkSize(value, '', MAX_MESSAGE_BYTES, 'a message');
        return readSyncMessage(value, '', options);
    });
}

/**
 * Checks an ack as parsed from JSON.
 *
 * @param value the parsed JSON
 * @returns a copy with the known fields, or the first problem, naming its field
 */
export function validateAck(value: unknown): ValidationResult<Ack> {
    return run(() => readAck(value, ''));
}

/**
 * Checks the body of `POST /exalate/v1/messages`.
 *
 * @param value the parsed JSON
 * @param options the connection that signed the request
 * @returns a copy with the known fields, or the first problem, naming its field
 */
export function validateMessageBatch(
    value: unknown,
    options: MessageValidationOptions = {}
): ValidationResult<MessageBatch> {
    return run(() => {
        checkSize(value, '', MAX_BATCH_BYTES, 'a batch');
        const body = readObject(value, '');
        const messages = readList(
            body.messages,
            'messages',
            (item, field) => {
                checkSize(item, field, MAX_MESSAGE_BYTES, 'a message');
                return readSyncMessage(item, field, options);
            },
            MAX_BATCH_MESSAGES
        );
        if (body.acks === undefined) {
            return { messages };
        }
        return { messages, acks: readList(body.acks, 'acks', readAck, MAX_BATCH_MESSAGES) };
    });
}

/**
 * Checks the answer to `POST /exalate/v1/messages`.
 *
 * @param value the parsed JSON
 * @param sentMessageIds the ids of the messages posted, in order: the answer must ack exactly these
 * @returns a copy with the known fields, or the first problem, naming its field
 */
export function validateAckBatch(value: unknown, sentMessageIds?: readonly string[]): ValidationResult<AckBatch> {
    return run(() => {
        const body = readObject(value, '');
        const acks = readList(body.acks, 'acks', readAck, MAX_BATCH_MESSAGES);
        if (sentMessageIds !== undefined) {
            if (acks.length !== sentMessageIds.length) {
                throw new Invalid(
                    'acks',
                    `acks must hold one ack per message sent (${sentMessageIds.length}), not ${acks.length}`
                );
            }
            acks.forEach((ack, index) => {
                if (ack.messageId !== sentMessageIds[index]) {
                    throw new Invalid(
                        `acks[${index}].messageId`,
                        `acks[${index}].messageId must answer message ${sentMessageIds[index]}, the message sent at that place`
                    );
                }
            });
        }
        return { acks };
    });
}

/**
 * Checks the answer to a long-poll, `GET /exalate/v1/messages`.
 *
 * @param value the parsed JSON
 * @param options the connection the poll was signed for
 * @returns a copy with the known fields, or the first problem, naming its field
 */
export function validatePollResponse(
    value: unknown,
    options: MessageValidationOptions = {}
): ValidationResult<PollResponse> {
    return run(() => {
        checkSize(value, '', MAX_BATCH_BYTES, 'a poll answer');
        const body = readObject(value, '');
        const messages = readList(
            body.messages,
            'messages',
            (item, field) => {
                checkSize(item, field, MAX_MESSAGE_BYTES, 'a message');
                return readSyncMessage(item, field, options);
            },
            MAX_BATCH_MESSAGES
        );
        const cursor = readString(body, 'cursor', '', {
            shape: CURSOR,
            expected: '1 to 200 characters of A-Z a-z 0-9 . _ ~ -'
        });
        return { messages, cursor };
    });
}

/** Result of the protocol header check: the version, or why the request is refused with 400. */
export type ProtocolCheck =
    | { readonly ok: true; readonly major: 1; readonly minor: number }
    | { readonly ok: false; readonly reason: 'unsupported-protocol'; readonly status: 400; readonly message: string };

/**
 * Checks the `x-exalate-protocol` header. Run it before verifying the signature: another major
 * version may sign differently, and deserves "unsupported protocol" rather than "bad signature".
 *
 * @param headers the request headers
 * @returns the version (major 1, any minor), or the refusal
 */
export function checkProtocolHeader(headers: HeaderRecord): ProtocolCheck {
    const refuse = (message: string): ProtocolCheck => ({
        ok: false,
        reason: 'unsupported-protocol',
        status: 400,
        message
    });
    const header = readHeader(headers, HEADER.protocol);
    if (header.found !== 'one') {
        return refuse(
            header.found === 'none'
                ? `The request has no ${HEADER.protocol} header; this node speaks protocol ${PROTOCOL_VERSION}.`
                : `The request has more than one ${HEADER.protocol} header.`
        );
    }
    const match = PROTOCOL_HEADER_VALUE.exec(header.value.trim());
    if (match === null) {
        return refuse(
            `The ${HEADER.protocol} header must be a version number such as ${PROTOCOL_VERSION} or ${PROTOCOL_VERSION}.2.`
        );
    }
    const major = Number(match[1]);
    if (major !== PROTOCOL_VERSION) {
        return refuse(
            `The other node speaks protocol ${major}; this node speaks protocol ${PROTOCOL_VERSION}. Upgrade the older of the two connectors.`
        );
    }
    return { ok: true, major: PROTOCOL_VERSION, minor: match[2] === undefined ? 0 : Number(match[2]) };
}

function run<T>(check: () => T): ValidationResult<T> {
    try {
        return { ok: true, value: check() };
    } catch (error) {
        if (error instanceof Invalid) {
            return {
                ok: false,
                reason: error.reason,
                status: error.reason === 'too-large' ? 413 : 400,
                field: error.field,
                message: error.message
            };
        }
        throw error;
    }
}

function readSyncMessage(value: unknown, base: string, options: MessageValidationOptions): SyncMessage {
    const message = readObject(value, base);
    const protocolField = join(base, 'protocol');
    if (message.protocol !== PROTOCOL_VERSION) {
        if (typeof message.protocol === 'number' && Number.isInteger(message.protocol) && message.protocol > 0) {
            throw new Invalid(
                protocolField,
                `${protocolField} is ${message.protocol}: this node speaks protocol ${PROTOCOL_VERSION}. Upgrade the older of the two connectors.`,
                'unsupported-protocol'
            );
        }
        throw new Invalid(
            protocolField,
            `${protocolField} must be ${PROTOCOL_VERSION}, not ${describe(message.protocol)}`
        );
    }
    const messageId = readString(message, 'messageId', base, { shape: LOWERCASE_UUID, expected: 'a lowercase UUID' });
    const connectionId = readString(message, 'connectionId', base, {
        shape: LOWERCASE_UUID,
        expected: 'a lowercase UUID'
    });
    if (options.connectionId !== undefined && connectionId !== options.connectionId) {
        const field = join(base, 'connectionId');
        throw new Invalid(
            field,
            `${field} names connection ${connectionId}, but the request was signed for connection ${options.connectionId}`
        );
    }
    const twinKey = readString(message, 'twinKey', base, { nonEmpty: true, maxLength: MAX_KEY_LENGTH });
    const receiverKey =
        message.receiverKey === undefined
            ? {}
            : { receiverKey: readString(message, 'receiverKey', base, { nonEmpty: true, maxLength: MAX_KEY_LENGTH }) };
    const sequence = readSequence(message.sequence, join(base, 'sequence'));
    const sentAt = readDateTime(message, 'sentAt', base);
    const kind = readString(message, 'kind', base, { oneOf: KINDS }) as SyncMessageKind;
    const replicaField = join(base, 'replica');
    if (kind === 'entity-upsert') {
        if (message.replica === undefined) {
            throw new Invalid(
                replicaField,
                `${replicaField} is missing; an entity-upsert message carries the entity's replica`
            );
        }
        const replica = readReplica(message.replica, replicaField);
        return {
            protocol: PROTOCOL_VERSION,
            messageId,
            connectionId,
            twinKey,
            ...receiverKey,
            sequence,
            sentAt,
            kind,
            replica
        };
    }
    if (message.replica !== undefined) {
        throw new Invalid(replicaField, `${replicaField} must be absent in an ${kind} message`);
    }
    return { protocol: PROTOCOL_VERSION, messageId, connectionId, twinKey, ...receiverKey, sequence, sentAt, kind };
}

function readReplica(value: unknown, base: string): Replica {
    const replica = readObject(value, base);
    return {
        key: readString(replica, 'key', base, { nonEmpty: true, maxLength: MAX_KEY_LENGTH }),
        url: readString(replica, 'url', base, { shape: HTTP_URL, orEmpty: true, expected: 'an http(s) URL or ""' }),
        summary: readString(replica, 'summary', base, {}),
        description: readString(replica, 'description', base, {}),
        comments: readList(replica.comments, join(base, 'comments'), (item, field) => {
            const comment = readObject(item, field);
            return {
                id: readString(comment, 'id', field, { nonEmpty: true, maxLength: MAX_KEY_LENGTH }),
                author: readString(comment, 'author', field, {}),
                createdAt: readDateTime(comment, 'createdAt', field),
                body: readString(comment, 'body', field, {})
            };
        }),
        attachments: readList(replica.attachments, join(base, 'attachments'), (item, field) => {
            const attachment = readObject(item, field);
            const sizeField = join(field, 'size');
            const size = attachment.size;
            if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
                throw new Invalid(
                    sizeField,
                    `${sizeField} must be a whole number of bytes, 0 or more, not ${describe(size)}`
                );
            }
            return {
                id: readString(attachment, 'id', field, { nonEmpty: true, maxLength: MAX_KEY_LENGTH }),
                name: readString(attachment, 'name', field, { nonEmpty: true }),
                contentType: readString(attachment, 'contentType', field, {
                    shape: MIME_TYPE,
                    expected: 'a MIME type such as application/pdf'
                }),
                size,
                sha256: readString(attachment, 'sha256', field, {
                    shape: SHA256_HEX,
                    expected: '64 lowercase hex digits (SHA-256)'
                })
            };
        })
    };
}

function readAck(value: unknown, base: string): Ack {
    const ack = readObject(value, base);
    const messageId = readString(ack, 'messageId', base, { shape: LOWERCASE_UUID, expected: 'a lowercase UUID' });
    const status = readString(ack, 'status', base, { oneOf: ACK_STATUSES }) as AckStatus;
    const optional = (key: string, rule: StringRule): string | undefined =>
        ack[key] === undefined ? undefined : readString(ack, key, base, rule);
    const remoteKey = optional('remoteKey', { nonEmpty: true, maxLength: MAX_KEY_LENGTH });
    const remoteUrl = optional('remoteUrl', { shape: HTTP_URL, orEmpty: true, expected: 'an http(s) URL or ""' });
    const error = optional('error', { nonEmpty: true });
    if (status === 'rejected' && error === undefined) {
        const field = join(base, 'error');
        throw new Invalid(field, `${field} is missing; a rejected message must say why, for the sender's admin`);
    }
    return {
        messageId,
        status,
        ...(remoteKey === undefined ? {} : { remoteKey }),
        ...(remoteUrl === undefined ? {} : { remoteUrl }),
        ...(error === undefined ? {} : { error })
    };
}

interface StringRule {
    readonly nonEmpty?: boolean;
    readonly maxLength?: number;
    readonly shape?: RegExp;
    /** With `shape`: `""` is accepted too. */
    readonly orEmpty?: boolean;
    readonly expected?: string;
    readonly oneOf?: readonly string[];
}

function readString(object: Record<string, unknown>, key: string, base: string, rule: StringRule): string {
    const field = join(base, key);
    const value = object[key];
    if (value === undefined) {
        throw new Invalid(field, `${field} is missing`);
    }
    if (typeof value !== 'string') {
        throw new Invalid(field, `${field} must be a string, not ${describe(value)}`);
    }
    if (rule.oneOf !== undefined && !rule.oneOf.includes(value)) {
        throw new Invalid(field, `${field} must be one of ${rule.oneOf.join(', ')}, not ${describe(value)}`);
    }
    if (rule.nonEmpty === true && value.trim() === '') {
        throw new Invalid(field, `${field} must not be blank`);
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        throw new Invalid(field, `${field} is ${value.length} characters long; at most ${rule.maxLength} are allowed`);
    }
    if (rule.shape !== undefined && !(rule.orEmpty === true && value === '') && !rule.shape.test(value)) {
        throw new Invalid(field, `${field} must be ${rule.expected ?? 'well-formed'}, not ${describe(value)}`);
    }
    return value;
}

function readDateTime(object: Record<string, unknown>, key: string, base: string): string {
    const expected = 'an ISO 8601 date-time with a zone, such as 2026-01-01T09:30:00.000Z';
    const value = readString(object, key, base, { shape: ISO_DATE_TIME, expected });
    const [, year, month, day, hour, minute, second, zoneHour, zoneMinute] = ISO_DATE_TIME.exec(
        value
    ) as RegExpExecArray;
    const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    const valid =
        Number(month) >= 1 &&
        Number(month) <= 12 &&
        Number(day) >= 1 &&
        Number(day) <= daysInMonth &&
        Number(hour) <= 23 &&
        Number(minute) <= 59 &&
        Number(second) <= 59 &&
        (zoneHour === undefined || (Number(zoneHour) <= 23 && Number(zoneMinute) <= 59));
    if (!valid) {
        const field = join(base, key);
        throw new Invalid(field, `${field} must be ${expected}, not ${describe(value)} (no such date or time)`);
    }
    return value;
}

function readSequence(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
        throw new Invalid(field, `${field} must be a whole number, 1 or more, not ${describe(value)}`);
    }
    return value;
}

function readObject(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        const name = field === '' ? 'the body' : field;
        throw new Invalid(field, `${name} must be a JSON object, not ${describe(value)}`);
    }
    return value as Record<string, unknown>;
}

function readList<T>(
    value: unknown,
    field: string,
    readItem: (item: unknown, field: string) => T,
    maxItems = Number.POSITIVE_INFINITY
): T[] {
    if (value === undefined) {
        throw new Invalid(field, `${field} is missing`);
    }
    if (!Array.isArray(value)) {
        throw new Invalid(field, `${field} must be a JSON array, not ${describe(value)}`);
    }
    if (value.length > maxItems) {
        throw new Invalid(
            field,
            `${field} holds ${value.length} entries; at most ${maxItems} are allowed`,
            'too-large'
        );
    }
    return value.map((item, index) => readItem(item, `${field}[${index}]`));
}

/** Refuses a value whose JSON is over the bound (the HTTP adapter bounds the raw body before parsing). */
function checkSize(value: unknown, field: string, maxBytes: number, what: string): void {
    let bytes: number;
    try {
        bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
    } catch {
        // Only nesting deep enough to exhaust the stack gets here: far beyond any real message.
        bytes = Number.POSITIVE_INFINITY;
    }
    if (bytes > maxBytes) {
        const name = field === '' ? what : field;
        const found = Number.isFinite(bytes) ? `${bytes} bytes` : 'nested too deeply to measure';
        throw new Invalid(field, `${name} must be at most ${maxBytes} bytes of JSON, not ${found}`, 'too-large');
    }
}

function join(base: string, key: string): string {
    return base === '' ? key : `${base}.${key}`;
}

/** Describes a refused value without repeating long text: short strings are quoted, others typed. */
function describe(value: unknown): string {
    if (value === undefined) {
        return 'nothing';
    }
    if (value === null) {
        return 'null';
    }
    if (Array.isArray(value)) {
        return 'an array';
    }
    if (typeof value === 'string') {
        return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
    }
    return `a value of type ${typeof value}`;
}
