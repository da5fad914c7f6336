// Apex REST as the package exposes it: ConnectorSecretResource
// (`@RestResource(urlMapping='/exalate/v1/connection-secret/*')`), through which the connector
// reads and writes a connection's shared secret in the protected Connection_Secret__c setting. In a
// managed package the URL carries the namespace: /services/apexrest/<ns>/exalate/v1/connection-secret/<id>.
// Answers exactly as the class does, with `Cache-Control: no-store`:
// - GET: 200 {connectionId, secret}; 404 NOT_FOUND without a secret;
// - POST {"secret": "<43 characters of base64url>"}: 200 {connectionId}, stored or replaced;
//   400 INVALID_SECRET for any other body; 404 NOT_FOUND when the connection does not exist (or,
//   in an org, the caller cannot see it: the emulator has no sharing);
// - DELETE: 200 {connectionId}, removed whether or not the connection still exists; 404 NOT_FOUND
//   without a secret;
// - all three: 403 FORBIDDEN unless the caller has the Exalate_Connector custom permission, then
//   400 INVALID_ID unless the last URL segment is a connection id.
// Other methods get the platform's 405; another URL the platform's 404.

import { normalizeId } from './ids.ts';
import type { JsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { RestResponse } from './rest-context.ts';

/** The shape ConnectionController.newSecret gives a secret: 256 bits, base64url, no padding. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const VERBS: Record<string, string> = { GET: 'read', POST: 'store', DELETE: 'remove' };

function answer(status: number, body: JsonObject): RestResponse {
    return { status, body, headers: { 'Cache-Control': 'no-store' } };
}

function error(status: number, errorCode: string, message: string): RestResponse {
    return answer(status, { errorCode, message });
}

/** The `secret` of a body `{"secret": "..."}` when it has the right shape, else undefined (as the Apex's secretOf). */
function secretOf(body: Buffer | undefined): string | undefined {
    if (!body || body.length === 0) {
        return undefined;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return undefined;
    }
    const value = (parsed as Record<string, unknown>).secret;
    return typeof value === 'string' && SECRET_SHAPE.test(value) ? value : undefined;
}

/** Handles `/services/apexrest/<rest>`; `rest` has no leading slash; `body` is the raw request body. */
export function apexRest(org: Org, method: string, rest: string, userId: string, body?: Buffer): RestResponse {
    const namespace = org.schema.namespacePrefix.replace(/__$/, '');
    const mapping = namespace ? `${namespace}/exalate/v1/connection-secret/` : 'exalate/v1/connection-secret/';
    if (!rest.startsWith(mapping) && rest !== mapping.slice(0, -1)) {
        return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'Could not find a match for URL' }] };
    }
    const verb = VERBS[method];
    if (verb === undefined) {
        return {
            status: 405,
            body: [
                {
                    errorCode: 'METHOD_NOT_ALLOWED',
                    message: `HTTP Method '${method}' not allowed. Allowed are DELETE,GET,POST`
                }
            ]
        };
    }
    if (!org.isConnector(userId)) {
        return error(
            403,
            'FORBIDDEN',
            `Only the connector user, with the Exalate_Connector custom permission, can ${verb} connection secrets.`
        );
    }
    const segment = decodeURIComponent(rest.split('/').pop() ?? '');
    const connectionId = normalizeId(segment);
    const connectionObject = org.schema.object(org.schema.packaged('Sync_Connection__c'));
    if (!connectionId || !connectionObject || org.schema.objectOfId(connectionId) !== connectionObject) {
        return error(400, 'INVALID_ID', 'End the URL with the record id of a Sync_Connection__c.');
    }
    if (method === 'POST') {
        const secret = secretOf(body);
        if (secret === undefined) {
            return error(
                400,
                'INVALID_SECRET',
                'Send {"secret": "..."} with the connection\'s secret: 43 characters of letters, digits, - and _.'
            );
        }
        const connection = org.get(connectionId);
        if (!connection || connection.IsDeleted === true) {
            return error(
                404,
                'NOT_FOUND',
                `Connection ${connectionId} does not exist, or you do not have access to it.`
            );
        }
        org.setConnectionSecret(connectionId, secret);
        return answer(200, { connectionId });
    }
    const secret = org.connectionSecret(connectionId);
    if (!secret) {
        return error(404, 'NOT_FOUND', `No secret is stored for connection ${connectionId}.`);
    }
    if (method === 'DELETE') {
        org.setConnectionSecret(connectionId, null);
        return answer(200, { connectionId });
    }
    return answer(200, { connectionId, secret });
}
