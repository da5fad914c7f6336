// HTTP header names of node protocol v1 and a lookup that works on a plain record of headers.
//
// The protocol modules never see an HTTP library. Adapters hand them headers as a plain record:
// Node's `IncomingMessage.headers` (lowercase names, `string | string[]` values) fits as it is, and so
// does `Object.fromEntries(fetchResponse.headers)`. The lookup therefore ignores the case of names and
// refuses a header that arrives more than once: two values for a signing header would make "which one
// was signed" a question, and a question is a place where verification bugs live.

/** Names of the headers of protocol v1, lowercase as Node's http module delivers them. */
export const HEADER = {
    /** The connection (invitation) id, a lowercase UUID. */
    connection: 'x-exalate-connection',
    /** Milliseconds since 1970-01-01T00:00:00Z at signing, decimal digits. */
    timestamp: 'x-exalate-timestamp',
    /** 128 random bits, base64url without padding (22 characters); unique per request. */
    nonce: 'x-exalate-nonce',
    /** Lowercase hex SHA-256 of the request body. */
    contentSha256: 'x-exalate-content-sha256',
    /** `v1=` and the lowercase hex HMAC-SHA256 of the canonical string. */
    signature: 'x-exalate-signature',
    /** Protocol version of the request, `1` (a minor version may follow: `1.2`). */
    protocol: 'x-exalate-protocol'
} as const;

/** One header value as adapters deliver it: Node gives `string[]` for some repeated headers. */
export type HeaderValue = string | readonly string[] | undefined;

/** Request or response headers as a plain record; names in any case. */
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

/** What a header lookup found: exactly one value, none, or more than one (refused by every caller). */
export type HeaderLookup =
    { readonly found: 'one'; readonly value: string } | { readonly found: 'none' } | { readonly found: 'many' };

/**
 * Finds a header by name, ignoring the case of names.
 *
 * @param headers the headers as a plain record
 * @param name the header name, lowercase
 * @returns the single value, or whether the header is absent or present more than once (under two
 *     spellings of its name, or as an array of several values)
 */
export function readHeader(headers: HeaderRecord, name: string): HeaderLookup {
    const values: string[] = [];
    for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() !== name || value === undefined) {
            continue;
        }
        if (typeof value === 'string') {
            values.push(value);
        } else {
            values.push(...value);
        }
    }
    if (values.length === 0) {
        return { found: 'none' };
    }
    if (values.length > 1) {
        return { found: 'many' };
    }
    return { found: 'one', value: values[0] };
}
