// The console's operations for a Salesforce side, done from outside the org through jsforce: the
// same operations, parameters, DTOs and refusals as the package's Apex controllers
// (ConnectionController, CaseSyncController, SyncQueueController; see docs/apex-api.md), so the
// console's components behave the same whether their Apex calls reach Salesforce or this module.
//
// It runs as the connector's integration user, so the admin API in front of it is what decides who
// may call it (a local admin token). Every request counts against the org's daily allocation in
// the same budget as the sync engine's.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Connection } from 'jsforce';
import type { ApiBudget, ApiNames } from '../salesforce/index.ts';
import { SalesforceApiError } from '../salesforce/errors.ts';
import { toId18 } from '../salesforce/ids.ts';
import { OrgRest } from '../salesforce/rest.ts';
import { soqlString } from '../salesforce/soql.ts';
import type {
    ConnectionDto,
    ConsoleContextDto,
    InitiatedInvitationDto,
    SyncEventDto,
    TriggerDto,
    TwinStatusDto
} from '../../../types/exalate-dto.d.ts';
import { AdminError, MESSAGES } from './errors.ts';
import {
    checkFilterShape,
    checkNotes,
    clean,
    validateInitiation,
    validateInvitation,
    validateNew,
    validateUpdate
} from './rules.ts';
import type { ConnectionFields, RuleLookups } from './rules.ts';
import type { ConsoleAdmin } from './operations.ts';
import type { SecretStore } from './secret-store.ts';

const INVITATION_VALID_HOURS = 72;
const CASE_ID_SHAPE = /^500[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;
const FINAL_STAGES = ['Synchronized', 'Failed'];

type Row = Record<string, unknown>;

export interface SalesforceAdminOptions {
    readonly connection: Connection;
    readonly names: ApiNames;
    readonly budget: ApiBudget;
    readonly secrets: SecretStore;
    /** The short name suggested for this side in the wizards (default: from the My Domain host). */
    readonly instanceName?: string;
    /** Recorded as who accepted an invitation and who requested a sync. */
    readonly actor: { readonly userId: string; readonly name: string };
    readonly now?: () => Date;
}

/** A Salesforce datetime as Aura sends it to components: ISO 8601 in UTC with milliseconds. */
function isoDate(value: unknown): string | undefined {
    if (typeof value !== 'string' || value === '') {
        return undefined;
    }
    const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function text(value: unknown): string | undefined {
    return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number {
    return typeof value === 'number' ? Math.trunc(value) : 0;
}

/** Drops the properties that are undefined: Aura leaves null properties out of the JSON. */
function compact<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** An id parameter as Apex would take it: 18 characters, or null when absent; a malformed one matches nothing. */
function idParam(value: unknown): string | null {
    if (value === null || value === undefined || value === '') {
        return null;
    }
    return toId18(value) ?? 'invalid';
}

function clampLimit(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
        return 50;
    }
    return Math.max(1, Math.min(200, Math.trunc(value)));
}

export class SalesforceAdmin implements ConsoleAdmin {
    readonly #rest: OrgRest;
    readonly #n: ApiNames;
    readonly #options: SalesforceAdminOptions;
    readonly #lookups: RuleLookups;

    constructor(options: SalesforceAdminOptions) {
        this.#options = options;
        this.#n = options.names;
        this.#rest = new OrgRest(options.connection, options.budget);
        this.#lookups = {
            nameTaken: async (name, ownId) => {
                const own = ownId === null ? '' : ` AND Id != ${soqlString(ownId)}`;
                const rows = await this.#query(
                    'nameTaken',
                    `SELECT Id FROM ${this.#n.objects.connection} WHERE Name = ${soqlString(name)}${own} LIMIT 1`
                );
                return rows.length > 0;
            },
            invitationUsed: async (invitationId) => {
                const rows = await this.#query(
                    'invitationUsed',
                    `SELECT Id FROM ${this.#n.objects.connection} WHERE ${this.#n.connection.invitationId} = ${soqlString(invitationId)} LIMIT 1`
                );
                return rows.length > 0;
            }
        };
    }

    #now(): Date {
        return this.#options.now?.() ?? new Date();
    }

    // -----------------------------------------------------------------------------------------
    // Requests
    // -----------------------------------------------------------------------------------------

    async #query(operation: string, soql: string): Promise<Row[]> {
        const answer = await this.#rest.request<{ records?: Row[] }>(
            `admin:${operation}`,
            'GET',
            `/query?q=${encodeURIComponent(soql)}`
        );
        return answer.records ?? [];
    }

    async #insert(operation: string, type: string, record: Row): Promise<string> {
        const answer = await this.#rest.request<{ id?: string }>(
            `admin:${operation}`,
            'POST',
            `/sobjects/${type}`,
            record
        );
        if (typeof answer?.id !== 'string') {
            throw new AdminError(`Salesforce saved no ${type} record.`, 502);
        }
        return answer.id;
    }

    async #update(operation: string, type: string, id: string, record: Row): Promise<void> {
        await this.#rest.request(`admin:${operation}`, 'PATCH', `/sobjects/${type}/${id}`, record);
    }

    async #delete(operation: string, type: string, id: string): Promise<void> {
        await this.#rest.request(`admin:${operation}`, 'DELETE', `/sobjects/${type}/${id}`);
    }

    /** SyncWakePublisher.publish: the connector listening to this org acts now rather than at its next pass. */
    async #wake(reason: 'sync-request' | 'retry' | 'connection'): Promise<void> {
        try {
            await this.#insert('wake', this.#n.objects.wake, { [this.#n.wakeReason]: reason });
        } catch {
            // As in Apex, a wake that cannot be published is not an error: the periodic pass catches up.
        }
    }

    // -----------------------------------------------------------------------------------------
    // Records to DTOs
    // -----------------------------------------------------------------------------------------

    get #connectionFields(): string {
        const c = this.#n.connection;
        return [
            'Id',
            'Name',
            c.localInstanceName,
            c.remoteInstanceName,
            c.description,
            c.type,
            c.mode,
            c.status,
            c.role,
            c.remotePlatform,
            c.remoteNodeUrl,
            c.invitationId,
            c.invitationExpires,
            c.acceptedBy,
            c.acceptedAt,
            c.statusDetail,
            c.syncedCaseCount
        ].join(', ');
    }

    #connectionDto(row: Row): ConnectionDto {
        const c = this.#n.connection;
        return compact({
            id: String(row.Id),
            name: text(row.Name) ?? '',
            localInstanceName: text(row[c.localInstanceName]) ?? '',
            remoteInstanceName: text(row[c.remoteInstanceName]) ?? '',
            description: text(row[c.description]),
            type: row[c.type] as ConnectionDto['type'],
            mode: row[c.mode] as ConnectionDto['mode'],
            status: row[c.status] as ConnectionDto['status'],
            role: text(row[c.role]) as ConnectionDto['role'],
            remotePlatform: text(row[c.remotePlatform]) as ConnectionDto['remotePlatform'],
            remoteNodeUrl: text(row[c.remoteNodeUrl]),
            invitationId: text(row[c.invitationId]),
            invitationExpires: isoDate(row[c.invitationExpires]),
            acceptedBy: text(row[c.acceptedBy]),
            acceptedAt: isoDate(row[c.acceptedAt]),
            statusDetail: text(row[c.statusDetail]),
            syncedCaseCount: count(row[c.syncedCaseCount])
        });
    }

    get #eventFields(): string {
        const e = this.#n.event;
        return [
            'Id',
            'Name',
            e.connection,
            e.twin,
            e.case,
            e.direction,
            e.stage,
            e.attempts,
            e.nextAttempt,
            e.error,
            'CreatedDate',
            e.completed
        ].join(', ');
    }

    /** SyncEventReader.toDtos: the Case number is given where the Case can be read. */
    async #eventDtos(rows: Row[]): Promise<SyncEventDto[]> {
        const e = this.#n.event;
        const caseIds = [...new Set(rows.map((row) => text(row[e.case])).filter((id) => id !== undefined))];
        const numbers = new Map<string, string>();
        if (caseIds.length > 0) {
            const cases = await this.#query(
                'caseNumbers',
                `SELECT Id, CaseNumber FROM Case WHERE Id IN (${caseIds.map(soqlString).join(',')})`
            );
            for (const found of cases) {
                numbers.set(String(found.Id), String(found.CaseNumber));
            }
        }
        return rows.map((row) =>
            compact({
                id: String(row.Id),
                name: text(row.Name) ?? '',
                connectionId: text(row[e.connection]),
                twinId: text(row[e.twin]),
                caseId: text(row[e.case]),
                caseNumber: numbers.get(String(row[e.case])),
                direction: row[e.direction] as SyncEventDto['direction'],
                stage: row[e.stage] as SyncEventDto['stage'],
                attempts: count(row[e.attempts]),
                nextAttempt: isoDate(row[e.nextAttempt]),
                error: text(row[e.error]),
                createdDate: isoDate(row.CreatedDate),
                completed: isoDate(row[e.completed])
            })
        );
    }

    /** Twin fields with the Case number, the connection name and (subquery) its latest event. */
    get #twinSelect(): string {
        const t = this.#n.twin;
        const r = this.#n.relationships;
        return (
            `SELECT Id, ${t.case}, ${r.case}.CaseNumber, ${t.connection}, ${r.connection}.Name, ${t.remoteKey}, ` +
            `${t.remoteUrl}, ${t.syncStatus}, ${t.lastSynced}, ${t.lastError}, ` +
            `(SELECT Id, ${this.#n.event.stage} FROM ${r.eventsOfTwin} ORDER BY CreatedDate DESC, Id DESC LIMIT 1) ` +
            `FROM ${this.#n.objects.twin}`
        );
    }

    #twinDto(row: Row, latest?: { id: string; stage: string }): TwinStatusDto {
        const t = this.#n.twin;
        const r = this.#n.relationships;
        const events = (row[r.eventsOfTwin] as { records?: Row[] } | null)?.records ?? [];
        const newest =
            latest ??
            (events[0] ? { id: String(events[0].Id), stage: String(events[0][this.#n.event.stage]) } : undefined);
        return compact({
            twinId: String(row.Id),
            caseId: String(row[t.case]),
            caseNumber: text((row[r.case] as Row | null)?.CaseNumber),
            connectionId: String(row[t.connection]),
            connectionName: text((row[r.connection] as Row | null)?.Name) ?? '',
            remoteKey: text(row[t.remoteKey]),
            remoteUrl: text(row[t.remoteUrl]),
            status: text(row[t.syncStatus]) as TwinStatusDto['status'],
            lastSynced: isoDate(row[t.lastSynced]),
            lastError: text(row[t.lastError]),
            latestEventId: newest?.id,
            latestEventStage: newest?.stage as TwinStatusDto['latestEventStage']
        });
    }

    async #loadConnection(connectionId: unknown): Promise<Row> {
        const id = idParam(connectionId);
        if (id === null || id === 'invalid') {
            throw new AdminError(MESSAGES.connectionGone);
        }
        const rows = await this.#query(
            'loadConnection',
            `SELECT ${this.#connectionFields} FROM ${this.#n.objects.connection} WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        if (rows.length === 0) {
            throw new AdminError(MESSAGES.connectionGone);
        }
        return rows[0];
    }

    async #findCase(ref: string): Promise<{ id: string; caseNumber: string }> {
        const caseId = CASE_ID_SHAPE.test(ref) ? toId18(ref) : undefined;
        const rows = await this.#query(
            'findCase',
            caseId !== undefined
                ? `SELECT Id, CaseNumber FROM Case WHERE Id = ${soqlString(caseId)} LIMIT 1`
                : `SELECT Id, CaseNumber FROM Case WHERE CaseNumber = ${soqlString(ref)} LIMIT 1`
        );
        if (rows.length === 0) {
            throw new AdminError(
                `No Case with ${caseId !== undefined ? 'id' : 'number'} ${ref} was found, or you do not have access to it.`
            );
        }
        return { id: String(rows[0].Id), caseNumber: String(rows[0].CaseNumber) };
    }

    #saveError(prefix: string, error: unknown): never {
        if (error instanceof SalesforceApiError) {
            throw new AdminError(`${prefix}${error.errors[0]?.message ?? error.message}`);
        }
        throw error;
    }

    // -----------------------------------------------------------------------------------------
    // ConnectionController
    // -----------------------------------------------------------------------------------------

    async listConnections(): Promise<ConnectionDto[]> {
        const rows = await this.#query(
            'listConnections',
            `SELECT ${this.#connectionFields} FROM ${this.#n.objects.connection} ORDER BY Name LIMIT 1000`
        );
        return rows.map((row) => this.#connectionDto(row));
    }

    getConsoleContext(): Promise<ConsoleContextDto> {
        const orgDomainUrl = this.#options.connection.instanceUrl;
        const host = new URL(orgDomainUrl).hostname;
        const fromHost = /^[a-z]/i.test(host) ? host.split('.')[0].replace(/--.*$/, '') : '';
        const suggested = (this.#options.instanceName ?? fromHost).replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
        return Promise.resolve({
            orgDomainUrl,
            namespacePrefix: this.#n.namespace,
            suggestedInstanceName: suggested === '' ? 'Salesforce' : suggested,
            platform: 'Salesforce'
        });
    }

    async getConnection(params: Row): Promise<ConnectionDto> {
        return this.#connectionDto(await this.#loadConnection(params.connectionId));
    }

    #newConnection(fields: ConnectionFields): Row {
        const c = this.#n.connection;
        return {
            Name: clean(fields.name),
            [c.localInstanceName]: clean(fields.localInstanceName),
            [c.remoteInstanceName]: clean(fields.remoteInstanceName),
            [c.description]: clean(fields.description),
            [c.type]: clean(fields.type),
            [c.mode]: 'Basic',
            [c.remotePlatform]: clean(fields.remotePlatform),
            [c.remoteNodeUrl]: clean(fields.remoteNodeUrl)
        };
    }

    async #insertConnection(record: Row, acceptor: boolean): Promise<string> {
        try {
            return await this.#insert('insertConnection', this.#n.objects.connection, record);
        } catch (error) {
            if (acceptor && error instanceof SalesforceApiError && error.code === 'DUPLICATE_VALUE') {
                throw new AdminError(MESSAGES.invitationUsed);
            }
            this.#saveError(`Connection ${String(record.Name)} could not be saved: `, error);
        }
    }

    async createConnection(params: Row): Promise<ConnectionDto> {
        const fields = await validateNew(params.input, this.#lookups);
        const record = this.#newConnection(fields);
        record[this.#n.connection.status] = clean(fields.type) === 'Local' ? 'Active' : 'Pending';
        record[this.#n.connection.role] = 'Initiator';
        const id = await this.#insertConnection(record, false);
        await this.#wake('connection');
        return this.#connectionDto(await this.#loadConnection(id));
    }

    async updateConnection(params: Row): Promise<ConnectionDto> {
        const existing = await this.#loadConnection(params.connectionId);
        const c = this.#n.connection;
        const fields = await validateUpdate(
            { id: String(existing.Id), type: text(existing[c.type]) ?? null, role: text(existing[c.role]) ?? null },
            params.input,
            this.#lookups
        );
        try {
            await this.#update('updateConnection', this.#n.objects.connection, String(existing.Id), {
                Name: clean(fields.name),
                [c.localInstanceName]: clean(fields.localInstanceName),
                [c.remoteInstanceName]: clean(fields.remoteInstanceName),
                [c.description]: clean(fields.description),
                [c.remoteNodeUrl]: clean(fields.remoteNodeUrl)
            });
        } catch (error) {
            this.#saveError('The connection could not be saved: ', error);
        }
        await this.#wake('connection');
        return this.#connectionDto(await this.#loadConnection(existing.Id));
    }

    /** Stores a new connection's secret; if that fails, the connection is removed again (nothing half-made stays). */
    async #storeSecretOrUndo(connectionId: string, secret: string): Promise<void> {
        try {
            await this.#options.secrets.store(connectionId, secret);
        } catch (error) {
            await this.#delete('undoConnection', this.#n.objects.connection, connectionId).catch(() => undefined);
            throw error;
        }
    }

    async initiateConnection(params: Row): Promise<InitiatedInvitationDto> {
        const fields = await validateInitiation(params.input, this.#lookups);
        const c = this.#n.connection;
        const invitationId = randomUUID();
        const expires = new Date(this.#now().getTime() + INVITATION_VALID_HOURS * 3600 * 1000);
        expires.setUTCMilliseconds(0);
        const record = this.#newConnection(fields);
        record[c.status] = 'Pending';
        record[c.role] = 'Initiator';
        record[c.invitationId] = invitationId;
        record[c.invitationExpires] = expires.toISOString();
        const id = await this.#insertConnection(record, false);
        // 256 bits, base64url without padding (43 characters), as the Apex makes it.
        const secret = randomBytes(32).toString('base64url');
        await this.#storeSecretOrUndo(id, secret);
        await this.#wake('connection');
        return {
            connection: this.#connectionDto(await this.#loadConnection(id)),
            invitationId,
            expiresAt: expires.toISOString(),
            secret
        };
    }

    async acceptInvitation(params: Row): Promise<ConnectionDto> {
        const accepted = await validateInvitation(params.input, this.#lookups, this.#now());
        const c = this.#n.connection;
        const record = this.#newConnection(accepted.fields);
        Object.assign(record, {
            Name: accepted.connectionName,
            [c.status]: 'Pending',
            [c.role]: 'Acceptor',
            [c.invitationId]: accepted.invitationId,
            [c.invitationExpires]: accepted.expiresAt.toISOString(),
            [c.acceptedBy]: this.#options.actor.name,
            [c.acceptedAt]: this.#now().toISOString()
        });
        const id = await this.#insertConnection(record, true);
        await this.#storeSecretOrUndo(id, accepted.secret);
        // The connector makes it Active after the handshake with the inviting node.
        await this.#wake('connection');
        return this.#connectionDto(await this.#loadConnection(id));
    }

    async #setStatus(params: Row, status: 'Active' | 'Deactivated'): Promise<ConnectionDto> {
        const connection = await this.#loadConnection(params.connectionId);
        const c = this.#n.connection;
        if (connection[c.status] === 'Pending') {
            throw new AdminError(
                `Connection ${String(connection.Name)} is waiting for the other side to accept the invitation.`
            );
        }
        if (connection[c.status] === status) {
            return this.#connectionDto(connection);
        }
        const changes: Row = { [c.status]: status };
        if (status === 'Active') {
            changes[c.statusDetail] = null;
        }
        try {
            await this.#update('setConnectionStatus', this.#n.objects.connection, String(connection.Id), changes);
        } catch (error) {
            this.#saveError('The connection could not be saved: ', error);
        }
        await this.#wake('connection');
        return this.#connectionDto(await this.#loadConnection(connection.Id));
    }

    activateConnection(params: Row): Promise<ConnectionDto> {
        return this.#setStatus(params, 'Active');
    }

    deactivateConnection(params: Row): Promise<ConnectionDto> {
        return this.#setStatus(params, 'Deactivated');
    }

    async deleteConnection(params: Row): Promise<null> {
        const connection = await this.#loadConnection(params.connectionId);
        try {
            await this.#delete('deleteConnection', this.#n.objects.connection, String(connection.Id));
        } catch (error) {
            this.#saveError(`Connection ${String(connection.Name)} could not be deleted: `, error);
        }
        await this.#options.secrets.remove(String(connection.Id)).catch(() => undefined);
        await this.#wake('connection');
        return null;
    }

    // -----------------------------------------------------------------------------------------
    // CaseSyncController
    // -----------------------------------------------------------------------------------------

    async listActiveConnections(): Promise<ConnectionDto[]> {
        const c = this.#n.connection;
        const rows = await this.#query(
            'listActiveConnections',
            `SELECT Id, Name, ${c.localInstanceName}, ${c.remoteInstanceName}, ${c.type}, ${c.mode}, ${c.status}, ` +
                `${c.remotePlatform} FROM ${this.#n.objects.connection} WHERE ${c.status} = 'Active' ORDER BY Name LIMIT 1000`
        );
        return rows.map((row) =>
            compact({
                id: String(row.Id),
                name: text(row.Name) ?? '',
                localInstanceName: text(row[c.localInstanceName]) ?? '',
                remoteInstanceName: text(row[c.remoteInstanceName]) ?? '',
                type: row[c.type] as ConnectionDto['type'],
                mode: row[c.mode] as ConnectionDto['mode'],
                status: row[c.status] as ConnectionDto['status'],
                remotePlatform: text(row[c.remotePlatform]) as ConnectionDto['remotePlatform']
            })
        );
    }

    async requestSync(params: Row): Promise<TwinStatusDto> {
        if (idParam(params.connectionId) === null) {
            throw new AdminError('Choose the connection to sync the Case on.');
        }
        const ref = clean(params.caseRef);
        if (ref === null) {
            throw new AdminError(MESSAGES.caseRefRequired);
        }
        const connection = await this.#loadConnection(params.connectionId);
        const c = this.#n.connection;
        if (connection[c.status] !== 'Active') {
            throw new AdminError(
                `Connection ${String(connection.Name)} is not active (status: ${String(connection[c.status])}). Activate it first.`
            );
        }
        const target = await this.#findCase(ref);
        const t = this.#n.twin;
        const twinKey = `${String(connection.Id)}:${target.id}`;
        const existing = await this.#query(
            'findTwin',
            `SELECT Id FROM ${this.#n.objects.twin} WHERE ${t.key} = ${soqlString(twinKey)} LIMIT 1`
        );
        let twinId: string;
        try {
            if (existing.length === 0) {
                twinId = await this.#insert('createTwin', this.#n.objects.twin, {
                    [t.connection]: connection.Id,
                    [t.case]: target.id,
                    [t.key]: twinKey,
                    [t.syncStatus]: 'Preparing'
                });
            } else {
                twinId = String(existing[0].Id);
                await this.#update('updateTwin', this.#n.objects.twin, twinId, { [t.syncStatus]: 'Preparing' });
            }
        } catch (error) {
            this.#saveError(`Case ${target.caseNumber} could not be put under sync: `, error);
        }
        const e = this.#n.event;
        const eventId = await this.#insert('queueEvent', this.#n.objects.event, {
            [e.connection]: connection.Id,
            [e.twin]: twinId,
            [e.case]: target.id,
            [e.direction]: 'Outgoing',
            [e.stage]: 'Preparing',
            [e.nextAttempt]: this.#now().toISOString(),
            [e.requestedBy]: this.#options.actor.userId
        });
        await this.#wake('sync-request');
        const saved = await this.#query('readTwin', `${this.#twinSelect} WHERE Id = ${soqlString(twinId)}`);
        return this.#twinDto(saved[0], { id: eventId, stage: 'Preparing' });
    }

    async getCaseSyncStatus(params: Row): Promise<TwinStatusDto[]> {
        const caseId = idParam(params.caseId);
        if (caseId === null || caseId === 'invalid') {
            return [];
        }
        const rows = await this.#query(
            'getCaseSyncStatus',
            `${this.#twinSelect} WHERE ${this.#n.twin.case} = ${soqlString(caseId)} ORDER BY ${this.#n.relationships.connection}.Name LIMIT 200`
        );
        return rows.map((row) => this.#twinDto(row));
    }

    async #findEvent(eventId: unknown): Promise<Row | undefined> {
        const id = idParam(eventId);
        if (id === null || id === 'invalid') {
            return undefined;
        }
        const rows = await this.#query(
            'findEvent',
            `SELECT ${this.#eventFields} FROM ${this.#n.objects.event} WHERE Id = ${soqlString(id)} LIMIT 1`
        );
        return rows[0];
    }

    async getSyncProgress(params: Row): Promise<SyncEventDto> {
        const event = await this.#findEvent(params.eventId);
        if (event === undefined) {
            throw new AdminError(MESSAGES.eventGone);
        }
        const [dto] = await this.#eventDtos([event]);
        if (dto.caseId !== undefined && dto.caseNumber === undefined) {
            throw new AdminError(MESSAGES.eventGone);
        }
        return dto;
    }

    async unexalate(params: Row): Promise<null> {
        const id = idParam(params.twinId);
        const found =
            id === null || id === 'invalid'
                ? []
                : await this.#query(
                      'findTwin',
                      `SELECT Id FROM ${this.#n.objects.twin} WHERE Id = ${soqlString(id)} LIMIT 1`
                  );
        if (found.length === 0) {
            throw new AdminError(MESSAGES.twinGone);
        }
        try {
            await this.#delete('unexalate', this.#n.objects.twin, String(found[0].Id));
        } catch (error) {
            this.#saveError('The Case could not be taken out of sync: ', error);
        }
        await this.#wake('connection');
        return null;
    }

    // -----------------------------------------------------------------------------------------
    // SyncQueueController
    // -----------------------------------------------------------------------------------------

    #triggerDto(row: Row): TriggerDto {
        const t = this.#n.trigger;
        return compact({
            id: String(row.Id),
            connectionId: String(row[t.connection]),
            filter: text(row[t.filter]) ?? '',
            active: row[t.active] === true,
            notes: text(row[t.notes]),
            lastModified: isoDate(row.LastModifiedDate),
            bulkRequested: isoDate(row[t.bulkRequested]),
            bulkCompleted: isoDate(row[t.bulkCompleted]),
            bulkResult: text(row[t.bulkResult])
        });
    }

    get #triggerSelect(): string {
        const t = this.#n.trigger;
        const r = this.#n.relationships;
        return (
            `SELECT Id, ${t.connection}, ${r.connection}.Name, ${r.connection}.${this.#n.connection.status}, ` +
            `${t.filter}, ${t.active}, ${t.notes}, LastModifiedDate, ${t.bulkRequested}, ${t.bulkCompleted}, ` +
            `${t.bulkResult} FROM ${this.#n.objects.trigger}`
        );
    }

    async listTriggers(params: Row): Promise<TriggerDto[]> {
        const connectionId = idParam(params.connectionId);
        if (connectionId === 'invalid') {
            return [];
        }
        const where = connectionId === null ? '' : ` WHERE ${this.#n.trigger.connection} = ${soqlString(connectionId)}`;
        const rows = await this.#query(
            'listTriggers',
            `${this.#triggerSelect}${where} ORDER BY CreatedDate, Id LIMIT 1000`
        );
        return rows.map((row) => this.#triggerDto(row));
    }

    async #loadTrigger(triggerId: unknown): Promise<Row> {
        const id = idParam(triggerId);
        const rows =
            id === null || id === 'invalid'
                ? []
                : await this.#query('loadTrigger', `${this.#triggerSelect} WHERE Id = ${soqlString(id)} LIMIT 1`);
        if (rows.length === 0) {
            throw new AdminError(MESSAGES.triggerGone);
        }
        return rows[0];
    }

    /** SyncQueueController.checkFilterRuns: the filter is run once, so a wrong field is reported now. */
    async #checkFilterRuns(filter: string): Promise<void> {
        try {
            await this.#query('checkFilter', `SELECT COUNT() FROM Case WHERE ${filter} LIMIT 1`);
        } catch (error) {
            if (error instanceof SalesforceApiError) {
                // The REST API echoes the query before its reason; Apex's QueryException gives the reason only.
                const reason = error.message.split(/\nERROR at Row:\d+:Column:\d+\n/).pop() ?? error.message;
                throw new AdminError(`The filter is not valid SOQL: ${reason.trim()}`);
            }
            throw error;
        }
    }

    async saveTrigger(params: Row): Promise<TriggerDto> {
        const input = params.input;
        if (typeof input !== 'object' || input === null) {
            throw new AdminError('Fill in the trigger first.');
        }
        const fields = input as Row;
        const filter = checkFilterShape(fields.filter);
        const notes = checkNotes(fields.notes);
        const t = this.#n.trigger;
        let existingId: string | undefined;
        let connectionId: string | undefined;
        if (idParam(fields.id) === null) {
            if (idParam(fields.connectionId) === null) {
                throw new AdminError('Choose the connection the trigger belongs to.');
            }
            connectionId = String((await this.#loadConnection(fields.connectionId)).Id);
        } else {
            existingId = String((await this.#loadTrigger(fields.id)).Id);
        }
        await this.#checkFilterRuns(filter);
        const values: Row = { [t.filter]: filter, [t.active]: fields.active === true, [t.notes]: notes };
        let id: string;
        try {
            if (existingId === undefined) {
                id = await this.#insert('insertTrigger', this.#n.objects.trigger, {
                    ...values,
                    [t.connection]: connectionId
                });
            } else {
                id = existingId;
                await this.#update('updateTrigger', this.#n.objects.trigger, id, values);
            }
        } catch (error) {
            this.#saveError('The trigger could not be saved: ', error);
        }
        return this.#triggerDto(await this.#loadTrigger(id));
    }

    async setTriggerActive(params: Row): Promise<TriggerDto> {
        const existing = await this.#loadTrigger(params.triggerId);
        const turnOn = params.active === true;
        if (turnOn) {
            await this.#checkFilterRuns(text(existing[this.#n.trigger.filter]) ?? '');
        }
        try {
            await this.#update('setTriggerActive', this.#n.objects.trigger, String(existing.Id), {
                [this.#n.trigger.active]: turnOn
            });
        } catch (error) {
            this.#saveError('The trigger could not be saved: ', error);
        }
        return this.#triggerDto(await this.#loadTrigger(existing.Id));
    }

    /**
     * SyncQueueController.bulkExalate: records a request to run an active trigger once over all
     * existing Cases that match it, and wakes the connector, which carries it out.
     */
    async bulkExalate(params: Row): Promise<TriggerDto> {
        const existing = await this.#loadTrigger(params.triggerId);
        const t = this.#n.trigger;
        if (existing[t.active] !== true) {
            throw new AdminError(MESSAGES.triggerNotActive);
        }
        const connection = (existing[this.#n.relationships.connection] as Row | null) ?? {};
        const status = text(connection[this.#n.connection.status]);
        if (status !== 'Active') {
            throw new AdminError(
                `Connection ${text(connection.Name) ?? ''} is not active (status: ${status ?? ''}). Activate it first.`
            );
        }
        await this.#checkFilterRuns(text(existing[t.filter]) ?? '');
        try {
            await this.#update('bulkExalate', this.#n.objects.trigger, String(existing.Id), {
                [t.bulkRequested]: this.#now().toISOString(),
                [t.bulkCompleted]: null,
                [t.bulkResult]: null
            });
        } catch (error) {
            this.#saveError('The Bulk Exalate could not be requested: ', error);
        }
        await this.#wake('connection');
        return this.#triggerDto(await this.#loadTrigger(existing.Id));
    }

    async deleteTrigger(params: Row): Promise<null> {
        const existing = await this.#loadTrigger(params.triggerId);
        try {
            await this.#delete('deleteTrigger', this.#n.objects.trigger, String(existing.Id));
        } catch (error) {
            this.#saveError('The trigger could not be deleted: ', error);
        }
        return null;
    }

    async #listEvents(params: Row, failed: boolean): Promise<SyncEventDto[]> {
        const e = this.#n.event;
        const connectionId = idParam(params.connectionId);
        if (connectionId === 'invalid') {
            return [];
        }
        const stage = failed
            ? `${e.stage} = 'Failed'`
            : `${e.stage} NOT IN (${FINAL_STAGES.map(soqlString).join(',')})`;
        const where = connectionId === null ? stage : `${e.connection} = ${soqlString(connectionId)} AND ${stage}`;
        const rows = await this.#query(
            failed ? 'listErrors' : 'listQueue',
            `SELECT ${this.#eventFields} FROM ${this.#n.objects.event} WHERE ${where} ORDER BY CreatedDate DESC, Id DESC LIMIT ${clampLimit(params.limitSize)}`
        );
        return this.#eventDtos(rows);
    }

    listQueue(params: Row): Promise<SyncEventDto[]> {
        return this.#listEvents(params, false);
    }

    listErrors(params: Row): Promise<SyncEventDto[]> {
        return this.#listEvents(params, true);
    }

    async retryEvent(params: Row): Promise<SyncEventDto> {
        const event = await this.#findEvent(params.eventId);
        if (event === undefined) {
            throw new AdminError(MESSAGES.queueEventGone);
        }
        const e = this.#n.event;
        if (event[e.stage] !== 'Failed') {
            throw new AdminError(MESSAGES.onlyFailed);
        }
        const now = this.#now().toISOString();
        await this.#update('retryEvent', this.#n.objects.event, String(event.Id), {
            [e.stage]: 'Preparing',
            [e.nextAttempt]: now,
            [e.error]: null,
            [e.completed]: null
        });
        const twinId = text(event[e.twin]);
        if (twinId !== undefined) {
            try {
                await this.#update('retryTwin', this.#n.objects.twin, twinId, {
                    [this.#n.twin.syncStatus]: 'Preparing'
                });
            } catch (error) {
                this.#saveError('The event could not be retried: ', error);
            }
        }
        await this.#wake('retry');
        const [dto] = await this.#eventDtos([
            { ...event, [e.stage]: 'Preparing', [e.nextAttempt]: now, [e.error]: null, [e.completed]: null }
        ]);
        return dto;
    }

    async getEntitySyncStatus(params: Row): Promise<TwinStatusDto | null> {
        const ref = clean(params.caseRef);
        if (ref === null) {
            throw new AdminError(MESSAGES.caseRefRequired);
        }
        const connection = await this.#loadConnection(params.connectionId);
        const target = await this.#findCase(ref);
        const t = this.#n.twin;
        const rows = await this.#query(
            'getEntitySyncStatus',
            `${this.#twinSelect} WHERE ${t.connection} = ${soqlString(String(connection.Id))} AND ${t.case} = ${soqlString(target.id)} LIMIT 1`
        );
        return rows.length === 0 ? null : this.#twinDto(rows[0]);
    }
}
