// The console outside Salesforce, served by the connector: the console's browser build as static
// files, and the admin API its components call instead of Apex:
//
//   POST /api/admin/<Apex class>/<method>   JSON params in, the method's JSON return value out
//                                           (null for a void method); {"message"} on a refusal
//
// Every API call needs `Authorization: Bearer <admin token>`; there is no way to run it without
// one. It listens on 127.0.0.1 unless told otherwise. The token is compared in constant time and
// never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { SalesforceApiError } from '../salesforce/errors.ts';
import { AdminError } from './errors.ts';
import { UnknownOperation } from './operations.ts';
import type { AdminApi } from './operations.ts';

/** Largest request body the admin API reads (the console's inputs are a few kilobytes). */
const MAX_BODY_BYTES = 256 * 1024;
/** Shortest admin token accepted. */
export const MIN_TOKEN_LENGTH = 16;

const TYPES: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff'
};

const COMMON_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY'
};

/** The page may load only its own files; SLDS and the components' styles are inline style elements. */
const CONTENT_SECURITY_POLICY =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface AdminServerOptions {
    /** The console's browser build (index.html, app.js, assets/). */
    readonly staticDir: string;
    readonly token: string;
    readonly api: AdminApi;
    /** Default 127.0.0.1. */
    readonly host?: string;
    /** Default 0: any free port. */
    readonly port?: number;
    /** Told about failures that are not the admin's mistake (never the token, never a body). */
    readonly log?: (message: string) => void;
}

export interface AdminServer {
    /** The console's address, without the token. */
    readonly url: string;
    close(): Promise<void>;
}

class HttpRefusal extends Error {
    constructor(
        readonly status: number,
        message: string
    ) {
        super(message);
    }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, {
        ...COMMON_HEADERS,
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store'
    });
    response.end(JSON.stringify(body));
}

function digest(value: string): Buffer {
    return createHash('sha256').update(value, 'utf8').digest();
}

async function readParams(request: IncomingMessage): Promise<Record<string, unknown>> {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
        throw new HttpRefusal(415, 'Send the parameters as JSON (Content-Type: application/json).');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
            throw new HttpRefusal(413, `The request is too large (more than ${MAX_BODY_BYTES / 1024} KB).`);
        }
        chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let value: unknown;
    try {
        value = text === '' ? {} : JSON.parse(text);
    } catch {
        throw new HttpRefusal(400, 'The request body is not valid JSON.');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new HttpRefusal(400, 'The request body must be a JSON object of parameters.');
    }
    return value as Record<string, unknown>;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
    if (options.token.length < MIN_TOKEN_LENGTH) {
        throw new Error(`The admin token must be at least ${MIN_TOKEN_LENGTH} characters long.`);
    }
    const expected = digest(`Bearer ${options.token}`);
    const staticDir = normalize(options.staticDir);
    const log = options.log ?? (() => undefined);

    const authorized = (request: IncomingMessage): boolean => {
        const given = request.headers.authorization;
        return typeof given === 'string' && timingSafeEqual(digest(given), expected);
    };

    const serveApi = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
        const match = /^\/api\/admin\/([A-Za-z_]\w*)\/([A-Za-z_]\w*)$/.exec(path);
        if (match === null) {
            sendJson(response, 404, { message: `There is no admin API at ${path}.` });
            return;
        }
        if (request.method !== 'POST') {
            response.setHeader('Allow', 'POST');
            sendJson(response, 405, { message: 'The admin API takes POST requests only.' });
            return;
        }
        if (!authorized(request)) {
            sendJson(response, 401, {
                message: 'The admin token is missing or wrong. Open the console through the link the connector printed.'
            });
            return;
        }
        try {
            const params = await readParams(request);
            const result = await options.api(match[1], match[2], params);
            sendJson(response, 200, result ?? null);
        } catch (error) {
            if (error instanceof AdminError) {
                sendJson(response, error.status, { message: error.message });
            } else if (error instanceof HttpRefusal) {
                sendJson(response, error.status, { message: error.message });
            } else if (error instanceof UnknownOperation) {
                sendJson(response, 404, { message: error.message });
            } else if (error instanceof SalesforceApiError) {
                log(`${match[1]}.${match[2]}: Salesforce refused a request (${error.code})`);
                sendJson(response, 502, { message: `Salesforce refused the request: ${error.message}` });
            } else {
                log(`${match[1]}.${match[2]} failed: ${(error as Error).message}`);
                sendJson(response, 500, { message: `The connector failed: ${(error as Error).message}` });
            }
        }
    };

    const serveFile = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
            response.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD' }).end();
            return;
        }
        let relative: string;
        try {
            relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
        } catch {
            response.writeHead(400, COMMON_HEADERS).end();
            return;
        }
        const file = join(staticDir, relative);
        if (relative.startsWith('..') || !file.startsWith(staticDir + sep)) {
            response.writeHead(404, COMMON_HEADERS).end();
            return;
        }
        let body: Buffer;
        try {
            body = await readFile(file);
        } catch {
            response.writeHead(404, COMMON_HEADERS).end();
            return;
        }
        response.writeHead(200, {
            ...COMMON_HEADERS,
            'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
            'Content-Security-Policy': CONTENT_SECURITY_POLICY,
            'Cache-Control': extname(file) === '.html' ? 'no-store' : 'no-cache'
        });
        response.end(request.method === 'HEAD' ? undefined : body);
    };

    const server = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        const done = path.startsWith('/api/') ? serveApi(request, response, path) : serveFile(request, response, path);
        done.catch((error: unknown) => {
            log(`request failed: ${(error as Error).message}`);
            if (!response.headersSent) {
                sendJson(response, 500, { message: 'The connector failed to answer.' });
            } else {
                response.destroy();
            }
        });
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return {
        url: `http://${shownHost}:${port}/`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            })
    };
}
