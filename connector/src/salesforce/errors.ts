// Errors of the Salesforce adapter, as plain data the sync engine can act on without knowing jsforce.
//
// Salesforce answers a failed request with `[{errorCode, message, fields?}]` (or, from Apex REST,
// `{errorCode, message}`); jsforce turns that into an Error whose `errorCode` and `data` carry it.
// The adapter converts every such failure into a SalesforceApiError with the same code and message,
// so callers branch on `code` (`REQUEST_LIMIT_EXCEEDED`, `INVALID_SESSION_ID`, `MALFORMED_QUERY`...).

/** One error Salesforce reported for a record or a request. */
export interface RecordError {
    /** Salesforce's status code: `REQUIRED_FIELD_MISSING`, `DUPLICATE_VALUE`, `STRING_TOO_LONG`... */
    readonly code: string;
    readonly message: string;
    /** The fields concerned, as API names (may be empty). */
    readonly fields: readonly string[];
}

/** A request Salesforce refused, or that never got an answer (`code` = the network error's code). */
export class SalesforceApiError extends Error {
    override readonly name = 'SalesforceApiError';
    /** Salesforce's errorCode (`REQUEST_LIMIT_EXCEEDED`...), `ERROR_HTTP_<status>`, or a network code. */
    readonly code: string;
    /** Every error the answer listed (one in most cases). */
    readonly errors: readonly RecordError[];

    constructor(code: string, message: string, errors: readonly RecordError[] = []) {
        super(message);
        this.code = code;
        this.errors = errors.length > 0 ? errors : [{ code, message, fields: [] }];
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{errorCode|statusCode, message, fields}` as Salesforce writes it, or undefined. */
export function recordErrorOf(value: unknown): RecordError | undefined {
    if (!isObject(value)) {
        return undefined;
    }
    const code =
        typeof value.errorCode === 'string'
            ? value.errorCode
            : typeof value.statusCode === 'string'
              ? value.statusCode
              : undefined;
    if (code === undefined) {
        return undefined;
    }
    const fields = Array.isArray(value.fields) ? value.fields.filter((field) => typeof field === 'string') : [];
    return { code, message: typeof value.message === 'string' ? value.message : code, fields };
}

/** The errors of an error body (`[{...}]` or `{...}`); a generic one when the body has none. */
export function recordErrorsOf(body: unknown, fallbackCode: string): RecordError[] {
    const items = Array.isArray(body) ? body : [body];
    const errors = items.map(recordErrorOf).filter((error): error is RecordError => error !== undefined);
    return errors.length > 0
        ? errors
        : [{ code: fallbackCode, message: `Salesforce answered ${fallbackCode}`, fields: [] }];
}

/** A SalesforceApiError for an error body answered inside a Composite request. */
export function apiErrorOfBody(body: unknown, status: number): SalesforceApiError {
    const errors = recordErrorsOf(body, `ERROR_HTTP_${status}`);
    return new SalesforceApiError(errors[0].code, errors.map((error) => error.message).join('; '), errors);
}

/**
 * The SalesforceApiError for whatever a jsforce call rejected with. `answered` tells whether the
 * org produced the answer (an HTTP error response) rather than the request failing on the way.
 */
export function toApiError(error: unknown): { error: SalesforceApiError; answered: boolean } {
    if (error instanceof SalesforceApiError) {
        return { error, answered: true };
    }
    if (error instanceof Error) {
        const withCode = error as Error & { errorCode?: unknown; data?: unknown; code?: unknown };
        if (typeof withCode.errorCode === 'string') {
            const data = withCode.data;
            const errors = Array.isArray(data)
                ? recordErrorsOf(data, withCode.errorCode)
                : [recordErrorOf(data) ?? { code: withCode.errorCode, message: error.message, fields: [] }];
            return { error: new SalesforceApiError(withCode.errorCode, error.message, errors), answered: true };
        }
        const code = typeof withCode.code === 'string' ? withCode.code : error.name;
        return { error: new SalesforceApiError(code, error.message), answered: false };
    }
    return { error: new SalesforceApiError('UNKNOWN_ERROR', String(error)), answered: false };
}
