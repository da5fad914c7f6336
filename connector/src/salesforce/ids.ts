// Salesforce record ids: 15 case-sensitive base-62 characters, or the 18-character form every API
// answers with, whose 3-character suffix encodes which of the first 15 characters are upper case.
//
// Ids end up inside SOQL text (`WHERE Id IN (...)`) and URLs (`?ids=`, `/connection-secret/<id>`).
// Nothing but a well-formed id may get there: an "id" such as `500...' OR Name != '` would change
// the query. So every id that comes from outside the adapter is checked here before any call.

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Key prefix of Case ids. */
export const CASE_KEY_PREFIX = '500';
/** Key prefix of ContentVersion ids. */
export const CONTENT_VERSION_KEY_PREFIX = '068';

function checksumSuffix(id15: string): string {
    let suffix = '';
    for (let chunk = 0; chunk < 3; chunk++) {
        let flags = 0;
        for (let position = 0; position < 5; position++) {
            const char = id15.charAt(chunk * 5 + position);
            if (char >= 'A' && char <= 'Z') {
                flags |= 1 << position;
            }
        }
        suffix += SUFFIX_ALPHABET.charAt(flags);
    }
    return suffix;
}

/** True for a 15-character id or an 18-character id whose suffix matches its first 15 characters. */
export function isSalesforceId(value: unknown): value is string {
    if (typeof value !== 'string' || !ID_SHAPE.test(value)) {
        return false;
    }
    return value.length === 15 || checksumSuffix(value.slice(0, 15)) === value.slice(15);
}

/** The 18-character form of a well-formed id, or undefined for anything else. */
export function toId18(value: unknown): string | undefined {
    if (!isSalesforceId(value)) {
        return undefined;
    }
    return value.length === 18 ? value : value + checksumSuffix(value);
}

/** Thrown before any API call when an input cannot be sent safely (a malformed id, a bad filter). */
export class SalesforceInputError extends Error {
    override readonly name = 'SalesforceInputError';
}

/** Shows a rejected value without flooding a log: JSON-quoted and cut at 40 characters. */
function describe(value: unknown): string {
    const text = typeof value === 'string' ? value : String(value);
    const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    return JSON.stringify(cut);
}

/**
 * The 18-character forms of `ids`, in order, without duplicates. Throws SalesforceInputError naming
 * the first value that is not a Salesforce id (or, with `keyPrefix`, not an id of that object).
 */
export function requireIds(ids: readonly unknown[], what: string, keyPrefix?: string): string[] {
    const seen = new Set<string>();
    const result: string[] = [];
    for (const value of ids) {
        const id = toId18(value);
        if (id === undefined || (keyPrefix !== undefined && !id.startsWith(keyPrefix))) {
            throw new SalesforceInputError(
                `${describe(value)} is not a ${what} id: expected a 15- or 18-character Salesforce record id${keyPrefix ? ` starting with ${keyPrefix}` : ''}.`
            );
        }
        if (!seen.has(id)) {
            seen.add(id);
            result.push(id);
        }
    }
    return result;
}

/** One id, checked as requireIds does. */
export function requireId(value: unknown, what: string, keyPrefix?: string): string {
    return requireIds([value], what, keyPrefix)[0];
}
