// The connections of this side as the engine works with them: the org's Sync_Connection__c records
// with the keys derived from each one's secret and, where the other node has a URL, a client of it.
//
// A Local connection (two Cases of the same org) has neither invitation nor secret: its id is derived
// from its record id, its keys from a secret that lives only in this process (nothing is signed on it
// and nothing outside can use it), and its other node is the engine itself (`LoopbackNode`).
//
// The org is the truth; this registry is reread when the org says a connection changed (wake
// reason `connection`), when a request names a connection it does not know, and hourly.
import { randomBytes } from 'node:crypto';
import { deriveConnectionKeys, normalizeConnectionId, SecretKey } from '../protocol/keys.ts';
import type { ConnectionKeys } from '../protocol/keys.ts';
import type { ConnectionCommand } from '../node/endpoints.ts';
import type { SyncConnection } from '../salesforce/types.ts';
import { localConnectionId } from './loopback-node.ts';
import type { EngineLog, OrgPort, RemoteNode, RemoteNodeFactory } from './ports.ts';

/** One connection, ready to use. */
export interface LiveConnection {
    /** The protocol's connection id: the invitation id, lowercase. */
    readonly id: string;
    readonly record: SyncConnection;
    readonly keys: ConnectionKeys;
    /** A client of the other node, when it has a URL. */
    readonly remote: RemoteNode | undefined;
    /** The other node is private: it fetches this side's messages by long-poll. */
    readonly remoteIsPrivate: boolean;
    /** This node is the private side: it long-polls the other node. */
    readonly localIsPrivate: boolean;
    /** Both ends are Cases of this org (type Local): messages never leave this process. */
    readonly local: boolean;
}

/** Opens the other end of a Local connection: this engine, reached in-process. */
export type LocalNodeFactory = (connectionId: string) => RemoteNode;

/** Whether messages flow on the connection. */
export function isActive(connection: LiveConnection): boolean {
    return connection.record.status === 'Active';
}

const REREAD_AFTER_MISS_MS = 5_000;

/** A change this side's admin made to a connection, which the other node must be told. */
export interface LocalChange {
    /** The connection as it was known before the change (a deleted one keeps its keys and client here). */
    readonly live: LiveConnection;
    readonly command: ConnectionCommand;
}

/** What the other node is told when a connection's status changes here (none: nothing to tell). */
function commandFor(before: LiveConnection, after: LiveConnection | undefined): ConnectionCommand | undefined {
    if (after === undefined) {
        return before.record.status === 'Active' || before.record.status === 'Deactivated' ? 'delete' : undefined;
    }
    if (before.record.status === 'Active' && after.record.status === 'Deactivated') {
        return 'deactivate';
    }
    if (before.record.status === 'Deactivated' && after.record.status === 'Active') {
        return 'activate';
    }
    return undefined;
}

export class ConnectionRegistry {
    readonly #org: OrgPort;
    readonly #remoteFactory: RemoteNodeFactory;
    readonly #localFactory: LocalNodeFactory;
    /** Keys for Local connections: never used to sign anything that leaves this process. */
    readonly #localSecret = new SecretKey('shared-secret', 'local-connections', randomBytes(32));
    readonly #log: EngineLog;
    readonly #clock: () => number;
    /** Secrets by connection record id: read once each (one API call), never logged. */
    readonly #secrets = new Map<string, string>();
    #byId = new Map<string, LiveConnection>();
    #byRecordId = new Map<string, LiveConnection>();
    #lastRead = 0;
    #reading: Promise<void> | undefined;
    #localChanges: LocalChange[] = [];
    /** Changes are found by comparing two reads; the first read only finds deactivations. */
    #readOnce = false;

    constructor(options: {
        org: OrgPort;
        remoteFactory: RemoteNodeFactory;
        localFactory: LocalNodeFactory;
        log: EngineLog;
        clock: () => number;
    }) {
        this.#org = options.org;
        this.#remoteFactory = options.remoteFactory;
        this.#localFactory = options.localFactory;
        this.#log = options.log;
        this.#clock = options.clock;
    }

    /** Every connection that has keys. */
    all(): LiveConnection[] {
        return [...this.#byId.values()];
    }

    byId(id: string): LiveConnection | undefined {
        return this.#byId.get(id);
    }

    byRecordId(recordId: string | null): LiveConnection | undefined {
        return recordId === null ? undefined : this.#byRecordId.get(recordId);
    }

    /** A connection by protocol id, rereading the org once if it is unknown (a connection just set up). */
    async find(id: string): Promise<LiveConnection | undefined> {
        const known = this.#byId.get(id);
        if (known !== undefined || this.#clock() - this.#lastRead < REREAD_AFTER_MISS_MS) {
            return known;
        }
        await this.refresh();
        return this.#byId.get(id);
    }

    /** Rereads the connections (1 call) and the secrets of new ones (1 call each). */
    refresh(): Promise<void> {
        this.#reading ??= this.#read().finally(() => {
            this.#reading = undefined;
        });
        return this.#reading;
    }

    /** Resolves once a read in progress is over (at once when none is): costs no call. */
    async settled(): Promise<void> {
        await this.#reading?.catch(() => undefined);
    }

    async #read(): Promise<void> {
        const records = await this.#org.readConnections();
        const byId = new Map<string, LiveConnection>();
        const byRecordId = new Map<string, LiveConnection>();
        for (const record of records) {
            const live = await this.#live(record);
            if (live !== undefined) {
                byId.set(live.id, live);
                byRecordId.set(record.id, live);
            }
        }
        // Changes this process made itself (a command from the other node, an acceptance) were
        // applied with update() before this read, so only the admin's own changes show up here.
        if (!this.#readOnce) {
            // A deactivation by this side's admin while no connector ran (the other side's command
            // would have left a status detail) is told again: telling it twice does no harm.
            for (const live of byId.values()) {
                if (!live.local && live.record.status === 'Deactivated' && live.record.statusDetail === null) {
                    this.#localChanges.push({ live, command: 'deactivate' });
                }
            }
        } else {
            for (const before of this.#byId.values()) {
                if (before.local) {
                    continue; // both ends are in this org: nothing to tell
                }
                const command = commandFor(before, byId.get(before.id));
                if (command !== undefined) {
                    this.#localChanges.push({ live: before, command });
                }
            }
        }
        this.#byId = byId;
        this.#byRecordId = byRecordId;
        this.#lastRead = this.#clock();
        this.#readOnce = true;
    }

    /** The admin's changes found by the reads since the last call, oldest first. */
    takeLocalChanges(): LocalChange[] {
        const changes = this.#localChanges;
        this.#localChanges = [];
        return changes;
    }

    async #live(record: SyncConnection): Promise<LiveConnection | undefined> {
        if (record.type === 'Local') {
            return this.#localLive(record);
        }
        if (record.invitationId === null || record.role === null) {
            return undefined;
        }
        let id: string;
        try {
            id = normalizeConnectionId(record.invitationId);
        } catch {
            this.#log({
                level: 'warn',
                event: 'connection-skipped',
                message: `Connection ${record.name} has an invitation id that is not a UUID; it is left alone.`
            });
            return undefined;
        }
        let secret = this.#secrets.get(record.id);
        if (secret === undefined) {
            try {
                secret = await this.#org.getConnectionSecret(record.id);
                this.#secrets.set(record.id, secret);
            } catch (error) {
                this.#log({
                    level: 'warn',
                    event: 'secret-unavailable',
                    message: `The secret of connection ${record.name} could not be read: ${(error as Error).message}`,
                    connectionId: id
                });
                return undefined;
            }
        }
        const role = record.role === 'Initiator' ? 'initiator' : 'acceptor';
        const keys = deriveConnectionKeys(secret, id, role);
        const remoteIsPrivate = record.type === 'Private' && role === 'initiator';
        const localIsPrivate = record.type === 'Private' && role === 'acceptor';
        const url = record.remoteNodeUrl;
        const previous = this.#byId.get(id);
        const remote =
            url === null || url === '' || remoteIsPrivate
                ? undefined
                : previous?.remote !== undefined && previous.record.remoteNodeUrl === url
                  ? previous.remote
                  : this.#remoteFactory(url, keys);
        return { id, record, keys, remote, remoteIsPrivate, localIsPrivate, local: false };
    }

    #localLive(record: SyncConnection): LiveConnection {
        const id = localConnectionId(record.id);
        const previous = this.#byId.get(id);
        return {
            id,
            record,
            keys: previous?.keys ?? deriveConnectionKeys(this.#localSecret, id, 'initiator'),
            remote: previous?.remote ?? this.#localFactory(id),
            remoteIsPrivate: false,
            localIsPrivate: false,
            local: true
        };
    }

    /** Replaces a connection's record after this process changed it in the org. */
    update(id: string, changes: Partial<SyncConnection>): LiveConnection | undefined {
        const live = this.#byId.get(id);
        if (live === undefined) {
            return undefined;
        }
        const record = { ...live.record, ...changes };
        const url = record.remoteNodeUrl;
        const remote = live.local
            ? live.remote
            : url !== null && url !== '' && !live.remoteIsPrivate
              ? url === live.record.remoteNodeUrl && live.remote !== undefined
                  ? live.remote
                  : this.#remoteFactory(url, live.keys)
              : undefined;
        const next: LiveConnection = { ...live, record, remote };
        this.#byId.set(id, next);
        this.#byRecordId.set(record.id, next);
        return next;
    }
}
