// The transport's log: structured entries handed to a function the connector supplies, so that the
// transport decides what is worth telling and the connector decides where it goes.
//
// Entries never hold secrets: not the shared secret, not a key, not a signature (received or
// expected), not a body. They name the reason, the connection and the remote address, which is what
// an admin needs to tell a clock problem from a wrong secret from an attack.

/** How much an entry matters. */
export type NodeLogLevel = 'info' | 'warn' | 'error';

/** One thing the transport did or refused. */
export interface NodeLogEntry {
    readonly level: NodeLogLevel;
    /** Short stable name, e.g. `request-refused`, `handler-failed`. */
    readonly event: string;
    /** For the admin; free of secrets. */
    readonly message: string;
    /** The protocol reason, e.g. `bad-signature`, when there is one. */
    readonly reason?: string;
    /** The HTTP status answered, when there was an answer. */
    readonly status?: number;
    /** The connection, when the request named one in the shape of a connection id. */
    readonly connectionId?: string;
    /** The endpoint, e.g. `post-messages`. */
    readonly endpoint?: string;
    /** The peer's IP address as the socket sees it (a proxy's, behind one). */
    readonly remoteAddress?: string;
    /** The error behind a failure, for the log only: never sent to the other node. */
    readonly cause?: unknown;
}

/** Receives the transport's log entries; it must not throw (an exception is swallowed). */
export type NodeLog = (entry: NodeLogEntry) => void;
