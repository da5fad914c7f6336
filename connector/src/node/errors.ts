// What can go wrong when this node calls the other one, as error classes the sync engine can act on
// without knowing HTTP. Every class says whether trying again later can help (`retryable`):
//
// - `NodeUnreachable`: no answer at all (refused, reset, timed out, DNS). Retry with back-off.
// - `ResponseNotTrusted`: an answer that did not verify (unsigned or badly signed where a signature
//   was due, changed on the way, an answer to another request, too large, unreadable). The spec says
//   to treat it as no answer: retry with a newly signed request.
// - `RequestRefused`: an error answer (4xx, 5xx) with the protocol's error code. `verified` tells
//   whether the other node signed it. Unsigned refusals are normal for the 401s of verification, a
//   400 unsupported-protocol, a 413 refused on its content-length and every answer of the accept
//   endpoint, but anyone on the path could have written them: show them to the admin, never change a
//   connection's state because of one.

/** Error codes of protocol v1 (`{"error": ...}` of an error answer). */
export type ProtocolErrorCode =
    | 'unsupported-protocol'
    | 'malformed'
    | 'missing-signature'
    | 'body-mismatch'
    | 'unknown-connection'
    | 'stale-timestamp'
    | 'bad-signature'
    | 'replayed-nonce'
    | 'bad-proof'
    | 'unknown-invitation'
    | 'unknown-attachment'
    | 'already-accepted'
    | 'invitation-expired'
    | 'connection-inactive'
    | 'too-large'
    | 'internal';

/** Why an answer is not trusted. */
export type UntrustedReason =
    /** No signature, or not in the `v1=<hex>` shape, where one was due. */
    | 'missing-signature'
    /** A signature that does not verify: changed on the way, another request's answer, another secret. */
    | 'bad-signature'
    /** Downloaded bytes whose SHA-256 is not the one asked for and signed. */
    | 'body-mismatch'
    /** An invitation confirmation whose proof does not verify. */
    | 'bad-proof'
    /** A verified answer whose body is not what the protocol says (not JSON, failing the checks). */
    | 'malformed'
    /** An answer over its size limit. */
    | 'too-large';

/** Codes for which the same request can succeed later without anyone changing anything. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
    'body-mismatch',
    'stale-timestamp',
    'replayed-nonce',
    'connection-inactive',
    'internal'
]);

/** Codes for which repeating the request cannot help: the request, the secret or the connection must change. */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
    'unsupported-protocol',
    'malformed',
    'missing-signature',
    'unknown-connection',
    'bad-signature',
    'bad-proof',
    'unknown-invitation',
    'unknown-attachment',
    'already-accepted',
    'invitation-expired',
    'too-large'
]);

/** Base class of the transport's errors. */
export abstract class NodeTransportError extends Error {
    /** Whether the same request may succeed when tried again later (newly signed). */
    abstract readonly retryable: boolean;
}

/** No answer: connection refused or reset, a timeout, an unknown host. Always retryable. */
export class NodeUnreachable extends NodeTransportError {
    override readonly name = 'NodeUnreachable';
    readonly retryable = true;
    /** What failed: a system code such as `ECONNREFUSED` or `ECONNRESET`, `timeout`, or the error's name. */
    readonly code: string;

    /**
     * @param code what failed
     * @param message what happened, for the admin
     * @param options the underlying error
     */
    constructor(code: string, message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.code = code;
    }
}

/** An answer that did not verify: treat it as no answer and retry later with a newly signed request. */
export class ResponseNotTrusted extends NodeTransportError {
    override readonly name = 'ResponseNotTrusted';
    readonly retryable = true;
    readonly reason: UntrustedReason;
    /** The status the answer claimed (untrusted, like everything else about it). */
    readonly status: number;

    /**
     * @param reason why the answer is not trusted
     * @param status the status the answer claimed
     * @param message what happened, for the admin
     */
    constructor(reason: UntrustedReason, status: number, message: string) {
        super(message);
        this.reason = reason;
        this.status = status;
    }
}

/** An error answer of the other node (or of something on the path, when `verified` is false). */
export class RequestRefused extends NodeTransportError {
    override readonly name = 'RequestRefused';
    /** The HTTP status. */
    readonly status: number;
    /** The protocol error code (`error` of the body), or `http-<status>` when the body has none. */
    readonly code: ProtocolErrorCode | `http-${number}` | (string & {});
    /** Whether the answer's signature verified: only then does it certainly come from the other node. */
    readonly verified: boolean;
    /**
     * Whether the same request may succeed later as it is (`stale-timestamp`, `replayed-nonce`,
     * `body-mismatch`, `connection-inactive`, `internal`, 5xx, 408, 429). `false` means something has
     * to change first: the request (`malformed`, `too-large`), the secret (`bad-signature`), the
     * connection (`unknown-connection`, `already-accepted`). When `verified` is false the spec treats
     * the answer as no answer: show the code to the admin and keep retrying with back-off, but change
     * no state because of it (it may be forged).
     */
    readonly retryable: boolean;

    /**
     * @param status the HTTP status
     * @param code the protocol error code, or `http-<status>`
     * @param message the answer's message (or a description of the answer)
     * @param verified whether the answer was signed by the other node
     */
    constructor(status: number, code: string, message: string, verified: boolean) {
        super(message);
        this.status = status;
        this.code = code;
        this.verified = verified;
        this.retryable = isRetryable(status, code);
    }
}

/**
 * Whether an error answer may turn into success when the request is repeated later.
 *
 * @param status the HTTP status
 * @param code the protocol error code
 */
function isRetryable(status: number, code: string): boolean {
    if (TRANSIENT_CODES.has(code)) {
        return true;
    }
    if (PERMANENT_CODES.has(code)) {
        return false;
    }
    // Not a protocol answer (a proxy's, a gateway's): by status, as HTTP means it.
    return status >= 500 || status === 408 || status === 425 || status === 429;
}
