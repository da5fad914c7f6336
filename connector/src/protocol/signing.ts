// Signing and verification of the HTTP requests and responses of node protocol v1.
//
// Every request between two nodes is signed with HMAC-SHA256 under the sending side's request key
// (keys.ts) over a canonical string of what the request does:
//
//   EXALATE-HMAC-SHA256\n<METHOD>\n<path and query as sent>\n<timestamp ms>\n<nonce>\n<body sha256 hex>\n<connection id>
//
// and every response to a verified request under the answering side's response key over
//
//   EXALATE-HMAC-SHA256-RESPONSE\n<status>\n<nonce of the request>\n<body sha256 hex>
//
// The response carries no timestamp or nonce of its own: naming the request's nonce makes it the
// answer to that one request, which is fresh by construction. A response recorded for one request is
// worthless for any other, which matters most for long-polls, where the answer arrives minutes later.
//
// Every field of a canonical string is checked against a shape without line breaks before it is
// used, so no field can smuggle a "\n" and shift the others.
//
// The module works on plain values (method, path, a record of headers, the body as bytes) so that
// the sync engine knows no HTTP library; adapters call it.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HEADER, readHeader } from './headers.ts';
import type { HeaderRecord } from './headers.ts';
import { CONNECTION_ID_SHAPE } from './keys.ts';
import type { ConnectionKeys, SecretKey } from './keys.ts';
import { PROTOCOL_VERSION } from './messages.ts';
import { TIMESTAMP_WINDOW_MS } from './nonce-cache.ts';
import type { NonceCache } from './nonce-cache.ts';

/** First line of the canonical string of a request. */
export const REQUEST_ALGORITHM = 'EXALATE-HMAC-SHA256';

/** First line of the canonical string of a response. */
export const RESPONSE_ALGORITHM = 'EXALATE-HMAC-SHA256-RESPONSE';

/** Prefix of the signature header value; a later algorithm would get `v2=`. */
export const SIGNATURE_PREFIX = 'v1=';

/** SHA-256 of the empty body: the content hash of every GET. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Why a request or response failed verification. */
export type VerificationReason =
    | 'missing-signature'
    | 'body-mismatch'
    | 'stale-timestamp'
    | 'bad-signature'
    | 'replayed-nonce'
    | 'unknown-connection';

/** A failed verification: the reason for the `error` field of the 401 answer, and a message for the admin. */
export interface VerificationFailure {
    readonly ok: false;
    readonly reason: VerificationReason;
    /** The HTTP status to answer with (for a response that failed verification: informative only). */
    readonly status: 401;
    /** For the admin reading the log; never contains a secret, a key or an expected signature. */
    readonly message: string;
}

/** Result of verifying a request. */
export type RequestVerification =
    | {
          readonly ok: true;
          /** The connection the request was signed for. */
          readonly connectionId: string;
          /** The request's nonce: sign the response with it. */
          readonly nonce: string;
          /** The signed body hash; for a streamed body, compare the hash of the bytes read with it. */
          readonly contentSha256: string;
          /** The connection's keys, as the lookup returned them: sign the response with them. */
          readonly keys: ConnectionKeys;
      }
    | VerificationFailure;

/** Result of verifying a response. */
export type ResponseVerification = { readonly ok: true; readonly connectionId: string } | VerificationFailure;

/** A body known only by its hash: an upload or download streamed while hashing. */
export interface BodyDigest {
    /** Lowercase hex SHA-256 of the body. */
    readonly sha256Hex: string;
}

/** Finds a connection's keys by id; `undefined` when this node has no such connection. */
export type KeyLookup = (connectionId: string) => ConnectionKeys | undefined | Promise<ConnectionKeys | undefined>;

/** The parts of a request's canonical string. */
export interface CanonicalRequestParts {
    readonly method: string;
    /** Path and query exactly as sent, e.g. `/exalate/v1/messages?after=c-42&wait=25`. */
    readonly path: string;
    /** Milliseconds since 1970-01-01T00:00:00Z, as written in the header (decimal digits). */
    readonly timestamp: string;
    readonly nonce: string;
    /** Lowercase hex SHA-256 of the body. */
    readonly contentSha256: string;
    readonly connectionId: string;
}

/** A request to sign. */
export interface SignRequestInput {
    /** HTTP method; written uppercase in the canonical string. */
    readonly method: string;
    /** Path and query exactly as they will be sent, starting with `/`. */
    readonly path: string;
    /** The body, or its hash for a streamed upload; no body is an empty body. */
    readonly body?: Uint8Array | BodyDigest;
    /** The keys of this side of the connection. */
    readonly keys: ConnectionKeys;
    /** Milliseconds since 1970-01-01T00:00:00Z; `Date.now` unless a test supplies one. */
    readonly clock?: () => number;
    /** A fixed nonce, for tests and the worked example only: a nonce must never be used twice. */
    readonly nonce?: string;
}

/** The headers to add to a signed request, and the nonce to verify its response with. */
export interface SignedRequest {
    /** `x-exalate-connection`, `-timestamp`, `-nonce`, `-content-sha256`, `-signature` and `-protocol`. */
    readonly headers: Readonly<Record<string, string>>;
    /** The request's nonce; pass it to `verifyResponse`. */
    readonly nonce: string;
}

/** A received request, as plain values. */
export interface IncomingRequest {
    readonly method: string;
    /** Path and query exactly as received (Node: `request.url`). */
    readonly path: string;
    readonly headers: HeaderRecord;
    /**
     * The whole body, or `'streamed'` when the body is not read yet (attachment uploads): the
     * signature is checked over the signed content hash, and the caller must compare the hash of the
     * bytes it then reads with `contentSha256` of the result (`checkStreamedBody`).
     */
    readonly body: Uint8Array | 'streamed';
}

/** What request verification needs besides the request. */
export interface VerifyRequestOptions {
    /** Finds the keys of the connection named by the request. */
    readonly lookupKeys: KeyLookup;
    /** The node's replay cache. */
    readonly nonceCache: NonceCache;
    /** Milliseconds since 1970-01-01T00:00:00Z; `Date.now` unless a test supplies one. */
    readonly clock?: () => number;
}

/** A response to sign. */
export interface SignResponseInput {
    /** HTTP status code. */
    readonly status: number;
    /** The body, or its hash for a streamed download. */
    readonly body?: Uint8Array | BodyDigest;
    /** The nonce of the verified request answered (`RequestVerification.nonce`). */
    readonly requestNonce: string;
    /** The keys of this side of the connection. */
    readonly keys: ConnectionKeys;
}

/** A received response, as plain values. */
export interface IncomingResponse {
    readonly status: number;
    readonly headers: HeaderRecord;
    /** The whole body, or its hash when it was streamed. */
    readonly body: Uint8Array | BodyDigest;
    /** The nonce of the request this response answers (`SignedRequest.nonce`). */
    readonly requestNonce: string;
    /** The keys of this side of the connection. */
    readonly keys: ConnectionKeys;
}

const NONCE_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const TIMESTAMP_SHAPE = /^(?:0|[1-9][0-9]{0,14})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE_VALUE = /^v1=([0-9a-f]{64})$/;
const METHOD_SHAPE = /^[A-Za-z]{1,20}$/;
/** Origin-form request target: `/`, then printable ASCII without spaces (RFC 9112 allows no more). */
const PATH_SHAPE = /^\/[\x21-\x7e]*$/;

/**
 * SHA-256 of bytes as lowercase hex.
 *
 * @param data the bytes; a string is taken as UTF-8
 */
export function sha256Hex(data: Uint8Array | string): string {
    return createHash('sha256').update(data).digest('hex');
}

/**
 * A fresh nonce: 128 random bits as 22 characters of base64url.
 */
export function newNonce(): string {
    return randomBytes(16).toString('base64url');
}

/**
 * The canonical string of a request, the text its signature is computed over.
 *
 * @param parts the request's parts
 * @returns the seven lines joined by `\n`, no line break at the end
 * @throws TypeError when a part has the wrong shape (it could otherwise carry a line break)
 */
export function canonicalRequest(parts: CanonicalRequestParts): string {
    if (!METHOD_SHAPE.test(parts.method)) {
        throw new TypeError('the method must be an HTTP method name such as POST');
    }
    if (!PATH_SHAPE.test(parts.path)) {
        throw new TypeError(
            'the path must start with / and hold printable ASCII only, without spaces (encode the rest)'
        );
    }
    if (!TIMESTAMP_SHAPE.test(parts.timestamp)) {
        throw new TypeError('the timestamp must be milliseconds since 1970-01-01T00:00:00Z in decimal digits');
    }
    if (!NONCE_SHAPE.test(parts.nonce)) {
        throw new TypeError('the nonce must be 22 characters of base64url (128 bits)');
    }
    if (!SHA256_HEX.test(parts.contentSha256)) {
        throw new TypeError('the content hash must be 64 lowercase hex digits');
    }
    if (!CONNECTION_ID_SHAPE.test(parts.connectionId)) {
        throw new TypeError('the connection id must be a lowercase UUID');
    }
    return [
        REQUEST_ALGORITHM,
        parts.method.toUpperCase(),
        parts.path,
        parts.timestamp,
        parts.nonce,
        parts.contentSha256,
        parts.connectionId
    ].join('\n');
}

/**
 * The canonical string of a response.
 *
 * @param status the HTTP status code
 * @param requestNonce the nonce of the request answered
 * @param bodySha256 lowercase hex SHA-256 of the response body
 * @returns the four lines joined by `\n`, no line break at the end
 * @throws TypeError when a part has the wrong shape
 */
export function canonicalResponse(status: number, requestNonce: string, bodySha256: string): string {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
        throw new TypeError('the status must be an HTTP status code, 100 to 599');
    }
    if (!NONCE_SHAPE.test(requestNonce)) {
        throw new TypeError('the request nonce must be 22 characters of base64url (128 bits)');
    }
    if (!SHA256_HEX.test(bodySha256)) {
        throw new TypeError('the body hash must be 64 lowercase hex digits');
    }
    return [RESPONSE_ALGORITHM, String(status), requestNonce, bodySha256].join('\n');
}

/**
 * Signs a request: computes the headers to send with it.
 *
 * Sign every attempt anew, retries included: a retry that reuses the headers is refused as a replay.
 *
 * @param input the request and the connection's keys
 * @returns the headers to add, and the nonce to verify the response with
 * @throws TypeError when the method, path, body hash or nonce has the wrong shape
 */
export function signRequest(input: SignRequestInput): SignedRequest {
    const nonce = input.nonce ?? newNonce();
    const timestamp = String(Math.floor((input.clock ?? Date.now)()));
    const contentSha256 = bodyHashOf(input.body);
    const connectionId = input.keys.connectionId;
    const canonical = canonicalRequest({
        method: input.method,
        path: input.path,
        timestamp,
        nonce,
        contentSha256,
        connectionId
    });
    const signature = SIGNATURE_PREFIX + input.keys.outgoingRequests.hmacSha256(canonical).toString('hex');
    return {
        nonce,
        headers: {
            [HEADER.connection]: connectionId,
            [HEADER.timestamp]: timestamp,
            [HEADER.nonce]: nonce,
            [HEADER.contentSha256]: contentSha256,
            [HEADER.signature]: signature,
            [HEADER.protocol]: String(PROTOCOL_VERSION)
        }
    };
}

/**
 * Verifies a received request. The checks run in this order, and the first that fails decides:
 * signing headers present and well-formed (`missing-signature`), body matches its hash
 * (`body-mismatch`), connection known (`unknown-connection`), timestamp within ±5 minutes of the
 * clock (`stale-timestamp`), signature right (`bad-signature`, compared in constant time), nonce
 * not seen before (`replayed-nonce`).
 *
 * The nonce is recorded only once the signature verified: otherwise anyone could send garbage with
 * the nonce of a request still on its way, and have the genuine request refused as a replay.
 *
 * Check `x-exalate-protocol` first (`checkProtocolHeader`): another version may sign differently.
 *
 * @param request the request as received
 * @param options the key lookup, the replay cache and the clock
 * @returns the connection and nonce, or why the request is refused (answer 401 with `{ error, message }`)
 */
export async function verifyRequest(
    request: IncomingRequest,
    options: VerifyRequestOptions
): Promise<RequestVerification> {
    const headers = readSigningHeaders(request.headers);
    if (!headers.ok) {
        return headers;
    }
    const { connectionId, timestamp, nonce, contentSha256, signature } = headers;
    if (request.body !== 'streamed' && sha256Hex(request.body) !== contentSha256) {
        return failure(
            'body-mismatch',
            `The body of the request on connection ${connectionId} does not match its ${HEADER.contentSha256} header: ` +
                'it was changed or cut on the way (a proxy that re-encodes or truncates bodies does this).'
        );
    }
    if (!METHOD_SHAPE.test(request.method) || !PATH_SHAPE.test(request.path)) {
        return failure(
            'bad-signature',
            'The request method or path cannot have been signed: the path must be in origin form (starting with /) and hold printable ASCII only.'
        );
    }

    const keys = await options.lookupKeys(connectionId);
    if (keys === undefined) {
        return failure(
            'unknown-connection',
            `This node has no connection ${connectionId}: it was deleted on this side or never set up here.`
        );
    }

    // The clock is read after the lookup (which may wait) so that the time checked is the time the
    // nonce is recorded at: nothing below awaits, so no other request can interleave.
    const now = Math.floor((options.clock ?? Date.now)());
    const signedAt = Number(timestamp);
    const skew = now - signedAt;
    if (Math.abs(skew) > TIMESTAMP_WINDOW_MS) {
        return failure(
            'stale-timestamp',
            `The request on connection ${connectionId} was signed at ${isoTime(signedAt)}, ` +
                `${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'before' : 'after'} this node's time ${isoTime(now)}; ` +
                `at most ${TIMESTAMP_WINDOW_MS / 1000} s either way are accepted. ` +
                'Check that the clocks of both connectors are synchronised (NTP), or look for a delayed or replayed request.'
        );
    }

    const canonical = canonicalRequest({
        method: request.method,
        path: request.path,
        timestamp,
        nonce,
        contentSha256,
        connectionId
    });
    if (!signatureMatches(keys.incomingRequests, canonical, signature)) {
        return failure(
            'bad-signature',
            `The signature of the request on connection ${connectionId} is wrong: the request was changed on the way, ` +
                'or the other node holds another secret for this connection (then create the connection again on both sides).'
        );
    }

    const verdict = options.nonceCache.checkAndRecord(connectionId, nonce, signedAt, now);
    if (verdict === 'replayed') {
        return failure(
            'replayed-nonce',
            `The request with nonce ${nonce} on connection ${connectionId} was received before: a replay, ` +
                'or a retry that reused its signature (a sender must sign every attempt anew).'
        );
    }
    if (verdict === 'too-old') {
        return failure(
            'stale-timestamp',
            `The request on connection ${connectionId} is older than the oldest request this node can still tell from a replay: ` +
                'the connection sent more signed requests within 5 minutes than the replay cache holds. Sign it again and retry.'
        );
    }
    return { ok: true, connectionId, nonce, contentSha256, keys };
}

/**
 * Finishes the verification of a request whose body was streamed (`body: 'streamed'`): compares the
 * hash of the bytes read with the signed one. Until this passes, the bytes must not be used.
 *
 * @param verified the successful result of `verifyRequest`
 * @param actualSha256 lowercase hex SHA-256 of the bytes read
 * @returns `undefined` when they match, else the `body-mismatch` failure
 */
export function checkStreamedBody(
    verified: Extract<RequestVerification, { ok: true }>,
    actualSha256: string
): VerificationFailure | undefined {
    if (actualSha256 === verified.contentSha256) {
        return undefined;
    }
    return failure(
        'body-mismatch',
        `The streamed body of the request on connection ${verified.connectionId} does not match its ${HEADER.contentSha256} header: ` +
            'it was changed or cut on the way.'
    );
}

/**
 * Signs a response to a verified request.
 *
 * @param input the status, body, request nonce and the connection's keys
 * @returns the header to add: `x-exalate-signature`
 * @throws TypeError when the status, nonce or body hash has the wrong shape
 */
export function signResponse(input: SignResponseInput): Readonly<Record<string, string>> {
    const canonical = canonicalResponse(input.status, input.requestNonce, bodyHashOf(input.body));
    return {
        [HEADER.signature]: SIGNATURE_PREFIX + input.keys.outgoingResponses.hmacSha256(canonical).toString('hex')
    };
}

/**
 * Verifies a response to a request this node sent. Trust nothing of a response that fails, not even
 * its status: an unsigned 401 or 500 may come from a proxy or from someone on the path.
 *
 * @param response the response as received, with the nonce of the request it answers
 * @returns the connection, or why the response cannot be trusted
 */
export function verifyResponse(response: IncomingResponse): ResponseVerification {
    const connectionId = response.keys.connectionId;
    const header = readHeader(response.headers, HEADER.signature);
    if (header.found !== 'one') {
        return failure(
            'missing-signature',
            header.found === 'none'
                ? `The response of the other node on connection ${connectionId} (HTTP ${response.status}) is not signed: it may come from a proxy in between, or the other node refused the request before it could verify it.`
                : `The response of the other node on connection ${connectionId} carries more than one ${HEADER.signature} header.`
        );
    }
    const match = SIGNATURE_VALUE.exec(header.value);
    if (match === null) {
        return failure(
            'missing-signature',
            `The ${HEADER.signature} header of the response on connection ${connectionId} is not v1= and 64 lowercase hex digits.`
        );
    }
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
        return failure(
            'bad-signature',
            `The response on connection ${connectionId} cannot have been signed: its status is not an HTTP status code.`
        );
    }
    const canonical = canonicalResponse(response.status, response.requestNonce, bodyHashOf(response.body));
    if (!signatureMatches(response.keys.incomingResponses, canonical, header.value)) {
        return failure(
            'bad-signature',
            `The signature of the response on connection ${connectionId} (HTTP ${response.status}) is wrong: the response was changed on the way, ` +
                'answers another request, or the other node holds another secret for this connection.'
        );
    }
    return { ok: true, connectionId };
}

type SigningHeaders =
    | {
          readonly ok: true;
          readonly connectionId: string;
          readonly timestamp: string;
          readonly nonce: string;
          readonly contentSha256: string;
          readonly signature: string;
      }
    | VerificationFailure;

/** Reads the five signing headers; each must be present once and well-formed. */
function readSigningHeaders(headers: HeaderRecord): SigningHeaders {
    const rules: readonly (readonly [string, RegExp, string])[] = [
        [HEADER.connection, CONNECTION_ID_SHAPE, 'a lowercase UUID'],
        [HEADER.timestamp, TIMESTAMP_SHAPE, 'milliseconds since 1970-01-01T00:00:00Z in decimal digits'],
        [HEADER.nonce, NONCE_SHAPE, '22 characters of base64url'],
        [HEADER.contentSha256, SHA256_HEX, '64 lowercase hex digits'],
        [HEADER.signature, SIGNATURE_VALUE, 'v1= and 64 lowercase hex digits']
    ];
    const values: string[] = [];
    for (const [name, shape, expected] of rules) {
        const header = readHeader(headers, name);
        if (header.found === 'none') {
            return failure(
                'missing-signature',
                `The request carries no ${name} header: it is not a signed Exalate request, or a proxy removed the header.`
            );
        }
        if (header.found === 'many') {
            return failure('missing-signature', `The request carries the ${name} header more than once.`);
        }
        if (!shape.test(header.value)) {
            // The value is not repeated: it is whatever the sender wrote, and may not be printable.
            return failure('missing-signature', `The ${name} header of the request is not ${expected}.`);
        }
        values.push(header.value);
    }
    const [connectionId, timestamp, nonce, contentSha256, signature] = values;
    return { ok: true, connectionId, timestamp, nonce, contentSha256, signature };
}

/** Compares a received `v1=<hex>` signature with the expected HMAC in constant time. */
function signatureMatches(
    key: SecretKey<'request-signing' | 'response-signing'>,
    canonical: string,
    received: string
): boolean {
    const expected = key.hmacSha256(canonical);
    const given = Buffer.from(received.slice(SIGNATURE_PREFIX.length), 'hex');
    // Both are 32 bytes (the header shape guarantees 64 hex digits); timingSafeEqual needs equal lengths.
    return given.length === expected.length && timingSafeEqual(given, expected);
}

function bodyHashOf(body: Uint8Array | BodyDigest | undefined): string {
    if (body === undefined) {
        return EMPTY_BODY_SHA256;
    }
    if (body instanceof Uint8Array) {
        return sha256Hex(body);
    }
    if (!SHA256_HEX.test(body.sha256Hex)) {
        throw new TypeError('the body hash must be 64 lowercase hex digits');
    }
    return body.sha256Hex;
}

function failure(reason: VerificationReason, message: string): VerificationFailure {
    return { ok: false, reason, status: 401, message };
}

function isoTime(ms: number): string {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
