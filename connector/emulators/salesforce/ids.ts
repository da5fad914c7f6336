// Salesforce record ids: 15 case-sensitive characters (3-character key prefix, then the pod and a
// base-62 sequence) plus, in the 18-character form every API answers with, a 3-character suffix
// that encodes which of the 15 characters are upper case, so that the id survives
// case-insensitive systems.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Two pod characters and a reserved zero, as in `500Hp00000AbCdE`. */
const POD = 'Hp0';
const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Standard key prefixes of the objects the emulator knows. */
export const KEY_PREFIX = {
    Case: '500',
    CaseComment: '00a',
    ContentVersion: '068',
    ContentDocument: '069',
    ContentDocumentLink: '06A',
    User: '005',
    Organization: '00D',
    QueryLocator: '01g',
    PlatformEvent: 'e00'
} as const;

/** The 3-character checksum suffix of a 15-character id. */
export function checksumSuffix(id15: string): string {
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

export function to18(id: string): string {
    return id.length === 15 ? id + checksumSuffix(id) : id;
}

/** True for a well-formed 15- or 18-character id (an 18-character id must carry the right suffix). */
export function isWellFormedId(value: string): boolean {
    if (!ID_SHAPE.test(value)) {
        return false;
    }
    return value.length === 15 || checksumSuffix(value.slice(0, 15)) === value.slice(15);
}

/** The 18-character form of a well-formed id, or undefined. */
export function normalizeId(value: string): string | undefined {
    return isWellFormedId(value) ? to18(value.slice(0, 15)) : undefined;
}

export function keyPrefixOf(id: string): string {
    return id.slice(0, 3);
}

function base62(value: number, width: number): string {
    let text = '';
    let rest = value;
    while (rest > 0) {
        text = BASE62.charAt(rest % 62) + text;
        rest = Math.floor(rest / 62);
    }
    return text.padStart(width, '0');
}

/** Organization ids handed out in this process: every emulated org is a different org. */
let organizations = 0;

/** A new organization id (`00D...`), different for each emulated org of the process. */
export function nextOrganizationId(): string {
    organizations += 1;
    return to18(KEY_PREFIX.Organization + POD + base62(organizations, 9));
}

/** Hands out ids per key prefix, in increasing order (ids sort in creation order, as in an org). */
export class IdFactory {
    private readonly counters = new Map<string, number>();

    next(keyPrefix: string): string {
        const count = (this.counters.get(keyPrefix) ?? 0) + 1;
        this.counters.set(keyPrefix, count);
        return to18(keyPrefix + POD + base62(count, 9));
    }
}
