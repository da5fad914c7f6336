// What the admin entered, checked before anything is written, with the package's own rules and
// words: ConnectionValidator (connections and invitations) and SyncQueueController's trigger
// filter shape. The checks that need the org (a name already taken, an invitation already used)
// are asked of the caller.
import { AdminError, MESSAGES } from './errors.ts';

export const MAX_NAME_LENGTH = 80;
export const MAX_INSTANCE_NAME_LENGTH = 40;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_URL_LENGTH = 255;
export const MAX_FILTER_LENGTH = 4000;
export const MAX_NOTES_LENGTH = 2000;
const TYPES = ['Public', 'Private', 'Local'];
const PLATFORMS = ['Salesforce', 'ServiceNow'];
const INSTANCE_NAME = /^[A-Za-z0-9_-]+$/;
const UUID_SHAPE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(\/\S*)?$/i;
const LOCAL_DEVELOPMENT_URL = /^http:\/\/(localhost|127\.0\.0\.1)(:[0-9]{1,5})?(\/\S*)?$/i;
const TOP_LEVEL_KEYWORD =
    /\b(SELECT|FROM|LIMIT|OFFSET|ORDER\s+BY|GROUP\s+BY|HAVING|WITH|FOR\s+(?:UPDATE|VIEW|REFERENCE)|ALL\s+ROWS)\b/i;

/** A text the admin entered: trimmed, or null when blank or not a text (Apex's `clean`). */
export function clean(value: unknown): string | null {
    if (typeof value !== 'string') {
        return null;
    }
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
}

/** The fields of ConnectionInput and AcceptedInvitationInput the checks read. */
export interface ConnectionFields {
    readonly name: unknown;
    readonly localInstanceName: unknown;
    readonly remoteInstanceName: unknown;
    readonly description: unknown;
    readonly type: unknown;
    readonly remotePlatform: unknown;
    readonly remoteNodeUrl: unknown;
}

/** Lookups in the org that the checks need. */
export interface RuleLookups {
    /** Whether another connection (not `ownId`) has this name. */
    nameTaken(name: string, ownId: string | null): Promise<boolean>;
    invitationUsed(invitationId: string): Promise<boolean>;
}

async function checkName(rawName: unknown, ownId: string | null, lookups: RuleLookups): Promise<void> {
    const name = clean(rawName);
    if (name === null) {
        throw new AdminError('Connection name is required. Enter a name such as SalesforceA_to_ServiceNowB.');
    }
    if (name.length > MAX_NAME_LENGTH) {
        throw new AdminError(
            `Connection name is too long (${name.length} characters). Use at most ${MAX_NAME_LENGTH} characters.`
        );
    }
    if (await lookups.nameTaken(name, ownId)) {
        throw new AdminError(`A connection named ${name} already exists.`);
    }
}

function checkInstanceName(label: string, rawValue: unknown, side: string, example: string): string {
    const value = clean(rawValue);
    if (value === null) {
        throw new AdminError(`${label} is required. Enter a short name for ${side}, such as ${example}.`);
    }
    if (value.length > MAX_INSTANCE_NAME_LENGTH) {
        throw new AdminError(
            `${label} is too long (${value.length} characters). Use at most ${MAX_INSTANCE_NAME_LENGTH} characters.`
        );
    }
    if (!INSTANCE_NAME.test(value)) {
        throw new AdminError(
            `${label} can contain only letters, digits, _ and -. Remove spaces and other characters, as in ${example}.`
        );
    }
    return value;
}

function checkInstanceNames(rawLocal: unknown, rawRemote: unknown): void {
    const local = checkInstanceName('Local instance name', rawLocal, 'this side', 'SalesforceA');
    const remote = checkInstanceName('Remote instance name', rawRemote, 'the other side', 'ServiceNowB');
    if (local.toLowerCase() === remote.toLowerCase()) {
        throw new AdminError(
            `Local instance name and remote instance name are both ${local}. Give each side its own name.`
        );
    }
}

function checkDescription(description: unknown): void {
    if (typeof description === 'string' && description.length > MAX_DESCRIPTION_LENGTH) {
        throw new AdminError(
            `Description is too long (${description.length} characters). Use at most ${MAX_DESCRIPTION_LENGTH} characters.`
        );
    }
}

function checkType(type: string | null): void {
    if (type === null || !TYPES.includes(type)) {
        throw new AdminError('Type must be Public, Private or Local. Choose one of them.');
    }
}

function refuseLocalInvitation(type: unknown): void {
    if (clean(type) === 'Local') {
        throw new AdminError(
            'A Local connection syncs Cases within this org and needs no invitation. Create it with New connection instead.'
        );
    }
}

function checkPlatform(rawPlatform: unknown): void {
    const platform = clean(rawPlatform);
    if (platform === null || !PLATFORMS.includes(platform)) {
        throw new AdminError('Remote platform must be Salesforce or ServiceNow. Choose one of them.');
    }
}

/**
 * The remote node URL depends on the type and on which side this record is: the initiating side
 * of a Private connection has no remote URL; the accepting side always has the initiator's.
 */
function checkRemoteNodeUrl(type: string | null, rawUrl: unknown, remoteIsInitiator: boolean): void {
    const url = clean(rawUrl);
    if (type === 'Private' && !remoteIsInitiator) {
        if (url !== null) {
            throw new AdminError(
                'Remote node URL must be blank for a Private connection: the private side has no URL and opens every request itself. Clear the field.'
            );
        }
        return;
    }
    if (url === null) {
        if (type === 'Public') {
            throw new AdminError(
                "Remote node URL is required for a Public connection. Enter the remote node's base URL, starting with https://."
            );
        }
        if (type === 'Private') {
            throw new AdminError(
                "Remote node URL is required for a Private connection you accept: enter the inviting node's base URL, starting with https://."
            );
        }
        return;
    }
    if (url.length > MAX_URL_LENGTH) {
        throw new AdminError(
            `Remote node URL is too long (${url.length} characters). Use at most ${MAX_URL_LENGTH} characters.`
        );
    }
    if (!HTTPS_URL.test(url) && !LOCAL_DEVELOPMENT_URL.test(url)) {
        throw new AdminError(
            'Remote node URL must start with https:// (http:// is allowed only for http://localhost or http://127.0.0.1 during local development). Correct the URL.'
        );
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ConnectionValidator.validateNew. */
export async function validateNew(input: unknown, lookups: RuleLookups): Promise<ConnectionFields> {
    if (!isRecord(input)) {
        throw new AdminError('Fill in the connection details first.');
    }
    const fields = input as unknown as ConnectionFields;
    await checkName(fields.name, null, lookups);
    checkInstanceNames(fields.localInstanceName, fields.remoteInstanceName);
    checkDescription(fields.description);
    const type = clean(fields.type);
    checkType(type);
    checkPlatform(fields.remotePlatform);
    checkRemoteNodeUrl(type, fields.remoteNodeUrl, false);
    return fields;
}

/** ConnectionValidator.validateInitiation: validateNew, and a Local connection needs no invitation. */
export async function validateInitiation(input: unknown, lookups: RuleLookups): Promise<ConnectionFields> {
    const fields = await validateNew(input, lookups);
    refuseLocalInvitation(fields.type);
    return fields;
}

/** ConnectionValidator.validateUpdate: the stored type and role decide what the URL must be. */
export async function validateUpdate(
    existing: { readonly id: string; readonly type: string | null; readonly role: string | null },
    input: unknown,
    lookups: RuleLookups
): Promise<ConnectionFields> {
    if (!isRecord(input)) {
        throw new AdminError('Fill in the connection details first.');
    }
    const fields = input as unknown as ConnectionFields;
    await checkName(fields.name, existing.id, lookups);
    checkInstanceNames(fields.localInstanceName, fields.remoteInstanceName);
    checkDescription(fields.description);
    checkRemoteNodeUrl(existing.type, fields.remoteNodeUrl, existing.role === 'Acceptor');
    return fields;
}

/** The fields of AcceptedInvitationInput, checked. */
export interface AcceptedInvitation {
    readonly invitationId: string;
    readonly secret: string;
    readonly expiresAt: Date;
    readonly connectionName: string;
    readonly fields: ConnectionFields;
}

/** ConnectionValidator.formatExpiry: ISO 8601 in UTC, to the second. */
export function formatExpiry(expiresAt: Date): string {
    return expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ConnectionValidator.validateInvitation: the code first (id, secret, expiry, not used), then the fields. */
export async function validateInvitation(
    input: unknown,
    lookups: RuleLookups,
    now: Date = new Date()
): Promise<AcceptedInvitation> {
    if (!isRecord(input)) {
        throw new AdminError('Paste the invitation code first.');
    }
    const invitationId = clean(input.invitationId);
    if (invitationId === null || !UUID_SHAPE.test(invitationId)) {
        throw new AdminError(
            'The invitation code is not valid: its invitation id must be a 36-character UUID. Copy the whole invitation code again and paste it.'
        );
    }
    const secret = clean(input.secret);
    if (secret === null || !SECRET_SHAPE.test(secret)) {
        throw new AdminError(
            'The invitation code is not valid: its secret must be 43 characters of letters, digits, - and _. Copy the whole invitation code again and paste it.'
        );
    }
    const remoteName = clean(input.remoteInstanceName);
    const expiresAt = typeof input.expiresAt === 'string' ? new Date(input.expiresAt) : undefined;
    if (expiresAt === undefined || Number.isNaN(expiresAt.getTime())) {
        throw new AdminError(
            'The invitation code is not valid: it has no expiry date. Copy the whole invitation code again and paste it.'
        );
    }
    if (expiresAt.getTime() <= now.getTime()) {
        throw new AdminError(
            `This invitation expired on ${formatExpiry(expiresAt)}. Ask ${remoteName ?? 'the other side'} to send a new one.`
        );
    }
    if (await lookups.invitationUsed(invitationId)) {
        throw new AdminError(MESSAGES.invitationUsed);
    }
    const fields: ConnectionFields = {
        name: input.connectionName,
        localInstanceName: input.localInstanceName,
        remoteInstanceName: input.remoteInstanceName,
        description: input.description,
        type: input.type,
        remotePlatform: input.remotePlatform,
        remoteNodeUrl: input.remoteNodeUrl
    };
    await checkName(fields.name, null, lookups);
    checkInstanceNames(fields.localInstanceName, fields.remoteInstanceName);
    checkDescription(fields.description);
    const type = clean(fields.type);
    checkType(type);
    refuseLocalInvitation(type);
    checkPlatform(fields.remotePlatform);
    checkRemoteNodeUrl(type, fields.remoteNodeUrl, true);
    return { invitationId, secret, expiresAt, connectionName: clean(fields.name) ?? '', fields };
}

/** The filter with everything inside quotes and parentheses blanked out (SyncQueueController.topLevelText). */
export function topLevelText(filter: string): string {
    let inQuotes = false;
    let escaped = false;
    let depth = 0;
    let out = '';
    for (const character of filter) {
        let keep = false;
        if (inQuotes) {
            if (escaped) {
                escaped = false;
            } else if (character === '\\') {
                escaped = true;
            } else if (character === "'") {
                inQuotes = false;
            }
        } else if (character === "'") {
            inQuotes = true;
        } else if (character === '(') {
            depth++;
        } else if (character === ')') {
            depth = Math.max(0, depth - 1);
        } else {
            keep = depth === 0;
        }
        out += keep ? character : ' ';
    }
    return out;
}

/** SyncQueueController.checkFilterShape: one SOQL condition over Case, or the reason it is not. */
export function checkFilterShape(rawFilter: unknown): string {
    const filter = clean(rawFilter);
    if (filter === null) {
        throw new AdminError(
            "Filter is required. Enter a SOQL condition over Case, such as Priority = 'High' AND Origin = 'Web'."
        );
    }
    if (filter.length > MAX_FILTER_LENGTH) {
        throw new AdminError(
            `Filter is too long (${filter.length} characters). Use at most ${MAX_FILTER_LENGTH} characters.`
        );
    }
    if (filter.includes(';')) {
        throw new AdminError('Filter must not contain ";". Enter a single SOQL condition over Case.');
    }
    const keyword = TOP_LEVEL_KEYWORD.exec(topLevelText(filter));
    if (keyword) {
        throw new AdminError(
            `Filter must be only the condition that follows WHERE. Remove ${keyword[1].toUpperCase().replace(/\s+/g, ' ')} and what follows it.`
        );
    }
    return filter;
}

/** SyncQueueController's notes rule. */
export function checkNotes(rawNotes: unknown): string | null {
    const notes = clean(rawNotes);
    if (notes !== null && notes.length > MAX_NOTES_LENGTH) {
        throw new AdminError(
            `Notes are too long (${notes.length} characters). Use at most ${MAX_NOTES_LENGTH} characters.`
        );
    }
    return notes;
}
