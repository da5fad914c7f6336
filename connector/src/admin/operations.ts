// The admin API's table of operations: `<Apex class>.<method>` as the console's components import
// them (`@salesforce/apex/ConnectionController.listConnections`), each mapped to the same
// operation of a side's admin. Both sides' admins implement ConsoleAdmin (a Salesforce side over
// its org, a ServiceNow side over its store), so one table serves both. Only these names are
// served; anything else is a 404.
import type {
    ConnectionDto,
    ConsoleContextDto,
    InitiatedInvitationDto,
    SyncEventDto,
    TriggerDto,
    TwinStatusDto
} from '../../../types/exalate-dto.d.ts';

type Params = Record<string, unknown>;

/**
 * What a side's admin does for the console: the operations, parameters and DTOs of the package's
 * Apex controllers. A refusal is an AdminError with a message fit for the admin.
 */
export interface ConsoleAdmin {
    listConnections(): Promise<ConnectionDto[]>;
    getConsoleContext(): Promise<ConsoleContextDto>;
    getConnection(params: Params): Promise<ConnectionDto>;
    createConnection(params: Params): Promise<ConnectionDto>;
    updateConnection(params: Params): Promise<ConnectionDto>;
    initiateConnection(params: Params): Promise<InitiatedInvitationDto>;
    acceptInvitation(params: Params): Promise<ConnectionDto>;
    activateConnection(params: Params): Promise<ConnectionDto>;
    deactivateConnection(params: Params): Promise<ConnectionDto>;
    deleteConnection(params: Params): Promise<null>;
    listActiveConnections(): Promise<ConnectionDto[]>;
    requestSync(params: Params): Promise<TwinStatusDto>;
    getCaseSyncStatus(params: Params): Promise<TwinStatusDto[]>;
    getSyncProgress(params: Params): Promise<SyncEventDto>;
    unexalate(params: Params): Promise<null>;
    listTriggers(params: Params): Promise<TriggerDto[]>;
    saveTrigger(params: Params): Promise<TriggerDto>;
    setTriggerActive(params: Params): Promise<TriggerDto>;
    deleteTrigger(params: Params): Promise<null>;
    bulkExalate(params: Params): Promise<TriggerDto>;
    listQueue(params: Params): Promise<SyncEventDto[]>;
    listErrors(params: Params): Promise<SyncEventDto[]>;
    retryEvent(params: Params): Promise<SyncEventDto>;
    getEntitySyncStatus(params: Params): Promise<TwinStatusDto | null>;
}

/** What the admin server calls for `POST /api/admin/<className>/<methodName>`. */
export type AdminApi = (className: string, methodName: string, params: Params) => Promise<unknown>;

/** Raised for a name that is not an operation of the console. */
export class UnknownOperation extends Error {}

type Operation = (admin: ConsoleAdmin, params: Params) => Promise<unknown>;

/** Every operation of the console, by `<Apex class>.<method>`. */
const OPERATIONS: Readonly<Record<string, Operation>> = {
    'ConnectionController.listConnections': (admin) => admin.listConnections(),
    'ConnectionController.getConsoleContext': (admin) => admin.getConsoleContext(),
    'ConnectionController.getConnection': (admin, params) => admin.getConnection(params),
    'ConnectionController.createConnection': (admin, params) => admin.createConnection(params),
    'ConnectionController.updateConnection': (admin, params) => admin.updateConnection(params),
    'ConnectionController.initiateConnection': (admin, params) => admin.initiateConnection(params),
    'ConnectionController.acceptInvitation': (admin, params) => admin.acceptInvitation(params),
    'ConnectionController.activateConnection': (admin, params) => admin.activateConnection(params),
    'ConnectionController.deactivateConnection': (admin, params) => admin.deactivateConnection(params),
    'ConnectionController.deleteConnection': (admin, params) => admin.deleteConnection(params),
    'CaseSyncController.listActiveConnections': (admin) => admin.listActiveConnections(),
    'CaseSyncController.requestSync': (admin, params) => admin.requestSync(params),
    'CaseSyncController.getCaseSyncStatus': (admin, params) => admin.getCaseSyncStatus(params),
    'CaseSyncController.getSyncProgress': (admin, params) => admin.getSyncProgress(params),
    'CaseSyncController.unexalate': (admin, params) => admin.unexalate(params),
    'SyncQueueController.listTriggers': (admin, params) => admin.listTriggers(params),
    'SyncQueueController.saveTrigger': (admin, params) => admin.saveTrigger(params),
    'SyncQueueController.setTriggerActive': (admin, params) => admin.setTriggerActive(params),
    'SyncQueueController.deleteTrigger': (admin, params) => admin.deleteTrigger(params),
    'SyncQueueController.bulkExalate': (admin, params) => admin.bulkExalate(params),
    'SyncQueueController.listQueue': (admin, params) => admin.listQueue(params),
    'SyncQueueController.listErrors': (admin, params) => admin.listErrors(params),
    'SyncQueueController.retryEvent': (admin, params) => admin.retryEvent(params),
    'SyncQueueController.getEntitySyncStatus': (admin, params) => admin.getEntitySyncStatus(params)
};

/** The names the admin API serves, `<Apex class>.<method>`. */
export const OPERATION_NAMES: readonly string[] = Object.keys(OPERATIONS).sort();

/** The admin API of one side: the table above over that side's admin. */
export function adminApi(admin: ConsoleAdmin): AdminApi {
    return (className, methodName, params) => {
        const name = `${className}.${methodName}`;
        const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
        if (operation === undefined) {
            return Promise.reject(new UnknownOperation(`${name} is not an operation of the console.`));
        }
        return operation(admin, params);
    };
}

/** The admin API of a Salesforce side (the same table). */
export const salesforceAdminApi = adminApi;
