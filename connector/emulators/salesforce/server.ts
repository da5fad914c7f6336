// HTTP routing of the emulator, on 127.0.0.1:
//   POST /services/oauth2/token          OAuth token endpoint (not an API call)
//   POST /services/oauth2/revoke         token revocation
//   GET  /id/<orgId>/<userId>            identity URL (jsforce identity())
//   GET  /services/data                  versions (no session needed, not an API call)
//   *    /services/data/vXX.X/**         REST API (one API call each)
//   *    /services/apexrest/**           Apex REST (one API call each)
//   POST /cometd/<version>               Streaming API (CometD, not an API call)
// Counted responses carry Sforce-Limit-Info. Every socket is tracked so close() ends them all,
// long-polls included.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { apexRest } from './apexrest.ts';
import type { Auth } from './auth.ts';
import { ApiError } from './errors.ts';
import type { Json } from './json.ts';
import { parseJson } from './json.ts';
import type { ApiUsage } from './limits.ts';
import type { Org } from './org.ts';
import type { QueryCursors } from './query-resource.ts';
import type { RestRequest, RestResponse } from './rest-context.ts';
import { route } from './router.ts';
import type { Streaming } from './streaming.ts';

export interface FaultMatch {
    method?: string;
    pathIncludes?: string;
}

export interface FaultResponse {
    status: number;
    body?: Json;
    headers?: Record<string, string>;
}

interface Fault {
    match: FaultMatch;
    response: FaultResponse;
}

export interface ServerDeps {
    org: Org;
    auth: Auth;
    streaming: Streaming;
    apiUsage: ApiUsage;
    cursors: QueryCursors;
    firstApiVersion: number;
    latestApiVersion: number;
    identityUrl(userId: string): string;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const SEASONS = ['Winter', 'Summer', 'Spring'];

/** `[{"label":"Winter '26","url":"/services/data/v65.0","version":"65.0"}, ...]`, oldest first. */
function versions(first: number, latest: number): Json {
    const list: Json[] = [];
    for (let version = first; version <= latest; version++) {
        // v65.0 is Winter '26; three releases a year (Winter, Spring, Summer).
        const back = 65 - version;
        const season = SEASONS[((back % 3) + 3) % 3];
        const year = 26 - Math.floor((back + 2) / 3);
        list.push({
            label: `${season} '${String(year).padStart(2, '0')}`,
            url: `/services/data/v${version}.0`,
            version: `${version}.0`
        });
    }
    return list;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => resolve(Buffer.concat(chunks)));
        request.on('error', reject);
    });
}

function send(
    response: ServerResponse,
    status: number,
    body: Json | Buffer | undefined,
    headers: Record<string, string> = {},
    contentType = JSON_TYPE
): void {
    if (response.headersSent || response.destroyed) {
        return;
    }
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    response.writeHead(status, {
        ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': String(payload.length) }),
        ...headers
    });
    response.end(payload);
}

export class EmulatorServer {
    private readonly deps: ServerDeps;
    private readonly server: Server;
    private readonly sockets = new Set<Socket>();
    private readonly faults: Fault[] = [];

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
                resolve(typeof address === 'object' && address ? address.port : port);
            });
        });
    }

    close(): Promise<void> {
        this.deps.streaming.close();
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

    private takeFault(method: string, url: string): Fault | undefined {
        const index = this.faults.findIndex(
            (fault) =>
                (!fault.match.method || fault.match.method.toUpperCase() === method) &&
                (!fault.match.pathIncludes || url.includes(fault.match.pathIncludes))
        );
        return index === -1 ? undefined : this.faults.splice(index, 1)[0];
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        try {
            const raw = await readBody(request);
            const method = (request.method ?? 'GET').toUpperCase();
            const url = new URL(request.url ?? '/', 'http://127.0.0.1');
            const path = url.pathname;
            const fault = this.takeFault(method, `${path}${url.search}`);
            if (fault) {
                const body = fault.response.body;
                if (typeof body === 'string') {
                    send(
                        response,
                        fault.response.status,
                        Buffer.from(body),
                        fault.response.headers,
                        'text/plain;charset=UTF-8'
                    );
                } else {
                    send(response, fault.response.status, body, fault.response.headers);
                }
                return;
            }
            if (path === '/services/oauth2/token' && method === 'POST') {
                const answer = this.deps.auth.token(new URLSearchParams(raw.toString('utf8')));
                send(response, answer.status, answer.body, {
                    'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private'
                });
                return;
            }
            if (path === '/services/oauth2/revoke') {
                const token =
                    new URLSearchParams(raw.toString('utf8')).get('token') ?? url.searchParams.get('token') ?? '';
                this.deps.auth.expire(token);
                send(response, 200, undefined);
                return;
            }
            if (/^\/id\/[^/]+\/[^/]+$/.test(path)) {
                this.identity(request, response, url);
                return;
            }
            if (/^\/services\/data\/?$/.test(path)) {
                send(response, 200, versions(this.deps.firstApiVersion, this.deps.latestApiVersion));
                return;
            }
            if (/^\/cometd\/\d+\.\d(\/.*)?$/.test(path) && method === 'POST') {
                await this.cometd(request, response, raw);
                return;
            }
            const data = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(path);
            const apex = /^\/services\/apexrest\/(.*)$/.exec(path);
            if (data || apex) {
                this.api(request, response, method, url, raw, data, apex);
                return;
            }
            send(response, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
        } catch (error) {
            process.stderr.write(
                `salesforce emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
            );
            send(response, 500, [
                {
                    errorCode: 'UNKNOWN_EXCEPTION',
                    message:
                        'An unexpected error occurred. Please include this ErrorId if you contact support: emulator'
                }
            ]);
        }
    }

    private identity(request: IncomingMessage, response: ServerResponse, url: URL): void {
        const session =
            this.deps.auth.session(request.headers.authorization) ??
            this.deps.auth.sessionOfToken(url.searchParams.get('oauth_token') ?? '');
        if (!session) {
            send(response, 403, Buffer.from('Bad_OAuth_Token'), {}, 'text/plain;charset=UTF-8');
            return;
        }
        const user = this.deps.org.get(session.userId);
        const instance = this.deps.auth.instanceUrl;
        const version = this.deps.latestApiVersion;
        send(response, 200, {
            id: this.deps.auth.identityUrl(session.userId),
            asserted_user: true,
            user_id: session.userId,
            organization_id: this.deps.org.orgId,
            username: typeof user?.Username === 'string' ? user.Username : null,
            nick_name: typeof user?.Alias === 'string' ? user.Alias : null,
            display_name: typeof user?.Name === 'string' ? user.Name : null,
            email: typeof user?.Email === 'string' ? user.Email : null,
            active: true,
            user_type: 'STANDARD',
            language: 'en_US',
            locale: 'en_US',
            utcOffset: 0,
            urls: {
                enterprise: `${instance}/services/Soap/c/{version}/${this.deps.org.orgId.slice(0, 15)}`,
                partner: `${instance}/services/Soap/u/{version}/${this.deps.org.orgId.slice(0, 15)}`,
                rest: `${instance}/services/data/v{version}/`,
                sobjects: `${instance}/services/data/v{version}/sobjects/`,
                query: `${instance}/services/data/v{version}/query/`,
                limits: `${instance}/services/data/v{version}/limits/`,
                profile: `${instance}/${session.userId}`,
                custom_domain: instance
            },
            is_app_installed: true,
            last_modified_date: `${new Date().toISOString().slice(0, 19)}Z`,
            is_lightning_login_user: false,
            latest_api_version: `${version}.0`
        });
    }

    private async cometd(request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<void> {
        const session = this.deps.auth.session(request.headers.authorization);
        let body: Json;
        try {
            body = parseJson(raw.toString('utf8') || '[]');
        } catch {
            send(response, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'The request body is not JSON' }]);
            return;
        }
        const answer = await this.deps.streaming.handle(body, session?.userId);
        send(response, answer.status, answer.messages);
    }

    private api(
        request: IncomingMessage,
        response: ServerResponse,
        method: string,
        url: URL,
        raw: Buffer,
        data: RegExpExecArray | null,
        apex: RegExpExecArray | null
    ): void {
        const session = this.deps.auth.session(request.headers.authorization);
        if (!session) {
            send(response, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], {
                'WWW-Authenticate': 'Token'
            });
            return;
        }
        const { apiUsage } = this.deps;
        if (!apiUsage.tryConsume()) {
            send(response, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
                'Sforce-Limit-Info': apiUsage.header()
            });
            return;
        }
        let answer: RestResponse;
        try {
            if (apex) {
                answer = apexRest(this.deps.org, method, apex[1], session.userId, raw);
            } else {
                const contentType = String(request.headers['content-type'] ?? '');
                let body: Json | undefined;
                if (raw.length > 0 && !contentType.startsWith('multipart/')) {
                    try {
                        body = parseJson(raw.toString('utf8'));
                    } catch (error) {
                        throw new ApiError(
                            400,
                            'JSON_PARSER_ERROR',
                            error instanceof Error ? error.message : 'Malformed JSON'
                        );
                    }
                }
                const headers: Record<string, string | undefined> = {};
                for (const [name, value] of Object.entries(request.headers)) {
                    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
                }
                const restRequest: RestRequest = {
                    method,
                    path: (data?.[2] ?? '').replace(/\/$/, ''),
                    query: url.searchParams,
                    headers,
                    body,
                    rawBody: raw,
                    contentType,
                    apiVersion: data?.[1] ?? '65.0',
                    userId: session.userId,
                    inComposite: false
                };
                const routed = route(this.deps, restRequest);
                if (routed.extraCalls > 0) {
                    apiUsage.tryConsume(Math.min(routed.extraCalls, apiUsage.max() - apiUsage.count()));
                }
                answer = routed.response;
            }
        } catch (error) {
            if (!(error instanceof ApiError)) {
                throw error;
            }
            answer = { status: error.status, body: error.body() };
        }
        send(
            response,
            answer.status,
            answer.body,
            { ...answer.headers, 'Sforce-Limit-Info': apiUsage.header() },
            answer.contentType
        );
    }
}
