// The invitation handshake of node protocol v1: each side proves it holds the invitation's secret
// without sending it.
//
// 1. The acceptor sends `POST /exalate/v1/invitations/{id}/accept` with an `InvitationAcceptance`:
//    who it is, a fresh nonce, and proof = HMAC(invitation-proof key, canonicalJson(the other fields)).
// 2. The initiator recomputes the proof and compares in constant time. Only if it matches does it
//    answer with an `InvitationConfirmation`: its own nonce and a proof over the acceptor's fields plus
//    that nonce. Answering a wrong proof with a right one would hand out a valid proof for free.
// 3. The acceptor checks that proof. It covers the acceptor's own fresh nonce, so it cannot be a
//    recording of an earlier handshake: the answer comes from a node that holds the secret now.
//
// The proofs travel as JSON and are computed over canonical JSON (sorted keys, no whitespace: the
// JSON Canonicalization Scheme of RFC 8785 for these values), so that both sides hash the same bytes
// whatever their JSON writer does with key order and spacing. The two proofs cover different sets of
// fields (the initiator's adds `initiatorNonce`), so one can never be passed off as the other.
import { timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { ConnectionKeys } from './keys.ts';
import { newNonce } from './signing.ts';

/** Platforms a node can sync. */
export type Platform = 'Salesforce' | 'ServiceNow';

/** What the acceptor tells about itself; the fields its proof covers. */
export interface AcceptanceFields {
    /** The invitation (connection) id, lowercase UUID. */
    readonly invitationId: string;
    /** Short name of the accepting side, e.g. `ServiceNowB`: not blank, at most 40 characters. */
    readonly acceptorInstance: string;
    /** Kind of the accepting side. */
    readonly acceptorPlatform: Platform;
    /** Base URL of the accepting node, `http(s)://...`, or `""` when it is private (opens every request itself). */
    readonly acceptorNodeUrl: string;
    /** 128 random bits, base64url (22 characters), fresh for this acceptance. */
    readonly acceptorNonce: string;
}

/** Body of `POST /exalate/v1/invitations/{id}/accept`. */
export interface InvitationAcceptance extends AcceptanceFields {
    /** HMAC-SHA256 under the invitation-proof key of `canonicalJson(fields)`, 64 lowercase hex digits. */
    readonly proof: string;
}

/** The initiator's answer to a verified acceptance. */
export interface InvitationConfirmation {
    /** The invitation (connection) id, lowercase UUID. */
    readonly invitationId: string;
    /** 128 random bits, base64url (22 characters), fresh for this answer. */
    readonly initiatorNonce: string;
    /** HMAC-SHA256 under the invitation-proof key of `canonicalJson(acceptance fields + initiatorNonce)`. */
    readonly proof: string;
}

declare const verifiedAcceptance: unique symbol;

/**
 * An acceptance whose proof verified. Only `verifyAcceptance` makes one, and only this type can be
 * confirmed: the initiator cannot answer an unverified acceptance with its proof by mistake.
 */
export type VerifiedAcceptance = InvitationAcceptance & { readonly [verifiedAcceptance]: true };

/** Why a handshake step was refused: `malformed` answers 400, `bad-proof` 401. */
export type ProofFailure =
    | { readonly ok: false; readonly reason: 'malformed'; readonly status: 400; readonly message: string }
    | { readonly ok: false; readonly reason: 'bad-proof'; readonly status: 401; readonly message: string };

/** Result of `verifyAcceptance`. */
export type AcceptanceVerification = { readonly ok: true; readonly acceptance: VerifiedAcceptance } | ProofFailure;

/** Result of `verifyConfirmation`. */
export type ConfirmationVerification =
    { readonly ok: true; readonly confirmation: InvitationConfirmation } | ProofFailure;

/** What the acceptor supplies to accept an invitation. */
export interface CreateAcceptanceInput {
    /** The acceptor's keys of the connection (derived from the invitation's secret and id). */
    readonly keys: ConnectionKeys;
    readonly acceptorInstance: string;
    readonly acceptorPlatform: Platform;
    /** `""` when the accepting node is private. */
    readonly acceptorNodeUrl: string;
    /** A fixed nonce, for tests only. */
    readonly nonce?: string;
}

const PLATFORMS: readonly string[] = ['Salesforce', 'ServiceNow'];
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const PROOF_SHAPE = /^[0-9a-f]{64}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;
const MAX_INSTANCE_LENGTH = 40;
const MAX_URL_LENGTH = 255;

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
 * `JSON.stringify` writes them. For strings, finite numbers, booleans, null, arrays and plain objects
 * this is the JSON Canonicalization Scheme (RFC 8785). Object members whose value is `undefined` are
 * left out, as `JSON.stringify` does.
 *
 * @param value the value to write
 * @returns its canonical JSON text
 * @throws TypeError for what JSON cannot hold exactly: non-finite numbers, bigints, functions,
 *     symbols, `undefined` in an array, objects that are not plain (Date, Map, class instances), cycles
 */
export function canonicalJson(value: unknown): string {
    return writeCanonical(value, new Set());
}

function writeCanonical(value: unknown, ancestors: Set<object>): string {
    if (value === null) {
        return 'null';
    }
    switch (typeof value) {
        case 'string':
            return JSON.stringify(value);
        case 'boolean':
            return value ? 'true' : 'false';
        case 'number':
            if (!Number.isFinite(value)) {
                throw new TypeError('canonical JSON cannot hold NaN or an infinite number');
            }
            return JSON.stringify(value);
        case 'object': {
            if (ancestors.has(value)) {
                throw new TypeError('canonical JSON cannot hold a value that contains itself');
            }
            ancestors.add(value);
            try {
                if (Array.isArray(value)) {
                    const items = (value as unknown[]).map((item) => {
                        if (item === undefined) {
                            throw new TypeError('canonical JSON cannot hold undefined in an array');
                        }
                        return writeCanonical(item, ancestors);
                    });
                    return `[${items.join(',')}]`;
                }
                const prototype = Object.getPrototypeOf(value) as unknown;
                if (prototype !== Object.prototype && prototype !== null) {
                    throw new TypeError(
                        'canonical JSON holds plain objects only, not class instances such as Date or Map'
                    );
                }
                const record = value as Record<string, unknown>;
                const members = Object.keys(record)
                    .filter((key) => record[key] !== undefined)
                    .sort()
                    .map((key) => `${JSON.stringify(key)}:${writeCanonical(record[key], ancestors)}`);
                return `{${members.join(',')}}`;
            } finally {
                ancestors.delete(value);
            }
        }
        default:
            throw new TypeError(`canonical JSON cannot hold a value of type ${typeof value}`);
    }
}

/**
 * Makes the acceptance the acceptor sends to the initiator.
 *
 * @param input the acceptor's keys and details
 * @returns the acceptance, proof included
 * @throws TypeError naming the field when a detail has the wrong shape, or when the keys are not an acceptor's
 */
export function createAcceptance(input: CreateAcceptanceInput): InvitationAcceptance {
    if (input.keys.localRole !== 'acceptor') {
        throw new TypeError('an acceptance is made with the keys of the accepting side (localRole acceptor)');
    }
    const fields: AcceptanceFields = {
        invitationId: input.keys.connectionId,
        acceptorInstance: input.acceptorInstance,
        acceptorPlatform: input.acceptorPlatform,
        acceptorNodeUrl: input.acceptorNodeUrl,
        acceptorNonce: input.nonce ?? newNonce()
    };
    const problem = acceptanceFieldsProblem(fields);
    if (problem !== undefined) {
        throw new TypeError(problem);
    }
    return { ...fields, proof: acceptorProof(input.keys, fields) };
}

/**
 * Verifies an acceptance on the initiating side.
 *
 * The caller also checks, outside this module: the `{id}` of the URL equals `invitationId`; the
 * invitation exists, is pending and has not expired; it was not accepted before (an acceptance is
 * single-use, which is what makes a recorded acceptance worthless).
 *
 * @param value the parsed JSON body
 * @param keys the initiator's keys of the invitation
 * @returns the acceptance with the known fields only, or why it is refused
 */
export function verifyAcceptance(value: unknown, keys: ConnectionKeys): AcceptanceVerification {
    if (keys.localRole !== 'initiator') {
        throw new TypeError('an acceptance is verified with the keys of the initiating side (localRole initiator)');
    }
    const read = readAcceptance(value);
    if (typeof read === 'string') {
        return malformed(`The invitation acceptance is malformed: ${read}.`);
    }
    if (read.invitationId !== keys.connectionId) {
        return badProof(
            `The acceptance is for invitation ${read.invitationId}, not for invitation ${keys.connectionId}.`
        );
    }
    const { proof, ...fields } = read;
    if (!proofMatches(acceptorProof(keys, fields), proof)) {
        return badProof(
            `The acceptance of invitation ${keys.connectionId} does not prove it holds the invitation's secret: ` +
                'the invitation code was changed or copied wrongly, or the acceptance was changed on the way. Initiate the connection again and send the new code.'
        );
    }
    return { ok: true, acceptance: read as VerifiedAcceptance };
}

/**
 * Makes the initiator's answer to a verified acceptance.
 *
 * @param acceptance the acceptance, as `verifyAcceptance` returned it
 * @param keys the initiator's keys of the invitation
 * @param nonce a fixed nonce, for tests only
 * @returns the confirmation, proof included
 */
export function createConfirmation(
    acceptance: VerifiedAcceptance,
    keys: ConnectionKeys,
    nonce?: string
): InvitationConfirmation {
    if (keys.localRole !== 'initiator' || acceptance.invitationId !== keys.connectionId) {
        throw new TypeError('a confirmation is made with the initiator keys of the invitation accepted');
    }
    const initiatorNonce = nonce ?? newNonce();
    if (!NONCE_SHAPE.test(initiatorNonce)) {
        throw new TypeError('the initiator nonce must be 22 characters of base64url (128 bits)');
    }
    return {
        invitationId: keys.connectionId,
        initiatorNonce,
        proof: initiatorProof(keys, fieldsOf(acceptance), initiatorNonce)
    };
}

/**
 * Verifies the initiator's answer on the accepting side.
 *
 * @param value the parsed JSON body of the answer
 * @param acceptance the acceptance this node sent
 * @param keys the acceptor's keys of the invitation
 * @returns the confirmation with the known fields only, or why it is refused
 */
export function verifyConfirmation(
    value: unknown,
    acceptance: InvitationAcceptance,
    keys: ConnectionKeys
): ConfirmationVerification {
    if (keys.localRole !== 'acceptor') {
        throw new TypeError('a confirmation is verified with the keys of the accepting side (localRole acceptor)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return malformed('The answer to the invitation acceptance is not a JSON object.');
    }
    const answer = value as Record<string, unknown>;
    const problem =
        problemOf('invitationId', answer.invitationId, (text) => LOWERCASE_UUID.test(text), 'a lowercase UUID') ??
        problemOf(
            'initiatorNonce',
            answer.initiatorNonce,
            (text) => NONCE_SHAPE.test(text),
            '22 characters of base64url'
        ) ??
        problemOf('proof', answer.proof, (text) => PROOF_SHAPE.test(text), '64 lowercase hex digits');
    if (problem !== undefined) {
        return malformed(`The answer to the invitation acceptance is malformed: ${problem}.`);
    }
    const confirmation: InvitationConfirmation = {
        invitationId: answer.invitationId as string,
        initiatorNonce: answer.initiatorNonce as string,
        proof: answer.proof as string
    };
    const fields = fieldsOf(acceptance);
    if (confirmation.invitationId !== keys.connectionId || fields.invitationId !== keys.connectionId) {
        return badProof(
            `The answer is for invitation ${confirmation.invitationId}, not for invitation ${keys.connectionId}.`
        );
    }
    if (!proofMatches(initiatorProof(keys, fields, confirmation.initiatorNonce), confirmation.proof)) {
        return badProof(
            `The initiating node's answer for invitation ${keys.connectionId} does not prove it holds the invitation's secret: ` +
                "the node at the invitation's URL is not the one that created the invitation, or the answer was changed on the way."
        );
    }
    return { ok: true, confirmation };
}

function acceptorProof(keys: ConnectionKeys, fields: AcceptanceFields): string {
    return keys.invitationProof.hmacSha256(canonicalJson(fields)).toString('hex');
}

function initiatorProof(keys: ConnectionKeys, fields: AcceptanceFields, initiatorNonce: string): string {
    return keys.invitationProof.hmacSha256(canonicalJson({ ...fields, initiatorNonce })).toString('hex');
}

/** The five proven fields and nothing else: extra members of a received object are never covered. */
function fieldsOf(acceptance: AcceptanceFields): AcceptanceFields {
    return {
        invitationId: acceptance.invitationId,
        acceptorInstance: acceptance.acceptorInstance,
        acceptorPlatform: acceptance.acceptorPlatform,
        acceptorNodeUrl: acceptance.acceptorNodeUrl,
        acceptorNonce: acceptance.acceptorNonce
    };
}

/** Both are 64 lowercase hex digits (shapes checked before); compared as 32 bytes in constant time. */
function proofMatches(expectedHex: string, givenHex: string): boolean {
    const expected = Buffer.from(expectedHex, 'hex');
    const given = Buffer.from(givenHex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads an acceptance; a string is the first problem found, naming its field. */
function readAcceptance(value: unknown): InvitationAcceptance | string {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return 'the body is not a JSON object';
    }
    const body = value as Record<string, unknown>;
    for (const key of [
        'invitationId',
        'acceptorInstance',
        'acceptorPlatform',
        'acceptorNodeUrl',
        'acceptorNonce',
        'proof'
    ]) {
        if (typeof body[key] !== 'string') {
            return body[key] === undefined ? `${key} is missing` : `${key} must be a string`;
        }
    }
    const acceptance: InvitationAcceptance = {
        invitationId: body.invitationId as string,
        acceptorInstance: body.acceptorInstance as string,
        acceptorPlatform: body.acceptorPlatform as Platform,
        acceptorNodeUrl: body.acceptorNodeUrl as string,
        acceptorNonce: body.acceptorNonce as string,
        proof: body.proof as string
    };
    return (
        acceptanceFieldsProblem(acceptance) ??
        problemOf('proof', acceptance.proof, (text) => PROOF_SHAPE.test(text), '64 lowercase hex digits') ??
        acceptance
    );
}

function acceptanceFieldsProblem(fields: AcceptanceFields): string | undefined {
    return (
        problemOf('invitationId', fields.invitationId, (text) => LOWERCASE_UUID.test(text), 'a lowercase UUID') ??
        problemOf(
            'acceptorInstance',
            fields.acceptorInstance,
            (text) => text.trim() !== '' && text.length <= MAX_INSTANCE_LENGTH,
            `a name that is not blank, at most ${MAX_INSTANCE_LENGTH} characters`
        ) ??
        problemOf(
            'acceptorPlatform',
            fields.acceptorPlatform,
            (text) => PLATFORMS.includes(text),
            PLATFORMS.join(' or ')
        ) ??
        problemOf(
            'acceptorNodeUrl',
            fields.acceptorNodeUrl,
            (text) => text === '' || (HTTP_URL.test(text) && text.length <= MAX_URL_LENGTH),
            `an http(s) URL of at most ${MAX_URL_LENGTH} characters, or "" for a private node`
        ) ??
        problemOf('acceptorNonce', fields.acceptorNonce, (text) => NONCE_SHAPE.test(text), '22 characters of base64url')
    );
}

function problemOf(
    field: string,
    value: unknown,
    test: (text: string) => boolean,
    expected: string
): string | undefined {
    if (typeof value !== 'string') {
        return value === undefined ? `${field} is missing` : `${field} must be a string`;
    }
    return test(value) ? undefined : `${field} must be ${expected}`;
}

function malformed(message: string): ProofFailure {
    return { ok: false, reason: 'malformed', status: 400, message };
}

function badProof(message: string): ProofFailure {
    return { ok: false, reason: 'bad-proof', status: 401, message };
}
