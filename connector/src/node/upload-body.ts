// The body of an attachment upload on the receiving side: the bytes as they arrive, counted against
// the limit and hashed, handed to the engine as an async iterable that only ends normally when they
// are exactly the signed bytes.
//
// An upload's signature is checked from its headers before the body is read (the signature covers
// the content hash, and reading 25 MiB from anyone before knowing who sends them would be a gift to
// whoever wants to fill a disk). So the bytes cannot be trusted while they stream: the last step of
// verification (`checkStreamedBody`) happens after the last byte. The engine therefore writes them
// somewhere temporary and keeps them only when the iteration ended without throwing; the throw at the
// end is what tells it to discard.
//
// The request stream is read with explicit `next()` calls and never `return()`ed: an early `return()`
// would destroy the request and with it the socket, and the server still has an answer to write.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { checkStreamedBody } from '../protocol/signing.ts';
import type { RequestVerification, VerificationFailure } from '../protocol/signing.ts';

/** A request whose headers verified. */
type VerifiedRequest = Extract<RequestVerification, { ok: true }>;

/** Why an upload's bytes were refused. */
export type UploadFailureReason = 'too-large' | 'body-mismatch' | 'aborted';

/** How an upload ended: its size, or why its bytes were refused. */
export type UploadOutcome =
    | { readonly ok: true; readonly bytes: number }
    | {
          readonly ok: false;
          readonly reason: UploadFailureReason;
          readonly message: string;
          /** For `body-mismatch`: the verification failure, to answer with as it is. */
          readonly failure?: VerificationFailure;
      };

/** Thrown by the upload body when its bytes are refused: over the limit, or not the signed bytes. */
export class AttachmentBodyRejected extends Error {
    override readonly name = 'AttachmentBodyRejected';

    /**
     * @param reason why the bytes are refused
     * @param message what happened
     */
    constructor(
        readonly reason: UploadFailureReason,
        message: string
    ) {
        super(message);
    }
}

/**
 * The bytes of one upload, checked while they are read. Iterate it once; `settle()` reads whatever
 * the iteration left and says how the upload ended.
 */
export class UploadBody implements AsyncIterable<Uint8Array> {
    readonly #source: AsyncIterator<Uint8Array>;
    readonly #verified: VerifiedRequest;
    readonly #maxBytes: number;
    readonly #hash: Hash = createHash('sha256');
    #bytes = 0;
    #iterated = false;
    #outcome: UploadOutcome | undefined;

    /**
     * @param source the request's chunks (`request[Symbol.asyncIterator]()`)
     * @param verified the verification of the request's headers
     * @param maxBytes the receiver's attachment limit
     */
    constructor(source: AsyncIterator<Uint8Array>, verified: VerifiedRequest, maxBytes: number) {
        this.#source = source;
        this.#verified = verified;
        this.#maxBytes = maxBytes;
    }

    /** How the upload ended so far: `undefined` while bytes remain unread. */
    get outcome(): UploadOutcome | undefined {
        return this.#outcome;
    }

    /** Whether the whole body was read and matched its signature. */
    get complete(): boolean {
        return this.#outcome?.ok === true;
    }

    /**
     * The chunks, checked. The iteration throws `AttachmentBodyRejected` when the limit is passed or
     * the bytes are not the signed ones (after the last chunk), and the network error when the sender
     * goes away.
     */
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
        if (this.#iterated) {
            throw new TypeError('the body of an upload can be read once');
        }
        this.#iterated = true;
        for (;;) {
            const chunk = await this.#next();
            if (chunk === undefined) {
                return;
            }
            yield chunk;
        }
    }

    /**
     * Reads what the handler did not, with the same checks, and says how the upload ended.
     *
     * @returns the outcome; never throws
     */
    async settle(): Promise<UploadOutcome> {
        this.#iterated = true;
        try {
            while ((await this.#next()) !== undefined) {
                // Discarded: the handler did not want these bytes, but they must still be the signed ones.
            }
        } catch {
            // The outcome holds the reason.
        }
        return this.#outcome as UploadOutcome;
    }

    /** The next checked chunk; `undefined` at a verified end. */
    async #next(): Promise<Uint8Array | undefined> {
        if (this.#outcome !== undefined) {
            if (this.#outcome.ok) {
                return undefined;
            }
            throw new AttachmentBodyRejected(this.#outcome.reason, this.#outcome.message);
        }
        let step: IteratorResult<Uint8Array>;
        try {
            step = await this.#source.next();
        } catch (error) {
            this.#outcome = {
                ok: false,
                reason: 'aborted',
                message: 'The sender closed the connection before the whole attachment arrived.'
            };
            throw error;
        }
        if (step.done === true) {
            const failure = checkStreamedBody(this.#verified, this.#hash.digest('hex'));
            if (failure !== undefined) {
                this.#outcome = { ok: false, reason: 'body-mismatch', message: failure.message, failure };
                throw new AttachmentBodyRejected('body-mismatch', failure.message);
            }
            this.#outcome = { ok: true, bytes: this.#bytes };
            return undefined;
        }
        const chunk = step.value;
        this.#bytes += chunk.length;
        if (this.#bytes > this.#maxBytes) {
            const message = `The attachment is larger than this node's limit of ${this.#maxBytes} bytes.`;
            this.#outcome = { ok: false, reason: 'too-large', message };
            throw new AttachmentBodyRejected('too-large', message);
        }
        this.#hash.update(chunk);
        return chunk;
    }
}
