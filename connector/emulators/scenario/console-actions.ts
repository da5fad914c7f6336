// What an admin and an agent do in the org, done to an emulated org the way the package's Apex does
// it (ConnectionController.initiateConnection / acceptInvitation, CaseSyncController.requestSync):
// the same records, the same secret store, the same wake events, and the invitation code written by
// the shared codec the console uses.
import { randomBytes, randomUUID } from 'node:crypto';
import type { SalesforceEmulator } from '../salesforce/index.ts';
import { decodeInvitation, encodeInvitation } from '../../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';

export interface InitiateInput {
    readonly connectionName: string;
    readonly localInstance: string;
    readonly remoteInstance: string;
    /** This side's connector URL, written into the code. */
    readonly nodeUrl: string;
    /** The destination's connector URL, or `''` for a private destination. */
    readonly destinationUrl: string;
    readonly expiresInSeconds?: number;
}

export interface Initiated {
    readonly connectionId: string;
    readonly invitationId: string;
    readonly code: string;
}

function publishWake(org: SalesforceEmulator, userId: string, reason: string): void {
    org.insertAs(userId, 'Sync_Wake__e', [{ Reason__c: reason }]);
}

/** Initiate connection: a Pending Initiator connection, its secret, and the invitation code. */
export function initiateConnection(org: SalesforceEmulator, input: InitiateInput): Initiated {
    const invitationId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = Math.floor(Date.now() / 1000) + (input.expiresInSeconds ?? 72 * 3600);
    const type = input.destinationUrl === '' ? 'Private' : 'Public';
    const [connectionId] = org.insertAs(org.connectorUser.id, 'Sync_Connection__c', [
        {
            Name: input.connectionName,
            Local_Instance_Name__c: input.localInstance,
            Remote_Instance_Name__c: input.remoteInstance,
            Type__c: type,
            Mode__c: 'Basic',
            Status__c: 'Pending',
            Role__c: 'Initiator',
            Remote_Platform__c: 'Salesforce',
            Remote_Node_Url__c: input.destinationUrl === '' ? null : input.destinationUrl,
            Invitation_Id__c: invitationId,
            Invitation_Expires__c: new Date(expiresAt * 1000).toISOString()
        }
    ]);
    org.setConnectionSecret(connectionId, secret);
    const code = encodeInvitation({
        version: 1,
        invitationId,
        connectionName: input.connectionName,
        initiatorInstance: input.localInstance,
        destinationInstance: input.remoteInstance,
        initiatorPlatform: 'Salesforce',
        initiatorNodeUrl: input.nodeUrl,
        connectionType: type,
        mode: 'Basic',
        expiresAt,
        secret
    });
    publishWake(org, org.connectorUser.id, 'connection');
    return { connectionId, invitationId, code };
}

/** New connection of type Local (ConnectionController.createConnection): Active at once, no invitation. */
export function createLocalConnection(
    org: SalesforceEmulator,
    userId: string,
    input: { connectionName: string; localInstance: string; remoteInstance: string }
): string {
    const [connectionId] = org.insertAs(userId, 'Sync_Connection__c', [
        {
            Name: input.connectionName,
            Local_Instance_Name__c: input.localInstance,
            Remote_Instance_Name__c: input.remoteInstance,
            Type__c: 'Local',
            Mode__c: 'Basic',
            Status__c: 'Active',
            Role__c: 'Initiator',
            Remote_Platform__c: 'Salesforce'
        }
    ]);
    publishWake(org, userId, 'connection');
    return connectionId;
}

/** Accept invitation: the code decoded as the console does, a Pending Acceptor connection and its secret. */
export function acceptInvitation(org: SalesforceEmulator, code: string): string {
    const decoded = decodeInvitation(code, Math.floor(Date.now() / 1000));
    if (!decoded.ok) {
        throw new Error(`the invitation code is refused (${decoded.error}): ${decoded.message}`);
    }
    const invitation = decoded.invitation;
    const [connectionId] = org.insertAs(org.connectorUser.id, 'Sync_Connection__c', [
        {
            Name: invitation.connectionName,
            Local_Instance_Name__c: invitation.destinationInstance,
            Remote_Instance_Name__c: invitation.initiatorInstance,
            Type__c: invitation.connectionType,
            Mode__c: 'Basic',
            Status__c: 'Pending',
            Role__c: 'Acceptor',
            Remote_Platform__c: invitation.initiatorPlatform,
            Remote_Node_Url__c: invitation.initiatorNodeUrl === '' ? null : invitation.initiatorNodeUrl,
            Invitation_Id__c: invitation.invitationId,
            Invitation_Expires__c: new Date(invitation.expiresAt * 1000).toISOString(),
            Accepted_At__c: new Date().toISOString()
        }
    ]);
    org.setConnectionSecret(connectionId, invitation.secret);
    publishWake(org, org.connectorUser.id, 'connection');
    return connectionId;
}

/** The agent clicks Exalate on a Case: its twin (Preparing) and a queued Outgoing sync, then a wake. */
export function exalateCase(org: SalesforceEmulator, userId: string, connectionId: string, caseId: string): string {
    const key = `${connectionId}:${caseId}`;
    const existing = org.records('Sync_Twin__c').find((twin) => twin.Twin_Key__c === key);
    const twinId =
        existing !== undefined
            ? (existing.Id as string)
            : org.insertAs(userId, 'Sync_Twin__c', [
                  { Connection__c: connectionId, Case__c: caseId, Twin_Key__c: key, Sync_Status__c: 'Preparing' }
              ])[0];
    org.insertAs(userId, 'Sync_Event__c', [
        {
            Connection__c: connectionId,
            Twin__c: twinId,
            Case__c: caseId,
            Direction__c: 'Outgoing',
            Stage__c: 'Preparing',
            Next_Attempt__c: new Date().toISOString(),
            Requested_By__c: userId
        }
    ]);
    publishWake(org, userId, 'sync-request');
    return twinId;
}

/** Deactivate or Activate on the connection page (ConnectionController.deactivateConnection / activateConnection). */
export function setConnectionStatus(
    org: SalesforceEmulator,
    userId: string,
    connectionId: string,
    status: 'Active' | 'Deactivated'
): void {
    org.updateAs(userId, 'Sync_Connection__c', [
        { Id: connectionId, Status__c: status, ...(status === 'Active' ? { Status_Detail__c: null } : {}) }
    ]);
    publishWake(org, userId, 'connection');
}

/** Delete on the connection page (ConnectionController.deleteConnection): the record and its secret go. */
export function deleteConnection(org: SalesforceEmulator, userId: string, connectionId: string): void {
    org.deleteAs(userId, 'Sync_Connection__c', [connectionId]);
    org.setConnectionSecret(connectionId, null);
    publishWake(org, userId, 'connection');
}

/** Saves an active trigger on the Triggers tab (SyncQueueController.saveTrigger). */
export function addTrigger(org: SalesforceEmulator, userId: string, connectionId: string, filter: string): string {
    const [triggerId] = org.insertAs(userId, 'Sync_Trigger__c', [
        { Connection__c: connectionId, Filter__c: filter, Active__c: true }
    ]);
    publishWake(org, userId, 'connection');
    return triggerId;
}

/** Bulk Exalate on a trigger's row (SyncQueueController.bulkExalate): the request, then a wake. */
export function bulkExalate(org: SalesforceEmulator, userId: string, triggerId: string): void {
    org.updateAs(userId, 'Sync_Trigger__c', [
        { Id: triggerId, Bulk_Requested__c: new Date().toISOString(), Bulk_Completed__c: null, Bulk_Result__c: null }
    ]);
    publishWake(org, userId, 'connection');
}
