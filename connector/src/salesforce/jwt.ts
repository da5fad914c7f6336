// The assertion of the OAuth 2.0 JWT bearer flow, built and signed here with node:crypto.
//
// Salesforce expects a JWT signed with RS256 by the private key whose certificate is uploaded to the
// connected app: header `{"alg":"RS256"}`, claims `iss` = the connected app's consumer key,
// `sub` = the integration user's username, `aud` = the login server (https://login.salesforce.com,
// https://test.salesforce.com or the My Domain URL) and `exp` = a few minutes ahead. The token
// endpoint checks the signature against the certificate and answers an access token (no refresh
// token: the connector signs a new assertion whenever the session ends).
import { createPrivateKey, sign } from 'node:crypto';

/** JWT bearer grant type of the OAuth 2.0 token endpoint. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Lifetime of an assertion: Salesforce accepts at most 3 minutes ahead (plus clock skew). */
export const JWT_LIFETIME_SECONDS = 180;

/** What an assertion states. */
export interface JwtBearerClaims {
    /** The connected app's consumer key. */
    readonly clientId: string;
    /** The username of the user the connector acts as. */
    readonly username: string;
    /** The login server; only its origin is used as `aud`. */
    readonly loginUrl: string;
    /** The private key, PEM (PKCS#8 or PKCS#1). */
    readonly privateKeyPem: string;
    /** Time of signing (default now). */
    readonly now?: Date;
}

function base64url(value: unknown): string {
    return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The audience of an assertion: the origin of the login URL (`https://login.salesforce.com`). */
export function jwtAudience(loginUrl: string): string {
    return new URL(loginUrl).origin;
}

/**
 * A signed JWT bearer assertion (`header.claims.signature`, base64url, RS256). Throws when the key
 * is not an RSA private key; the message names no part of the key.
 */
export function buildJwtAssertion(claims: JwtBearerClaims): string {
    let key;
    try {
        key = createPrivateKey(claims.privateKeyPem);
    } catch {
        throw new Error('The JWT private key could not be read: give the PEM text of an RSA private key.');
    }
    if (key.asymmetricKeyType !== 'rsa') {
        throw new Error(`The JWT private key is ${key.asymmetricKeyType ?? 'not asymmetric'}: RS256 needs an RSA key.`);
    }
    const issuedAt = Math.floor((claims.now ?? new Date()).getTime() / 1000);
    const signingInput = `${base64url({ alg: 'RS256' })}.${base64url({
        iss: claims.clientId,
        sub: claims.username,
        aud: jwtAudience(claims.loginUrl),
        exp: issuedAt + JWT_LIFETIME_SECONDS
    })}`;
    const signature = sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url');
    return `${signingInput}.${signature}`;
}
