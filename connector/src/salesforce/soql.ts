// SOQL text built from values: literals, id lists and admin-written trigger filters.
//
// The adapter builds queries by concatenation (SOQL over REST has no bind variables), so every
// value that enters a query goes through one of these functions: ids are validated (ids.ts) and
// quoted, strings are escaped, datetimes are formatted, and a trigger filter is checked to be a
// single condition before it is put between parentheses.
import { requireIds, SalesforceInputError } from './ids.ts';

/** Longest filter Sync_Trigger__c.Filter__c can hold. */
export const MAX_FILTER_LENGTH = 4000;

/** Clause keywords that must not appear at a filter's top level (the Apex TriggerController refuses them too). */
const CLAUSE_KEYWORDS =
    /\b(SELECT|FROM|LIMIT|OFFSET|ORDER\s+BY|GROUP\s+BY|HAVING|WITH|FOR\s+(?:UPDATE|VIEW|REFERENCE)|ALL\s+ROWS|UPDATE\s+(?:TRACKING|VIEWSTAT))\b/i;

/** A quoted SOQL string literal: backslash, quote and control characters escaped as SOQL requires. */
export function soqlString(value: string): string {
    const escaped = value.replace(/[\\'"\n\r\t\f\b]/g, (char) => {
        switch (char) {
            case '\n':
                return '\\n';
            case '\r':
                return '\\r';
            case '\t':
                return '\\t';
            case '\f':
                return '\\f';
            case '\b':
                return '\\b';
            default:
                return `\\${char}`;
        }
    });
    return `'${escaped}'`;
}

/**
 * A SOQL datetime literal in UTC, to the second (`2026-11-21T13:45:12Z`): the documented literal
 * form carries no fraction of a second, and dropping it only delays an item by < 1 s.
 */
export function soqlDateTime(value: Date): string {
    if (Number.isNaN(value.getTime())) {
        throw new SalesforceInputError('An invalid Date cannot be used in a query.');
    }
    return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `'id1','id2'` for an IN list; every id is validated first (throws SalesforceInputError). */
export function soqlIdList(ids: readonly unknown[], what: string, keyPrefix?: string): string {
    const valid = requireIds(ids, what, keyPrefix);
    if (valid.length === 0) {
        throw new SalesforceInputError(`An IN list of ${what} ids needs at least one id.`);
    }
    return valid.map((id) => `'${id}'`).join(',');
}

/**
 * Checks that `filter` is one SOQL condition that can be put after `WHERE ... AND (` and before `)`
 * without changing anything else in the query: no `;`, string literals closed, parentheses
 * balanced (so `x) OR (y` cannot escape the parentheses it is put in), no clause keyword (LIMIT,
 * ORDER BY, FROM...) outside parentheses or quotes. Returns the trimmed filter; throws
 * SalesforceInputError with the reason otherwise. The org's own validation (TriggerController)
 * applies the same rules; this check is the connector's defence when a record was written some
 * other way.
 */
export function checkTriggerFilter(filter: string): string {
    const trimmed = filter.trim();
    if (trimmed === '') {
        throw new SalesforceInputError('The trigger filter is empty.');
    }
    if (trimmed.length > MAX_FILTER_LENGTH) {
        throw new SalesforceInputError(
            `The trigger filter is too long (${trimmed.length} characters, at most ${MAX_FILTER_LENGTH}).`
        );
    }
    let depth = 0;
    let inString = false;
    let topLevel = '';
    for (let index = 0; index < trimmed.length; index++) {
        const char = trimmed[index];
        if (inString) {
            if (char === '\\') {
                index += 1;
            } else if (char === "'") {
                inString = false;
            }
            continue;
        }
        if (char === "'") {
            inString = true;
            topLevel += depth === 0 ? ' ? ' : '';
        } else if (char === ';') {
            throw new SalesforceInputError('The trigger filter contains ";": it must be a single SOQL condition.');
        } else if (char === '(') {
            depth += 1;
        } else if (char === ')') {
            depth -= 1;
            if (depth < 0) {
                throw new SalesforceInputError('The trigger filter closes a parenthesis it did not open.');
            }
        } else if (depth === 0) {
            topLevel += char;
        }
    }
    if (inString) {
        throw new SalesforceInputError('The trigger filter has a string literal that is not closed.');
    }
    if (depth !== 0) {
        throw new SalesforceInputError('The trigger filter leaves a parenthesis open.');
    }
    const keyword = CLAUSE_KEYWORDS.exec(topLevel);
    if (keyword) {
        throw new SalesforceInputError(
            `The trigger filter must be only the condition that follows WHERE; it contains ${keyword[1].toUpperCase()}.`
        );
    }
    return trimmed;
}
