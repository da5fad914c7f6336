// IncidentApi over ServiceNow's Table API and Attachment API. Reads ask only for the fields Basic
// mode needs, with sysparm_display_value=false (UTC dates, raw values) and no reference links;
// id lists go out in chunks of `sys_idIN` (100 by default) and every list is paged with
// sysparm_limit / sysparm_offset until a short page. Work notes are never read nor written.
import { createHash } from 'node:crypto';
import type { Buffer } from 'node:buffer';
import type {
    Incident,
    IncidentApi,
    IncidentAttachment,
    IncidentFields,
    IncidentQuery,
    JournalComment
} from '../incident-api.ts';
import { fromGlideDateTime, toGlideDateTime } from './dates.ts';
import { ServiceNowApiError } from './errors.ts';
import type { HttpClientOptions } from './http-client.ts';
import { ServiceNowHttpClient } from './http-client.ts';

export interface RestIncidentApiOptions extends HttpClientOptions {
    /** Values per `IN` condition, default 100 (keeps URLs well under common length limits). */
    readonly chunkSize?: number;
    /** Rows per page, default 1,000. */
    readonly pageSize?: number;
}

type RawRow = Record<string, string | undefined>;

const INCIDENT_FIELDS = [
    'sys_id',
    'number',
    'short_description',
    'description',
    'correlation_id',
    'sys_updated_on',
    'sys_updated_by'
].join(',');
const JOURNAL_FIELDS = ['sys_id', 'element_id', 'value', 'sys_created_on', 'sys_created_by'].join(',');
const SHA256_HEX = /^[0-9a-f]{64}$/;

const READ_PARAMS = { sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true' };

function text(value: string | undefined): string | null {
    return value === undefined || value === '' ? null : value;
}

/** A date-time field of an answer; a missing or malformed one means the instance answered unexpectedly. */
function dateField(row: RawRow, field: string): string {
    try {
        return fromGlideDateTime(row[field] ?? '');
    } catch (cause) {
        throw new ServiceNowApiError(
            'invalid-response',
            `ServiceNow answered a record without a valid ${field} (${JSON.stringify(row[field] ?? null)}); the adapter asks for UTC values (sysparm_display_value=false)`,
            { cause }
        );
    }
}

function toIncident(row: RawRow): Incident {
    return {
        sysId: row.sys_id ?? '',
        number: row.number ?? '',
        shortDescription: text(row.short_description),
        description: text(row.description),
        correlationId: text(row.correlation_id),
        updatedOn: dateField(row, 'sys_updated_on'),
        updatedBy: text(row.sys_updated_by)
    };
}

function toBody(fields: IncidentFields): Record<string, string> {
    const body: Record<string, string> = {};
    if (fields.shortDescription !== undefined) {
        body.short_description = fields.shortDescription ?? '';
    }
    if (fields.description !== undefined) {
        body.description = fields.description ?? '';
    }
    if (fields.correlationId !== undefined) {
        body.correlation_id = fields.correlationId ?? '';
    }
    return body;
}

/** A value inside an encoded `IN` list: `,` separates values and `^` separates conditions. */
function inListValue(value: string): string {
    if (/[,^]/.test(value)) {
        throw new ServiceNowApiError(
            'invalid-input',
            `Cannot query ServiceNow for ${JSON.stringify(value)}: it contains , or ^`
        );
    }
    return value;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let index = 0; index < values.length; index += size) {
        out.push(values.slice(index, index + size));
    }
    return out;
}

export class RestIncidentApi implements IncidentApi {
    private readonly http: ServiceNowHttpClient;
    private readonly chunkSize: number;
    private readonly pageSize: number;

    constructor(options: RestIncidentApiOptions) {
        this.http = new ServiceNowHttpClient(options);
        this.chunkSize = Math.max(1, options.chunkSize ?? 100);
        this.pageSize = Math.max(1, options.pageSize ?? 1000);
    }

    get apiCalls(): number {
        return this.http.apiCalls;
    }

    get userName(): string {
        return this.http.userName;
    }

    /** Rows of a list endpoint, paged until `limit` rows or a short page. */
    private async list(
        path: string,
        query: string,
        fields: string | undefined,
        limit = Infinity,
        offset = 0
    ): Promise<RawRow[]> {
        const rows: RawRow[] = [];
        let at = offset;
        while (rows.length < limit) {
            const size = Math.min(this.pageSize, limit - rows.length);
            const { result } = await this.http.json<RawRow[]>({
                method: 'GET',
                path,
                query: {
                    ...READ_PARAMS,
                    sysparm_query: query,
                    ...(fields ? { sysparm_fields: fields } : {}),
                    sysparm_limit: String(size),
                    sysparm_offset: String(at)
                }
            });
            rows.push(...result);
            at += result.length;
            if (result.length < size) {
                break;
            }
        }
        return rows;
    }

    async queryIncidents(query: IncidentQuery): Promise<Incident[]> {
        const encoded = [query.query, 'ORDERBYsys_updated_on', 'ORDERBYsys_id'].filter((part) => part !== '').join('^');
        const rows = await this.list(
            '/api/now/table/incident',
            encoded,
            INCIDENT_FIELDS,
            query.limit ?? Infinity,
            query.offset ?? 0
        );
        return rows.map(toIncident);
    }

    private async incidentsWhereIn(field: string, values: readonly string[]): Promise<Incident[]> {
        const unique = [...new Set(values)].filter((value) => value !== '').map(inListValue);
        const found = new Map<string, Incident>();
        for (const chunk of chunks(unique, this.chunkSize)) {
            const rows = await this.list(
                '/api/now/table/incident',
                `${field}IN${chunk.join(',')}^ORDERBYsys_updated_on^ORDERBYsys_id`,
                INCIDENT_FIELDS
            );
            for (const row of rows) {
                const incident = toIncident(row);
                found.set(incident.sysId, incident);
            }
        }
        return [...found.values()];
    }

    getIncidents(sysIds: readonly string[]): Promise<Incident[]> {
        return this.incidentsWhereIn('sys_id', sysIds);
    }

    getIncidentsByNumber(numbers: readonly string[]): Promise<Incident[]> {
        return this.incidentsWhereIn('number', numbers);
    }

    getIncidentsByCorrelationId(correlationIds: readonly string[]): Promise<Incident[]> {
        return this.incidentsWhereIn('correlation_id', correlationIds);
    }

    async createIncident(fields: IncidentFields): Promise<Incident> {
        const { result } = await this.http.json<RawRow>({
            method: 'POST',
            path: '/api/now/table/incident',
            query: { ...READ_PARAMS, sysparm_fields: INCIDENT_FIELDS },
            json: toBody(fields)
        });
        return toIncident(result);
    }

    async updateIncident(sysId: string, fields: IncidentFields): Promise<Incident> {
        const { result } = await this.http.json<RawRow>({
            method: 'PATCH',
            path: `/api/now/table/incident/${encodeURIComponent(sysId)}`,
            query: { ...READ_PARAMS, sysparm_fields: INCIDENT_FIELDS },
            json: toBody(fields)
        });
        return toIncident(result);
    }

    async addComment(incidentSysId: string, text: string): Promise<Incident> {
        if (text.trim() === '') {
            // The instance would store no journal entry for it, silently.
            throw new ServiceNowApiError('invalid-input', 'An additional comment cannot be empty');
        }
        const { result } = await this.http.json<RawRow>({
            method: 'PATCH',
            path: `/api/now/table/incident/${encodeURIComponent(incidentSysId)}`,
            query: { ...READ_PARAMS, sysparm_fields: INCIDENT_FIELDS },
            json: { comments: text }
        });
        return toIncident(result);
    }

    async readComments(incidentSysIds: readonly string[]): Promise<JournalComment[]> {
        const unique = [...new Set(incidentSysIds)].filter((id) => id !== '').map(inListValue);
        const comments: JournalComment[] = [];
        for (const chunk of chunks(unique, this.chunkSize)) {
            // Ordered by creation time only: entries of the same second then come in the table's
            // own order, which is the order they were written in.
            const rows = await this.list(
                '/api/now/table/sys_journal_field',
                `element=comments^name=incident^element_idIN${chunk.join(',')}^ORDERBYsys_created_on`,
                JOURNAL_FIELDS
            );
            for (const row of rows) {
                comments.push({
                    sysId: row.sys_id ?? '',
                    incidentSysId: row.element_id ?? '',
                    value: row.value ?? '',
                    createdBy: text(row.sys_created_by),
                    createdOn: dateField(row, 'sys_created_on')
                });
            }
        }
        // Stable: keeps the instance's order within a second across chunks.
        return comments.sort((a, b) => (a.createdOn < b.createdOn ? -1 : a.createdOn > b.createdOn ? 1 : 0));
    }

    private async toAttachment(row: RawRow): Promise<IncidentAttachment> {
        const sysId = row.sys_id ?? '';
        let sha256 = (row.hash ?? '').toLowerCase();
        if (!SHA256_HEX.test(sha256)) {
            // Older releases give no SHA-256: compute it from the content (one more call).
            sha256 = createHash('sha256')
                .update(await this.downloadAttachment(sysId))
                .digest('hex');
        }
        return {
            sysId,
            incidentSysId: row.table_sys_id ?? '',
            fileName: row.file_name ?? '',
            contentType: text(row.content_type),
            sizeBytes: Number(row.size_bytes ?? '0'),
            sha256,
            createdOn: dateField(row, 'sys_created_on'),
            createdBy: text(row.sys_created_by)
        };
    }

    async listAttachments(incidentSysIds: readonly string[]): Promise<IncidentAttachment[]> {
        const unique = [...new Set(incidentSysIds)].filter((id) => id !== '').map(inListValue);
        const attachments: IncidentAttachment[] = [];
        for (const chunk of chunks(unique, this.chunkSize)) {
            const rows = await this.list(
                '/api/now/attachment',
                `table_name=incident^table_sys_idIN${chunk.join(',')}^ORDERBYsys_created_on`,
                undefined
            );
            for (const row of rows) {
                attachments.push(await this.toAttachment(row));
            }
        }
        return attachments;
    }

    async attachmentsCreatedSince(since: string, limit: number, offset = 0): Promise<IncidentAttachment[]> {
        const rows = await this.list(
            '/api/now/attachment',
            `table_name=incident^sys_created_on>=${toGlideDateTime(since)}^ORDERBYsys_created_on^ORDERBYsys_id`,
            undefined,
            limit,
            offset
        );
        const attachments: IncidentAttachment[] = [];
        for (const row of rows) {
            attachments.push(await this.toAttachment(row));
        }
        return attachments;
    }

    async uploadAttachment(input: {
        readonly incidentSysId: string;
        readonly fileName: string;
        readonly contentType: string;
        readonly bytes: Uint8Array;
    }): Promise<IncidentAttachment> {
        const { result } = await this.http.json<RawRow>({
            method: 'POST',
            path: '/api/now/attachment/file',
            query: { table_name: 'incident', table_sys_id: input.incidentSysId, file_name: input.fileName },
            body: input.bytes,
            contentType: input.contentType || 'application/octet-stream'
        });
        const sha256 = createHash('sha256').update(input.bytes).digest('hex');
        const stored = (result.hash ?? '').toLowerCase();
        if (SHA256_HEX.test(stored) && stored !== sha256) {
            throw new ServiceNowApiError(
                'invalid-response',
                `ServiceNow stored ${input.fileName} with a different SHA-256 than was sent (${stored}, sent ${sha256})`
            );
        }
        return this.toAttachment({ ...result, hash: sha256 });
    }

    async userDisplayNames(userNames: readonly string[]): Promise<Map<string, string>> {
        const unique = [...new Set(userNames)].filter((name) => name !== '').map(inListValue);
        const names = new Map<string, string>();
        for (const chunk of chunks(unique, this.chunkSize)) {
            const rows = await this.list('/api/now/table/sys_user', `user_nameIN${chunk.join(',')}`, 'user_name,name');
            for (const row of rows) {
                if (row.user_name && row.name) {
                    names.set(row.user_name, row.name);
                }
            }
        }
        return names;
    }

    async downloadAttachment(attachmentSysId: string): Promise<Buffer> {
        const answer = await this.http.request({
            method: 'GET',
            path: `/api/now/attachment/${encodeURIComponent(attachmentSysId)}/file`,
            accept: '*/*'
        });
        return answer.body;
    }
}
