// The DTOs that the Apex shim returns to the components (see docs/apex-api.md).
// Dates arrive as ISO-8601 strings; absent values are left out of the JSON, hence the optional fields.

export type ConnectionType = 'Public' | 'Private' | 'Local';
export type ConnectionStatus = 'Pending' | 'Active' | 'Deactivated' | 'Error';
export type SyncStage = 'Preparing' | 'Sending' | 'Waiting for remote' | 'Finalizing' | 'Synchronized' | 'Failed';

export interface ConnectionDto {
    id: string;
    name: string;
    localInstanceName: string;
    remoteInstanceName: string;
    description?: string;
    type: ConnectionType;
    mode: 'Basic';
    status: ConnectionStatus;
    role?: 'Initiator' | 'Acceptor';
    remotePlatform?: 'Salesforce' | 'ServiceNow';
    remoteNodeUrl?: string;
    invitationId?: string;
    invitationExpires?: string;
    acceptedBy?: string;
    acceptedAt?: string;
    statusDetail?: string;
    syncedCaseCount?: number;
}

export interface SyncEventDto {
    id: string;
    name: string;
    connectionId?: string;
    twinId?: string;
    caseId?: string;
    caseNumber?: string;
    direction: 'Outgoing' | 'Incoming';
    stage: SyncStage;
    attempts?: number;
    nextAttempt?: string;
    error?: string;
    createdDate?: string;
    completed?: string;
}

export interface TwinStatusDto {
    twinId: string;
    caseId: string;
    caseNumber?: string;
    connectionId: string;
    connectionName: string;
    remoteKey?: string;
    remoteUrl?: string;
    status?: SyncStage;
    lastSynced?: string;
    lastError?: string;
    latestEventId?: string;
    latestEventStage?: SyncStage;
}

export interface TriggerDto {
    id: string;
    connectionId: string;
    filter: string;
    active: boolean;
    notes?: string;
    lastModified?: string;
    /** When an admin last asked for a Bulk Exalate (the trigger run once over all existing Cases). */
    bulkRequested?: string;
    /** When the connector finished the last Bulk Exalate; absent while it runs. */
    bulkCompleted?: string;
    /** What the connector did in the last Bulk Exalate, e.g. "1,000 Cases brought under sync", or the error. */
    bulkResult?: string;
}

export interface TriggerInput {
    id?: string | null;
    connectionId?: string | null;
    filter: string;
    active: boolean;
    notes?: string | null;
}

/** What the connection wizards know about this org (ConnectionController.getConsoleContext). */
export interface ConsoleContextDto {
    /** This org's My Domain URL, e.g. https://acme.my.salesforce.com. */
    orgDomainUrl: string;
    /** The package namespace without "__"; '' when there is none. */
    namespacePrefix: string;
    /** The org name reduced to letters and digits, at most 40 characters. */
    suggestedInstanceName: string;
    /** The platform this console runs on: the initiator's platform in the codes it writes. */
    platform: 'Salesforce' | 'ServiceNow';
}

/** The answer to ConnectionController.initiateConnection: the secret is returned this once. */
export interface InitiatedInvitationDto {
    connection: ConnectionDto;
    invitationId: string;
    expiresAt: string;
    secret: string;
}

/** What ConnectionController.acceptInvitation takes: the decoded invitation code and the local names. */
export interface AcceptedInvitationInput {
    invitationId: string;
    connectionName: string;
    localInstanceName: string;
    remoteInstanceName: string;
    description?: string | null;
    type: ConnectionType;
    remotePlatform: 'Salesforce' | 'ServiceNow';
    remoteNodeUrl?: string | null;
    /** ISO-8601 date and time. */
    expiresAt: string;
    secret: string;
}

/** What ConnectionController.createConnection, updateConnection and initiateConnection take. */
export interface ConnectionInput {
    name: string;
    localInstanceName: string;
    remoteInstanceName: string;
    description?: string | null;
    type: ConnectionType;
    remotePlatform: 'Salesforce' | 'ServiceNow';
    /** Required for Public; blank (null) for Private on the initiating side. */
    remoteNodeUrl?: string | null;
}
