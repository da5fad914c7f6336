// The admin API's table of operations: `<Apex class>.<method>` as the console's components import
// them (`@salesforce/apex/ConnectionController.listConnections`), each mapped to the same
// operation of a side's admin. Only these names are served; anything else is a 404.
import type { SalesforceAdmin } from './salesforce-admin.ts';

type Params = Record<string, unknown>;

/** What the admin server calls for `POST /api/admin/<className>/<methodName>`. */
export type AdminApi = (className: string, methodName: string, params: Params) => Promise<unknown>;

/** Raised for a name that is not an operation of the console. */
export class UnknownOperation extends Error {}

export function salesforceAdminApi(admin: SalesforceAdmin): AdminApi {
    const operations: Record<string, (params: Params) => Promise<unknown>> = {
        'ConnectionController.listConnections': () => admin.listConnections(),
        'ConnectionController.getConsoleContext': () => admin.getConsoleContext(),
        'ConnectionController.getConnection': (params) => admin.getConnection(params),
        'ConnectionController.createConnection': (params) => admin.createConnection(params),
        'ConnectionController.updateConnection': (params) => admin.updateConnection(params),
        'ConnectionController.initiateConnection': (params) => admin.initiateConnection(params),
        'ConnectionController.acceptInvitation': (params) => admin.acceptInvitation(params),
        'ConnectionController.activateConnection': (params) => admin.activateConnection(params),
        'ConnectionController.deactivateConnection': (params) => admin.deactivateConnection(params),
        'ConnectionController.deleteConnection': (params) => admin.deleteConnection(params),
        'CaseSyncController.listActiveConnections': () => admin.listActiveConnections(),
        'CaseSyncController.requestSync': (params) => admin.requestSync(params),
        'CaseSyncController.getCaseSyncStatus': (params) => admin.getCaseSyncStatus(params),
        'CaseSyncController.getSyncProgress': (params) => admin.getSyncProgress(params),
        'CaseSyncController.unexalate': (params) => admin.unexalate(params),
        'SyncQueueController.listTriggers': (params) => admin.listTriggers(params),
        'SyncQueueController.saveTrigger': (params) => admin.saveTrigger(params),
        'SyncQueueController.setTriggerActive': (params) => admin.setTriggerActive(params),
        'SyncQueueController.deleteTrigger': (params) => admin.deleteTrigger(params),
        'SyncQueueController.listQueue': (params) => admin.listQueue(params),
        'SyncQueueController.listErrors': (params) => admin.listErrors(params),
        'SyncQueueController.retryEvent': (params) => admin.retryEvent(params),
        'SyncQueueController.getEntitySyncStatus': (params) => admin.getEntitySyncStatus(params)
    };
    return (className, methodName, params) => {
        const operation = Object.hasOwn(operations, `${className}.${methodName}`)
            ? operations[`${className}.${methodName}`]
            : undefined;
        if (operation === undefined) {
            return Promise.reject(
                new UnknownOperation(`${className}.${methodName} is not an operation of the console.`)
            );
        }
        return operation(params);
    };
}
