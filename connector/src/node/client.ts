// The HTTP client of a node (protocol v1, docs/protocol.md): this node calling the other one, over
// fetch (Node's global one unless another is injected).
//
// Every request but the invitation acceptance is signed anew (fresh nonce, current timestamp), so a
// retry is a new request and never a replay. Every answer is verified before anything in it is used,
// with the nonce of the request it answers, so an answer recorded for one request is worthless for
// another. The outcome is a plain value or one of the errors of errors.ts, which tell the engine
// whether trying again later can help; the engine never sees a status code.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { HEADER } from '../protocol/headers.ts';
import { createAcceptance, verifyConfirmation } from '../protocol/invitation-proof.ts';
import type {
    CreateAcceptanceInput,
    InvitationAcceptance,
    InvitationConfirmation
} from '../protocol/invitation-proof.ts';
import { normalizeConnectionId } from '../protocol/keys.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import {
    MAX_BATCH_BYTES,
    PROTOCOL_VERSION,
    validateAckBatch,
    validateMessageBatch,
    validatePollResponse
} from '../protocol/messages.ts';
import type { AckBatch, MessageBatch, PollResponse } from '../protocol/messages.ts';
import { sha256Hex, signRequest, verifyResponse } from '../protocol/signing.ts';
import type { BodyDigest } from '../protocol/signing.ts';
import { isCursor } from './cursor.ts';
import { CONNECTION_COMMANDS, STATUS_AFTER_COMMAND, methodOf, pathOf } from './endpoints.ts';
import type { ConnectionCommand, ConnectionStatus, Endpoint } from './endpoints.ts';
import { Deadline } from './deadline.ts';
import { NodeTransportError, NodeUnreachable, RequestRefused, ResponseNotTrusted } from './errors.ts';
import { jsonBytes, parseJsonBody } from './json-body.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES, MAX_COMMAND_BYTES, MAX_POLL_WAIT_SECONDS } from './limits.ts';

/** How long the client waits for an answer. */
export interface NodeClientTimeouts {
    /** Ordinary requests (messages, commands, the acceptance), whole answer included; 30 s unless given. */
    readonly requestMs?: number;
    /** Added to a long-poll's `wait` (the spec: the timeout MUST be longer than `wait`); 30 s unless given. */
    readonly pollMarginMs?: number;
    /** An attachment upload or download, all its bytes included; 10 minutes unless given. */
    readonly attachmentMs?: number;
}

/** Options of a `NodeClient`. */
export interface NodeClientOptions {
    /** The other node's URL, `http(s)://host[:port][/path]`; endpoints are below `<baseUrl>/exalate/v1`. */
    readonly baseUrl: string;
    /** The connection, lowercase UUID; must be the connection of `keys`. */
    readonly connectionId: string;
    /** This node's keys of the connection (this node's role). */
    readonly keys: ConnectionKeys;
    /** Milliseconds since 1970-01-01T00:00:00Z for request timestamps; `Date.now` unless a test supplies one. */
    readonly clock?: () => number;
    /** The fetch to use; Node's global `fetch` unless given (tests inject fakes and proxies). */
    readonly fetchImpl?: typeof fetch;
    readonly timeouts?: NodeClientTimeouts;
    /** Largest attachment this node downloads, in bytes; 25 MiB unless given. */
    readonly maxAttachmentBytes?: number;
}

/** The acceptor's details for an acceptance (the keys are the client's). */
export type AcceptorDetails = Omit<CreateAcceptanceInput, 'keys' | 'nonce'>;

/** The outcome of an accepted invitation: what was sent, and the initiator's verified answer. */
export interface AcceptedInvitation {
    /** The acceptance sent; keep it to retry after a lost answer (the same acceptance gets the same answer). */
    readonly acceptance: InvitationAcceptance;
    /** The initiator's confirmation, whose proof verified. */
    readonly confirmation: InvitationConfirmation;
}

/** Options of one request. */
export interface RequestOptions {
    /** Aborts the request; the method then rejects with the signal's reason. */
    readonly signal?: AbortSignal;
}

/** Options of a long-poll. */
export interface PollOptions extends RequestOptions {
    /** The cursor of the last answer whose messages this node stored; none for the start of the outbox. */
    readonly after?: string;
    /** Seconds the other node may wait for a message, 0 to 55 (larger counts as 55); 0 unless given. */
    readonly waitSeconds?: number;
}

/** A downloaded attachment. */
export interface AttachmentDownload {
    /** Its size, from `content-length`; `undefined` when the other node did not announce one. */
    readonly size: number | undefined;
    /**
     * Its bytes, as they arrive. Readable once. The iteration ends normally only when the bytes are
     * complete and their SHA-256 is the one asked for (and the answer's signature verifies over it);
     * otherwise it throws (`ResponseNotTrusted`, `NodeUnreachable`). The bytes MUST NOT be used before
     * it ended normally: write them somewhere temporary and keep them only then.
     */
    readonly stream: AsyncIterable<Uint8Array>;
    /** Gives the download up without reading it (frees the connection). */
    cancel(): Promise<void>;
}

/** What an attachment upload did: `stored` (201) or `already-held` (200). */
export type PutAttachmentResult = 'stored' | 'already-held';

const LOWERCASE_SHA256 = /^[0-9a-f]{64}$/;
const ERROR_CODE = /^[a-z0-9-]{1,64}$/;
const MAX_ERROR_MESSAGE = 2000;

/** A request to send. */
interface Outgoing {
    readonly endpoint: Endpoint;
    readonly query?: string;
    /** The body; for a streamed upload, its digest and the bytes as an async iterable with their size. */
    readonly body?: Uint8Array | StreamedBody;
    readonly contentType?: string;
    /** Whether to sign: every request but the invitation acceptance. */
    readonly signed: boolean;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
}

interface StreamedBody {
    readonly digest: BodyDigest;
    readonly size: number;
    readonly chunks: AsyncIterable<Uint8Array>;
}

/** A request sent and its answer's head: what verifying and reading the answer need. */
interface Sent {
    readonly response: Response;
    /** The request's nonce; `undefined` for the unsigned acceptance. */
    readonly nonce: string | undefined;
    /** Turns a failure while reading the answer into the transport's error. */
    readonly fail: (error: unknown) => unknown;
    /** Ends the request's deadline; call once the answer is read or given up. */
    readonly release: () => void;
}

/**
 * A client of one connection on the other node. Methods resolve with plain values or reject with
 * `NodeUnreachable`, `ResponseNotTrusted` or `RequestRefused` (see errors.ts), or with the signal's
 * reason when the caller aborted; a wrong argument throws `TypeError` or `RangeError` before anything is sent.
 */
export class NodeClient {
    /** The connection, lowercase UUID. */
    readonly connectionId: string;
    /** The other node's URL, as given. */
    readonly baseUrl: string;
    readonly #base: URL;
    readonly #keys: ConnectionKeys;
    readonly #clock: () => number;
    readonly #fetch: typeof fetch;
    readonly #requestMs: number;
    readonly #pollMarginMs: number;
    readonly #attachmentMs: number;
    readonly #maxAttachmentBytes: number;

    /** @param options the other node's URL, the connection's keys, and what tests replace */
    constructor(options: NodeClientOptions) {
        const base = new URL(options.baseUrl);
        if (
            (base.protocol !== 'http:' && base.protocol !== 'https:') ||
            base.username !== '' ||
            base.password !== '' ||
            base.search !== '' ||
            base.hash !== ''
        ) {
            throw new TypeError('baseUrl must be an http(s) URL without credentials, query or fragment');
        }
        const connectionId = normalizeConnectionId(options.connectionId);
        if (options.keys.connectionId !== connectionId) {
            throw new TypeError(`the keys are of connection ${options.keys.connectionId}, not ${connectionId}`);
        }
        this.connectionId = connectionId;
        this.baseUrl = options.baseUrl;
        this.#base = base;
        this.#keys = options.keys;
        this.#clock = options.clock ?? Date.now;
        this.#fetch = options.fetchImpl ?? fetch;
        this.#requestMs = options.timeouts?.requestMs ?? 30_000;
        this.#pollMarginMs = options.timeouts?.pollMarginMs ?? 30_000;
        this.#attachmentMs = options.timeouts?.attachmentMs ?? 600_000;
        this.#maxAttachmentBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
    }

    /**
     * Accepts the invitation of this connection at the initiator's node (acceptor side): sends the
     * acceptance, unsigned (its proof is in its body), and verifies the initiator's proof.
     *
     * @param details the acceptor's details, or an acceptance sent before (a retry after a lost answer)
     * @returns the acceptance sent and the verified confirmation
     * @throws RequestRefused `unknown-invitation`, `already-accepted`, `invitation-expired`, `bad-proof`,
     *     `malformed` (never `verified`: the accept endpoint signs nothing); ResponseNotTrusted `bad-proof`
     *     when the answer does not prove the secret (the node at that URL did not create the invitation)
     */
    async acceptInvitation(
        details: AcceptorDetails | { readonly acceptance: InvitationAcceptance },
        options: RequestOptions = {}
    ): Promise<AcceptedInvitation> {
        const acceptance =
            'acceptance' in details ? details.acceptance : createAcceptance({ ...details, keys: this.#keys });
        if (acceptance.invitationId !== this.connectionId) {
            throw new TypeError(
                `the acceptance is for invitation ${acceptance.invitationId}, not ${this.connectionId}`
            );
        }
        const { invitationId, acceptorInstance, acceptorPlatform, acceptorNodeUrl, acceptorNonce, proof } = acceptance;
        const sent = await this.#send({
            endpoint: { kind: 'accept-invitation', invitationId },
            body: jsonBytes({
                invitationId,
                acceptorInstance,
                acceptorPlatform,
                acceptorNodeUrl,
                acceptorNonce,
                proof
            }),
            contentType: 'application/json',
            signed: false,
            timeoutMs: this.#requestMs,
            signal: options.signal
        });
        const answer = await this.#readJsonAnswer(sent, MAX_COMMAND_BYTES);
        const check = verifyConfirmation(answer.value, acceptance, this.#keys);
        if (!check.ok) {
            throw new ResponseNotTrusted(check.reason, answer.status, check.message);
        }
        return { acceptance, confirmation: check.confirmation };
    }

    /**
     * Sends a batch of messages (and acks of polled messages).
     *
     * @param batch at most 100 messages of this connection, at most 4 MiB of JSON; `messages` may be
     *     empty when the batch only carries acks
     * @returns one verified ack per message, in the order of the messages
     * @throws TypeError or RangeError when the batch breaks the protocol's checks (nothing is sent)
     */
    async sendMessages(batch: MessageBatch, options: RequestOptions = {}): Promise<AckBatch> {
        const check = validateMessageBatch(batch, { connectionId: this.connectionId });
        if (!check.ok) {
            const problem = `the batch cannot be sent: ${check.message}`;
            throw check.reason === 'too-large' ? new RangeError(problem) : new TypeError(problem);
        }
        const sent = await this.#send({
            endpoint: { kind: 'post-messages' },
            body: jsonBytes(check.value),
            contentType: 'application/json',
            signed: true,
            timeoutMs: this.#requestMs,
            signal: options.signal
        });
        const answer = await this.#readJsonAnswer(sent, MAX_BATCH_BYTES);
        const acks = validateAckBatch(
            answer.value,
            check.value.messages.map((message) => message.messageId)
        );
        if (!acks.ok) {
            throw new ResponseNotTrusted(
                'malformed',
                answer.status,
                `The answer to the batch is malformed: ${acks.message}`
            );
        }
        return acks.value;
    }

    /**
     * Long-polls the other (public) node for the messages addressed to this one.
     *
     * @param options `after` (the cursor of the last answer stored), `waitSeconds` and `signal`
     * @returns the messages (possibly none, when the wait ran out) and the cursor to send as `after` next
     */
    async poll(options: PollOptions = {}): Promise<PollResponse> {
        const wait = options.waitSeconds ?? 0;
        if (!Number.isSafeInteger(wait) || wait < 0) {
            throw new RangeError('waitSeconds must be a whole number of seconds, 0 or more');
        }
        if (options.after !== undefined && !isCursor(options.after)) {
            throw new TypeError('after must be a cursor as a poll answer gave it');
        }
        const waitSeconds = Math.min(wait, MAX_POLL_WAIT_SECONDS);
        const query = `${options.after === undefined ? '' : `after=${options.after}&`}wait=${waitSeconds}`;
        const sent = await this.#send({
            endpoint: { kind: 'poll-messages' },
            query,
            signed: true,
            // The timestamp is checked on arrival, not when the answer leaves: only the HTTP timeout
            // has to outlast the wait.
            timeoutMs: waitSeconds * 1000 + this.#pollMarginMs,
            signal: options.signal
        });
        const answer = await this.#readJsonAnswer(sent, MAX_BATCH_BYTES);
        const poll = validatePollResponse(answer.value, { connectionId: this.connectionId });
        if (!poll.ok) {
            throw new ResponseNotTrusted('malformed', answer.status, `The poll answer is malformed: ${poll.message}`);
        }
        return poll.value;
    }

    /**
     * Uploads an attachment, streamed.
     *
     * @param sha256 the SHA-256 of the bytes, lowercase hex: the attachment's address
     * @param size the number of bytes, sent as `content-length`
     * @param body the bytes; an iterable that yields more or fewer than `size` bytes aborts the upload
     * @returns `stored`, or `already-held` when the other node had those bytes already
     * @throws RequestRefused `too-large` (over the other node's limit), `body-mismatch` (the bytes do
     *     not have that SHA-256)
     */
    async putAttachment(
        sha256: string,
        size: number,
        body: AsyncIterable<Uint8Array> | Uint8Array,
        options: RequestOptions = {}
    ): Promise<PutAttachmentResult> {
        if (!LOWERCASE_SHA256.test(sha256)) {
            throw new TypeError('sha256 must be 64 lowercase hex digits');
        }
        if (!Number.isSafeInteger(size) || size < 0) {
            throw new RangeError('size must be a whole number of bytes');
        }
        if (body instanceof Uint8Array) {
            // Whole bytes at hand: check them here rather than learn it from a 401 after sending them.
            if (body.length !== size || sha256Hex(body) !== sha256) {
                throw new TypeError(`the bytes are not ${size} bytes with SHA-256 ${sha256}`);
            }
        }
        const sent = await this.#send({
            endpoint: { kind: 'put-attachment', sha256 },
            body: body instanceof Uint8Array ? body : { digest: { sha256Hex: sha256 }, size, chunks: body },
            contentType: 'application/octet-stream',
            signed: true,
            timeoutMs: this.#attachmentMs,
            signal: options.signal
        });
        const answer = await this.#readJsonAnswer(sent, MAX_COMMAND_BYTES);
        if (answer.status !== 200 && answer.status !== 201) {
            throw new ResponseNotTrusted(
                'malformed',
                answer.status,
                `The upload was answered ${answer.status}, not 200 or 201.`
            );
        }
        return answer.status === 201 ? 'stored' : 'already-held';
    }

    /**
     * Downloads an attachment of this connection, streamed and verified while it is read.
     *
     * @param sha256 the SHA-256 of the bytes, lowercase hex
     * @returns the size and the bytes (see `AttachmentDownload` for when they may be used)
     * @throws RequestRefused `unknown-attachment` when the other node does not serve it on this connection
     */
    async getAttachment(sha256: string, options: RequestOptions = {}): Promise<AttachmentDownload> {
        if (!LOWERCASE_SHA256.test(sha256)) {
            throw new TypeError('sha256 must be 64 lowercase hex digits');
        }
        const sent = await this.#send({
            endpoint: { kind: 'get-attachment', sha256 },
            signed: true,
            timeoutMs: this.#attachmentMs,
            signal: options.signal
        });
        const { response } = sent;
        if (response.status !== 200) {
            await this.#readJsonAnswer(sent, MAX_COMMAND_BYTES);
            throw new ResponseNotTrusted(
                'malformed',
                response.status,
                `The download was answered ${response.status}, not 200.`
            );
        }
        const headers = Object.fromEntries(response.headers);
        // The signature covers the hash of the bytes. Checked now against the hash asked for, an answer
        // that does not even claim these bytes is refused before a byte is read; checked again at the
        // end against the hash of the bytes read, which is what makes the bytes usable.
        const verify = (digest: BodyDigest) =>
            verifyResponse({
                status: 200,
                headers,
                body: digest,
                requestNonce: sent.nonce as string,
                keys: this.#keys
            });
        const upfront = verify({ sha256Hex: sha256 });
        if (!upfront.ok) {
            await response.body?.cancel().catch(() => undefined);
            sent.release();
            throw new ResponseNotTrusted(
                upfront.reason === 'missing-signature' ? 'missing-signature' : 'bad-signature',
                200,
                upfront.message
            );
        }
        const size = declaredSize(response);
        const limit = Math.min(size ?? Number.POSITIVE_INFINITY, this.#maxAttachmentBytes);
        if (size !== undefined && size > this.#maxAttachmentBytes) {
            await response.body?.cancel().catch(() => undefined);
            sent.release();
            throw new ResponseNotTrusted(
                'too-large',
                200,
                `The attachment of ${size} bytes is over this node's limit of ${this.#maxAttachmentBytes} bytes.`
            );
        }
        const reader = response.body?.getReader();
        let started = false;
        const stream = async function* (): AsyncGenerator<Uint8Array, void, undefined> {
            if (started) {
                throw new TypeError('a download can be read once');
            }
            started = true;
            const hash = createHash('sha256');
            let bytes = 0;
            let finishedWell = false;
            try {
                for (;;) {
                    if (reader === undefined) {
                        break;
                    }
                    let part: Awaited<ReturnType<typeof reader.read>>;
                    try {
                        part = await reader.read();
                    } catch (error) {
                        throw sent.fail(error);
                    }
                    if (part.done) {
                        break;
                    }
                    const chunk = part.value as Uint8Array;
                    bytes += chunk.length;
                    if (bytes > limit) {
                        throw new ResponseNotTrusted(
                            'too-large',
                            200,
                            `The attachment is longer than ${limit} bytes (announced or allowed).`
                        );
                    }
                    hash.update(chunk);
                    yield chunk;
                }
                const actual = hash.digest('hex');
                const final = verify({ sha256Hex: actual });
                if (!final.ok || actual !== sha256 || (size !== undefined && bytes !== size)) {
                    throw new ResponseNotTrusted(
                        'body-mismatch',
                        200,
                        `The downloaded bytes are not attachment ${sha256} (${bytes} bytes with SHA-256 ${actual}); discard them.`
                    );
                }
                finishedWell = true;
            } finally {
                if (!finishedWell) {
                    await reader?.cancel().catch(() => undefined);
                }
                sent.release();
            }
        };
        return {
            size,
            stream: stream(),
            cancel: async () => {
                started = true;
                await reader?.cancel().catch(() => undefined);
                sent.release();
            }
        };
    }

    /**
     * Tells the other node that this side changed the connection.
     *
     * @param command `deactivate`, `activate` or `delete`
     * @returns the status the other side now has
     */
    async control(command: ConnectionCommand, options: RequestOptions = {}): Promise<ConnectionStatus> {
        if (!CONNECTION_COMMANDS.includes(command)) {
            throw new TypeError(`the command must be one of ${CONNECTION_COMMANDS.join(', ')}`);
        }
        const sent = await this.#send({
            endpoint: { kind: 'connection-command', command },
            signed: true,
            timeoutMs: this.#requestMs,
            signal: options.signal
        });
        const answer = await this.#readJsonAnswer(sent, MAX_COMMAND_BYTES);
        const expected = STATUS_AFTER_COMMAND[command];
        if ((answer.value as { status?: unknown } | null)?.status !== expected) {
            throw new ResponseNotTrusted(
                'malformed',
                answer.status,
                `The answer to ${command} must be {"status":"${expected}"}.`
            );
        }
        return expected;
    }

    /** Signs (when due) and sends a request; resolves with the answer's head. */
    async #send(outgoing: Outgoing): Promise<Sent> {
        outgoing.signal?.throwIfAborted();
        const url = new URL(this.#base.href);
        url.pathname = `${this.#base.pathname.replace(/\/+$/, '')}${pathOf(outgoing.endpoint)}`;
        url.search = outgoing.query ?? '';
        // fetch sends exactly pathname + search of the parsed URL: sign that, not the text it came from.
        const target = `${url.pathname}${url.search}`;
        const method = methodOf(outgoing.endpoint);
        const headers: Record<string, string> = { [HEADER.protocol]: String(PROTOCOL_VERSION) };
        let nonce: string | undefined;
        if (outgoing.signed) {
            const body = outgoing.body;
            const signed = signRequest({
                method,
                path: target,
                body: body === undefined || body instanceof Uint8Array ? body : body.digest,
                keys: this.#keys,
                clock: this.#clock
            });
            Object.assign(headers, signed.headers);
            nonce = signed.nonce;
        }
        if (outgoing.contentType !== undefined) {
            headers['content-type'] = outgoing.contentType;
        }
        const deadline = new Deadline(outgoing.timeoutMs, outgoing.signal);
        const upload =
            outgoing.body !== undefined && !(outgoing.body instanceof Uint8Array)
                ? new CountedUpload(outgoing.body.chunks, outgoing.body.size)
                : undefined;
        if (upload !== undefined) {
            headers['content-length'] = String(upload.size);
        }
        const fail = (error: unknown): unknown => {
            if (deadline.callerAborted) {
                return deadline.callerReason;
            }
            if (upload?.problem !== undefined) {
                return upload.problem;
            }
            if (error instanceof NodeTransportError) {
                return error;
            }
            if (deadline.timedOut) {
                return new NodeUnreachable(
                    'timeout',
                    `No answer from ${url.origin} within ${outgoing.timeoutMs} ms (${method} ${url.pathname}).`,
                    { cause: error }
                );
            }
            const code = networkCode(error);
            if (code === undefined) {
                return error;
            }
            return new NodeUnreachable(code, `${method} ${url.origin}${url.pathname} failed: ${code}.`, {
                cause: error
            });
        };
        let response: Response;
        try {
            response = await this.#fetch(url, {
                method,
                headers,
                body: upload ?? (outgoing.body as Uint8Array | undefined),
                signal: deadline.signal,
                // A redirect would send the request to a path it was not signed for.
                redirect: 'manual',
                ...(upload === undefined ? {} : { duplex: 'half' as const })
            });
        } catch (error) {
            deadline.release();
            throw fail(error);
        }
        return { response, nonce, fail, release: () => deadline.release() };
    }

    /**
     * Reads a JSON answer up to a limit and verifies it: a 2xx answer is returned only when its
     * signature verified (or, for the unsigned acceptance, always); anything else becomes an error.
     */
    async #readJsonAnswer(sent: Sent, limit: number): Promise<{ status: number; value: unknown }> {
        try {
            return await this.#verifyJsonAnswer(sent, limit);
        } finally {
            sent.release();
        }
    }

    async #verifyJsonAnswer(sent: Sent, limit: number): Promise<{ status: number; value: unknown }> {
        const { response, nonce } = sent;
        const status = response.status;
        let bytes: Uint8Array | 'too-large';
        try {
            bytes = await readCapped(response, limit);
        } catch (error) {
            throw sent.fail(error);
        }
        if (bytes === 'too-large') {
            throw new ResponseNotTrusted('too-large', status, `The answer (HTTP ${status}) is over ${limit} bytes.`);
        }
        const success = status >= 200 && status < 300;
        let verified = false;
        if (nonce !== undefined) {
            const check = verifyResponse({
                status,
                headers: Object.fromEntries(response.headers),
                body: bytes,
                requestNonce: nonce,
                keys: this.#keys
            });
            verified = check.ok;
            // An unsigned error is how a node refuses before verifying (and how proxies fail); a
            // signature that is there but wrong, or a success without one, is never acceptable.
            if (!check.ok && (success || check.reason !== 'missing-signature')) {
                throw new ResponseNotTrusted(
                    check.reason === 'missing-signature' ? 'missing-signature' : 'bad-signature',
                    status,
                    check.message
                );
            }
        }
        const parsed = parseJsonBody(bytes);
        if (success) {
            if (!parsed.ok) {
                throw new ResponseNotTrusted(
                    'malformed',
                    status,
                    `The answer (HTTP ${status}) is malformed: ${parsed.message}`
                );
            }
            return { status, value: parsed.value };
        }
        throw refusal(status, parsed.ok ? parsed.value : undefined, verified);
    }
}

/**
 * The bytes of a streamed upload, counted: an iterable that yields more or fewer bytes than announced
 * stops the upload (with `problem` set) instead of sending a body that cannot match its length.
 */
class CountedUpload implements AsyncIterable<Uint8Array> {
    readonly size: number;
    problem: RangeError | undefined;
    readonly #chunks: AsyncIterable<Uint8Array>;

    constructor(chunks: AsyncIterable<Uint8Array>, size: number) {
        this.#chunks = chunks;
        this.size = size;
    }

    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
        let sent = 0;
        for await (const chunk of this.#chunks) {
            sent += chunk.length;
            if (sent > this.size) {
                this.problem = new RangeError(`the attachment body yielded more than the ${this.size} bytes announced`);
                throw this.problem;
            }
            yield chunk;
        }
        if (sent !== this.size) {
            this.problem = new RangeError(`the attachment body yielded ${sent} bytes, not the ${this.size} announced`);
            throw this.problem;
        }
    }
}

/** Reads an answer's body up to a limit; `'too-large'` (and the rest discarded) beyond it. */
async function readCapped(response: Response, limit: number): Promise<Uint8Array | 'too-large'> {
    const announced = declaredSize(response);
    if (announced !== undefined && announced > limit) {
        await response.body?.cancel().catch(() => undefined);
        return 'too-large';
    }
    if (response.body === null) {
        return new Uint8Array(0);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
        const part = await reader.read();
        if (part.done) {
            break;
        }
        const chunk = part.value as Uint8Array;
        size += chunk.length;
        if (size > limit) {
            await reader.cancel().catch(() => undefined);
            return 'too-large';
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
}

function declaredSize(response: Response): number | undefined {
    const value = response.headers.get('content-length');
    return value !== null && /^[0-9]{1,16}$/.test(value) ? Number(value) : undefined;
}

/** The error for an error answer: its protocol code and message when it has them. */
function refusal(status: number, body: unknown, verified: boolean): RequestRefused {
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    // An unverified body may come from anyone: take a code only in the protocol's shape, and cut the text.
    const code = typeof record.error === 'string' && ERROR_CODE.test(record.error) ? record.error : `http-${status}`;
    const message =
        typeof record.message === 'string'
            ? record.message.slice(0, MAX_ERROR_MESSAGE)
            : `The other node answered HTTP ${status} without a protocol error body.`;
    return new RequestRefused(status, code, message, verified);
}

/** The system code of a network failure (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...), looking through causes. */
function networkCode(error: unknown): string | undefined {
    let current: unknown = error;
    for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
        const code = (current as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '') {
            return code;
        }
        current = (current as { cause?: unknown }).cause;
    }
    // fetch reports network failures as TypeError('fetch failed') and a cut body as TypeError('terminated').
    if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) {
        return 'network-error';
    }
    return undefined;
}
