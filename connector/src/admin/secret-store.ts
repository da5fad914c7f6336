// Where a connection's shared secret goes when the console initiates or accepts an invitation.
// Inside Salesforce the package's Apex writes it to the protected Connection_Secret__c setting,
// which no API can reach from outside the package; so from outside, the connector hands it to a
// permission-gated Apex REST resource of the package (`POST {"secret"}` to store it and `DELETE` to
// remove it, on the same `connection-secret/<id>` resource it reads with `GET`). The secret itself
// never goes anywhere else and is never logged.
//
// An org whose package is older than these operations answers with the platform's own refusal (405
// METHOD_NOT_ALLOWED for a resource that only has GET, 404 "Could not find a match for URL" without
// the resource): that, and only that, is a 501 for the console. The resource's own 404 (a connection
// that does not exist, no secret to remove) is told apart by its message.
import type { Connection } from 'jsforce';
import type { ApiBudget, ApiNames } from '../salesforce/index.ts';
import { toApiError } from '../salesforce/errors.ts';
import { AdminError } from './errors.ts';

/** The messages of the resource's own 404 answers (ConnectorSecretResource), as opposed to the platform's. */
const PACKAGE_NOT_FOUND = /^(?:Connection \S+ does not exist|No secret is stored for connection )/;

/** True when the org answered that it has no such operation: the package is older than this connector. */
function isMissingOperation(code: string, message: string): boolean {
    if (code === 'METHOD_NOT_ALLOWED' || code === 'ERROR_HTTP_404' || code === 'ERROR_HTTP_405') {
        return true;
    }
    return code === 'NOT_FOUND' && !PACKAGE_NOT_FOUND.test(message);
}

export interface SecretStore {
    store(connectionId: string, secret: string): Promise<void>;
    remove(connectionId: string): Promise<void>;
}

/** The package's connection-secret Apex REST resource, counted as an API call like every other request. */
export function apexRestSecretStore(options: {
    readonly connection: () => Connection;
    readonly names: ApiNames;
    readonly budget: ApiBudget;
}): SecretStore {
    const send = async (method: 'POST' | 'DELETE', connectionId: string, body?: unknown): Promise<void> => {
        const conn = options.connection();
        const url = `/services/apexrest${options.names.apexRestBase}/connection-secret/${encodeURIComponent(connectionId)}`;
        try {
            await conn.request(
                {
                    method,
                    url,
                    ...(body === undefined
                        ? {}
                        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
                },
                { retry: { maxRetries: 0 } }
            );
            options.budget.recordCall(`admin:secret-${method.toLowerCase()}`, conn.limitInfo.apiUsage);
        } catch (error) {
            const { error: apiError, answered } = toApiError(error);
            if (answered) {
                options.budget.recordCall(`admin:secret-${method.toLowerCase()}`, conn.limitInfo.apiUsage);
            }
            if (isMissingOperation(apiError.code, apiError.message)) {
                throw new AdminError(
                    `The Exalate package in this org cannot take a connection secret from the connector (its connection-secret resource answered ${apiError.code}: the package is older than this connector). Upgrade the package, or initiate or accept this invitation in the Exalate tab in Salesforce instead.`,
                    501
                );
            }
            if (method === 'DELETE' && apiError.code === 'NOT_FOUND') {
                return; // no secret stored for this connection: nothing to remove
            }
            if (apiError.code === 'FORBIDDEN') {
                throw new AdminError(
                    "The connector's Salesforce user may not store or remove connection secrets. Assign the Exalate Connector permission set to the integration user the connector logs in as.",
                    403
                );
            }
            throw new AdminError(
                `The connection secret could not be ${method === 'POST' ? 'stored' : 'removed'}: ${apiError.message}`,
                502
            );
        }
    };
    return {
        store: (connectionId, secret) => send('POST', connectionId, { secret }),
        remove: (connectionId) => send('DELETE', connectionId)
    };
}
