// The cancellation of one outgoing request: a timeout and, optionally, the caller's signal, combined
// into the one signal handed to fetch, and released as soon as the answer has been read.
//
// Not `AbortSignal.any([caller, AbortSignal.timeout(ms)])`: on Node 20 every signal `any` derives from
// a long-lived signal stays reachable from it (measured: about 1.2 KB per call, never collected). A
// poll loop passes the same stop signal to every poll, a poll every 25 seconds for months; that would
// be a leak with a slow, steady slope. Here a listener is added to the caller's signal per request and
// removed again on `release()`, and the timer is cleared, so nothing outlives the request.

/** A request's deadline and cancellation. */
export class Deadline {
    readonly #controller = new AbortController();
    readonly #timer: NodeJS.Timeout;
    readonly #caller: AbortSignal | undefined;
    readonly #onCallerAbort: () => void;
    #timedOut = false;

    /**
     * @param timeoutMs how long the request may take, answer included
     * @param caller the caller's signal, if any; its abort aborts the request with its reason
     */
    constructor(timeoutMs: number, caller?: AbortSignal) {
        this.#caller = caller;
        this.#onCallerAbort = () => this.#controller.abort(caller?.reason);
        this.#timer = setTimeout(() => {
            this.#timedOut = true;
            this.#controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
        }, timeoutMs);
        // A pending deadline alone must not keep the process alive.
        this.#timer.unref();
        if (caller?.aborted === true) {
            this.#onCallerAbort();
        } else {
            caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
        }
    }

    /** The signal to give fetch. */
    get signal(): AbortSignal {
        return this.#controller.signal;
    }

    /** Whether the timeout, rather than the caller, ended the request. */
    get timedOut(): boolean {
        return this.#timedOut;
    }

    /** Whether the caller aborted. */
    get callerAborted(): boolean {
        return this.#caller?.aborted === true;
    }

    /** The caller's abort reason. */
    get callerReason(): unknown {
        return this.#caller?.reason as unknown;
    }

    /** The request is over: clear the timer and let go of the caller's signal. Idempotent. */
    release(): void {
        clearTimeout(this.#timer);
        this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    }
}
