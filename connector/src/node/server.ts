// The HTTP server of a node (protocol v1, docs/protocol.md), on node:http.
//
// Every request goes through the same gate, in the order the spec sets:
//
//   1. routing (the path as received, never decoded: it is what the signature covers)
//   2. `x-exalate-protocol` major version 1, else `400 unsupported-protocol` (before the signature:
//      another version may sign differently)
//   3. a `content-length` over the endpoint's limit: `413` before reading a byte
//   4. signed endpoints: the body read up to the limit (`413` beyond it, without reading further),
//      then hash, connection, timestamp, signature and nonce (`401`, unsigned); an attachment upload
//      verifies its headers first and its bytes while they stream (`checkStreamedBody`)
//   5. the body parsed and validated (`400 malformed` naming the field, `413` for too many or too
//      large messages), answered signed from here on
//   6. the engine's handler, with plain values; its refusals become `404`/`409`, its exceptions
//      `500 internal` (the cause is logged, never sent)
//
// Answers to requests that verified are signed over status, the request's nonce and the body hash;
// answers before that are not (there is nothing to sign them for). The invitation acceptance is not
// signed at all: its proof is in its body, and its confirmation carries the initiator's proof.
//
// A refused request whose body was not read gets `connection: close` and its socket is closed once the
// answer is out: reading the rest would mean reading what was just refused, and a connection whose
// request body is half read cannot carry another request.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { finished, pipeline } from 'node:stream/promises';
import { HEADER, readHeader } from '../protocol/headers.ts';
import type { VerifiedAcceptance } from '../protocol/invitation-proof.ts';
import { verifyAcceptance } from '../protocol/invitation-proof.ts';
import { CONNECTION_ID_SHAPE, deriveConnectionKeys } from '../protocol/keys.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import {
    MAX_BATCH_BYTES,
    PROTOCOL_VERSION,
    checkProtocolHeader,
    validateAckBatch,
    validateMessageBatch,
    validatePollResponse
} from '../protocol/messages.ts';
import { NonceCache } from '../protocol/nonce-cache.ts';
import { signResponse, verifyRequest } from '../protocol/signing.ts';
import type { RequestVerification } from '../protocol/signing.ts';
import { API_ROOT, STATUS_AFTER_COMMAND, matchEndpoint } from './endpoints.ts';
import type { ConnectionCommand, Endpoint } from './endpoints.ts';
import type { NodeHandlers } from './handlers.ts';
import { jsonBytes, parseJsonBody } from './json-body.ts';
import { DEFAULT_MAX_ATTACHMENT_BYTES, MAX_COMMAND_BYTES, MAX_POLL_WAIT_SECONDS } from './limits.ts';
import type { NodeLog, NodeLogEntry, NodeLogLevel } from './log.ts';
import { isCursor } from './cursor.ts';
import { UploadBody } from './upload-body.ts';

/** Options of `startNodeServer`. */
export interface NodeServerOptions {
    /** Interface to listen on; `127.0.0.1` unless given. A public node behind a reverse proxy keeps it local. */
    readonly host?: string;
    /** Port; `0` (or none) picks a free one, see `NodeServer.port`. */
    readonly port?: number;
    /**
     * The path of the node URL, e.g. `/node/salesforce-a` for `https://example.com/node/salesforce-a`:
     * endpoints are served below `<basePath>/exalate/v1`. The request target is verified as received,
     * so a proxy in front must keep this prefix (see the spec on proxies). Empty unless given.
     */
    readonly basePath?: string;
    /** The sync engine. */
    readonly handlers: NodeHandlers;
    /** The replay cache; a new one unless given (give one to share it across restarts of the server). */
    readonly nonceCache?: NonceCache;
    /** Milliseconds since 1970-01-01T00:00:00Z; `Date.now` unless a test supplies one. */
    readonly clock?: () => number;
    /** Where log entries go. */
    readonly log: NodeLog;
    /** Largest attachment accepted, in bytes; 25 MiB unless given. */
    readonly maxAttachmentBytes?: number;
    /**
     * How long `close()` lets requests in progress finish (long-polls are told to stop at once)
     * before it closes their sockets; 1,000 ms unless given.
     */
    readonly closeGraceMs?: number;
}

/** A running node server. */
export interface NodeServer {
    /** The node URL this server answers under, e.g. `http://127.0.0.1:43117` (with `basePath`, if any). */
    readonly url: string;
    /** The port it listens on. */
    readonly port: number;
    /**
     * Stops the server: no new connections, held long-polls told to stop (their signals fire), other
     * requests given `closeGraceMs` to finish, then every socket closed. Resolves when all are closed.
     */
    close(): Promise<void>;
}

/**
 * Starts a node server.
 *
 * @param options where to listen, the engine's handlers, the log
 * @returns the server's URL and its `close()`, once it listens
 */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
    const transport = new TransportServer(options);
    const port = await transport.listen(options.host ?? '127.0.0.1', options.port ?? 0);
    const host = options.host ?? '127.0.0.1';
    const authority = host.includes(':') ? `[${host}]` : host;
    return {
        url: `http://${authority}:${port}${transport.basePath}`,
        port,
        close: () => transport.close()
    };
}

/** A verified request: the keys and nonce its answer is signed with. */
type Verified = Extract<RequestVerification, { ok: true }>;

/** One request and its answer. */
interface Exchange {
    readonly request: IncomingMessage;
    readonly response: ServerResponse;
    /** The request target as received: path and query, what the signature covers. */
    readonly target: string;
    readonly query: string;
    readonly remoteAddress: string;
    endpoint?: Endpoint;
    /** Set once the request verified: from then on every answer is signed. */
    verified?: Verified;
}

const LOWERCASE_SHA256 = /^[0-9a-f]{64}$/;
const WAIT_VALUE = /^[0-9]{1,10}$/;
const BASE_PATH = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/;
/** How long a connection whose request body was refused unread may take to close by itself. */
const LINGER_MS = 2000;
/** The nil UUID: a well-formed id no invitation has (see `#acceptInvitation`). */
const NO_INVITATION = '00000000-0000-0000-0000-000000000000';

/** The server proper; `startNodeServer` is its public face. */
class TransportServer {
    readonly basePath: string;
    readonly #handlers: NodeHandlers;
    readonly #nonceCache: NonceCache;
    readonly #clock: () => number;
    readonly #log: NodeLog;
    readonly #maxAttachmentBytes: number;
    readonly #closeGraceMs: number;
    readonly #server: Server;
    readonly #sockets = new Set<Socket>();
    readonly #inFlight = new Set<Promise<void>>();
    /** One controller per held long-poll: `close()` aborts them. */
    readonly #polls = new Set<AbortController>();
    #closing: Promise<void> | undefined;

    constructor(options: NodeServerOptions) {
        const basePath = (options.basePath ?? '').replace(/\/+$/, '');
        if (!BASE_PATH.test(basePath)) {
            throw new TypeError(
                'basePath must be empty or a path such as /node/salesforce-a (printable ASCII, no query)'
            );
        }
        const maxAttachmentBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
        if (!Number.isSafeInteger(maxAttachmentBytes) || maxAttachmentBytes < 0) {
            throw new RangeError('maxAttachmentBytes must be a whole number of bytes');
        }
        this.basePath = basePath;
        this.#handlers = options.handlers;
        this.#clock = options.clock ?? Date.now;
        this.#nonceCache = options.nonceCache ?? new NonceCache({ clock: this.#clock });
        this.#log = options.log;
        this.#maxAttachmentBytes = maxAttachmentBytes;
        this.#closeGraceMs = options.closeGraceMs ?? 1000;
        this.#server = createServer((request, response) => {
            const done = this.#handle(request, response).finally(() => this.#inFlight.delete(done));
            this.#inFlight.add(done);
        });
        this.#server.on('connection', (socket: Socket) => {
            this.#sockets.add(socket);
            socket.once('close', () => this.#sockets.delete(socket));
        });
    }

    listen(host: string, port: number): Promise<number> {
        return new Promise((resolve, reject) => {
            this.#server.once('error', reject);
            this.#server.listen(port, host, () => {
                this.#server.off('error', reject);
                resolve((this.#server.address() as AddressInfo).port);
            });
        });
    }

    close(): Promise<void> {
        this.#closing ??= this.#shutDown();
        return this.#closing;
    }

    async #shutDown(): Promise<void> {
        const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
        for (const poll of this.#polls) {
            poll.abort(new Error('the node server is closing'));
        }
        this.#server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
            Promise.allSettled([...this.#inFlight]),
            new Promise((resolve) => {
                timer = setTimeout(resolve, this.#closeGraceMs);
            })
        ]);
        clearTimeout(timer);
        for (const socket of this.#sockets) {
            socket.destroy();
        }
        await closed;
    }

    async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const target = request.url ?? '';
        const queryAt = target.indexOf('?');
        const path = queryAt === -1 ? target : target.slice(0, queryAt);
        const exchange: Exchange = {
            request,
            response,
            target,
            query: queryAt === -1 ? '' : target.slice(queryAt + 1),
            remoteAddress: request.socket.remoteAddress ?? 'unknown'
        };
        if (this.#closing !== undefined) {
            request.socket.destroy();
            return;
        }
        try {
            await this.#route(exchange, path);
        } catch (error) {
            this.#internalError(exchange, error);
        }
        if (!response.writableEnded && !response.destroyed) {
            // Every path answers or destroys; this is the net under it.
            response.destroy();
        }
        await finished(response).catch(() => undefined);
    }

    async #route(exchange: Exchange, path: string): Promise<void> {
        const root = this.basePath + API_ROOT;
        const match = path.startsWith(`${root}/`)
            ? matchEndpoint(exchange.request.method ?? '', path.slice(root.length))
            : ({ found: 'none' } as const);
        if (match.found === 'none') {
            this.#send(exchange, 404, {
                error: 'not-found',
                message: `There is no endpoint ${path.slice(0, 200)} on this node; endpoints live under ${root}/.`
            });
            return;
        }
        if (match.found === 'wrong-method') {
            this.#send(
                exchange,
                405,
                { error: 'method-not-allowed', message: `This endpoint takes ${match.allow.join(', ')}.` },
                { allow: match.allow.join(', ') }
            );
            return;
        }
        const endpoint = match.endpoint;
        exchange.endpoint = endpoint;

        const protocol = checkProtocolHeader(exchange.request.headers);
        if (!protocol.ok) {
            this.#refuse(exchange, 400, protocol.reason, protocol.message);
            return;
        }

        const limit = endpoint.kind === 'put-attachment' ? this.#maxAttachmentBytes : limitOf(endpoint);
        const declared = declaredLength(exchange.request);
        if (declared !== undefined && declared > limit) {
            this.#refuse(
                exchange,
                413,
                'too-large',
                `The body of ${declared} bytes is over this endpoint's limit of ${limit} bytes.`
            );
            return;
        }

        switch (endpoint.kind) {
            case 'accept-invitation':
                await this.#acceptInvitation(exchange, endpoint.invitationId);
                return;
            case 'put-attachment':
                await this.#putAttachment(exchange, endpoint.sha256, declared);
                return;
            default:
                break;
        }

        const body = await this.#readSignedBody(exchange, limit);
        if (body === undefined) {
            return;
        }
        switch (endpoint.kind) {
            case 'post-messages':
                await this.#postMessages(exchange, body);
                return;
            case 'poll-messages':
                await this.#pollMessages(exchange);
                return;
            case 'get-attachment':
                await this.#getAttachment(exchange, endpoint.sha256);
                return;
            case 'connection-command':
                await this.#connectionCommand(exchange, endpoint.command);
                return;
        }
    }

    /** Reads a body up to the limit and verifies the request; answers and returns `undefined` on failure. */
    async #readSignedBody(exchange: Exchange, limit: number): Promise<Uint8Array | undefined> {
        const body = await readBody(exchange.request, limit);
        if (body === 'too-large') {
            // Unsigned: the request cannot be verified without its whole body.
            this.#refuse(exchange, 413, 'too-large', `The body is over this endpoint's limit of ${limit} bytes.`);
            return undefined;
        }
        if (body === 'aborted') {
            exchange.response.destroy();
            return undefined;
        }
        return (await this.#verify(exchange, body)) ? body : undefined;
    }

    /** Verifies a request (body or `'streamed'`); answers 401 and returns false when it fails. */
    async #verify(exchange: Exchange, body: Uint8Array | 'streamed'): Promise<boolean> {
        const verification = await verifyRequest(
            {
                method: exchange.request.method ?? '',
                path: exchange.target,
                headers: exchange.request.headers,
                body
            },
            {
                lookupKeys: (connectionId) => this.#keysFor(connectionId),
                nonceCache: this.#nonceCache,
                clock: this.#clock
            }
        );
        if (!verification.ok) {
            this.#refuse(exchange, verification.status, verification.reason, verification.message);
            return false;
        }
        exchange.verified = verification;
        return true;
    }

    async #keysFor(connectionId: string): Promise<ConnectionKeys | undefined> {
        const keys = await this.#handlers.keysFor(connectionId);
        if (keys !== undefined && keys.connectionId !== connectionId) {
            // A lookup bug must not let one connection's keys verify another's requests.
            this.#write({
                level: 'error',
                event: 'handler-failed',
                message: `keysFor(${connectionId}) returned the keys of connection ${keys.connectionId}; treated as unknown.`,
                connectionId
            });
            return undefined;
        }
        return keys;
    }

    async #acceptInvitation(exchange: Exchange, invitationId: string): Promise<void> {
        const body = await readBody(exchange.request, MAX_COMMAND_BYTES);
        if (body === 'too-large') {
            this.#refuse(exchange, 413, 'too-large', `The body is over the limit of ${MAX_COMMAND_BYTES} bytes.`);
            return;
        }
        if (body === 'aborted') {
            exchange.response.destroy();
            return;
        }
        const parsed = parseJsonBody(body);
        if (!parsed.ok) {
            this.#refuse(exchange, 400, 'malformed', `The invitation acceptance is malformed: ${parsed.message}`);
            return;
        }
        const bodyId = (parsed.value as { invitationId?: unknown } | null)?.invitationId;
        if (typeof bodyId === 'string' && bodyId !== invitationId) {
            this.#refuse(
                exchange,
                400,
                'malformed',
                'The invitation acceptance is malformed: invitationId must equal the invitation id of the path.'
            );
            return;
        }
        const keys = CONNECTION_ID_SHAPE.test(invitationId)
            ? await this.#handlers.invitationKeys(invitationId)
            : undefined;
        if (keys !== undefined && (keys.localRole !== 'initiator' || keys.connectionId !== invitationId)) {
            throw new TypeError(`invitationKeys(${invitationId}) did not return the initiator keys of that invitation`);
        }
        // verifyAcceptance is the one validator of acceptances. For an unknown invitation it runs with the
        // keys of a random secret: a malformed body then gets 400 naming its field exactly as for a known
        // invitation, and only a well-formed one learns that the invitation does not exist.
        const verification = verifyAcceptance(
            parsed.value,
            keys ?? deriveConnectionKeys(randomBytes(32).toString('base64url'), NO_INVITATION, 'initiator')
        );
        if (!verification.ok && verification.reason === 'malformed') {
            this.#refuse(exchange, 400, 'malformed', verification.message);
            return;
        }
        if (keys === undefined) {
            this.#refuse(exchange, 404, 'unknown-invitation', `This node has no invitation ${invitationId}.`);
            return;
        }
        if (!verification.ok) {
            this.#refuse(exchange, verification.status, verification.reason, verification.message);
            return;
        }
        await this.#confirm(exchange, verification.acceptance);
    }

    async #confirm(exchange: Exchange, acceptance: VerifiedAcceptance): Promise<void> {
        const result = await this.#handlers.acceptInvitation(acceptance);
        if (!result.ok) {
            const status = result.reason === 'unknown-invitation' ? 404 : 409;
            this.#refuse(exchange, status, result.reason, result.message, 'info');
            return;
        }
        const { invitationId, initiatorNonce, proof } = result.confirmation;
        if (invitationId !== acceptance.invitationId) {
            throw new TypeError('acceptInvitation answered with the confirmation of another invitation');
        }
        this.#write({
            level: 'info',
            event: 'invitation-accepted',
            message: `Invitation ${invitationId} accepted by ${acceptance.acceptorInstance} (${acceptance.acceptorPlatform}).`,
            connectionId: invitationId,
            remoteAddress: exchange.remoteAddress
        });
        this.#send(exchange, 200, { invitationId, initiatorNonce, proof });
    }

    async #postMessages(exchange: Exchange, body: Uint8Array): Promise<void> {
        const verified = exchange.verified as Verified;
        const parsed = parseJsonBody(body);
        if (!parsed.ok) {
            this.#refuse(exchange, 400, 'malformed', parsed.message);
            return;
        }
        const batch = validateMessageBatch(parsed.value, { connectionId: verified.connectionId });
        if (!batch.ok) {
            this.#refuse(exchange, batch.status, batch.reason, batch.message);
            return;
        }
        const result = await this.#handlers.receiveMessages(verified.connectionId, batch.value);
        if (!result.ok) {
            this.#refuse(exchange, 409, result.reason, result.message, 'info');
            return;
        }
        const acks = validateAckBatch(
            { acks: result.acks },
            batch.value.messages.map((message) => message.messageId)
        );
        if (!acks.ok) {
            throw new TypeError(`receiveMessages answered acks the protocol does not allow: ${acks.message}`);
        }
        this.#send(exchange, 200, acks.value);
    }

    async #pollMessages(exchange: Exchange): Promise<void> {
        const verified = exchange.verified as Verified;
        const query = readPollQuery(exchange.query);
        if (!query.ok) {
            this.#refuse(exchange, 400, 'malformed', query.message);
            return;
        }
        if (exchange.request.socket.destroyed) {
            // The poller left while the request was being verified: nobody to wait for.
            return;
        }
        const controller = new AbortController();
        const onClose = (): void => {
            if (!exchange.response.writableFinished) {
                controller.abort(new Error('the poller went away'));
            }
        };
        this.#polls.add(controller);
        exchange.response.once('close', onClose);
        let result: Awaited<ReturnType<NodeHandlers['pollMessages']>>;
        try {
            result = await this.#handlers.pollMessages(verified.connectionId, {
                after: query.after,
                waitMs: query.waitSeconds * 1000,
                signal: controller.signal
            });
        } catch (error) {
            if (controller.signal.aborted) {
                // Stopped on purpose (poller gone or server closing): there is no one to tell.
                exchange.response.destroy();
                return;
            }
            throw error;
        } finally {
            this.#polls.delete(controller);
            exchange.response.off('close', onClose);
        }
        if (exchange.response.destroyed) {
            return;
        }
        if (!result.ok) {
            this.#refuse(exchange, 409, result.reason, result.message, 'info');
            return;
        }
        const answer = validatePollResponse(
            { messages: result.messages, cursor: result.cursor },
            { connectionId: verified.connectionId }
        );
        if (!answer.ok) {
            throw new TypeError(`pollMessages answered what the protocol does not allow: ${answer.message}`);
        }
        this.#send(exchange, 200, answer.value);
    }

    async #putAttachment(exchange: Exchange, sha256: string, declared: number | undefined): Promise<void> {
        // The signature is checked from the headers before a byte is read (it covers the content hash).
        if (!(await this.#verify(exchange, 'streamed'))) {
            return;
        }
        const verified = exchange.verified as Verified;
        if (!LOWERCASE_SHA256.test(sha256) || verified.contentSha256 !== sha256) {
            this.#refuse(
                exchange,
                400,
                'malformed',
                LOWERCASE_SHA256.test(sha256)
                    ? `The ${HEADER.contentSha256} header must equal the SHA-256 of the path, ${sha256}.`
                    : 'The SHA-256 of the path must be 64 lowercase hex digits.'
            );
            return;
        }
        const body = new UploadBody(
            exchange.request[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
            verified,
            this.#maxAttachmentBytes
        );
        let result: 'stored' | 'already-held' | undefined;
        let handlerError: unknown;
        try {
            result = await this.#handlers.storeAttachment(verified.connectionId, {
                sha256,
                declaredSize: declared,
                maxBytes: this.#maxAttachmentBytes,
                body
            });
        } catch (error) {
            handlerError = error;
        }
        if (body.outcome !== undefined && !body.outcome.ok) {
            if (result === 'stored') {
                this.#write({
                    level: 'error',
                    event: 'handler-failed',
                    message: `storeAttachment reported ${sha256} stored although its body was refused (${body.outcome.reason}); it must discard such bytes.`,
                    connectionId: verified.connectionId
                });
            }
            this.#uploadRefused(exchange, body.outcome);
            return;
        }
        if (handlerError !== undefined) {
            this.#internalError(exchange, handlerError);
            return;
        }
        if (result === 'stored' && !body.complete) {
            throw new TypeError(`storeAttachment reported ${sha256} stored without reading its whole body`);
        }
        if (result !== 'stored' && result !== 'already-held') {
            throw new TypeError(`storeAttachment answered ${String(result)}, not stored or already-held`);
        }
        const outcome = await body.settle();
        if (!outcome.ok) {
            this.#uploadRefused(exchange, outcome);
            return;
        }
        this.#send(exchange, result === 'stored' ? 201 : 200, {});
    }

    #uploadRefused(exchange: Exchange, outcome: Extract<UploadBody['outcome'], { ok: false }>): void {
        switch (outcome.reason) {
            case 'aborted':
                exchange.response.destroy();
                return;
            case 'too-large':
                this.#refuse(exchange, 413, 'too-large', outcome.message);
                return;
            case 'body-mismatch':
                // A verification failure (step 2, checked late for a streamed body): unsigned like every 401.
                exchange.verified = undefined;
                this.#refuse(exchange, 401, 'body-mismatch', outcome.message);
                return;
        }
    }

    async #getAttachment(exchange: Exchange, sha256: string): Promise<void> {
        const verified = exchange.verified as Verified;
        if (!LOWERCASE_SHA256.test(sha256)) {
            this.#refuse(exchange, 400, 'malformed', 'The SHA-256 of the path must be 64 lowercase hex digits.');
            return;
        }
        const source = await this.#handlers.openAttachment(verified.connectionId, sha256);
        if (source === undefined) {
            this.#refuse(
                exchange,
                404,
                'unknown-attachment',
                `This node holds no attachment ${sha256} for connection ${verified.connectionId}.`,
                'info'
            );
            return;
        }
        if (!Number.isSafeInteger(source.size) || source.size < 0) {
            throw new TypeError(`openAttachment gave the size ${String(source.size)}, not a whole number of bytes`);
        }
        const response = exchange.response;
        response.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': String(source.size),
            'cache-control': 'no-store',
            [HEADER.protocol]: String(PROTOCOL_VERSION),
            // Signed over the hash asked for: the server knows it before sending.
            ...signResponse({
                status: 200,
                body: { sha256Hex: sha256 },
                requestNonce: verified.nonce,
                keys: verified.keys
            })
        });
        try {
            await pipeline(source.stream, checkedChunks(source.size, sha256), response);
        } catch (error) {
            response.destroy();
            this.#write({
                level: 'error',
                event: 'attachment-not-served',
                message: `Attachment ${sha256} could not be served whole: ${describeError(error)}`,
                connectionId: verified.connectionId,
                remoteAddress: exchange.remoteAddress,
                cause: error
            });
        }
    }

    async #connectionCommand(exchange: Exchange, command: ConnectionCommand): Promise<void> {
        const verified = exchange.verified as Verified;
        await this.#handlers.control(verified.connectionId, command);
        this.#write({
            level: 'info',
            event: 'connection-command',
            message: `The other node sent ${command} for connection ${verified.connectionId}.`,
            connectionId: verified.connectionId
        });
        this.#send(exchange, 200, { status: STATUS_AFTER_COMMAND[command] });
    }

    /** Answers with a protocol error and logs it. */
    #refuse(exchange: Exchange, status: number, reason: string, message: string, level: NodeLogLevel = 'warn'): void {
        this.#write({
            level,
            event: 'request-refused',
            message,
            reason,
            status,
            connectionId: exchange.verified?.connectionId ?? claimedConnection(exchange.request),
            endpoint: exchange.endpoint?.kind,
            remoteAddress: exchange.remoteAddress
        });
        this.#send(exchange, status, { error: reason, message });
    }

    #internalError(exchange: Exchange, error: unknown): void {
        this.#write({
            level: 'error',
            event: 'handler-failed',
            message: `The request could not be processed: ${describeError(error)}`,
            status: 500,
            connectionId: exchange.verified?.connectionId ?? claimedConnection(exchange.request),
            endpoint: exchange.endpoint?.kind,
            remoteAddress: exchange.remoteAddress,
            cause: error
        });
        if (exchange.response.headersSent) {
            exchange.response.destroy();
            return;
        }
        this.#send(exchange, 500, {
            error: 'internal',
            message: 'The node could not process the request; the cause is in its log. Try again later.'
        });
    }

    /** Writes a JSON answer, signed when the request verified. */
    #send(exchange: Exchange, status: number, value: unknown, extra: Record<string, string> = {}): void {
        const { request, response } = exchange;
        if (response.headersSent || response.destroyed) {
            return;
        }
        const body = jsonBytes(value);
        const headers: Record<string, string> = {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'cache-control': 'no-store',
            [HEADER.protocol]: String(PROTOCOL_VERSION),
            ...extra
        };
        if (exchange.verified !== undefined) {
            Object.assign(
                headers,
                signResponse({ status, body, requestNonce: exchange.verified.nonce, keys: exchange.verified.keys })
            );
        }
        // A request whose body was not read to its end leaves the connection unusable: close it once
        // the answer is out, rather than read (and so accept) what was refused. Half-close first: a
        // socket destroyed with unread bytes in its buffer sends a reset, which can overtake the answer
        // and leave the sender with ECONNRESET instead of the 413. The sender stops on the answer; one
        // that does not is cut off after LINGER_MS.
        const unread = !request.complete;
        if (unread) {
            headers.connection = 'close';
        }
        response.writeHead(status, headers);
        response.end(body, () => {
            if (unread) {
                const socket = request.socket;
                socket.end();
                setTimeout(() => socket.destroy(), LINGER_MS).unref();
            }
        });
    }

    #write(entry: NodeLogEntry): void {
        try {
            this.#log(entry);
        } catch {
            // A failing logger must not turn an answer into a crash.
        }
    }
}

/** The body limit of an endpoint other than the attachment upload. */
function limitOf(endpoint: Endpoint): number {
    return endpoint.kind === 'post-messages' ? MAX_BATCH_BYTES : MAX_COMMAND_BYTES;
}

/** The `content-length` of a request, when it has one (Node has checked its syntax). */
function declaredLength(request: IncomingMessage): number | undefined {
    const value = request.headers['content-length'];
    return value === undefined ? undefined : Number(value);
}

/** The connection a refused request claims, for the log: only a value in the shape of a connection id. */
function claimedConnection(request: IncomingMessage): string | undefined {
    const header = readHeader(request.headers, HEADER.connection);
    return header.found === 'one' && CONNECTION_ID_SHAPE.test(header.value) ? header.value : undefined;
}

/**
 * Reads a request body up to a limit.
 *
 * @returns the body; `'too-large'` as soon as it passes the limit (the rest is left unread); `'aborted'`
 *     when the sender went away first
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const settle = (result: Buffer | 'too-large' | 'aborted'): void => {
            request.off('data', onData);
            request.off('end', onEnd);
            request.off('error', onAbort);
            request.off('close', onAbort);
            resolve(result);
        };
        const onData = (chunk: Buffer): void => {
            size += chunk.length;
            if (size > limit) {
                request.pause();
                settle('too-large');
                return;
            }
            chunks.push(chunk);
        };
        const onEnd = (): void => settle(Buffer.concat(chunks, size));
        const onAbort = (): void => settle('aborted');
        request.on('data', onData);
        request.once('end', onEnd);
        request.once('error', onAbort);
        request.once('close', onAbort);
    });
}

/** The `after` and `wait` of a long-poll; unknown parameters are ignored (a minor version may add some). */
function readPollQuery(
    query: string
): { ok: true; after: string | undefined; waitSeconds: number } | { ok: false; message: string } {
    const params = new URLSearchParams(query);
    const after = params.getAll('after');
    const wait = params.getAll('wait');
    if (after.length > 1 || wait.length > 1) {
        return { ok: false, message: 'after and wait may each appear once in the query.' };
    }
    if (after.length === 1 && !isCursor(after[0])) {
        return { ok: false, message: 'after must be a cursor: 1 to 200 characters of A-Z a-z 0-9 . _ ~ -.' };
    }
    if (wait.length === 1 && !WAIT_VALUE.test(wait[0])) {
        return { ok: false, message: 'wait must be a whole number of seconds, 0 to 55.' };
    }
    return {
        ok: true,
        after: after[0],
        waitSeconds: wait.length === 1 ? Math.min(Number(wait[0]), MAX_POLL_WAIT_SECONDS) : 0
    };
}

/**
 * Passes an attachment's chunks on while counting and hashing them, one chunk behind: the last
 * chunk leaves only once size and hash are known to be right, so bytes that are not the ones asked
 * for (a corrupt store) reach the client as a cut body, which it refuses, never as a whole one.
 */
function checkedChunks(size: number, sha256: string) {
    return async function* (chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        const hash = createHash('sha256');
        let held: Uint8Array | undefined;
        let count = 0;
        for await (const chunk of chunks) {
            count += chunk.length;
            if (count > size) {
                throw new Error(`the stored bytes are longer than the ${size} bytes announced`);
            }
            hash.update(chunk);
            if (held !== undefined) {
                yield held;
            }
            held = chunk;
        }
        if (count !== size) {
            throw new Error(`the stored bytes are ${count} bytes, not the ${size} announced`);
        }
        if (hash.digest('hex') !== sha256) {
            throw new Error('the stored bytes do not have the SHA-256 they are stored under');
        }
        if (held !== undefined) {
            yield held;
        }
    };
}

function describeError(error: unknown): string {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
