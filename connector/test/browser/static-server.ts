// A small server for the browser tests: the console bundle as static files and, behind the same
// contract as the connector's admin API (POST /api/admin/<Class>/<method>, JSON params in, JSON
// return value out, `{ message }` on refusal, a bearer token on every call), whatever handler a
// test gives it. It lets the console's screens be driven without an org.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

export type AdminHandler = (className: string, methodName: string, params: Record<string, unknown>) => unknown;

/** A refusal with the HTTP status and message the admin API would answer. */
export class AdminRefusal extends Error {
    constructor(
        message: string,
        readonly status = 400
    ) {
        super(message);
    }
}

export interface StaticServer {
    /** The console's address, without the token. */
    readonly url: string;
    close(): Promise<void>;
}

const TYPES: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png'
};

function send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const value: unknown = text === '' ? {} : JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new AdminRefusal('The request body must be a JSON object.');
    }
    return value as Record<string, unknown>;
}

async function serveApi(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    token: string,
    api: AdminHandler
): Promise<void> {
    const match = /^\/api\/admin\/(\w+)\/(\w+)$/.exec(path);
    if (request.method !== 'POST' || match === null) {
        send(response, 404, { message: `No admin method at ${request.method} ${path}.` });
        return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
        send(response, 401, { message: 'The admin token is missing or wrong.' });
        return;
    }
    try {
        const result = await api(match[1], match[2], await readJson(request));
        send(response, 200, result ?? null);
    } catch (error) {
        const status = error instanceof AdminRefusal ? error.status : 500;
        send(response, status, { message: error instanceof Error ? error.message : String(error) });
    }
}

async function serveFile(response: ServerResponse, staticDir: string, path: string): Promise<void> {
    const relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
    const file = join(staticDir, relative);
    if (relative.startsWith('..') || !file.startsWith(staticDir + sep)) {
        response.writeHead(404).end();
        return;
    }
    try {
        const body = await readFile(file);
        response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
        response.end(body);
    } catch {
        response.writeHead(404).end();
    }
}

export async function startStaticServer(options: {
    staticDir: string;
    token: string;
    api: AdminHandler;
}): Promise<StaticServer> {
    const server = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        const done = path.startsWith('/api/')
            ? serveApi(request, response, path, options.token, options.api)
            : serveFile(response, options.staticDir, path);
        done.catch((error: unknown) => {
            if (!response.headersSent) {
                send(response, 500, { message: String(error) });
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            })
    };
}
