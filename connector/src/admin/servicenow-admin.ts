// The console's operations for a ServiceNow side, over the node's store (SQLite) and the instance:
// the same operations, parameters and DTOs as the package's Apex controllers, so the console's
// components run unchanged against a ServiceNow node. An incident plays the part of a Case: its
// sys_id is the "Case id", its number (`INC0010001`) the "Case number"; a trigger's filter is an
// encoded query over incident instead of a SOQL condition over Case.
//
// What a ServiceNow node cannot do is refused with a message that says so and what to do instead
// (a Local connection, Bulk Exalate, renaming a connection). Reads of the store cost nothing; an
// incident's number is read from the instance once (one REST call for a page of them) and kept.
import { randomBytes, randomUUID } from 'node:crypto';
import type {
    ConnectionDto,
    ConsoleContextDto,
    InitiatedInvitationDto,
    SyncEventDto,
    TriggerDto,
    TwinStatusDto
} from '../../../types/exalate-dto.d.ts';
import type { ConnectionCommand } from '../node/endpoints.ts';
import { normalizeConnectionId } from '../protocol/keys.ts';
import type { QueuedEvent, SyncConnection, SyncTrigger, SyncTwin } from '../salesforce/types.ts';
import { ConsoleError, SETTING_NODE_URL, ServiceNowConsole } from '../servicenow/console/console.ts';
import type { ServiceNowConsoleOptions } from '../servicenow/console/console.ts';
import type { IncidentApi } from '../servicenow/incident-api.ts';
import type { ServiceNowStore } from '../servicenow/store/servicenow-store.ts';
import { AdminError, MESSAGES } from './errors.ts';
import type { ConsoleAdmin } from './operations.ts';
import {
    checkNotes,
    clean,
    MAX_FILTER_LENGTH,
    validateInitiation,
    validateInvitation,
    validateUpdate
} from './rules.ts';
import type { RuleLookups } from './rules.ts';

type Params = Record<string, unknown>;

const INVITATION_VALID_HOURS = 72;
/** How many incident numbers are kept (numbers never change; this only bounds the memory). */
const MAX_KNOWN_NUMBERS = 10_000;

export const SERVICENOW_MESSAGES = {
    incidentRefRequired: 'Enter an incident number, such as INC0010001.',
    twinGone: 'This incident is no longer under sync on that connection.',
    onlySalesforce: 'A ServiceNow node connects to Salesforce orgs only. Choose Salesforce as the remote platform.',
    noLocal:
        'A ServiceNow node has no Local connections: it syncs incidents with a Salesforce org. Initiate a connection with the org\u2019s Exalate node URL, or with I don\u2019t have a URL when the org is private.',
    privateNode:
        'This ServiceNow node has no URL the other side can reach (it runs with --private): it can only accept invitations. Ask the Salesforce admin to initiate the connection, or run the node with a public URL.',
    noBulk: 'Bulk Exalate is not available on a ServiceNow node yet. The trigger brings incidents under sync as they change; to sync one now, use Entity sync status or Sync your first case with its number.',
    rename: 'On a ServiceNow node a connection keeps the names it was created with; only its remote node URL can be changed. Delete the connection and initiate a new one to rename it.'
} as const;

export interface ServiceNowAdminOptions {
    readonly store: ServiceNowStore;
    /** The instance: incidents are found by number and their numbers shown. */
    readonly api: IncidentApi;
    /** The instance's URL (shown as this side's address in the wizards). */
    readonly instanceUrl: string;
    /** The short name suggested for this side in the wizards (default: from the instance's host). */
    readonly instanceName?: string;
    /** Recorded as who accepted an invitation (default: "ServiceNow admin"). */
    readonly actorName?: string;
    /** Tells the other node of activate, deactivate and delete (default: a signed protocol request). */
    readonly tellOtherNode?: ServiceNowConsoleOptions['tellOtherNode'];
    readonly now?: () => Date;
}

/** Drops the properties that are undefined or null: Aura leaves null properties out of the JSON. */
function compact<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function idParam(value: unknown): string | undefined {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function clampLimit(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
        return 50;
    }
    return Math.max(1, Math.min(200, Math.trunc(value)));
}

function connectionDto(connection: SyncConnection): ConnectionDto {
    return compact({
        id: connection.id,
        name: connection.name,
        localInstanceName: connection.localInstanceName ?? '',
        remoteInstanceName: connection.remoteInstanceName ?? '',
        description: connection.description ?? undefined,
        type: connection.type ?? 'Public',
        mode: 'Basic' as const,
        status: connection.status ?? 'Pending',
        role: connection.role ?? undefined,
        remotePlatform: connection.remotePlatform ?? undefined,
        remoteNodeUrl: connection.remoteNodeUrl ?? undefined,
        invitationId: connection.invitationId ?? undefined,
        invitationExpires: connection.invitationExpires ?? undefined,
        acceptedBy: connection.acceptedBy ?? undefined,
        acceptedAt: connection.acceptedAt ?? undefined,
        statusDetail: connection.statusDetail ?? undefined,
        syncedCaseCount: connection.syncedCaseCount
    });
}

function triggerDto(trigger: SyncTrigger): TriggerDto {
    return compact({
        id: trigger.id,
        connectionId: trigger.connectionId,
        filter: trigger.filter,
        active: trigger.active,
        notes: trigger.notes ?? undefined
    });
}

/** A ConsoleError of the ServiceNow console is a refusal for the admin. */
function refusal(error: unknown): never {
    if (error instanceof ConsoleError) {
        throw new AdminError(error.message);
    }
    throw error;
}

export class ServiceNowAdmin implements ConsoleAdmin {
    readonly #store: ServiceNowStore;
    readonly #api: IncidentApi;
    readonly #console: ServiceNowConsole;
    readonly #options: ServiceNowAdminOptions;
    readonly #lookups: RuleLookups;
    /** Incident numbers by sys_id. */
    readonly #numbers = new Map<string, string>();

    constructor(options: ServiceNowAdminOptions) {
        this.#options = options;
        this.#store = options.store;
        this.#api = options.api;
        this.#console = new ServiceNowConsole({
            store: options.store,
            api: options.api,
            clock: () => this.#now().getTime(),
            tellOtherNode: options.tellOtherNode
        });
        this.#lookups = {
            nameTaken: (name, ownId) =>
                Promise.resolve(
                    this.#store
                        .readConnections()
                        .some((connection) => connection.name === name && connection.id !== ownId)
                ),
            invitationUsed: (invitationId) =>
                Promise.resolve(
                    this.#store.findConnectionByInvitation(normalizeConnectionId(invitationId)) !== undefined
                )
        };
    }

    #now(): Date {
        return this.#options.now?.() ?? new Date();
    }

    #loadConnection(connectionId: unknown): SyncConnection {
        const id = idParam(connectionId);
        const connection = id === undefined ? undefined : this.#store.findConnection(id);
        if (connection === undefined) {
            throw new AdminError(MESSAGES.connectionGone);
        }
        return connection;
    }

    /** Numbers of these incidents, from what is known or one read of the instance. */
    async #incidentNumbers(sysIds: readonly (string | null | undefined)[]): Promise<Map<string, string>> {
        const wanted = [...new Set(sysIds.filter((id): id is string => typeof id === 'string' && id !== ''))];
        const missing = wanted.filter((id) => !this.#numbers.has(id));
        if (missing.length > 0) {
            for (const incident of await this.#api.getIncidents(missing)) {
                this.#remember(incident.sysId, incident.number);
            }
        }
        return new Map(wanted.flatMap((id) => (this.#numbers.has(id) ? [[id, this.#numbers.get(id)!]] : [])));
    }

    #remember(sysId: string, number: string): void {
        if (this.#numbers.size >= MAX_KNOWN_NUMBERS) {
            this.#numbers.clear();
        }
        this.#numbers.set(sysId, number);
    }

    #twinDtos(
        twins: readonly SyncTwin[],
        numbers: Map<string, string>,
        latest?: { id: string; stage: string }
    ): TwinStatusDto[] {
        const names = new Map(this.#store.readConnections().map((connection) => [connection.id, connection.name]));
        return twins.map((twin) => {
            const events = latest === undefined ? this.#store.eventsOfTwin(twin.id) : [];
            const newest =
                latest ??
                (events.length > 0
                    ? { id: events[events.length - 1].id, stage: events[events.length - 1].stage ?? '' }
                    : undefined);
            return compact({
                twinId: twin.id,
                caseId: twin.caseId ?? '',
                caseNumber: twin.caseId === null ? undefined : numbers.get(twin.caseId),
                connectionId: twin.connectionId,
                connectionName: names.get(twin.connectionId) ?? '',
                remoteKey: twin.remoteKey ?? undefined,
                remoteUrl: twin.remoteUrl ?? undefined,
                status: twin.syncStatus ?? undefined,
                lastSynced: twin.lastSynced ?? undefined,
                lastError: twin.lastError ?? undefined,
                latestEventId: newest?.id,
                latestEventStage: (newest?.stage || undefined) as TwinStatusDto['latestEventStage']
            });
        });
    }

    async #eventDtos(events: readonly QueuedEvent[]): Promise<SyncEventDto[]> {
        const twins = new Map(
            this.#store
                .readTwins({ twinIds: events.flatMap((event) => (event.twinId === null ? [] : [event.twinId])) })
                .map((twin) => [twin.id, twin])
        );
        const incidentOf = (event: QueuedEvent): string | null =>
            event.caseId ?? (event.twinId === null ? null : (twins.get(event.twinId)?.caseId ?? null));
        const numbers = await this.#incidentNumbers(events.map(incidentOf));
        return events.map((event) => {
            const incident = incidentOf(event);
            return compact({
                id: event.id,
                name: event.name,
                connectionId: event.connectionId ?? undefined,
                twinId: event.twinId ?? undefined,
                caseId: incident ?? undefined,
                caseNumber: incident === null ? undefined : numbers.get(incident),
                direction: event.direction ?? 'Outgoing',
                stage: event.stage ?? 'Preparing',
                attempts: event.attempts,
                nextAttempt: event.nextAttempt ?? undefined,
                error: event.error ?? undefined,
                createdDate: event.createdAt || undefined,
                completed: this.#completed(event)
            });
        });
    }

    #completed(event: QueuedEvent): string | undefined {
        const row = this.#store.db.prepare('SELECT completed FROM events WHERE id = ?').get(event.id) as
            { completed: string | null } | undefined;
        return row?.completed ?? undefined;
    }

    // -----------------------------------------------------------------------------------------
    // ConnectionController
    // -----------------------------------------------------------------------------------------

    listConnections(): Promise<ConnectionDto[]> {
        return Promise.resolve(this.#store.readConnections().map(connectionDto));
    }

    getConsoleContext(): Promise<ConsoleContextDto> {
        const orgDomainUrl = this.#options.instanceUrl;
        const host = new URL(orgDomainUrl).hostname;
        const fromHost = /^[a-z]/i.test(host) ? host.split('.')[0] : '';
        const suggested = (this.#options.instanceName ?? fromHost).replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
        return Promise.resolve({
            orgDomainUrl,
            namespacePrefix: '',
            suggestedInstanceName: suggested === '' ? 'ServiceNow' : suggested,
            platform: 'ServiceNow'
        });
    }

    getConnection(params: Params): Promise<ConnectionDto> {
        return Promise.resolve(connectionDto(this.#loadConnection(params.connectionId)));
    }

    createConnection(): Promise<ConnectionDto> {
        return Promise.reject(new AdminError(SERVICENOW_MESSAGES.noLocal));
    }

    async updateConnection(params: Params): Promise<ConnectionDto> {
        const existing = this.#loadConnection(params.connectionId);
        const fields = await validateUpdate(
            { id: existing.id, type: existing.type, role: existing.role },
            params.input,
            this.#lookups
        );
        const same = (given: unknown, stored: string | null): boolean => clean(given) === (stored ?? null);
        if (
            !same(fields.name, existing.name) ||
            !same(fields.localInstanceName, existing.localInstanceName) ||
            !same(fields.remoteInstanceName, existing.remoteInstanceName) ||
            !same(fields.description, existing.description)
        ) {
            throw new AdminError(SERVICENOW_MESSAGES.rename);
        }
        this.#store.updateConnection({ id: existing.id, remoteNodeUrl: clean(fields.remoteNodeUrl) });
        this.#store.bumpWake('connection');
        return connectionDto(this.#loadConnection(existing.id));
    }

    async initiateConnection(params: Params): Promise<InitiatedInvitationDto> {
        const fields = await validateInitiation(params.input, this.#lookups);
        if (clean(fields.remotePlatform) !== 'Salesforce') {
            throw new AdminError(SERVICENOW_MESSAGES.onlySalesforce);
        }
        const nodeUrl = this.#store.readSetting(SETTING_NODE_URL) ?? '';
        if (nodeUrl === '') {
            throw new AdminError(SERVICENOW_MESSAGES.privateNode);
        }
        const invitationId = randomUUID();
        const expires = new Date(this.#now().getTime() + INVITATION_VALID_HOURS * 3600 * 1000);
        expires.setUTCMilliseconds(0);
        // 256 bits, base64url without padding (43 characters), as the Apex makes it.
        const secret = randomBytes(32).toString('base64url');
        const type = clean(fields.type) === 'Private' ? 'Private' : 'Public';
        const id = this.#store.insertConnection(
            {
                name: clean(fields.name) ?? '',
                localInstanceName: clean(fields.localInstanceName),
                remoteInstanceName: clean(fields.remoteInstanceName),
                description: clean(fields.description),
                type,
                status: 'Pending',
                role: 'Initiator',
                remotePlatform: 'Salesforce',
                remoteNodeUrl: type === 'Public' ? clean(fields.remoteNodeUrl) : null,
                invitationId,
                invitationExpires: expires.toISOString(),
                acceptedBy: null,
                acceptedAt: null
            },
            secret
        );
        this.#store.bumpWake('connection');
        return {
            connection: connectionDto(this.#loadConnection(id)),
            invitationId,
            expiresAt: expires.toISOString(),
            secret
        };
    }

    async acceptInvitation(params: Params): Promise<ConnectionDto> {
        const accepted = await validateInvitation(params.input, this.#lookups, this.#now());
        const fields = accepted.fields;
        if (clean(fields.remotePlatform) !== 'Salesforce') {
            throw new AdminError(
                'This invitation comes from another ServiceNow node: a ServiceNow node connects to Salesforce orgs only. Ask a Salesforce admin for a code.'
            );
        }
        let id: string;
        try {
            id = this.#store.insertConnection(
                {
                    name: accepted.connectionName,
                    localInstanceName: clean(fields.localInstanceName),
                    remoteInstanceName: clean(fields.remoteInstanceName),
                    description: clean(fields.description),
                    type: clean(fields.type) === 'Private' ? 'Private' : 'Public',
                    status: 'Pending',
                    role: 'Acceptor',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: clean(fields.remoteNodeUrl),
                    invitationId: normalizeConnectionId(accepted.invitationId),
                    invitationExpires: accepted.expiresAt.toISOString(),
                    acceptedBy: this.#options.actorName ?? 'ServiceNow admin',
                    acceptedAt: this.#now().toISOString()
                },
                accepted.secret
            );
        } catch (error) {
            // Two tabs accepting the same code at once: the store's unique invitation id refuses the second.
            if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
                throw new AdminError(MESSAGES.invitationUsed);
            }
            throw error;
        }
        // The running node confirms it with the inviting node and makes it Active.
        this.#store.bumpWake('connection');
        return connectionDto(this.#loadConnection(id));
    }

    async #command(params: Params, command: ConnectionCommand): Promise<SyncConnection> {
        const connection = this.#loadConnection(params.connectionId);
        if (command !== 'delete') {
            if (connection.status === 'Pending') {
                throw new AdminError(
                    `Connection ${connection.name} is waiting for the other side to accept the invitation.`
                );
            }
            if (connection.status === (command === 'activate' ? 'Active' : 'Deactivated')) {
                return connection;
            }
        }
        try {
            // The other node is told; when it cannot be (it is private), it learns on its next request.
            return (await this.#console.command(connection.id, command)).connection;
        } catch (error) {
            refusal(error);
        }
    }

    async activateConnection(params: Params): Promise<ConnectionDto> {
        return connectionDto(await this.#command(params, 'activate'));
    }

    async deactivateConnection(params: Params): Promise<ConnectionDto> {
        return connectionDto(await this.#command(params, 'deactivate'));
    }

    async deleteConnection(params: Params): Promise<null> {
        await this.#command(params, 'delete');
        return null;
    }

    // -----------------------------------------------------------------------------------------
    // CaseSyncController: an incident in place of a Case
    // -----------------------------------------------------------------------------------------

    listActiveConnections(): Promise<ConnectionDto[]> {
        return Promise.resolve(
            this.#store
                .readConnections()
                .filter((connection) => connection.status === 'Active')
                .map(connectionDto)
        );
    }

    async requestSync(params: Params): Promise<TwinStatusDto> {
        if (idParam(params.connectionId) === undefined) {
            throw new AdminError('Choose the connection to sync the incident on.');
        }
        const ref = clean(params.caseRef);
        if (ref === null) {
            throw new AdminError(SERVICENOW_MESSAGES.incidentRefRequired);
        }
        const connection = this.#loadConnection(params.connectionId);
        if (connection.status !== 'Active') {
            throw new AdminError(
                `Connection ${connection.name} is not active (status: ${connection.status ?? ''}). Activate it first.`
            );
        }
        let requested;
        try {
            requested = await this.#console.sync(connection.id, ref);
        } catch (error) {
            refusal(error);
        }
        this.#remember(requested.incidentSysId, requested.incidentNumber);
        const twins = this.#store.readTwins({ twinIds: [requested.twinId] });
        const numbers = new Map([[requested.incidentSysId, requested.incidentNumber]]);
        return this.#twinDtos(twins, numbers, { id: requested.eventId, stage: 'Preparing' })[0];
    }

    async getCaseSyncStatus(params: Params): Promise<TwinStatusDto[]> {
        const sysId = idParam(params.caseId);
        if (sysId === undefined) {
            return [];
        }
        const twins = this.#store.readTwins({ caseIds: [sysId] });
        if (twins.length === 0) {
            return [];
        }
        const numbers = await this.#incidentNumbers([sysId]);
        return this.#twinDtos(twins, numbers).sort((a, b) => a.connectionName.localeCompare(b.connectionName));
    }

    async getSyncProgress(params: Params): Promise<SyncEventDto> {
        const id = idParam(params.eventId);
        const event = id === undefined ? undefined : this.#store.findEvent(id);
        if (event === undefined) {
            throw new AdminError(MESSAGES.eventGone);
        }
        return (await this.#eventDtos([event]))[0];
    }

    unexalate(params: Params): Promise<null> {
        const id = idParam(params.twinId);
        if (id === undefined || !this.#console.unexalate(id)) {
            return Promise.reject(new AdminError(SERVICENOW_MESSAGES.twinGone));
        }
        return Promise.resolve(null);
    }

    // -----------------------------------------------------------------------------------------
    // SyncQueueController: triggers are encoded queries over incident
    // -----------------------------------------------------------------------------------------

    #triggers(): SyncTrigger[] {
        return this.#store.readConnections().flatMap((connection) => connection.triggers);
    }

    #loadTrigger(triggerId: unknown): SyncTrigger {
        const id = idParam(triggerId);
        const trigger = id === undefined ? undefined : this.#triggers().find((candidate) => candidate.id === id);
        if (trigger === undefined) {
            throw new AdminError(MESSAGES.triggerGone);
        }
        return trigger;
    }

    /** The filter's shape, then one run of it on the instance, so that a mistake is reported now. */
    async #checkFilter(rawFilter: unknown): Promise<string> {
        const filter = clean(rawFilter);
        if (filter === null) {
            throw new AdminError(
                'Filter is required. Enter an encoded query over incident, such as urgency=1^category=network.'
            );
        }
        if (filter.length > MAX_FILTER_LENGTH) {
            throw new AdminError(
                `Filter is too long (${filter.length} characters). Use at most ${MAX_FILTER_LENGTH} characters.`
            );
        }
        if (/^\s*(SELECT|WHERE)\b/i.test(filter) || /\s=\s*'/.test(filter)) {
            throw new AdminError(
                'Filter must be a ServiceNow encoded query over incident, such as urgency=1^category=network, not SOQL: write field=value conditions joined by ^ (and), without quotes.'
            );
        }
        try {
            await this.#api.queryIncidents({ query: filter, limit: 1 });
        } catch (error) {
            throw new AdminError(`The instance refused the filter: ${(error as Error).message}`);
        }
        return filter;
    }

    listTriggers(params: Params): Promise<TriggerDto[]> {
        const connectionId = idParam(params.connectionId);
        const triggers = this.#triggers().filter(
            (trigger) => connectionId === undefined || trigger.connectionId === connectionId
        );
        return Promise.resolve(triggers.map(triggerDto));
    }

    async saveTrigger(params: Params): Promise<TriggerDto> {
        const input = params.input;
        if (typeof input !== 'object' || input === null) {
            throw new AdminError('Fill in the trigger first.');
        }
        const fields = input as Params;
        const notes = checkNotes(fields.notes);
        const existingId = idParam(fields.id);
        let connectionId: string | undefined;
        if (existingId === undefined) {
            if (idParam(fields.connectionId) === undefined) {
                throw new AdminError('Choose the connection the trigger belongs to.');
            }
            connectionId = this.#loadConnection(fields.connectionId).id;
        } else {
            this.#loadTrigger(existingId);
        }
        const filter = await this.#checkFilter(fields.filter);
        try {
            if (existingId === undefined) {
                const id = this.#console.addTrigger(connectionId!, filter, notes);
                this.#store.setTriggerActive(id, fields.active === true);
                return triggerDto(this.#loadTrigger(id));
            }
            if (!this.#console.updateTrigger(existingId, { filter, active: fields.active === true, notes })) {
                throw new AdminError(MESSAGES.triggerGone);
            }
            return triggerDto(this.#loadTrigger(existingId));
        } catch (error) {
            refusal(error);
        }
    }

    async setTriggerActive(params: Params): Promise<TriggerDto> {
        const existing = this.#loadTrigger(params.triggerId);
        const turnOn = params.active === true;
        if (turnOn) {
            await this.#checkFilter(existing.filter);
        }
        this.#store.setTriggerActive(existing.id, turnOn);
        this.#store.bumpWake('connection');
        return triggerDto(this.#loadTrigger(existing.id));
    }

    bulkExalate(params: Params): Promise<TriggerDto> {
        this.#loadTrigger(params.triggerId);
        return Promise.reject(new AdminError(SERVICENOW_MESSAGES.noBulk, 501));
    }

    deleteTrigger(params: Params): Promise<null> {
        const existing = this.#loadTrigger(params.triggerId);
        this.#store.deleteTrigger(existing.id);
        this.#store.bumpWake('connection');
        return Promise.resolve(null);
    }

    #listEvents(params: Params, which: 'open' | 'failed'): Promise<SyncEventDto[]> {
        const connectionId = idParam(params.connectionId);
        return this.#eventDtos(this.#store.listEvents({ which, connectionId, limit: clampLimit(params.limitSize) }));
    }

    listQueue(params: Params): Promise<SyncEventDto[]> {
        return this.#listEvents(params, 'open');
    }

    listErrors(params: Params): Promise<SyncEventDto[]> {
        return this.#listEvents(params, 'failed');
    }

    async retryEvent(params: Params): Promise<SyncEventDto> {
        const id = idParam(params.eventId);
        const event = id === undefined ? undefined : this.#store.findEvent(id);
        if (event === undefined) {
            throw new AdminError(MESSAGES.queueEventGone);
        }
        if (event.stage !== 'Failed') {
            throw new AdminError(MESSAGES.onlyFailed);
        }
        this.#store.retryEvent(event.id);
        this.#store.bumpWake('retry');
        return (await this.#eventDtos([this.#store.findEvent(event.id) ?? event]))[0];
    }

    async getEntitySyncStatus(params: Params): Promise<TwinStatusDto | null> {
        const ref = clean(params.caseRef);
        if (ref === null) {
            throw new AdminError(SERVICENOW_MESSAGES.incidentRefRequired);
        }
        const connection = this.#loadConnection(params.connectionId);
        let incident;
        try {
            incident = await this.#console.findIncident(ref);
        } catch (error) {
            refusal(error);
        }
        this.#remember(incident.sysId, incident.number);
        const twins = this.#store
            .readTwins({ caseIds: [incident.sysId] })
            .filter((twin) => twin.connectionId === connection.id);
        if (twins.length === 0) {
            return null;
        }
        return this.#twinDtos(twins, new Map([[incident.sysId, incident.number]]))[0];
    }
}
