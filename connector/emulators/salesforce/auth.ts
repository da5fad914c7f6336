// OAuth 2.0 token endpoint (`POST /services/oauth2/token`) and session checks.
//
// Grants: `password` (username + any password: the emulator does not check passwords),
// `urn:ietf:params:oauth:grant-type:jwt-bearer` (the assertion's structure, `sub` and `exp` are
// checked; its signature is NOT verified, there is no connected-app certificate to verify it
// against) and `refresh_token`. Answers are shaped as Salesforce's: `{access_token, instance_url,
// id, token_type: 'Bearer', issued_at, signature}`; errors are 400 `{error, error_description}`.
// Every other request needs `Authorization: Bearer <token>` (CometD clients send `OAuth <token>`).

import { createHmac, randomBytes } from 'node:crypto';
import type { JsonObject } from './json.ts';
import { isJsonObject } from './json.ts';

export interface Session {
    token: string;
    userId: string;
    issuedAt: number;
}

export interface UserDirectory {
    userIdByUsername(username: string): string | undefined;
    orgId: string;
}

export interface TokenAnswer {
    status: number;
    body: JsonObject;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function oauthError(error: string, description: string, status = 400): TokenAnswer {
    return { status, body: { error, error_description: description } };
}

function decodeSegment(segment: string): unknown {
    try {
        return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    } catch {
        return undefined;
    }
}

export class Auth {
    private readonly sessions = new Map<string, Session>();
    private readonly refreshTokens = new Map<string, string>();
    private readonly directory: UserDirectory;
    private readonly signingKey = randomBytes(32);
    instanceUrl = '';
    loginUrl = '';

    constructor(directory: UserDirectory) {
        this.directory = directory;
    }

    /** A new access token for the user, usable as `Authorization: Bearer <token>`. */
    issue(userId: string): Session {
        const token = `${this.directory.orgId.slice(0, 15)}!AQ${randomBytes(72).toString('base64url')}`;
        const session = { token, userId, issuedAt: Date.now() };
        this.sessions.set(token, session);
        return session;
    }

    issueRefreshToken(userId: string): string {
        const token = `5Aep${randomBytes(60).toString('base64url')}`;
        this.refreshTokens.set(token, userId);
        return token;
    }

    /** Ends a session as an expired or revoked one: requests with it get 401 INVALID_SESSION_ID. */
    expire(token: string): void {
        this.sessions.delete(token);
    }

    /** The session of an `Authorization` header (`Bearer <token>` or `OAuth <token>`), if valid. */
    session(authorization: string | undefined): Session | undefined {
        if (!authorization) {
            return undefined;
        }
        const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization.trim());
        return match ? this.sessions.get(match[1]) : undefined;
    }

    sessionOfToken(token: string): Session | undefined {
        return this.sessions.get(token);
    }

    identityUrl(userId: string): string {
        return `${this.loginUrl}/id/${this.directory.orgId}/${userId}`;
    }

    private grant(userId: string, extra: JsonObject = {}): TokenAnswer {
        const session = this.issue(userId);
        const id = this.identityUrl(userId);
        const issuedAt = String(session.issuedAt);
        const signature = createHmac('sha256', this.signingKey)
            .update(id + issuedAt)
            .digest('base64');
        return {
            status: 200,
            body: {
                access_token: session.token,
                ...extra,
                instance_url: this.instanceUrl,
                id,
                token_type: 'Bearer',
                issued_at: issuedAt,
                signature
            }
        };
    }

    /** Answers a token request; `params` is the form-encoded body. */
    token(params: URLSearchParams): TokenAnswer {
        const grantType = params.get('grant_type');
        switch (grantType) {
            case 'password': {
                if (!params.get('client_id')) {
                    return oauthError('invalid_client_id', 'client identifier invalid');
                }
                const userId = this.directory.userIdByUsername(params.get('username') ?? '');
                if (!userId || !params.get('password')) {
                    return oauthError('invalid_grant', 'authentication failure');
                }
                return this.grant(userId);
            }
            case JWT_BEARER:
                return this.jwtBearer(params.get('assertion') ?? '');
            case 'refresh_token': {
                if (!params.get('client_id')) {
                    return oauthError('invalid_client_id', 'client identifier invalid');
                }
                const userId = this.refreshTokens.get(params.get('refresh_token') ?? '');
                if (!userId) {
                    return oauthError('invalid_grant', 'expired access/refresh token');
                }
                return this.grant(userId, { scope: 'api refresh_token' });
            }
            default:
                return oauthError('unsupported_grant_type', 'grant type not supported');
        }
    }

    /**
     * JWT bearer flow: the assertion must be three base64url segments, a JSON header with `alg`, and
     * a JSON claim set with `iss` (the connected app's consumer key), `sub` (the username), `aud`
     * and a numeric `exp` still in the future. The signature is not verified.
     */
    private jwtBearer(assertion: string): TokenAnswer {
        const parts = assertion.split('.');
        if (parts.length !== 3 || parts.some((part) => part === '')) {
            return oauthError('invalid_grant', 'invalid assertion');
        }
        const header = decodeSegment(parts[0]);
        const claims = decodeSegment(parts[1]);
        if (!isJsonObject(header) || typeof header.alg !== 'string' || !isJsonObject(claims)) {
            return oauthError('invalid_grant', 'invalid assertion');
        }
        const { iss, sub, aud, exp } = claims;
        if (typeof iss !== 'string' || typeof sub !== 'string' || aud === undefined || typeof exp !== 'number') {
            return oauthError('invalid_grant', 'invalid assertion');
        }
        if (exp * 1000 <= Date.now()) {
            return oauthError('invalid_grant', 'invalid assertion');
        }
        const userId = this.directory.userIdByUsername(sub);
        if (!userId) {
            return oauthError('invalid_grant', "user hasn't approved this consumer");
        }
        return this.grant(userId, { scope: 'api' });
    }
}
