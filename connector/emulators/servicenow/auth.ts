// Authentication of the instance: basic auth on every REST call, or OAuth 2.0 bearer tokens from
// `POST /oauth_token.do` (grant_type password and refresh_token, for one registered OAuth client).
// Tokens expire after their lifetimes; expireAccessTokens() ends every access token at once.
import { randomBytes } from 'node:crypto';
import type { Instance, SnUser } from './instance.ts';
import type { Clock } from './time.ts';

export interface OAuthClient {
    readonly clientId: string;
    readonly clientSecret: string;
}

interface Token {
    userName: string;
    expiresAt: number;
}

export interface TokenAnswer {
    status: number;
    body: Record<string, unknown>;
}

export class Auth {
    private readonly instance: Instance;
    private readonly clock: Clock;
    private readonly accessTtlSeconds: number;
    private readonly refreshTtlSeconds: number;
    private readonly accessTokens = new Map<string, Token>();
    private readonly refreshTokens = new Map<string, Token>();
    readonly client: OAuthClient;

    constructor(
        instance: Instance,
        clock: Clock,
        options: { accessTokenTtlSeconds: number; refreshTokenTtlSeconds: number; client: OAuthClient }
    ) {
        this.instance = instance;
        this.clock = clock;
        this.accessTtlSeconds = options.accessTokenTtlSeconds;
        this.refreshTtlSeconds = options.refreshTokenTtlSeconds;
        this.client = options.client;
    }

    /** The user a request authenticates as, or undefined (the request is answered 401). */
    authenticate(authorization: string | undefined): SnUser | undefined {
        if (!authorization) {
            return undefined;
        }
        const basic = /^Basic\s+(.+)$/i.exec(authorization);
        if (basic) {
            const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            const user = colon === -1 ? undefined : this.instance.user(decoded.slice(0, colon));
            return user && user.password === decoded.slice(colon + 1) ? user : undefined;
        }
        const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
        if (bearer) {
            const token = this.accessTokens.get(bearer[1]);
            if (!token || token.expiresAt <= this.clock().getTime()) {
                return undefined;
            }
            return this.instance.user(token.userName);
        }
        return undefined;
    }

    token(params: URLSearchParams): TokenAnswer {
        const denied: TokenAnswer = {
            status: 401,
            body: { error_description: 'access_denied', error: 'server_error' }
        };
        if (
            params.get('client_id') !== this.client.clientId ||
            params.get('client_secret') !== this.client.clientSecret
        ) {
            return denied;
        }
        const grant = params.get('grant_type');
        if (grant === 'password') {
            const user = this.instance.user(params.get('username') ?? '');
            if (!user || user.password !== params.get('password')) {
                return denied;
            }
            return this.issue(user.userName, undefined);
        }
        if (grant === 'refresh_token') {
            const refresh = params.get('refresh_token') ?? '';
            const token = this.refreshTokens.get(refresh);
            if (!token || token.expiresAt <= this.clock().getTime()) {
                return denied;
            }
            return this.issue(token.userName, refresh);
        }
        return { status: 400, body: { error_description: 'unsupported_grant_type', error: 'unsupported_grant_type' } };
    }

    private issue(userName: string, refreshToken: string | undefined): TokenAnswer {
        const now = this.clock().getTime();
        const access = randomBytes(48).toString('base64url');
        this.accessTokens.set(access, { userName, expiresAt: now + this.accessTtlSeconds * 1000 });
        // A refresh grant answers with the same refresh token, which keeps its own lifetime.
        const refresh = refreshToken ?? randomBytes(48).toString('base64url');
        if (!refreshToken) {
            this.refreshTokens.set(refresh, { userName, expiresAt: now + this.refreshTtlSeconds * 1000 });
        }
        return {
            status: 200,
            body: {
                access_token: access,
                refresh_token: refresh,
                scope: 'useraccount',
                token_type: 'Bearer',
                expires_in: this.accessTtlSeconds
            }
        };
    }

    expireAccessTokens(): void {
        for (const token of this.accessTokens.values()) {
            token.expiresAt = 0;
        }
    }

    expireRefreshTokens(): void {
        for (const token of this.refreshTokens.values()) {
            token.expiresAt = 0;
        }
    }
}
