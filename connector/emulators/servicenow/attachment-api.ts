// The Attachment API (`/api/now/attachment`): upload one file with a binary body
// (`POST /file?table_name=&table_sys_id=&file_name=`, Content-Type required), metadata list
// (sysparm_query over sys_attachment, default limit 1,000) and by sys_id, download
// (`GET /{sys_id}/file`, with X-Attachment-Metadata) and delete. Metadata carries `hash`, the
// SHA-256 of the content in hex.
import type { Row } from './encoded-query.ts';
import { InvalidQueryField, parseEncodedQuery, select } from './encoded-query.ts';
import { SnApiError } from './errors.ts';
import type { Instance } from './instance.ts';
import { TABLE_FIELDS } from './instance.ts';
import { page } from './paging.ts';
import type { Json, RestRequest, RestResponse } from './rest-types.ts';

const DEFAULT_LIMIT = 1000;

const missingAttachment = (): SnApiError =>
    new SnApiError(404, "Record doesn't exist or ACL restricts the record retrieval", null);

export class AttachmentApi {
    private readonly instance: Instance;
    private readonly maxAttachmentBytes: number;
    private readonly strictQueries: boolean;

    constructor(instance: Instance, options: { maxAttachmentBytes: number; strictQueries: boolean }) {
        this.instance = instance;
        this.maxAttachmentBytes = options.maxAttachmentBytes;
        this.strictQueries = options.strictQueries;
    }

    metadata(baseUrl: string, row: Row): { [key: string]: Json } {
        return { ...row, download_link: `${baseUrl}/api/now/attachment/${row.sys_id}/file` };
    }

    /** `rest` is the path after `/api/now/attachment`. */
    handle(request: RestRequest, rest: string): RestResponse {
        const method = request.method;
        if (rest === '/file' && method === 'POST') {
            return this.upload(request);
        }
        if ((rest === '' || rest === '/') && method === 'GET') {
            return this.list(request);
        }
        const match = /^\/([0-9a-f]{32})(\/file)?$/.exec(rest);
        if (!match) {
            throw new SnApiError(400, 'Requested URI does not represent any resource', request.url.pathname);
        }
        const [, sysId, file] = match;
        const row = this.instance.tables.sys_attachment.get(sysId);
        if (!row) {
            throw missingAttachment();
        }
        if (method === 'GET' && file) {
            const content = this.instance.attachmentContent(sysId) ?? Buffer.alloc(0);
            return {
                status: 200,
                body: content,
                contentType: row.content_type || 'application/octet-stream',
                headers: { 'X-Attachment-Metadata': JSON.stringify(this.metadata(request.baseUrl, row)) }
            };
        }
        if (method === 'GET') {
            return { status: 200, body: { result: this.metadata(request.baseUrl, row) } };
        }
        if (method === 'DELETE' && !file) {
            this.instance.deleteAttachment(sysId);
            return { status: 204 };
        }
        throw new SnApiError(405, 'Method not Supported', `${method} is not supported for this resource`);
    }

    private upload(request: RestRequest): RestResponse {
        const params = request.url.searchParams;
        const tableName = params.get('table_name') ?? '';
        const tableSysId = params.get('table_sys_id') ?? '';
        const fileName = params.get('file_name') ?? '';
        if (!tableName || !tableSysId || !fileName) {
            throw new SnApiError(400, 'Missing parameter', 'table_name, table_sys_id and file_name are required');
        }
        if (!request.contentType) {
            throw new SnApiError(400, 'Content-Type header is required', 'Specify the content type of the file');
        }
        if (request.body.length > this.maxAttachmentBytes) {
            throw new SnApiError(
                400,
                'Failed to create the attachment. File part might be missing in the request.',
                `The file is larger than the maximum attachment size of ${this.maxAttachmentBytes} bytes`
            );
        }
        const row = this.instance.attach(request.user.userName, {
            tableName,
            tableSysId,
            fileName,
            contentType: request.contentType.split(';')[0].trim(),
            bytes: request.body
        });
        return {
            status: 201,
            body: { result: this.metadata(request.baseUrl, row) },
            headers: { Location: `${request.baseUrl}/api/now/attachment/${row.sys_id}` }
        };
    }

    private list(request: RestRequest): RestResponse {
        let query;
        try {
            query = parseEncodedQuery(
                request.url.searchParams.get('sysparm_query') ?? '',
                TABLE_FIELDS.sys_attachment,
                this.strictQueries
            );
        } catch (error) {
            if (error instanceof InvalidQueryField) {
                throw new SnApiError(400, 'Invalid query', error.message);
            }
            throw error;
        }
        const selected = select(this.instance.tables.sys_attachment.values(), query);
        const { items, headers } = page(selected, request.url, request.baseUrl, DEFAULT_LIMIT);
        return { status: 200, body: { result: items.map((row) => this.metadata(request.baseUrl, row)) }, headers };
    }
}
