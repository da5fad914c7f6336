// Opening a session with the org, in one of three ways:
//
//   token   an access token handed over as is (what the emulator prints; what an OAuth web flow
//           ended with), optionally with a refresh token and the connected app's client id so that
//           jsforce renews the session when it expires;
//   jwt     the JWT bearer flow: the connector signs an assertion with the connected app's private
//           key and trades it for a session; when the session ends it signs a new one. This is the
//           production mode: no password, no stored refresh token, nothing interactive;
//   sf-cli  a login the `sf` CLI already holds (developer machines), read through
//           @salesforce/core, which is imported only in this mode so that nothing else needs CLI
//           state or pays for loading it.
//
// None of the three makes an API call: token requests are not metered, and the first call the
// adapter makes is its first real piece of work.
import { Connection, OAuth2 } from 'jsforce';
import type { ConnectionConfig, TokenResponse } from 'jsforce';
import { buildJwtAssertion, JWT_BEARER_GRANT, jwtAudience } from './jwt.ts';

/** The REST API version every connection uses (Winter '26). */
export const SALESFORCE_API_VERSION = '65.0';

/** An access token (and, to renew it, a refresh token with the connected app's client id). */
export interface TokenAuthOptions {
    readonly kind: 'token';
    /** The org's instance URL, e.g. `https://acme.my.salesforce.com`. */
    readonly instanceUrl: string;
    readonly accessToken: string;
    /** Lets jsforce renew the session; needs `clientId`. */
    readonly refreshToken?: string;
    /** The connected app's consumer key (needed with a refresh token). */
    readonly clientId?: string;
    /** The connected app's consumer secret, when the app requires it for refresh. */
    readonly clientSecret?: string;
    /** Where tokens are refreshed (default: the instance URL). */
    readonly loginUrl?: string;
}

/** The OAuth 2.0 JWT bearer flow. */
export interface JwtAuthOptions {
    readonly kind: 'jwt';
    /** `https://login.salesforce.com`, `https://test.salesforce.com` or the My Domain URL. */
    readonly loginUrl: string;
    /** The connected app's consumer key. */
    readonly clientId: string;
    /** The integration user's username. */
    readonly username: string;
    /** PEM of the private key whose certificate is uploaded to the connected app. */
    readonly privateKeyPem: string;
}

/** A login the `sf` CLI holds (`sf org login web --alias <alias>`). */
export interface SfCliAuthOptions {
    readonly kind: 'sf-cli';
    readonly aliasOrUsername: string;
}

/** How to open a session with the org. */
export type OrgAuthOptions = TokenAuthOptions | JwtAuthOptions | SfCliAuthOptions;

type RefreshFn = NonNullable<ConnectionConfig['refreshFn']>;

function tokenConnection(options: TokenAuthOptions): Connection {
    if (options.refreshToken !== undefined && !options.clientId) {
        throw new Error(
            'A refresh token alone cannot renew a Salesforce session: give the clientId (consumer key) of the connected app that issued it, or leave the refresh token out.'
        );
    }
    return new Connection({
        instanceUrl: options.instanceUrl,
        accessToken: options.accessToken,
        version: SALESFORCE_API_VERSION,
        ...(options.refreshToken !== undefined && options.clientId
            ? {
                  refreshToken: options.refreshToken,
                  oauth2: {
                      loginUrl: options.loginUrl ?? options.instanceUrl,
                      clientId: options.clientId,
                      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {})
                  }
              }
            : {})
    });
}

function describeOAuthError(error: unknown): string {
    if (error instanceof Error) {
        return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    }
    return String(error);
}

async function jwtConnection(options: JwtAuthOptions): Promise<Connection> {
    const assertion = (): string =>
        buildJwtAssertion({
            clientId: options.clientId,
            username: options.username,
            loginUrl: options.loginUrl,
            privateKeyPem: options.privateKeyPem
        });
    // A JWT session has no refresh token: when it ends, jsforce calls this to sign a new assertion.
    const refreshFn: RefreshFn = (conn, callback) => {
        conn.oauth2.requestToken({ grant_type: JWT_BEARER_GRANT, assertion: assertion() }).then(
            (response: TokenResponse) => {
                callback(null, response.access_token, response);
            },
            (error: unknown) => {
                callback(error instanceof Error ? error : new Error(String(error)));
            }
        );
    };
    const conn = new Connection({ loginUrl: options.loginUrl, version: SALESFORCE_API_VERSION, refreshFn });
    try {
        await conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion: assertion() });
    } catch (error) {
        throw new Error(
            `The JWT bearer login of ${options.username} at ${jwtAudience(options.loginUrl)} failed (${describeOAuthError(error)}). Check that the connected app holds the certificate of this private key, that the user is pre-authorized for the app, and that the login URL is the org's (login, test or My Domain).`
        );
    }
    return conn;
}

/** The message for an `sf` login that cannot be used. */
export function sfCliLoginMissingMessage(aliasOrUsername: string, cause: string): string {
    return `No usable Salesforce CLI login for "${aliasOrUsername}" (${cause}). Log in first with: sf org login web --alias ${aliasOrUsername} (or sf org login jwt --alias ${aliasOrUsername} ...), then check it with: sf org list`;
}

async function sfCliConnection(options: SfCliAuthOptions, fresh: boolean): Promise<Connection> {
    // Loaded here only: @salesforce/core reads the CLI's state (~/.sf, ~/.sfdx) when it starts.
    const { Org } = await import('@salesforce/core');
    let org;
    try {
        org = await Org.create({ aliasOrUsername: options.aliasOrUsername });
    } catch (error) {
        throw new Error(
            sfCliLoginMissingMessage(options.aliasOrUsername, error instanceof Error ? error.message : String(error))
        );
    }
    const coreConnection = org.getConnection(SALESFORCE_API_VERSION);
    const fields = coreConnection.getAuthInfo().getConnectionOptions();
    if (!fields.instanceUrl || !fields.accessToken) {
        throw new Error(sfCliLoginMissingMessage(options.aliasOrUsername, 'the stored login has no access token'));
    }
    // The CLI's own refresh (refresh token or JWT, as the login was made) renews the session; it
    // ignores the connection it is given, so the jsforce connection used here is fine.
    const coreRefresh = fields.refreshFn;
    const refreshFn: RefreshFn | undefined = coreRefresh
        ? (_conn, callback) => {
              void coreRefresh(coreConnection, (error, accessToken) => {
                  callback(error ?? null, accessToken ?? undefined);
                  return Promise.resolve();
              });
          }
        : undefined;
    let accessToken = fields.accessToken;
    if (fresh) {
        if (!refreshFn) {
            throw new Error(
                sfCliLoginMissingMessage(
                    options.aliasOrUsername,
                    'the stored login is an access token that cannot be renewed'
                )
            );
        }
        accessToken = await new Promise<string>((resolve, reject) => {
            refreshFn(coreConnection as unknown as Connection, (error, token) => {
                if (error || !token) {
                    reject(new Error(sfCliLoginMissingMessage(options.aliasOrUsername, error?.message ?? 'no token')));
                } else {
                    resolve(token);
                }
            });
        });
    }
    return new Connection({
        instanceUrl: fields.instanceUrl,
        accessToken,
        version: SALESFORCE_API_VERSION,
        ...(refreshFn ? { refreshFn } : {})
    });
}

/**
 * Opens a jsforce Connection to the org (API version 65.0) in the given mode. Makes no API call.
 * Throws an Error that says what to fix when the credentials cannot be used.
 */
export async function connectOrg(options: OrgAuthOptions): Promise<Connection> {
    switch (options.kind) {
        case 'token':
            return tokenConnection(options);
        case 'jwt':
            return jwtConnection(options);
        case 'sf-cli':
            return sfCliConnection(options, false);
        default: {
            const unknown: never = options;
            throw new Error(`Unknown authentication kind ${JSON.stringify((unknown as { kind: unknown }).kind)}.`);
        }
    }
}

/**
 * Opens a new Connection with a new session, for when the current one was refused (the streaming
 * server does not renew sessions the way jsforce's REST calls do). token: the refresh grant (needs
 * the refresh token and client id); jwt: a newly signed assertion; sf-cli: the CLI's own refresh.
 * Makes no API call.
 */
export async function reconnectOrg(options: OrgAuthOptions): Promise<Connection> {
    switch (options.kind) {
        case 'token': {
            if (options.refreshToken === undefined || !options.clientId) {
                throw new Error(
                    'The Salesforce session ended and cannot be renewed: it was opened from an access token without a refresh token and client id. Give new credentials.'
                );
            }
            const oauth2 = new OAuth2({
                loginUrl: options.loginUrl ?? options.instanceUrl,
                clientId: options.clientId,
                ...(options.clientSecret ? { clientSecret: options.clientSecret } : {})
            });
            let response: TokenResponse;
            try {
                response = await oauth2.refreshToken(options.refreshToken);
            } catch (error) {
                throw new Error(
                    `The Salesforce session could not be renewed with the refresh token (${describeOAuthError(error)}).`
                );
            }
            return tokenConnection({
                ...options,
                instanceUrl: response.instance_url || options.instanceUrl,
                accessToken: response.access_token
            });
        }
        case 'jwt':
            return jwtConnection(options);
        case 'sf-cli':
            return sfCliConnection(options, true);
        default: {
            const unknown: never = options;
            throw new Error(`Unknown authentication kind ${JSON.stringify((unknown as { kind: unknown }).kind)}.`);
        }
    }
}
