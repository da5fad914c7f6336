// HTTP routing of the emulator, on 127.0.0.1 only:
//   POST /oauth_token.do                       OAuth token endpoint (not a REST call)
//   *    /api/now[/v1]/table/{table}[/{sys_id}] Table API
//   *    /api/now[/v1]/attachment/**            Attachment API
// Every /api/now request that authenticates is a counted REST call (per user), rate-limited when a
// rule is set. Bodies over the request size limit are answered 413 after being read to the end, so
// that the client sees the answer instead of a reset connection.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AttachmentApi } from './attachment-api.ts';
import type { Auth } from './auth.ts';
import { SnApiError, notAuthenticated } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Json, RestResponse } from './rest-types.ts';
import type { TableApi } from './table-api.ts';

const JSON_TYPE = 'application/json;charset=UTF-8';

export interface FaultMatch {
    method?: string;
    pathIncludes?: string;
}

export interface FaultResponse {
    status: number;
    body?: Json;
    headers?: Record<string, string>;
}

export interface ServerDeps {
    auth: Auth;
    tableApi: TableApi;
    attachmentApi: AttachmentApi;
    rateLimiter: RateLimiter;
    maxRequestBodyBytes: number;
    maxAttachmentBytes: number;
}

function readBody(request: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        request.on('data', (chunk: Buffer) => {
            size += chunk.length;
            // Past the limit the rest is read and dropped, never kept in memory.
            if (size <= limit) {
                chunks.push(chunk);
            }
        });
        request.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }));
        request.on('error', reject);
    });
}

function send(response: ServerResponse, answer: RestResponse): void {
    if (response.headersSent || response.destroyed) {
        return;
    }
    const body = answer.body;
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    response.writeHead(answer.status, {
        ...(payload === undefined
            ? {}
            : { 'Content-Type': answer.contentType ?? JSON_TYPE, 'Content-Length': String(payload.length) }),
        ...answer.headers
    });
    response.end(payload);
}

export class EmulatorServer {
    private readonly deps: ServerDeps;
    private readonly server: Server;
    private readonly sockets = new Set<Socket>();
    private readonly faults: { match: FaultMatch; response: FaultResponse }[] = [];
    private readonly calls = new Map<string, number>();
    private tokens = 0;
    private port = 0;

    constructor(deps: ServerDeps) {
        this.deps = deps;
        this.server = createServer((request, response) => {
            void this.handle(request, response);
        });
        this.server.on('connection', (socket: Socket) => {
            this.sockets.add(socket);
            socket.on('close', () => this.sockets.delete(socket));
        });
    }

    listen(port: number): Promise<number> {
        return new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(port, '127.0.0.1', () => {
                const address = this.server.address();
                this.port = typeof address === 'object' && address ? address.port : port;
                resolve(this.port);
            });
        });
    }

    close(): Promise<void> {
        return new Promise((resolve) => {
            this.server.close(() => resolve());
            for (const socket of this.sockets) {
                socket.destroy();
            }
            this.server.closeAllConnections();
        });
    }

    failNext(match: FaultMatch, response: FaultResponse): void {
        this.faults.push({ match, response });
    }

    apiCalls(userName?: string): number {
        if (userName !== undefined) {
            return this.calls.get(userName) ?? 0;
        }
        return [...this.calls.values()].reduce((sum, count) => sum + count, 0);
    }

    resetApiCalls(): void {
        this.calls.clear();
        this.tokens = 0;
    }

    tokenRequests(): number {
        return this.tokens;
    }

    private takeFault(method: string, url: string): FaultResponse | undefined {
        const index = this.faults.findIndex(
            ({ match }) =>
                (!match.method || match.method.toUpperCase() === method) &&
                (!match.pathIncludes || url.includes(match.pathIncludes))
        );
        return index === -1 ? undefined : this.faults.splice(index, 1)[0].response;
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        try {
            const method = (request.method ?? 'GET').toUpperCase();
            const url = new URL(request.url ?? '/', 'http://127.0.0.1');
            const path = url.pathname;
            const isUpload = /^\/api\/now(\/v1)?\/attachment\/file$/.test(path);
            const { body, tooLarge } = await readBody(
                request,
                isUpload ? this.deps.maxAttachmentBytes : this.deps.maxRequestBodyBytes
            );
            const fault = this.takeFault(method, `${path}${url.search}`);
            if (fault) {
                send(response, fault);
                return;
            }
            if (path === '/oauth_token.do' && method === 'POST') {
                this.tokens++;
                const answer = this.deps.auth.token(new URLSearchParams(body.toString('utf8')));
                send(response, {
                    status: answer.status,
                    body: answer.body as Json,
                    headers: { 'Cache-Control': 'no-store' }
                });
                return;
            }
            const api = /^\/api\/now(?:\/v1)?\/(table|attachment)(\/.*)?$/.exec(path);
            if (!api) {
                throw new SnApiError(400, 'Requested URI does not represent any resource', path);
            }
            const user = this.deps.auth.authenticate(request.headers.authorization);
            if (!user) {
                const error = notAuthenticated();
                send(response, {
                    status: 401,
                    body: error.body() as unknown as Json,
                    headers: { 'WWW-Authenticate': 'BASIC realm="Service-now"' }
                });
                return;
            }
            this.calls.set(user.userName, (this.calls.get(user.userName) ?? 0) + 1);
            const limitHeaders = this.deps.rateLimiter.admit(user.userName);
            if (tooLarge) {
                throw new SnApiError(
                    413,
                    'Request entity too large',
                    `The request body is larger than the limit of ${isUpload ? this.deps.maxAttachmentBytes : this.deps.maxRequestBodyBytes} bytes`
                );
            }
            const restRequest = {
                method,
                url,
                body,
                contentType: request.headers['content-type'],
                user,
                noResponseBody: String(request.headers['x-no-response-body'] ?? '') === 'true',
                baseUrl: `http://127.0.0.1:${this.port}`
            };
            const rest = api[2] ?? '';
            let answer: RestResponse;
            if (api[1] === 'table') {
                const parts = /^\/([a-z0-9_]+)(?:\/([^/]+))?\/?$/.exec(rest);
                if (!parts) {
                    throw new SnApiError(400, 'Requested URI does not represent any resource', path);
                }
                answer = this.deps.tableApi.handle(restRequest, parts[1], parts[2]);
            } else {
                answer = this.deps.attachmentApi.handle(restRequest, rest);
            }
            send(response, { ...answer, headers: { ...limitHeaders, ...answer.headers } });
        } catch (error) {
            if (error instanceof SnApiError) {
                send(response, { status: error.status, body: error.body() as unknown as Json, headers: error.headers });
                return;
            }
            const message = error instanceof Error ? error.message : String(error);
            send(response, {
                status: 500,
                body: {
                    error: { message: 'Internal server error in the ServiceNow emulator', detail: message },
                    status: 'failure'
                }
            });
        }
    }
}
