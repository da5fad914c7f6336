/**
 * Exalate invitation code, protocol version 1.
 *
 * The admin who initiates a connection gets an invitation code; the admin on the other side pastes
 * it under "Accept invitation". This one module writes and reads the code, in the Lightning Web
 * Components (as `c/exalateInvitationCodec`) and in the Node connector (by relative path), so both
 * sides always agree on the format. It depends on nothing: no npm module, no Node API, no DOM API
 * (base64url, UTF-8 and CRC-32 are implemented here).
 *
 * Format (the full specification is docs/invitation-code.md):
 *
 *     code     = prefix body "-" checksum
 *     prefix   = "EXA" version "-"           ; "EXA1-" for this version
 *     version  = %x31-39 *5DIGIT             ; 1 to 999999, no leading zero
 *     body     = *( ALPHA / DIGIT / "-" / "_" )
 *                ; base64url (RFC 4648 section 5), no padding, of the UTF-8 bytes of a JSON object
 *     checksum = 8( DIGIT / %x61-66 )        ; CRC-32 (IEEE 802.3, as in zip and PNG) of the ASCII
 *                                            ; text prefix + body, 8 lowercase hex digits
 *
 * The frame (prefix, body, "-", checksum) stays the same in every version: a reader checks the
 * checksum first, then the version, and only then reads the body, whose keys belong to the version.
 * Version 1 body keys: i invitation id (UUID), n connection name, f initiator instance,
 * t destination instance, p initiator platform, u initiator node URL, c connection type, m mode,
 * d description (left out when there is none), e expiry (whole seconds since 1970-01-01T00:00:00Z),
 * s secret (32 bytes as 43 characters of base64url). Unknown keys are ignored.
 *
 * The code therefore contains only A-Z, a-z, 0-9, "-" and "_". Before reading a pasted code, all
 * whitespace and invisible characters that mail and chat programs insert (line breaks, zero-width
 * spaces, soft hyphens) are removed, and so are punctuation marks around it (quotes, brackets, a
 * final full stop).
 *
 * The checksum recognises a mistyped, altered or truncated code; it is not a signature and does not
 * protect against deliberate changes. Whether a code was already used is not visible in the code:
 * the accepting side refuses an invitation id it already stores.
 */

/** The invitation format this module writes and reads. */
export const INVITATION_PROTOCOL_VERSION = 1;

/** How every invitation code of this version starts. */
export const INVITATION_PREFIX = 'EXA1-';

/** What an invitation code carries: everything the accepting side needs to create its half of the connection. */
export type InvitationPayload = {
    /** Invitation format; always 1 (INVITATION_PROTOCOL_VERSION). */
    version: 1;
    /** Invitation id, a UUID such as `0f8fad5b-d9cb-469f-a165-70867728950e`; a code can be accepted once. */
    invitationId: string;
    /** Connection name, not blank, at most 80 characters. */
    connectionName: string;
    /** Short name of the initiating side, not blank, at most 40 characters. */
    initiatorInstance: string;
    /** Short name the initiator gave the destination (accepting) side, not blank, at most 40 characters. */
    destinationInstance: string;
    /** Platform of the initiating side. */
    initiatorPlatform: 'Salesforce' | 'ServiceNow';
    /**
     * Base URL of the initiating node, `http://` or `https://`, at most 255 characters. Empty only for
     * a Local connection.
     */
    initiatorNodeUrl: string;
    /** Public: both sides have a URL. Private: the destination has none and opens every request itself. */
    connectionType: 'Public' | 'Private' | 'Local';
    /** Connection mode; only Basic exists. */
    mode: 'Basic';
    /** Optional free text, at most 2000 characters. */
    description?: string;
    /** When the invitation expires: whole seconds since 1970-01-01T00:00:00Z (not milliseconds). */
    expiresAt: number;
    /** Single-use 256-bit secret: 32 bytes as 43 characters of base64url without padding. */
    secret: string;
};

/** Why a pasted code could not be read; each kind comes with its own message for the admin. */
export type InvitationErrorKind =
    'empty' | 'not-an-invitation' | 'truncated' | 'checksum' | 'unsupported-version' | 'malformed' | 'expired';

/** The outcome of reading a pasted code: the invitation, or what is wrong and a message to show. */
export type DecodeResult = { ok: true; invitation: InvitationPayload } | DecodeFailure;

/**
 * Why a pasted code was refused, with a message for the admin. The kinds whose message carries
 * values always come with them in `detail`, so that a user interface can say the same thing in its
 * own words (for example through translated labels).
 */
export type DecodeFailure =
    | { ok: false; error: 'empty' | 'not-an-invitation' | 'truncated' | 'checksum'; message: string }
    | { ok: false; error: 'unsupported-version'; message: string; detail: { version: number } }
    | { ok: false; error: 'malformed'; message: string; detail: { reason: string } }
    | {
          ok: false;
          error: 'expired';
          message: string;
          detail: { expiresAt: number; initiatorInstance: string };
      };

/** The values inside an error message (the union of the `detail` of every DecodeFailure). */
export interface InvitationErrorDetail {
    /** expired: when the invitation expired, seconds since the epoch. */
    expiresAt?: number;
    /** expired: the instance that sent the invitation. */
    initiatorInstance?: string;
    /** unsupported-version: the format version of the code. */
    version?: number;
    /** malformed: what could not be read, in English. */
    reason?: string;
}

const PREFIX_SHAPE = /^EXA([1-9][0-9]{0,5})-/;
const START_OF_PREFIX = /^EXA[0-9]*$/;
const CHECKSUM_SHAPE = /^[0-9a-fA-F]{8}$/;
/** "-" and the 8 hex digits at the end of every code. */
const TRAILER_LENGTH = 9;

/** Whitespace and the invisible characters mail and chat programs insert into long words. */
const INVISIBLE = /[\s\u00AD\u180E\u200B-\u200D\u2060\uFEFF]+/g;
/** Characters around a pasted code that cannot belong to it: quotes, brackets, a full stop. */
const SURROUNDING = /^[^A-Za-z0-9_-]+|[^A-Za-z0-9_-]+$/g;

const MAX_CONNECTION_NAME_LENGTH = 80;
const MAX_INSTANCE_NAME_LENGTH = 40;
const MAX_DESCRIPTION_LENGTH = 2000;
const MAX_URL_LENGTH = 255;
/** 9999-12-31T23:59:59Z: the last second a date can show, so a larger expiry is in milliseconds by mistake. */
const LATEST_EXPIRY = 253402300799;

const PLATFORMS: readonly string[] = ['Salesforce', 'ServiceNow'];
const CONNECTION_TYPES: readonly string[] = ['Public', 'Private', 'Local'];
const MODES: readonly string[] = ['Basic'];
const UUID_SHAPE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;

const MESSAGES = {
    empty: 'Paste the invitation code first. It starts with EXA1- and comes from the admin who initiated the connection.',
    notAnInvitation:
        'This is not an Exalate invitation code. Invitation codes start with EXA1- and contain only letters, digits, - and _. Copy the whole code, from EXA1- to its last character, and paste it again.',
    truncated:
        'This invitation code is incomplete: its end is missing. Copy the whole code again, from EXA1- to its last character, and paste it here.',
    checksum:
        'This invitation code has a typo or was changed: its checksum does not match. Copy it again from the message you received.'
};

/**
 * Writes the invitation code for a payload.
 *
 * @param payload the invitation; checked first
 * @returns the code: `EXA1-`, the base64url body, `-` and the CRC-32 checksum, using only
 * A-Z, a-z, 0-9, `-` and `_`
 * @throws Error naming the first field that is wrong (the secret itself never appears in a message)
 */
export function encodeInvitation(payload: InvitationPayload): string {
    const problem = findProblem(payload);
    if (problem !== undefined) {
        throw new Error(`Cannot create the invitation code: ${problem}.`);
    }
    const wire: Record<string, string | number> = {
        i: payload.invitationId,
        n: payload.connectionName,
        f: payload.initiatorInstance,
        t: payload.destinationInstance,
        p: payload.initiatorPlatform,
        u: payload.initiatorNodeUrl,
        c: payload.connectionType,
        m: payload.mode
    };
    if (payload.description !== undefined) {
        wire.d = payload.description;
    }
    wire.e = payload.expiresAt;
    wire.s = payload.secret;
    const signed = INVITATION_PREFIX + toBase64Url(utf8Encode(JSON.stringify(wire)));
    return `${signed}-${checksumOf(signed)}`;
}

/**
 * Reads a pasted invitation code. Whitespace and line breaks anywhere in it are ignored, as are
 * quotes, brackets or a full stop around it. Never throws: every problem comes back as an error
 * kind and a message written for the admin who pasted the code.
 *
 * Checks, in order: empty, not-an-invitation (no `EXA<n>-` prefix), truncated (the `-` and 8 hex
 * digits at the end are missing), checksum, unsupported-version, malformed (the checksum matches
 * but the content is not a valid version 1 invitation), expired.
 *
 * @param code the code as pasted
 * @param nowSeconds the current time in whole seconds since 1970-01-01T00:00:00Z (not milliseconds);
 * the invitation is expired when its expiry is at or before this time
 */
export function decodeInvitation(code: string, nowSeconds: number): DecodeResult {
    try {
        return decode(code, nowSeconds);
    } catch {
        // Nothing above throws on any input; this only keeps the promise of never throwing.
        return malformed('it could not be read');
    }
}

function decode(code: unknown, nowSeconds: number): DecodeResult {
    const compact = typeof code === 'string' ? code.replace(INVISIBLE, '') : '';
    if (compact === '') {
        return failure('empty', MESSAGES.empty);
    }
    const text = compact.replace(SURROUNDING, '');
    const prefix = PREFIX_SHAPE.exec(text);
    if (prefix === null) {
        return START_OF_PREFIX.test(text)
            ? failure('truncated', MESSAGES.truncated)
            : failure('not-an-invitation', MESSAGES.notAnInvitation);
    }
    const trailerStart = text.length - TRAILER_LENGTH;
    if (
        trailerStart < prefix[0].length ||
        text.charAt(trailerStart) !== '-' ||
        !CHECKSUM_SHAPE.test(text.slice(trailerStart + 1))
    ) {
        return failure('truncated', MESSAGES.truncated);
    }
    const signed = text.slice(0, trailerStart);
    if (checksumOf(signed) !== text.slice(trailerStart + 1).toLowerCase()) {
        return failure('checksum', MESSAGES.checksum);
    }
    const version = Number(prefix[1]);
    if (version !== INVITATION_PROTOCOL_VERSION) {
        return {
            ok: false,
            error: 'unsupported-version',
            message: `This invitation code was made by a newer version of Exalate (invitation format ${version}; this version reads format ${INVITATION_PROTOCOL_VERSION}). Upgrade Exalate on this side, then paste the code again.`,
            detail: { version }
        };
    }
    const read = readBody(signed.slice(prefix[0].length));
    if (typeof read === 'string') {
        return malformed(read);
    }
    if (read.expiresAt <= nowSeconds) {
        return {
            ok: false,
            error: 'expired',
            message: `This invitation expired on ${isoSeconds(read.expiresAt)}. Ask ${read.initiatorInstance} to send a new one.`,
            detail: { expiresAt: read.expiresAt, initiatorInstance: read.initiatorInstance }
        };
    }
    return { ok: true, invitation: read };
}

/** The invitation in a body whose checksum matched, or what is wrong with it. */
function readBody(body: string): InvitationPayload | string {
    const bytes = fromBase64Url(body);
    if (bytes === undefined) {
        return 'its content is not base64url';
    }
    const json = utf8Decode(bytes);
    if (json === undefined) {
        return 'its content is not UTF-8 text';
    }
    let wire: unknown;
    try {
        wire = JSON.parse(json);
    } catch {
        return 'its content is not JSON';
    }
    if (wire === null || typeof wire !== 'object' || Array.isArray(wire)) {
        return 'its content is not a JSON object';
    }
    const fields = wire as Record<string, unknown>;
    const candidate: Record<string, unknown> = {
        version: INVITATION_PROTOCOL_VERSION,
        invitationId: fields.i,
        connectionName: fields.n,
        initiatorInstance: fields.f,
        destinationInstance: fields.t,
        initiatorPlatform: fields.p,
        initiatorNodeUrl: fields.u,
        connectionType: fields.c,
        mode: fields.m
    };
    if ('d' in fields) {
        candidate.description = fields.d;
    }
    candidate.expiresAt = fields.e;
    candidate.secret = fields.s;
    const problem = findProblem(candidate);
    return problem === undefined ? (candidate as InvitationPayload) : problem;
}

/** The first thing wrong with a payload, as a phrase naming the field, or undefined when it is good. */
function findProblem(value: unknown): string | undefined {
    if (value === null || typeof value !== 'object') {
        return 'the invitation is missing';
    }
    const payload = value as Record<string, unknown>;
    if (payload.version !== INVITATION_PROTOCOL_VERSION) {
        return `the version must be ${INVITATION_PROTOCOL_VERSION}, not ${describe(payload.version)}`;
    }
    if (typeof payload.invitationId !== 'string' || !UUID_SHAPE.test(payload.invitationId)) {
        return payload.invitationId === undefined
            ? 'the invitation id is missing'
            : `the invitation id must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e, not ${describe(payload.invitationId)}`;
    }
    const nameProblem =
        nameProblemOf('connection name', payload.connectionName, MAX_CONNECTION_NAME_LENGTH) ??
        nameProblemOf('initiator instance name', payload.initiatorInstance, MAX_INSTANCE_NAME_LENGTH) ??
        nameProblemOf('destination instance name', payload.destinationInstance, MAX_INSTANCE_NAME_LENGTH);
    if (nameProblem !== undefined) {
        return nameProblem;
    }
    const choiceProblem =
        choiceProblemOf('initiator platform', payload.initiatorPlatform, PLATFORMS) ??
        choiceProblemOf('connection type', payload.connectionType, CONNECTION_TYPES) ??
        choiceProblemOf('mode', payload.mode, MODES);
    if (choiceProblem !== undefined) {
        return choiceProblem;
    }
    const urlProblem = urlProblemOf(payload.initiatorNodeUrl, payload.connectionType as string);
    if (urlProblem !== undefined) {
        return urlProblem;
    }
    if (payload.description !== undefined) {
        if (typeof payload.description !== 'string') {
            return `the description must be text, not ${describe(payload.description)}`;
        }
        if (payload.description.length > MAX_DESCRIPTION_LENGTH) {
            return `the description is ${payload.description.length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are allowed`;
        }
    }
    const expiresAt = payload.expiresAt;
    if (typeof expiresAt !== 'number' || !Number.isInteger(expiresAt)) {
        return expiresAt === undefined
            ? 'the expiry is missing'
            : `the expiry must be a whole number of seconds since 1970-01-01T00:00:00Z, not ${describe(expiresAt)}`;
    }
    if (expiresAt < 1) {
        return `the expiry must be a time after 1970-01-01T00:00:00Z, not ${expiresAt}`;
    }
    if (expiresAt > LATEST_EXPIRY) {
        return `the expiry ${expiresAt} is after the year 9999: give it in seconds since 1970-01-01T00:00:00Z, not milliseconds`;
    }
    const secret = payload.secret;
    if (typeof secret !== 'string' || !SECRET_SHAPE.test(secret)) {
        // The secret is never repeated in a message: messages end up in logs and screenshots.
        if (secret === undefined) {
            return 'the secret is missing';
        }
        const found =
            typeof secret !== 'string'
                ? `a value of type ${typeof secret}`
                : secret.length !== 43
                  ? `${secret.length} characters`
                  : 'other characters';
        return `the secret must be 43 characters of base64url (A-Z, a-z, 0-9, - and _) holding 32 bytes, not ${found}`;
    }
    return undefined;
}

function nameProblemOf(label: string, value: unknown, maxLength: number): string | undefined {
    if (value === undefined) {
        return `the ${label} is missing`;
    }
    if (typeof value !== 'string') {
        return `the ${label} must be text, not ${describe(value)}`;
    }
    if (value.trim() === '') {
        return `the ${label} is blank`;
    }
    if (value.length > maxLength) {
        return `the ${label} is ${value.length} characters long; at most ${maxLength} are allowed`;
    }
    return undefined;
}

function choiceProblemOf(label: string, value: unknown, choices: readonly string[]): string | undefined {
    if (typeof value === 'string' && choices.includes(value)) {
        return undefined;
    }
    const allowed =
        choices.length === 1 ? choices[0] : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
    return value === undefined ? `the ${label} is missing` : `the ${label} must be ${allowed}, not ${describe(value)}`;
}

function urlProblemOf(value: unknown, connectionType: string): string | undefined {
    if (typeof value !== 'string') {
        return value === undefined
            ? 'the initiator node URL is missing'
            : `the initiator node URL must be text, not ${describe(value)}`;
    }
    if (value === '') {
        return connectionType === 'Local'
            ? undefined
            : `a ${connectionType} connection needs the initiator node URL, starting with https:// or http://`;
    }
    if (value.length > MAX_URL_LENGTH) {
        return `the initiator node URL is ${value.length} characters long; at most ${MAX_URL_LENGTH} are allowed`;
    }
    if (!HTTP_URL.test(value)) {
        return `the initiator node URL must start with https:// or http:// and contain no spaces, not ${describe(value)}`;
    }
    return undefined;
}

/** A value for a message: strings quoted and cut at 60 characters, anything else by its type. */
function describe(value: unknown): string {
    if (typeof value === 'string') {
        return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
    }
    return value === null ? 'null' : `a value of type ${typeof value}`;
}

function failure(error: 'empty' | 'not-an-invitation' | 'truncated' | 'checksum', message: string): DecodeFailure {
    return { ok: false, error, message };
}

/** A code whose checksum matched but whose content is not a valid invitation, naming what is wrong. */
function malformed(reason: string): DecodeFailure {
    return {
        ok: false,
        error: 'malformed',
        message: `This invitation code is complete but cannot be read: ${reason}. It was probably made by faulty software. Ask the admin who sent it to initiate the connection again and send you the new code.`,
        detail: { reason }
    };
}

/** 2024-05-01T12:00:00Z: an ISO 8601 date without milliseconds. */
function isoSeconds(epochSeconds: number): string {
    return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/* ---------- base64url (RFC 4648 section 5, no padding) ---------- */

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(bytes: Uint8Array): string {
    let out = '';
    let index = 0;
    for (; index + 2 < bytes.length; index += 3) {
        const group = (bytes[index] << 16) | (bytes[index + 1] << 8) | bytes[index + 2];
        out +=
            BASE64URL.charAt(group >>> 18) +
            BASE64URL.charAt((group >>> 12) & 63) +
            BASE64URL.charAt((group >>> 6) & 63) +
            BASE64URL.charAt(group & 63);
    }
    const rest = bytes.length - index;
    if (rest === 1) {
        const group = bytes[index] << 16;
        out += BASE64URL.charAt(group >>> 18) + BASE64URL.charAt((group >>> 12) & 63);
    } else if (rest === 2) {
        const group = (bytes[index] << 16) | (bytes[index + 1] << 8);
        out +=
            BASE64URL.charAt(group >>> 18) +
            BASE64URL.charAt((group >>> 12) & 63) +
            BASE64URL.charAt((group >>> 6) & 63);
    }
    return out;
}

/** The bytes of a base64url text, or undefined when it has other characters or an impossible length. */
function fromBase64Url(text: string): Uint8Array | undefined {
    if (text.length % 4 === 1) {
        return undefined;
    }
    const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
    let buffer = 0;
    let bits = 0;
    let written = 0;
    for (let index = 0; index < text.length; index++) {
        const value = BASE64URL.indexOf(text.charAt(index));
        if (value < 0) {
            return undefined;
        }
        buffer = (buffer << 6) | value;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes[written++] = (buffer >>> bits) & 0xff;
            buffer &= (1 << bits) - 1;
        }
    }
    // Left-over bits must be zero, as an encoder writes them.
    return buffer === 0 ? bytes : undefined;
}

/* ---------- UTF-8 ---------- */

function utf8Encode(text: string): Uint8Array {
    const bytes: number[] = [];
    for (const character of text) {
        let point = character.codePointAt(0) ?? 0xfffd;
        if (point >= 0xd800 && point <= 0xdfff) {
            // A lone surrogate cannot be written in UTF-8 (JSON.stringify escapes them anyway).
            point = 0xfffd;
        }
        if (point < 0x80) {
            bytes.push(point);
        } else if (point < 0x800) {
            bytes.push(0xc0 | (point >> 6), 0x80 | (point & 63));
        } else if (point < 0x10000) {
            bytes.push(0xe0 | (point >> 12), 0x80 | ((point >> 6) & 63), 0x80 | (point & 63));
        } else {
            bytes.push(
                0xf0 | (point >> 18),
                0x80 | ((point >> 12) & 63),
                0x80 | ((point >> 6) & 63),
                0x80 | (point & 63)
            );
        }
    }
    return Uint8Array.from(bytes);
}

/** The text of UTF-8 bytes, or undefined when they are not well-formed UTF-8. */
function utf8Decode(bytes: Uint8Array): string | undefined {
    let out = '';
    let index = 0;
    while (index < bytes.length) {
        const first = bytes[index];
        let point: number;
        let following: number;
        let smallest: number;
        if (first < 0x80) {
            point = first;
            following = 0;
            smallest = 0;
        } else if (first >= 0xc2 && first <= 0xdf) {
            point = first & 0x1f;
            following = 1;
            smallest = 0x80;
        } else if (first >= 0xe0 && first <= 0xef) {
            point = first & 0x0f;
            following = 2;
            smallest = 0x800;
        } else if (first >= 0xf0 && first <= 0xf4) {
            point = first & 0x07;
            following = 3;
            smallest = 0x10000;
        } else {
            return undefined;
        }
        if (index + following >= bytes.length) {
            return undefined;
        }
        for (let offset = 1; offset <= following; offset++) {
            const next = bytes[index + offset];
            if ((next & 0xc0) !== 0x80) {
                return undefined;
            }
            point = (point << 6) | (next & 0x3f);
        }
        if (point < smallest || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
            return undefined;
        }
        out += String.fromCodePoint(point);
        index += following + 1;
    }
    return out;
}

/* ---------- CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF) ---------- */

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
    const table = new Uint32Array(256);
    for (let entry = 0; entry < 256; entry++) {
        let value = entry;
        for (let bit = 0; bit < 8; bit++) {
            value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
        }
        table[entry] = value >>> 0;
    }
    return table;
}

/** CRC-32 of a text's UTF-8 bytes (a code is ASCII, so byte = character), as 8 lowercase hex digits. */
function checksumOf(text: string): string {
    let crc = 0xffffffff;
    for (const byte of utf8Encode(text)) {
        crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    }
    return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
