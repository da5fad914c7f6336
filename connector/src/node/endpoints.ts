// The endpoints of node protocol v1: one table that the client builds paths from and the server
// routes by, so that the path a client signs is, character for character, the path a server matches
// and verifies.
//
// Paths are matched as received, never decoded or normalised: the signature covers the request
// target exactly as sent, and a router that decoded `%2F` or folded `//` would route one path and
// verify another.

/** Every endpoint lives below `<node URL>/exalate/v1`. */
export const API_ROOT = '/exalate/v1';

/** What one side tells the other about the connection (`POST /exalate/v1/connection/{command}`). */
export type ConnectionCommand = 'activate' | 'deactivate' | 'delete';

/** The commands, in the order of the spec. */
export const CONNECTION_COMMANDS: readonly ConnectionCommand[] = ['deactivate', 'activate', 'delete'];

/** The status a connection has after each command, as the answer `{"status": ...}` names it. */
export const STATUS_AFTER_COMMAND = {
    activate: 'Active',
    deactivate: 'Deactivated',
    delete: 'Deleted'
} as const satisfies Record<ConnectionCommand, string>;

/** The status named in the answer to a connection command. */
export type ConnectionStatus = (typeof STATUS_AFTER_COMMAND)[ConnectionCommand];

/** One endpoint, with the values its path carries (raw: the server checks their shape after verifying). */
export type Endpoint =
    | { readonly kind: 'accept-invitation'; readonly invitationId: string }
    | { readonly kind: 'post-messages' }
    | { readonly kind: 'poll-messages' }
    | { readonly kind: 'put-attachment'; readonly sha256: string }
    | { readonly kind: 'get-attachment'; readonly sha256: string }
    | { readonly kind: 'connection-command'; readonly command: ConnectionCommand };

/** What routing found for a method and a path. */
export type RouteMatch =
    | { readonly found: 'endpoint'; readonly endpoint: Endpoint }
    /** The path exists, the method does not: answer 405 with `allow`. */
    | { readonly found: 'wrong-method'; readonly allow: readonly string[] }
    | { readonly found: 'none' };

const ACCEPT = /^\/invitations\/([^/]+)\/accept$/;
const ATTACHMENT = /^\/attachments\/([^/]+)$/;
const COMMAND = /^\/connection\/([^/]+)$/;

/**
 * The HTTP method of an endpoint.
 *
 * @param endpoint the endpoint
 * @returns `GET`, `POST` or `PUT`
 */
export function methodOf(endpoint: Endpoint): 'GET' | 'POST' | 'PUT' {
    switch (endpoint.kind) {
        case 'poll-messages':
        case 'get-attachment':
            return 'GET';
        case 'put-attachment':
            return 'PUT';
        default:
            return 'POST';
    }
}

/**
 * The path of an endpoint below the node URL, without query.
 *
 * @param endpoint the endpoint; its id, hash or command must already have its protocol shape (the
 *     client checks them), since nothing here encodes
 * @returns e.g. `/exalate/v1/attachments/<sha256>`
 */
export function pathOf(endpoint: Endpoint): string {
    switch (endpoint.kind) {
        case 'accept-invitation':
            return `${API_ROOT}/invitations/${endpoint.invitationId}/accept`;
        case 'post-messages':
        case 'poll-messages':
            return `${API_ROOT}/messages`;
        case 'put-attachment':
        case 'get-attachment':
            return `${API_ROOT}/attachments/${endpoint.sha256}`;
        case 'connection-command':
            return `${API_ROOT}/connection/${endpoint.command}`;
    }
}

/**
 * Finds the endpoint of a request.
 *
 * @param method the request method, any case
 * @param path the request path below `API_ROOT`, without query, as received (e.g. `/messages`)
 * @returns the endpoint, or that the path exists with other methods, or nothing
 */
export function matchEndpoint(method: string, path: string): RouteMatch {
    const verb = method.toUpperCase();
    const pick = (candidates: readonly Endpoint[]): RouteMatch => {
        const endpoint = candidates.find((candidate) => methodOf(candidate) === verb);
        return endpoint === undefined
            ? { found: 'wrong-method', allow: candidates.map(methodOf) }
            : { found: 'endpoint', endpoint };
    };
    if (path === '/messages') {
        return pick([{ kind: 'post-messages' }, { kind: 'poll-messages' }]);
    }
    const accept = ACCEPT.exec(path);
    if (accept !== null) {
        return pick([{ kind: 'accept-invitation', invitationId: accept[1] }]);
    }
    const attachment = ATTACHMENT.exec(path);
    if (attachment !== null) {
        return pick([
            { kind: 'put-attachment', sha256: attachment[1] },
            { kind: 'get-attachment', sha256: attachment[1] }
        ]);
    }
    const command = COMMAND.exec(path);
    if (command !== null && (CONNECTION_COMMANDS as readonly string[]).includes(command[1])) {
        return pick([{ kind: 'connection-command', command: command[1] as ConnectionCommand }]);
    }
    return { found: 'none' };
}
