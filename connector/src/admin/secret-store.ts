// Where a connection's shared secret goes when the console initiates or accepts an invitation.
// Inside Salesforce the package's Apex writes it to the protected Connection_Secret__c setting,
// which no API can reach from outside the package; so from outside, the connector hands it to a
// permission-gated Apex REST resource of the package (`POST`/`DELETE` on the same
// `connection-secret/<id>` resource it already reads with `GET`). The secret itself never goes
// anywhere else and is never logged.
import type { Connection } from 'jsforce';
import type { ApiBudget, ApiNames } from '../salesforce/index.ts';
import { toApiError } from '../salesforce/errors.ts';
import { AdminError } from './errors.ts';

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
            if (['NOT_FOUND', 'METHOD_NOT_ALLOWED', 'ERROR_HTTP_404', 'ERROR_HTTP_405'].includes(apiError.code)) {
                throw new AdminError(
                    `The Exalate package in this org cannot take a connection secret from the connector (its connection-secret resource answered ${apiError.code}). Initiate or accept this invitation in the Exalate tab in Salesforce instead.`,
                    501
                );
            }
            if (apiError.code === 'FORBIDDEN') {
                throw new AdminError(
                    "The connector's Salesforce user may not store connection secrets. Assign the Exalate Connector permission set to the integration user the connector logs in as.",
                    403
                );
            }
            throw new AdminError(`The connection secret could not be stored: ${apiError.message}`, 502);
        }
    };
    return {
        store: (connectionId, secret) => send('POST', connectionId, { secret }),
        remove: (connectionId) => send('DELETE', connectionId)
    };
}
