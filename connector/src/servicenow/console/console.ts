// What the ServiceNow admin does in the console, as operations on the side's store: initiate a
// connection and get its invitation code, accept a code, list connections, activate, deactivate or
// delete one, add triggers, bring an incident under sync and follow it, list the queue and errors,
// retry an error. The running node hears of every change through the store's wake counter; the
// other node hears of activate/deactivate/delete through the protocol's connection commands.
//
// Every refusal is a ConsoleError with a message fit for the admin.
import { randomBytes, randomUUID } from 'node:crypto';
import {
    decodeInvitation,
    encodeInvitation
} from '../../../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import type { ConnectionCommand } from '../../node/endpoints.ts';
import { deriveConnectionKeys, normalizeConnectionId } from '../../protocol/keys.ts';
import { NodeClient } from '../../node/client.ts';
import type { QueuedEvent, SyncConnection, SyncStage, SyncTwin } from '../../salesforce/types.ts';
import type { Incident, IncidentApi } from '../incident-api.ts';
import type { ServiceNowStore } from '../store/servicenow-store.ts';
import { triggerFilterProblem } from '../engine/servicenow-side.ts';

/** A refusal, for the admin. */
export class ConsoleError extends Error {
    override readonly name = 'ConsoleError';
}

export const SETTING_NODE_URL = 'node_url';

export interface InitiateInput {
    /** The destination's node URL, or undefined / '' when the admin has no URL (a private destination). */
    readonly destinationUrl?: string;
    readonly localInstance?: string;
    readonly remoteInstance?: string;
    readonly connectionName?: string;
    readonly description?: string;
    /** This node's URL, written into the code (default: the URL the running node recorded). */
    readonly nodeUrl?: string;
    readonly expiresInHours?: number;
}

export interface Initiated {
    readonly connection: SyncConnection;
    readonly code: string;
}

/** One connection as the console lists it. */
export interface ConnectionRow {
    readonly id: string;
    readonly name: string;
    readonly status: string;
    readonly type: string;
    readonly role: string;
    readonly localInstance: string;
    readonly remoteInstance: string;
    readonly remotePlatform: string;
    readonly remoteNodeUrl: string | null;
    readonly invitationId: string | null;
    readonly syncedIncidents: number;
    readonly queued: number;
    readonly failed: number;
    readonly statusDetail: string | null;
}

/** A queue entry as the console lists it. */
export interface EventRow {
    readonly name: string;
    readonly id: string;
    readonly connection: string;
    readonly incident: string | null;
    readonly direction: string | null;
    readonly stage: SyncStage | null;
    readonly attempts: number;
    readonly error: string | null;
    readonly createdAt: string;
}

/** What sync answers: the twin and the queued event. */
export interface SyncRequested {
    readonly incidentNumber: string;
    readonly incidentSysId: string;
    readonly twinId: string;
    readonly eventId: string;
    readonly eventName: string;
}

export interface ServiceNowConsoleOptions {
    readonly store: ServiceNowStore;
    /** Needed by `sync` (to find the incident by number). */
    readonly api?: IncidentApi;
    readonly clock?: () => number;
    /** Sends a connection command to the other node (default: a signed protocol request). */
    readonly tellOtherNode?: (connection: SyncConnection, secret: string, command: ConnectionCommand) => Promise<void>;
}

const DEFAULT_EXPIRY_HOURS = 72;
/** An incident's sys_id: 32 hexadecimal characters. */
const SYS_ID = /^[0-9a-f]{32}$/i;

async function signedCommand(connection: SyncConnection, secret: string, command: ConnectionCommand): Promise<void> {
    if (connection.invitationId === null || connection.role === null || !connection.remoteNodeUrl) {
        throw new ConsoleError(
            'the other node has no URL (it is private): it learns of the change on its next request'
        );
    }
    const connectionId = normalizeConnectionId(connection.invitationId);
    const keys = deriveConnectionKeys(secret, connectionId, connection.role === 'Initiator' ? 'initiator' : 'acceptor');
    const client = new NodeClient({ baseUrl: connection.remoteNodeUrl, connectionId, keys });
    await client.control(command);
}

export class ServiceNowConsole {
    readonly #store: ServiceNowStore;
    readonly #api: IncidentApi | undefined;
    readonly #clock: () => number;
    readonly #tell: NonNullable<ServiceNowConsoleOptions['tellOtherNode']>;

    constructor(options: ServiceNowConsoleOptions) {
        this.#store = options.store;
        this.#api = options.api;
        this.#clock = options.clock ?? Date.now;
        this.#tell = options.tellOtherNode ?? signedCommand;
    }

    /** Initiate connection: a Pending connection, its secret, and the invitation code for the other admin. */
    initiate(input: InitiateInput): Initiated {
        const nodeUrl = input.nodeUrl ?? this.#store.readSetting(SETTING_NODE_URL) ?? '';
        if (nodeUrl === '') {
            throw new ConsoleError(
                'This node has no URL the other side can reach: start it public (run without --private), or give --node-url. A private node can only accept invitations.'
            );
        }
        const destinationUrl = (input.destinationUrl ?? '').trim();
        if (destinationUrl !== '' && !/^https?:\/\/\S+$/.test(destinationUrl)) {
            throw new ConsoleError(
                `The destination URL must start with http:// or https://, not ${JSON.stringify(destinationUrl)}.`
            );
        }
        if (destinationUrl !== '' && destinationUrl.replace(/\/+$/, '') === nodeUrl.replace(/\/+$/, '')) {
            throw new ConsoleError('The destination URL is this node: a connection needs another node.');
        }
        const localInstance = input.localInstance ?? 'ServiceNow';
        const remoteInstance = input.remoteInstance ?? (destinationUrl === '' ? 'unknown' : 'Salesforce');
        const connectionName = input.connectionName ?? `${localInstance}_to_${remoteInstance}`;
        const invitationId = randomUUID();
        const secret = randomBytes(32).toString('base64url');
        const expiresAt =
            Math.floor(this.#clock() / 1000) + Math.round((input.expiresInHours ?? DEFAULT_EXPIRY_HOURS) * 3600);
        const type = destinationUrl === '' ? 'Private' : 'Public';
        // Encoded first: a field the code refuses (a name too long...) creates nothing.
        let code: string;
        try {
            code = encodeInvitation({
                version: 1,
                invitationId,
                connectionName,
                initiatorInstance: localInstance,
                destinationInstance: remoteInstance,
                initiatorPlatform: 'ServiceNow',
                initiatorNodeUrl: nodeUrl,
                connectionType: type,
                mode: 'Basic',
                ...(input.description ? { description: input.description } : {}),
                expiresAt,
                secret
            });
        } catch (error) {
            throw new ConsoleError((error as Error).message);
        }
        const id = this.#store.insertConnection(
            {
                name: connectionName,
                localInstanceName: localInstance,
                remoteInstanceName: remoteInstance,
                description: input.description ?? null,
                type,
                status: 'Pending',
                role: 'Initiator',
                remotePlatform: 'Salesforce',
                remoteNodeUrl: destinationUrl === '' ? null : destinationUrl,
                invitationId,
                invitationExpires: new Date(expiresAt * 1000).toISOString(),
                acceptedBy: null,
                acceptedAt: null
            },
            secret
        );
        this.#store.bumpWake('connection');
        return { connection: this.#connection(id), code };
    }

    /** Accept invitation: a Pending connection the running node then confirms with the initiator. */
    accept(code: string): SyncConnection {
        const decoded = decodeInvitation(code, Math.floor(this.#clock() / 1000));
        if (!decoded.ok) {
            throw new ConsoleError(decoded.message);
        }
        const invitation = decoded.invitation;
        if (invitation.connectionType === 'Local') {
            throw new ConsoleError(
                'This code is for a local connection inside one instance; it cannot be accepted here.'
            );
        }
        if (this.#store.findConnectionByInvitation(invitation.invitationId) !== undefined) {
            throw new ConsoleError(
                'This invitation was already used on this node (accepted here, or created here). Ask the other admin for a new code.'
            );
        }
        const id = this.#store.insertConnection(
            {
                name: invitation.connectionName,
                localInstanceName: invitation.destinationInstance,
                remoteInstanceName: invitation.initiatorInstance,
                description: invitation.description ?? null,
                type: invitation.connectionType,
                status: 'Pending',
                role: 'Acceptor',
                remotePlatform: invitation.initiatorPlatform,
                remoteNodeUrl: invitation.initiatorNodeUrl === '' ? null : invitation.initiatorNodeUrl,
                invitationId: normalizeConnectionId(invitation.invitationId),
                invitationExpires: new Date(invitation.expiresAt * 1000).toISOString(),
                acceptedBy: null,
                acceptedAt: new Date(this.#clock()).toISOString()
            },
            invitation.secret
        );
        this.#store.bumpWake('connection');
        return this.#connection(id);
    }

    /** Connections with their status, how many incidents they sync, and their queue. */
    connections(): ConnectionRow[] {
        const counts = this.#store.eventCounts();
        return this.#store.readConnections().map((connection) => ({
            id: connection.id,
            name: connection.name,
            status: connection.status ?? 'Pending',
            type: connection.type ?? '',
            role: connection.role ?? '',
            localInstance: connection.localInstanceName ?? '',
            remoteInstance: connection.remoteInstanceName ?? '',
            remotePlatform: connection.remotePlatform ?? '',
            remoteNodeUrl: connection.remoteNodeUrl,
            invitationId: connection.invitationId,
            syncedIncidents: connection.syncedCaseCount,
            queued: counts.get(connection.id)?.open ?? 0,
            failed: counts.get(connection.id)?.failed ?? 0,
            statusDetail: connection.statusDetail
        }));
    }

    /** A connection by its id, its name, or the start of its invitation id (at least 8 characters). */
    findConnection(ref: string): SyncConnection {
        const wanted = ref.trim();
        const all = this.#store.readConnections();
        const found = all.filter(
            (connection) =>
                connection.id === wanted ||
                connection.name === wanted ||
                (wanted.length >= 8 && (connection.invitationId ?? '').toLowerCase().startsWith(wanted.toLowerCase()))
        );
        if (found.length === 0) {
            throw new ConsoleError(
                `No connection ${JSON.stringify(wanted)}. Connections: ${all.map((c) => c.name).join(', ') || 'none yet'}.`
            );
        }
        if (found.length > 1) {
            throw new ConsoleError(`${JSON.stringify(wanted)} names ${found.length} connections; use its id.`);
        }
        return found[0];
    }

    /**
     * Activates, deactivates or deletes a connection here, then tells the other node. Answers what
     * the other node said (or why it could not be told: it then learns on its next request).
     */
    async command(ref: string, command: ConnectionCommand): Promise<{ connection: SyncConnection; otherNode: string }> {
        const connection = this.findConnection(ref);
        if (command !== 'delete' && connection.status === 'Pending') {
            throw new ConsoleError('The connection is still waiting for the invitation to be accepted.');
        }
        const secret = this.#store.readSecret(connection.id);
        if (command === 'delete') {
            this.#store.deleteConnection(connection.id);
        } else {
            this.#store.updateConnection({
                id: connection.id,
                status: command === 'activate' ? 'Active' : 'Deactivated',
                statusDetail: null
            });
        }
        this.#store.bumpWake('connection');
        let otherNode = 'told';
        if (secret !== undefined && connection.status !== 'Pending') {
            try {
                await this.#tell(connection, secret, command);
            } catch (error) {
                otherNode = `not told: ${(error as Error).message}`;
            }
        }
        const after = command === 'delete' ? { ...connection, status: null } : this.#connection(connection.id);
        return { connection: after, otherNode };
    }

    /** Adds a trigger: incidents matching the encoded query come under sync on the connection. */
    addTrigger(ref: string, filter: string, notes: string | null = null): string {
        const connection = this.findConnection(ref);
        const problem = triggerFilterProblem(filter);
        if (problem !== undefined) {
            throw new ConsoleError(problem);
        }
        const id = this.#store.insertTrigger({
            connectionId: connection.id,
            filter: filter.trim(),
            active: true,
            notes
        });
        this.#store.bumpWake('connection');
        return id;
    }

    /** Brings an incident under sync by its number (`INC0010001`) and queues its first sync. */
    async sync(ref: string, incidentNumber: string): Promise<SyncRequested> {
        const connection = this.findConnection(ref);
        if (connection.status !== 'Active') {
            throw new ConsoleError(
                `Connection ${connection.name} is ${connection.status ?? 'not set up'}; activate it first.`
            );
        }
        if (this.#api === undefined) {
            throw new ConsoleError(
                'Syncing an incident needs the instance: give --instance-url and the service account.'
            );
        }
        const incident = await this.findIncident(incidentNumber);
        const now = new Date(this.#clock()).toISOString();
        const ids = this.#store.transaction(() => {
            const existing = this.#store
                .readTwins({ caseIds: [incident.sysId] })
                .find((twin) => twin.connectionId === connection.id);
            const twin =
                existing !== undefined
                    ? { id: existing.id }
                    : this.#store.upsertTwin(`${connection.id}:${incident.sysId}`, connection.id, {
                          caseId: incident.sysId,
                          syncStatus: 'Preparing'
                      });
            const eventId = this.#store.createEvent({
                connectionId: connection.id,
                twinId: twin.id,
                caseId: incident.sysId,
                direction: 'Outgoing',
                stage: 'Preparing',
                nextAttempt: now,
                requestedById: 'console'
            });
            return { twinId: twin.id, eventId };
        });
        this.#store.bumpWake('sync-request');
        const event = this.#store.findEvent(ids.eventId);
        return {
            incidentNumber: incident.number,
            incidentSysId: incident.sysId,
            twinId: ids.twinId,
            eventId: ids.eventId,
            eventName: event?.name ?? ''
        };
    }

    /**
     * An incident by its number (`INC0010001`) or its sys_id (32 hexadecimal characters, as the
     * console's record page names it): one REST call.
     */
    async findIncident(ref: string): Promise<Incident> {
        if (this.#api === undefined) {
            throw new ConsoleError(
                'Finding an incident needs the instance: give --instance-url and the service account.'
            );
        }
        const trimmed = ref.trim();
        if (SYS_ID.test(trimmed)) {
            const [bySysId] = await this.#api.getIncidents([trimmed.toLowerCase()]);
            if (bySysId === undefined) {
                throw new ConsoleError(
                    `No incident with sys_id ${trimmed} on the instance (or the service account cannot read it).`
                );
            }
            return bySysId;
        }
        const number = trimmed.toUpperCase();
        if (!/^[A-Z]+\d+$/.test(number)) {
            throw new ConsoleError(`${JSON.stringify(ref)} is not an incident number such as INC0010001.`);
        }
        const [incident] = await this.#api.getIncidentsByNumber([number]);
        if (incident === undefined) {
            throw new ConsoleError(`No incident ${number} on the instance (or the service account cannot read it).`);
        }
        return incident;
    }

    /** Changes a trigger's query, notes and whether it is active; false when it does not exist. */
    updateTrigger(id: string, values: { filter: string; active: boolean; notes: string | null }): boolean {
        const problem = triggerFilterProblem(values.filter);
        if (problem !== undefined) {
            throw new ConsoleError(problem);
        }
        const changed =
            this.#store.db
                .prepare('UPDATE connection_triggers SET filter = ?, active = ?, notes = ? WHERE id = ?')
                .run(values.filter.trim(), values.active ? 1 : 0, values.notes, id).changes === 1;
        if (changed) {
            this.#store.bumpWake('connection');
        }
        return changed;
    }

    /**
     * Takes an incident out of sync on one connection (Unexalate): its twin goes, the incident and
     * the other side's Case stay. False when the twin does not exist.
     */
    unexalate(twinId: string): boolean {
        const removed = this.#store.db.prepare('DELETE FROM twins WHERE id = ?').run(twinId).changes === 1;
        if (removed) {
            this.#store.bumpWake('connection');
        }
        return removed;
    }

    /**
     * Follows a queued sync: calls `onStage` with each stage as it changes, until Synchronized or
     * Failed (answered), or `timeoutMs` (answers the last stage seen).
     */
    async follow(
        eventId: string,
        onStage: (stage: SyncStage, event: QueuedEvent, twin: SyncTwin | undefined) => void,
        options: { timeoutMs?: number; everyMs?: number } = {}
    ): Promise<{ stage: SyncStage | null; event: QueuedEvent | undefined; twin: SyncTwin | undefined }> {
        const deadline = Date.now() + (options.timeoutMs ?? 120_000);
        let last: SyncStage | null = null;
        for (;;) {
            const event = this.#store.findEvent(eventId);
            const twin = event?.twinId ? this.#store.readTwins({ twinIds: [event.twinId] })[0] : undefined;
            if (event?.stage !== undefined && event.stage !== null && event.stage !== last) {
                last = event.stage;
                onStage(event.stage, event, twin);
            }
            if (last === 'Synchronized' || last === 'Failed' || event === undefined || Date.now() > deadline) {
                return { stage: last, event, twin };
            }
            await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
        }
    }

    /** Open queue entries (not Synchronized, not Failed), newest first. */
    queue(ref?: string, limit = 50): EventRow[] {
        return this.#events('open', ref, limit);
    }

    /** Failed entries, newest first. */
    errors(ref?: string, limit = 50): EventRow[] {
        return this.#events('failed', ref, limit);
    }

    /** Puts a failed entry back in the queue (by `EV-00000042`, 42 or its id). */
    retry(eventRef: string): EventRow {
        const event = this.#findEvent(eventRef);
        if (event.stage !== 'Failed') {
            throw new ConsoleError(
                `${event.name} is ${event.stage ?? 'not started'}: only failed entries can be retried.`
            );
        }
        this.#store.retryEvent(event.id);
        this.#store.bumpWake('retry');
        return this.#eventRows([this.#store.findEvent(event.id) ?? event])[0];
    }

    #findEvent(ref: string): QueuedEvent {
        const trimmed = ref.trim();
        const number = /^(?:EV-)?0*(\d+)$/i.exec(trimmed);
        const event = number ? this.#store.findEventByNumber(Number(number[1])) : this.#store.findEvent(trimmed);
        if (event === undefined) {
            throw new ConsoleError(`No queue entry ${JSON.stringify(trimmed)}.`);
        }
        return event;
    }

    #events(which: 'open' | 'failed', ref: string | undefined, limit: number): EventRow[] {
        const connectionId = ref === undefined ? undefined : this.findConnection(ref).id;
        return this.#eventRows(this.#store.listEvents({ which, connectionId, limit }));
    }

    #eventRows(events: readonly QueuedEvent[]): EventRow[] {
        const names = new Map(this.#store.readConnections().map((connection) => [connection.id, connection.name]));
        const twins = new Map(
            this.#store
                .readTwins({ twinIds: events.flatMap((event) => (event.twinId === null ? [] : [event.twinId])) })
                .map((twin) => [twin.id, twin])
        );
        return events.map((event) => {
            const twin = event.twinId === null ? undefined : twins.get(event.twinId);
            return {
                name: event.name,
                id: event.id,
                connection: names.get(event.connectionId ?? '') ?? '',
                incident: incidentNumberOf(event) ?? twin?.caseId ?? event.caseId,
                direction: event.direction,
                stage: event.stage,
                attempts: event.attempts,
                error: event.error,
                createdAt: event.createdAt
            };
        });
    }

    #connection(id: string): SyncConnection {
        const connection = this.#store.findConnection(id);
        if (connection === undefined) {
            throw new ConsoleError(`Connection ${id} no longer exists.`);
        }
        return connection;
    }
}

/** The incident number an outgoing event's message names (its twin key), when it carries one. */
function incidentNumberOf(event: QueuedEvent): string | undefined {
    if (event.payload === null || event.direction !== 'Outgoing') {
        return undefined;
    }
    try {
        const parsed = JSON.parse(event.payload) as { twinKey?: unknown };
        return typeof parsed.twinKey === 'string' ? parsed.twinKey : undefined;
    } catch {
        return undefined;
    }
}
