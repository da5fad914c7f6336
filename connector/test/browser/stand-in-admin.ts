// An in-memory stand-in for one org behind the real admin server, with the answers
// ConnectionController gives the console (getConsoleContext, listConnections, initiateConnection,
// acceptInvitation, getConnection). Only for the browser tests of the console's screens; the
// end-to-end browser tests run the connector's Salesforce admin over emulated orgs.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionDto } from '../../../types/exalate-dto.d.ts';
import { AdminError } from '../../src/admin/errors.ts';
import type { AdminApi } from '../../src/admin/operations.ts';

export interface StandInOrg {
    readonly connections: ConnectionDto[];
    readonly calls: string[];
    readonly api: AdminApi;
}

function text(input: Record<string, unknown>, field: string): string {
    const value = input[field];
    return typeof value === 'string' ? value : '';
}

export function standInOrg(instanceName: string): StandInOrg {
    const connections: ConnectionDto[] = [];
    const calls: string[] = [];
    const answer = (className: string, methodName: string, params: Record<string, unknown>): unknown => {
        calls.push(`${className}.${methodName}`);
        const input = (params.input ?? {}) as Record<string, unknown>;
        switch (`${className}.${methodName}`) {
            case 'ConnectionController.getConsoleContext':
                return {
                    orgDomainUrl: `https://${instanceName.toLowerCase()}.my.salesforce.com`,
                    namespacePrefix: '',
                    suggestedInstanceName: instanceName
                };
            case 'ConnectionController.listConnections':
                return connections;
            case 'ConnectionController.getConnection': {
                const found = connections.find((connection) => connection.id === params.connectionId);
                if (found === undefined) {
                    throw new AdminError('This connection does not exist any more.', 404);
                }
                return found;
            }
            case 'ConnectionController.initiateConnection': {
                const expiresAt = new Date(Date.now() + 72 * 3600 * 1000).toISOString();
                const connection: ConnectionDto = {
                    id: `a00${randomBytes(6).toString('hex')}`,
                    name: text(input, 'name'),
                    localInstanceName: text(input, 'localInstanceName'),
                    remoteInstanceName: text(input, 'remoteInstanceName'),
                    type: input.type === 'Private' ? 'Private' : 'Public',
                    mode: 'Basic',
                    status: 'Pending',
                    role: 'Initiator',
                    remotePlatform: input.remotePlatform === 'ServiceNow' ? 'ServiceNow' : 'Salesforce',
                    invitationId: randomUUID(),
                    invitationExpires: expiresAt,
                    syncedCaseCount: 0
                };
                connections.push(connection);
                return {
                    connection,
                    invitationId: connection.invitationId,
                    expiresAt,
                    secret: randomBytes(32).toString('base64url')
                };
            }
            case 'ConnectionController.acceptInvitation': {
                if (connections.some((connection) => connection.invitationId === input.invitationId)) {
                    throw new AdminError('This invitation code was already used.');
                }
                const connection: ConnectionDto = {
                    id: `a00${randomBytes(6).toString('hex')}`,
                    name: text(input, 'connectionName'),
                    localInstanceName: text(input, 'localInstanceName'),
                    remoteInstanceName: text(input, 'remoteInstanceName'),
                    type: input.type === 'Private' ? 'Private' : 'Public',
                    mode: 'Basic',
                    status: 'Pending',
                    role: 'Acceptor',
                    remotePlatform: input.remotePlatform === 'ServiceNow' ? 'ServiceNow' : 'Salesforce',
                    invitationId: text(input, 'invitationId'),
                    syncedCaseCount: 0
                };
                connections.push(connection);
                return connection;
            }
            default:
                throw new AdminError(`${className}.${methodName} is not part of this stand-in.`, 404);
        }
    };
    const api: AdminApi = async (className, methodName, params) => {
        await Promise.resolve();
        return answer(className, methodName, params);
    };
    return { connections, calls, api };
}
