// The adapter's HTTP transport to one ServiceNow instance over Node's fetch: basic auth, or OAuth
// (password grant, refreshed once on a 401 before the request is retried), 429 answers waited out
// as Retry-After asks (bounded), ServiceNow error bodies turned into ServiceNowApiError, and every
// /api/now request counted, retries included (token requests are not REST API calls).
import { Buffer } from 'node:buffer';
import { ServiceNowApiError, kindOfStatus } from './errors.ts';

export type ServiceNowAuth =
    | { readonly kind: 'basic'; readonly userName: string; readonly password: string }
    | {
          readonly kind: 'oauth';
          readonly userName: string;
          readonly password: string;
          readonly clientId: string;
          readonly clientSecret: string;
      };

export interface HttpClientOptions {
    /** `https://<instance>.service-now.com`. */
    readonly instanceUrl: string;
    readonly auth: ServiceNowAuth;
    /** Retries of a request answered 429, default 3. */
    readonly maxRateLimitRetries?: number;
    /** Longest single wait for Retry-After, default 60 s; a longer ask fails at once. */
    readonly maxRetryAfterMs?: number;
    /** Per-request timeout, default 60 s. */
    readonly timeoutMs?: number;
    /** Injected in tests. */
    readonly sleep?: (ms: number) => Promise<void>;
}

export interface HttpRequest {
    readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    /** `/api/now/table/incident`. */
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly json?: unknown;
    readonly body?: Uint8Array;
    readonly contentType?: string;
    readonly accept?: string;
}

export interface HttpAnswer {
    readonly status: number;
    /** The Authorization header the request went with (never logged). */
    readonly authorization: string;
    readonly headers: Headers;
    readonly body: Buffer;
}

interface Tokens {
    accessToken: string;
    refreshToken: string | undefined;
}

function retryAfterMs(header: string | null): number | undefined {
    if (header === null) {
        return undefined;
    }
    if (/^\d+$/.test(header.trim())) {
        return Number(header.trim()) * 1000;
    }
    const at = Date.parse(header);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function serviceNowError(body: Buffer): { message: string; detail: string | null } | undefined {
    try {
        const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown; detail?: unknown } };
        if (parsed.error && typeof parsed.error === 'object') {
            return {
                message: typeof parsed.error.message === 'string' ? parsed.error.message : 'error',
                detail: typeof parsed.error.detail === 'string' ? parsed.error.detail : null
            };
        }
    } catch {
        // Not JSON: a proxy or load balancer answered.
    }
    return undefined;
}

export class ServiceNowHttpClient {
    private readonly options: HttpClientOptions;
    private readonly baseUrl: string;
    private readonly sleep: (ms: number) => Promise<void>;
    private tokens: Tokens | undefined;
    private tokenRequest: Promise<Tokens> | undefined;
    private calls = 0;

    constructor(options: HttpClientOptions) {
        this.options = options;
        this.baseUrl = options.instanceUrl.replace(/\/+$/, '');
        this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    }

    get apiCalls(): number {
        return this.calls;
    }

    get userName(): string {
        return this.options.auth.userName;
    }

    async request(request: HttpRequest): Promise<HttpAnswer> {
        const maxRetries = this.options.maxRateLimitRetries ?? 3;
        const maxWait = this.options.maxRetryAfterMs ?? 60_000;
        let refreshed = false;
        for (let attempt = 0; ; attempt++) {
            const answer = await this.send(request);
            if (answer.status === 401 && this.options.auth.kind === 'oauth' && !refreshed) {
                refreshed = true;
                await this.renewTokens(answer.authorization);
                continue;
            }
            if (answer.status === 429) {
                const wait = retryAfterMs(answer.headers.get('retry-after')) ?? 1000;
                if (attempt < maxRetries && wait <= maxWait) {
                    await this.sleep(wait);
                    continue;
                }
                throw this.failure(request, answer, Math.ceil(wait / 1000));
            }
            if (answer.status >= 400) {
                throw this.failure(request, answer, undefined);
            }
            return answer;
        }
    }

    async json<T>(request: HttpRequest): Promise<{ result: T; headers: Headers }> {
        const answer = await this.request(request);
        try {
            const parsed = JSON.parse(answer.body.toString('utf8')) as { result?: T };
            if (parsed.result === undefined) {
                throw new Error('no result');
            }
            return { result: parsed.result, headers: answer.headers };
        } catch (cause) {
            throw new ServiceNowApiError(
                'invalid-response',
                `ServiceNow ${request.method} ${request.path} answered ${answer.status} without a JSON result`,
                { status: answer.status, cause }
            );
        }
    }

    private failure(
        request: HttpRequest,
        answer: HttpAnswer,
        retryAfterSeconds: number | undefined
    ): ServiceNowApiError {
        const said = serviceNowError(answer.body);
        const what = said ? `${said.message}${said.detail ? ` (${said.detail})` : ''}` : `HTTP ${answer.status}`;
        const hint =
            answer.status === 401
                ? ` Check the user name and password of ${this.options.auth.userName}.`
                : retryAfterSeconds !== undefined
                  ? ` The instance asked to wait ${retryAfterSeconds} s.`
                  : '';
        return new ServiceNowApiError(
            kindOfStatus(answer.status),
            `ServiceNow ${request.method} ${request.path} answered ${answer.status}: ${what}.${hint}`,
            { status: answer.status, detail: said?.detail ?? null, retryAfterSeconds }
        );
    }

    private async authorization(): Promise<string> {
        const auth = this.options.auth;
        if (auth.kind === 'basic') {
            return `Basic ${Buffer.from(`${auth.userName}:${auth.password}`, 'utf8').toString('base64')}`;
        }
        this.tokens ??= await this.obtainTokens('password');
        return `Bearer ${this.tokens.accessToken}`;
    }

    /** Renews the tokens unless a concurrent request already replaced the refused one. */
    private async renewTokens(refused: string): Promise<void> {
        const previous = this.tokens;
        if (previous && `Bearer ${previous.accessToken}` !== refused) {
            return;
        }
        this.tokens = undefined;
        if (previous?.refreshToken) {
            try {
                this.tokens = await this.obtainTokens('refresh_token', previous.refreshToken);
                return;
            } catch (error) {
                // An expired or revoked refresh token: log in again with the password grant.
                if (!(error instanceof ServiceNowApiError) || error.kind !== 'authentication') {
                    throw error;
                }
            }
        }
        this.tokens = await this.obtainTokens('password');
    }

    private obtainTokens(grant: 'password' | 'refresh_token', refreshToken?: string): Promise<Tokens> {
        // Concurrent requests share one token request.
        this.tokenRequest ??= this.tokenCall(grant, refreshToken).finally(() => {
            this.tokenRequest = undefined;
        });
        return this.tokenRequest;
    }

    private async tokenCall(grant: 'password' | 'refresh_token', refreshToken?: string): Promise<Tokens> {
        const auth = this.options.auth;
        if (auth.kind !== 'oauth') {
            throw new Error('OAuth tokens are only used with OAuth authentication');
        }
        const form = new URLSearchParams({
            grant_type: grant,
            client_id: auth.clientId,
            client_secret: auth.clientSecret
        });
        if (grant === 'password') {
            form.set('username', auth.userName);
            form.set('password', auth.password);
        } else {
            form.set('refresh_token', refreshToken ?? '');
        }
        let response: Response;
        try {
            response = await fetch(`${this.baseUrl}/oauth_token.do`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
                body: form.toString(),
                signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000)
            });
        } catch (cause) {
            throw new ServiceNowApiError(
                'network',
                `ServiceNow token request to ${this.baseUrl} failed: ${String(cause)}`,
                {
                    cause
                }
            );
        }
        const text = await response.text();
        let parsed: { access_token?: unknown; refresh_token?: unknown; error?: unknown; error_description?: unknown } =
            {};
        try {
            parsed = JSON.parse(text) as typeof parsed;
        } catch {
            // Reported below as an answer without a token.
        }
        if (!response.ok || typeof parsed.access_token !== 'string') {
            const said =
                typeof parsed.error_description === 'string' ? parsed.error_description : `HTTP ${response.status}`;
            throw new ServiceNowApiError(
                response.status === 401 || response.status === 400 ? 'authentication' : kindOfStatus(response.status),
                `ServiceNow OAuth ${grant} grant for ${auth.userName} was refused (${response.status}: ${said}). Check the OAuth client and the user's credentials.`,
                { status: response.status }
            );
        }
        return {
            accessToken: parsed.access_token,
            refreshToken: typeof parsed.refresh_token === 'string' ? parsed.refresh_token : undefined
        };
    }

    private async send(request: HttpRequest): Promise<HttpAnswer> {
        const url = new URL(`${this.baseUrl}${request.path}`);
        for (const [name, value] of Object.entries(request.query ?? {})) {
            url.searchParams.set(name, value);
        }
        const authorization = await this.authorization();
        const headers: Record<string, string> = {
            Authorization: authorization,
            Accept: request.accept ?? 'application/json'
        };
        let body: Uint8Array | string | undefined;
        if (request.json !== undefined) {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(request.json);
        } else if (request.body !== undefined) {
            headers['Content-Type'] = request.contentType ?? 'application/octet-stream';
            body = request.body;
        }
        this.calls++;
        try {
            const response = await fetch(url, {
                method: request.method,
                headers,
                body,
                signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000)
            });
            return {
                status: response.status,
                authorization,
                headers: response.headers,
                body: Buffer.from(await response.arrayBuffer())
            };
        } catch (cause) {
            throw new ServiceNowApiError(
                'network',
                `ServiceNow ${request.method} ${request.path} could not reach ${this.baseUrl}: ${cause instanceof Error ? cause.message : String(cause)}`,
                { cause }
            );
        }
    }
}
