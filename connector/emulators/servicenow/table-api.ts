// The Table API (`/api/now/table/{table}` and `/api/now/v1/table/{table}`): GET list and by sys_id
// on incident, sys_journal_field, sys_attachment and sys_user; POST and PATCH (and PUT, which acts
// as PATCH) on incident only. Answers `{"result": ...}` with every value a string, as
// sysparm_display_value=false gives them; `true` adds the journal text of journal fields, `all`
// gives `{display_value, value}` pairs.
import type { ParsedQuery, Row } from './encoded-query.ts';
import { InvalidQueryField, parseEncodedQuery, select } from './encoded-query.ts';
import { SnApiError, noRecord } from './errors.ts';
import type { Instance } from './instance.ts';
import { TABLE_FIELDS } from './instance.ts';
import { page } from './paging.ts';
import type { Json, RestRequest, RestResponse } from './rest-types.ts';

const DEFAULT_LIMIT = 10000;
const WRITABLE_TABLES = new Set(['incident']);
const REFERENCES: Record<string, Record<string, string>> = {
    incident: {
        caller_id: 'sys_user',
        opened_by: 'sys_user',
        assigned_to: 'sys_user',
        assignment_group: 'sys_user_group'
    }
};

export interface TableApiOptions {
    /** Refuse a condition on an unknown field instead of ignoring it (glide.invalid_query.returns_no_rows). */
    readonly strictQueries: boolean;
}

export class TableApi {
    private readonly instance: Instance;
    private readonly options: TableApiOptions;

    constructor(instance: Instance, options: TableApiOptions) {
        this.instance = instance;
        this.options = options;
    }

    handle(request: RestRequest, table: string, sysId: string | undefined): RestResponse {
        const rows = this.instance.tables[table];
        if (!rows) {
            throw new SnApiError(400, `Invalid table ${table}`);
        }
        const method = request.method;
        if (method === 'GET') {
            return sysId === undefined ? this.list(request, table) : this.one(request, table, sysId);
        }
        if (!WRITABLE_TABLES.has(table)) {
            throw new SnApiError(
                403,
                'Operation Failed',
                `ACL Exception ${method === 'POST' ? 'Insert' : 'Update'} Failed due to security constraints`
            );
        }
        if (method === 'POST' && sysId === undefined) {
            const row = this.instance.createIncident(request.user.userName, this.bodyObject(request));
            return this.written(request, table, row, 201);
        }
        if ((method === 'PATCH' || method === 'PUT') && sysId !== undefined) {
            const row = this.instance.updateIncident(request.user.userName, sysId, this.bodyObject(request));
            if (!row) {
                throw noRecord();
            }
            return this.written(request, table, row, 200);
        }
        if (method === 'DELETE' && sysId !== undefined) {
            throw new SnApiError(403, 'Operation Failed', 'ACL Exception Delete Failed due to security constraints');
        }
        throw new SnApiError(405, 'Method not Supported', `${method} is not supported for this resource`);
    }

    private bodyObject(request: RestRequest): Record<string, unknown> {
        let parsed: unknown;
        try {
            parsed = JSON.parse(request.body.toString('utf8') || 'null');
        } catch {
            throw new SnApiError(400, 'Exception while reading request', 'The payload is not valid JSON.');
        }
        // Only the first record of an array is written, as the instance does.
        const record = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
        if (typeof record !== 'object' || record === null) {
            throw new SnApiError(400, 'Exception while reading request', 'The payload is not a JSON object.');
        }
        return record as Record<string, unknown>;
    }

    private written(request: RestRequest, table: string, row: Row, status: number): RestResponse {
        const headers = { Location: `${request.baseUrl}/api/now/table/${table}/${row.sys_id}` };
        if (request.noResponseBody) {
            return { status: 204, headers };
        }
        return { status, body: { result: this.render(request, table, row) }, headers };
    }

    private query(request: RestRequest, table: string): ParsedQuery {
        try {
            return parseEncodedQuery(
                request.url.searchParams.get('sysparm_query') ?? '',
                TABLE_FIELDS[table],
                this.options.strictQueries
            );
        } catch (error) {
            if (error instanceof InvalidQueryField) {
                throw new SnApiError(400, 'Invalid query', error.message);
            }
            throw error;
        }
    }

    private list(request: RestRequest, table: string): RestResponse {
        const selected = select(this.instance.tables[table].values(), this.query(request, table));
        const { items, headers } = page(selected, request.url, request.baseUrl, DEFAULT_LIMIT);
        return { status: 200, body: { result: items.map((row) => this.render(request, table, row)) }, headers };
    }

    private one(request: RestRequest, table: string, sysId: string): RestResponse {
        const row = this.instance.tables[table].get(sysId);
        if (!row) {
            throw noRecord();
        }
        return { status: 200, body: { result: this.render(request, table, row) } };
    }

    render(request: RestRequest, table: string, row: Row): { [key: string]: Json } {
        const params = request.url.searchParams;
        const display = (params.get('sysparm_display_value') ?? 'false').toLowerCase();
        const excludeLinks = params.get('sysparm_exclude_reference_link') === 'true';
        const requested = (params.get('sysparm_fields') ?? '')
            .split(',')
            .map((field) => field.trim())
            .filter((field) => field !== '');
        const fields =
            requested.length > 0 ? requested.filter((field) => TABLE_FIELDS[table].has(field)) : Object.keys(row);
        const rendered: { [key: string]: Json } = {};
        for (const field of fields) {
            const value = row[field] ?? '';
            // The stored value of a journal field is always empty; its display value is the journal.
            const displayValue = this.instance.isJournalField(table, field)
                ? this.instance.journalText(row.sys_id, field)
                : value;
            const actual = this.instance.isJournalField(table, field) ? '' : value;
            const referenced = REFERENCES[table]?.[field];
            if (display === 'all') {
                rendered[field] = { display_value: displayValue, value: actual };
            } else if (display === 'true') {
                rendered[field] = displayValue;
            } else if (referenced && actual !== '' && !excludeLinks) {
                rendered[field] = { link: `${request.baseUrl}/api/now/table/${referenced}/${actual}`, value: actual };
            } else {
                rendered[field] = actual;
            }
        }
        return rendered;
    }
}
