// Streaming API for platform events: Bayeux/CometD over HTTP long-polling at /cometd/<version>,
// as jsforce's `conn.streaming` (a Faye client) speaks it. /meta/handshake, /meta/connect (held
// until an event arrives or the hold time passes), /meta/subscribe with the replay extension
// (`ext.replay = {channel: replayId}`: -1 new events only, -2 every retained event, N the
// events after N), /meta/unsubscribe and /meta/disconnect. Published events are retained and
// get increasing (not contiguous) replay ids. Streaming traffic is not counted as API calls.
//
// Delivered message, as Salesforce documents it:
// {channel: '/event/Sync_Wake__e', data: {schema, payload: {CreatedDate, CreatedById, Reason__c},
//  event: {EventUuid, replayId}}}

import { createHash, randomBytes } from 'node:crypto';
import type { Json, JsonObject } from './json.ts';
import { isJsonObject } from './json.ts';
import type { ObjectDef, Schema } from './schema.ts';
import type { StoredEvent } from './store.ts';
import { formatEventDateTime } from './time.ts';

export interface StreamingOptions {
    /** How long a /meta/connect is held when nothing is to be delivered (Salesforce: ~110 s). */
    connectHoldMs: number;
}

interface RetainedEvent {
    channel: string;
    replayId: number;
    message: JsonObject;
}

interface PendingConnect {
    reply: JsonObject;
    leading: JsonObject[];
    respond: (messages: JsonObject[]) => void;
    timer: NodeJS.Timeout;
}

interface Client {
    id: string;
    userId: string;
    channels: Set<string>;
    queue: JsonObject[];
    pending: PendingConnect | undefined;
    lastSeen: number;
}

export interface StreamingAnswer {
    status: number;
    messages: JsonObject[];
}

const CLIENT_EXPIRY_MS = 120_000;

export class Streaming {
    private readonly clients = new Map<string, Client>();
    private readonly retained: RetainedEvent[] = [];
    private readonly options: StreamingOptions;
    private readonly schema: Schema;
    private nextReplayId = 1;
    private closed = false;
    delivered = 0;
    private readonly publishTimes: number[] = [];

    constructor(schema: Schema, options: StreamingOptions) {
        this.schema = schema;
        this.options = options;
    }

    clientCount(): number {
        return this.clients.size;
    }

    publishedLastHour(): number {
        const since = Date.now() - 3_600_000;
        return this.publishTimes.filter((time) => time >= since).length;
    }

    /** Events retained for a channel (tests and the demo read them). */
    retainedEvents(channel: string): JsonObject[] {
        return this.retained.filter((event) => event.channel === channel).map((event) => event.message);
    }

    private eventSchemaId(object: ObjectDef): string {
        const fields = object.fields.map((field) => `${field.name}:${field.type}`).join(',');
        return createHash('md5').update(`${object.name}|${fields}`).digest('base64url').slice(0, 22);
    }

    /** Delivers the events of a committed transaction (Org.onCommit). */
    publish(events: StoredEvent[]): void {
        for (const event of events) {
            const object = this.schema.object(event.type);
            if (!object) {
                continue;
            }
            // Replay ids increase but are not contiguous: subscribers must not compute them.
            const replayId = this.nextReplayId;
            this.nextReplayId += 1 + (replayId % 3);
            const payload: JsonObject = {};
            const { CreatedDate, CreatedById, EventUuid, ...custom } = event.payload;
            payload.CreatedDate = typeof CreatedDate === 'number' ? formatEventDateTime(CreatedDate) : null;
            payload.CreatedById = CreatedById ?? null;
            for (const [name, value] of Object.entries(custom)) {
                payload[name] = value;
            }
            const channel = `/event/${object.name}`;
            const message: JsonObject = {
                data: {
                    schema: this.eventSchemaId(object),
                    payload,
                    event: { EventUuid: EventUuid ?? null, replayId }
                },
                channel
            };
            this.retained.push({ channel, replayId, message });
            this.publishTimes.push(Date.now());
            for (const client of this.clients.values()) {
                if (client.channels.has(channel)) {
                    client.queue.push(message);
                    this.flush(client);
                }
            }
        }
    }

    private flush(client: Client): void {
        const pending = client.pending;
        if (!pending) {
            return;
        }
        client.pending = undefined;
        clearTimeout(pending.timer);
        const events = client.queue.splice(0);
        this.delivered += events.length;
        client.lastSeen = Date.now();
        pending.respond([...pending.leading, ...events, pending.reply]);
    }

    private expireClients(): void {
        const now = Date.now();
        for (const [id, client] of this.clients) {
            if (!client.pending && now - client.lastSeen > Math.max(CLIENT_EXPIRY_MS, 3 * this.options.connectHoldMs)) {
                this.clients.delete(id);
            }
        }
    }

    private advice(): JsonObject {
        return { interval: 0, timeout: this.options.connectHoldMs, reconnect: 'retry' };
    }

    /**
     * Handles one CometD POST (an array of Bayeux messages). `userId` is the session's user, or
     * undefined when the request carries no valid token. Resolves when the answer is ready (a
     * /meta/connect may be held).
     */
    handle(body: Json, userId: string | undefined): Promise<StreamingAnswer> {
        this.expireClients();
        const messages = (Array.isArray(body) ? body : [body]).filter(isJsonObject);
        if (messages.length === 0) {
            return Promise.resolve({ status: 400, messages: [] });
        }
        const replies: JsonObject[] = [];
        let connect: { client: Client; reply: JsonObject; holdable: boolean } | undefined;
        for (const message of messages) {
            const channel = typeof message.channel === 'string' ? message.channel : '';
            const id = message.id ?? null;
            if (channel === '/meta/handshake') {
                replies.push(this.handshake(id, userId));
                continue;
            }
            const clientId = typeof message.clientId === 'string' ? message.clientId : '';
            const client = this.clients.get(clientId);
            if (!client) {
                replies.push({
                    channel,
                    clientId,
                    id,
                    successful: false,
                    error: '403::Unknown client',
                    advice: { reconnect: 'handshake', interval: 0 }
                });
                continue;
            }
            client.lastSeen = Date.now();
            if (!userId || userId !== client.userId) {
                replies.push({
                    channel,
                    clientId,
                    id,
                    successful: false,
                    error: '401::Authentication invalid',
                    advice: { reconnect: 'none' }
                });
                continue;
            }
            switch (channel) {
                case '/meta/connect': {
                    if (client.pending) {
                        this.flush(client);
                    }
                    const advice = isJsonObject(message.advice) ? message.advice : {};
                    connect = {
                        client,
                        reply: { channel, clientId, id, successful: true, advice: this.advice() },
                        holdable: advice.timeout !== 0
                    };
                    break;
                }
                case '/meta/subscribe':
                    replies.push(this.subscribe(client, message, id));
                    break;
                case '/meta/unsubscribe': {
                    const subscription = typeof message.subscription === 'string' ? message.subscription : '';
                    client.channels.delete(subscription);
                    replies.push({ channel, clientId, id, subscription, successful: true });
                    break;
                }
                case '/meta/disconnect':
                    this.clients.delete(client.id);
                    if (client.pending) {
                        client.pending.reply = { ...client.pending.reply, advice: { reconnect: 'none' } };
                        this.flush(client);
                    }
                    replies.push({ channel, clientId, id, successful: true });
                    break;
                default:
                    replies.push({ channel, clientId, id, successful: false, error: '403::Publish denied' });
            }
        }
        if (!connect) {
            return Promise.resolve({ status: 200, messages: replies });
        }
        const { client, reply } = connect;
        if (
            client.queue.length > 0 ||
            replies.length > 0 ||
            !connect.holdable ||
            this.closed ||
            !this.clients.has(client.id)
        ) {
            const events = client.queue.splice(0);
            this.delivered += events.length;
            return Promise.resolve({ status: 200, messages: [...replies, ...events, reply] });
        }
        return new Promise((resolve) => {
            const timer = setTimeout(() => this.flush(client), this.options.connectHoldMs);
            client.pending = {
                reply,
                leading: replies,
                respond: (answer) => resolve({ status: 200, messages: answer }),
                timer
            };
        });
    }

    private handshake(id: Json, userId: string | undefined): JsonObject {
        if (!userId) {
            return {
                ext: { sfdc: { failureReason: '401::Authentication invalid' }, replay: true },
                advice: { reconnect: 'none' },
                channel: '/meta/handshake',
                id,
                error: '403::Handshake denied',
                successful: false
            };
        }
        const clientId = randomBytes(20).toString('base64url');
        this.clients.set(clientId, {
            id: clientId,
            userId,
            channels: new Set(),
            queue: [],
            pending: undefined,
            lastSeen: Date.now()
        });
        return {
            ext: { replay: true, 'payload.format': true },
            minimumVersion: '1.0',
            clientId,
            supportedConnectionTypes: ['long-polling'],
            advice: this.advice(),
            channel: '/meta/handshake',
            id,
            version: '1.0',
            successful: true
        };
    }

    private subscribe(client: Client, message: JsonObject, id: Json): JsonObject {
        const subscription = typeof message.subscription === 'string' ? message.subscription : '';
        const base: JsonObject = { clientId: client.id, channel: '/meta/subscribe', id, subscription };
        const match = /^\/event\/(.+)$/.exec(subscription);
        const object = match ? this.schema.apiObject(match[1]) : undefined;
        if (!object || object.kind !== 'event' || object.name !== match?.[1]) {
            return {
                ...base,
                error: `400::The channel you requested to subscribe to does not exist {${subscription}}`,
                successful: false
            };
        }
        const ext = isJsonObject(message.ext) ? message.ext : {};
        const replay = isJsonObject(ext.replay) ? ext.replay[subscription] : undefined;
        const replayFrom = typeof replay === 'number' ? replay : typeof replay === 'string' ? Number(replay) : -1;
        if (!Number.isInteger(replayFrom) || replayFrom < -2) {
            return {
                ...base,
                error: `400::The replayId {${JSON.stringify(replay ?? null)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
                successful: false
            };
        }
        client.channels.add(subscription);
        if (replayFrom !== -1) {
            const replayed = this.retained.filter(
                (event) => event.channel === subscription && (replayFrom === -2 || event.replayId > replayFrom)
            );
            client.queue.push(...replayed.map((event) => event.message));
            if (client.queue.length > 0) {
                setImmediate(() => this.flush(client));
            }
        }
        return { ...base, successful: true, ...(isJsonObject(message.ext) ? { ext: message.ext } : {}) };
    }

    /** Answers every held /meta/connect and forgets every client (server shutdown). */
    close(): void {
        this.closed = true;
        for (const client of this.clients.values()) {
            if (client.pending) {
                client.pending.reply = { ...client.pending.reply, advice: { reconnect: 'none' } };
                this.flush(client);
            }
        }
        this.clients.clear();
    }
}
