// Shared setup of the Salesforce emulator tests: an emulator per suite, jsforce connections as
// the connector makes them, and the package records a sync needs (connection, twin).
import { strict as assert } from 'node:assert';
import { Connection } from 'jsforce';
import type { EmulatorUser, SalesforceEmulator } from '../../emulators/salesforce/index.ts';

export const API_VERSION = '65.0';

/** A jsforce connection with a user's session, as the connector opens one. */
export function connectionAs(emulator: SalesforceEmulator, user: EmulatorUser = emulator.connectorUser): Connection {
    return new Connection({ instanceUrl: emulator.instanceUrl, accessToken: user.accessToken, version: API_VERSION });
}

export interface SaveResultLike {
    id?: string;
    success: boolean;
    errors: { statusCode?: string; errorCode?: string; message: string; fields?: string[] }[];
}

export function idOf(result: SaveResultLike): string {
    assert.equal(result.success, true, JSON.stringify(result.errors));
    assert.ok(result.id, 'the save result carries an id');
    return result.id;
}

/** The error a jsforce call rejected with (name/errorCode as Salesforce's errorCode). */
export type ApiFailure = Error & { errorCode?: string; data?: unknown };

export async function rejection(promise: PromiseLike<unknown>): Promise<ApiFailure> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Error);
        const failure: ApiFailure = error;
        return failure;
    }
    assert.fail('expected the call to fail');
}

/** A Sync_Connection__c and a Sync_Twin__c that puts the Case under sync. */
export async function putUnderSync(
    conn: Connection,
    caseId: string,
    name = 'SalesforceA_to_ServiceNowB'
): Promise<{ connectionId: string; twinId: string }> {
    const connectionId = idOf(
        await conn.sobject('Sync_Connection__c').create({
            Name: name,
            Local_Instance_Name__c: 'SalesforceA',
            Remote_Instance_Name__c: 'ServiceNowB'
        })
    );
    const twinId = idOf(
        await conn.sobject('Sync_Twin__c').create({
            Connection__c: connectionId,
            Case__c: caseId,
            Twin_Key__c: `${connectionId}:${caseId}`
        })
    );
    return { connectionId, twinId };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
