// Apex REST as the package exposes it: ConnectorSecretResource
// (`@RestResource(urlMapping='/exalate/v1/connection-secret/*')`), which hands a connection's
// shared secret from the protected Connection_Secret__c setting to the connector. In a managed
// package the URL carries the namespace: /services/apexrest/<ns>/exalate/v1/connection-secret/<id>.
// Answers exactly as the class does: 200 {connectionId, secret}; 400 INVALID_ID; 403 FORBIDDEN
// unless the caller has the Exalate_Connector custom permission; 404 NOT_FOUND without a secret.

import { normalizeId } from './ids.ts';
import type { JsonObject } from './json.ts';
import type { Org } from './org.ts';
import type { RestResponse } from './rest-context.ts';

function answer(status: number, body: JsonObject): RestResponse {
    return { status, body, headers: { 'Cache-Control': 'no-store' } };
}

function error(status: number, errorCode: string, message: string): RestResponse {
    return answer(status, { errorCode, message });
}

/** Handles `/services/apexrest/<rest>`; `rest` has no leading slash. */
export function apexRest(org: Org, method: string, rest: string, userId: string): RestResponse {
    const namespace = org.schema.namespacePrefix.replace(/__$/, '');
    const mapping = namespace ? `${namespace}/exalate/v1/connection-secret/` : 'exalate/v1/connection-secret/';
    if (!rest.startsWith(mapping) && rest !== mapping.slice(0, -1)) {
        return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'Could not find a match for URL' }] };
    }
    if (method !== 'GET') {
        return {
            status: 405,
            body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed. Allowed are GET` }]
        };
    }
    if (!org.isConnector(userId)) {
        return error(
            403,
            'FORBIDDEN',
            'Only the connector user, with the Exalate_Connector custom permission, can read connection secrets.'
        );
    }
    const segment = decodeURIComponent(rest.split('/').pop() ?? '');
    const connectionId = normalizeId(segment);
    const connectionObject = org.schema.object(org.schema.packaged('Sync_Connection__c'));
    if (!connectionId || !connectionObject || org.schema.objectOfId(connectionId) !== connectionObject) {
        return error(400, 'INVALID_ID', 'End the URL with the record id of a Sync_Connection__c.');
    }
    const secret = org.connectionSecret(connectionId);
    if (!secret) {
        return error(404, 'NOT_FOUND', `No secret is stored for connection ${connectionId}.`);
    }
    return answer(200, { connectionId, secret });
}
