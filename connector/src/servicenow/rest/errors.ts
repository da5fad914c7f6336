// Typed failures of the ServiceNow REST adapter. Messages name the method, the path and what the
// instance said (`error.message` / `error.detail`); they never carry credentials or tokens.

export type ServiceNowErrorKind =
    | 'authentication'
    | 'forbidden'
    | 'not-found'
    | 'bad-request'
    | 'too-large'
    | 'rate-limited'
    | 'server'
    | 'network'
    | 'invalid-response'
    | 'invalid-input';

export class ServiceNowApiError extends Error {
    readonly kind: ServiceNowErrorKind;
    /** HTTP status, 0 when no answer came. */
    readonly status: number;
    /** ServiceNow's `error.detail`, when it gave one. */
    readonly detail: string | null;
    /** Seconds the instance asked to wait (429). */
    readonly retryAfterSeconds: number | undefined;

    constructor(
        kind: ServiceNowErrorKind,
        message: string,
        options: { status?: number; detail?: string | null; retryAfterSeconds?: number; cause?: unknown } = {}
    ) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'ServiceNowApiError';
        this.kind = kind;
        this.status = options.status ?? 0;
        this.detail = options.detail ?? null;
        this.retryAfterSeconds = options.retryAfterSeconds;
    }
}

export function kindOfStatus(status: number): ServiceNowErrorKind {
    if (status === 401) {
        return 'authentication';
    }
    if (status === 403) {
        return 'forbidden';
    }
    if (status === 404) {
        return 'not-found';
    }
    if (status === 413) {
        return 'too-large';
    }
    if (status === 429) {
        return 'rate-limited';
    }
    return status >= 500 ? 'server' : 'bad-request';
}
