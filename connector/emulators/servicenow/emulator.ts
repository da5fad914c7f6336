// Starts the ServiceNow Table API emulator (test infrastructure) and gives tests the helpers that
// act as a user in the ServiceNow UI (those cost no REST call). See docs/emulators.md.
import { AttachmentApi } from './attachment-api.ts';
import { Auth } from './auth.ts';
import type { OAuthClient } from './auth.ts';
import type { Row } from './encoded-query.ts';
import { Instance } from './instance.ts';
import type { SnUser } from './instance.ts';
import type { RateLimitRule } from './rate-limit.ts';
import { RateLimiter } from './rate-limit.ts';
import { EmulatorServer } from './server.ts';
import type { FaultMatch, FaultResponse } from './server.ts';
import { TableApi } from './table-api.ts';
import type { Clock } from './time.ts';

export interface ServiceNowEmulatorOptions {
    /** 0 (default) = any free port on 127.0.0.1. */
    readonly port?: number;
    /** Access token lifetime, default 1,799 s as an instance answers. */
    readonly accessTokenTtlSeconds?: number;
    /** Refresh token lifetime, default 100 days. */
    readonly refreshTokenTtlSeconds?: number;
    /** Per-user request rule; none by default (an instance has no rule unless an admin adds one). */
    readonly rateLimit?: RateLimitRule;
    /** Largest JSON request body, default 10 MiB. */
    readonly maxRequestBodyBytes?: number;
    /** Largest attachment upload, default 50 MiB (an instance allows 1,024 MB by default). */
    readonly maxAttachmentBytes?: number;
    /** Answer a query condition on an unknown field with 400 instead of ignoring it. */
    readonly strictQueries?: boolean;
    /** Time source, for token expiry and sys_* dates. */
    readonly clock?: Clock;
}

export type EmulatorUser = SnUser;

export interface JournalEntry {
    readonly sysId: string;
    readonly value: string;
    readonly createdBy: string;
    readonly createdOn: string;
}

export interface AttachmentView {
    readonly sysId: string;
    readonly fileName: string;
    readonly contentType: string;
    readonly sizeBytes: number;
    readonly hash: string;
    readonly createdBy: string;
    readonly content: Buffer;
}

export interface IncidentView {
    /** The incident row as stored (journal fields empty), sys_* fields included. */
    readonly record: Readonly<Row>;
    /** Additional comments, oldest first. */
    readonly comments: JournalEntry[];
    /** Work notes, oldest first. */
    readonly workNotes: JournalEntry[];
    readonly attachments: AttachmentView[];
}

export interface ServiceNowEmulator {
    /** `http://127.0.0.1:<port>`: the instance URL. */
    readonly url: string;
    /** The connector's integration user. */
    readonly serviceAccount: EmulatorUser;
    /** A support agent working in the UI. */
    readonly agent: EmulatorUser;
    /** The OAuth client registered in the Application Registry. */
    readonly oauthClient: OAuthClient;
    close(): Promise<void>;
    /** REST calls counted so far (every authenticated /api/now request), for one user or all. */
    apiCalls(userName?: string): number;
    /** Resets the REST call and token request counts. */
    resetApiCalls(): void;
    /** Requests to /oauth_token.do so far (not REST calls). */
    tokenRequests(): number;
    addUser(user: { userName: string; password: string; name: string }): EmulatorUser;
    createIncidentAs(userName: string, fields: Record<string, string>): IncidentView;
    updateIncidentAs(userName: string, incident: string, fields: Record<string, string>): IncidentView;
    addCommentAs(userName: string, incident: string, text: string): IncidentView;
    addWorkNoteAs(userName: string, incident: string, text: string): IncidentView;
    attachFileAs(
        userName: string,
        incident: string,
        file: { fileName: string; contentType: string; bytes: Uint8Array }
    ): AttachmentView;
    /** An incident by number (`INC0010001`) or sys_id, with its journal and attachments. */
    incident(numberOrSysId: string): IncidentView | undefined;
    /** Every incident, in creation order. */
    incidents(): IncidentView[];
    /** Sets (or with undefined removes) the rate limit rule; counts start again. */
    setRateLimit(rule: RateLimitRule | undefined): void;
    expireAccessTokens(): void;
    expireRefreshTokens(): void;
    /** The next matching request gets this answer instead (not counted). */
    failNext(match: FaultMatch, response: FaultResponse): void;
}

export async function startServiceNowEmulator(options: ServiceNowEmulatorOptions = {}): Promise<ServiceNowEmulator> {
    const clock = options.clock ?? ((): Date => new Date());
    const instance = new Instance(clock);
    const serviceAccount = instance.addUser({
        userName: 'exalate.integration',
        password: 'Integration-Pass-1',
        name: 'Exalate Integration'
    });
    const agent = instance.addUser({ userName: 'beth.agent', password: 'Agent-Pass-1', name: 'Beth Agent' });
    const oauthClient: OAuthClient = { clientId: 'exalate-connector-client', clientSecret: 'exalate-connector-secret' };
    const auth = new Auth(instance, clock, {
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1799,
        refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 100 * 24 * 3600,
        client: oauthClient
    });
    const strictQueries = options.strictQueries ?? false;
    const maxAttachmentBytes = options.maxAttachmentBytes ?? 50 * 1024 * 1024;
    const rateLimiter = new RateLimiter(clock, options.rateLimit);
    const server = new EmulatorServer({
        auth,
        tableApi: new TableApi(instance, { strictQueries }),
        attachmentApi: new AttachmentApi(instance, { maxAttachmentBytes, strictQueries }),
        rateLimiter,
        maxRequestBodyBytes: options.maxRequestBodyBytes ?? 10 * 1024 * 1024,
        maxAttachmentBytes
    });
    const port = await server.listen(options.port ?? 0);

    const find = (numberOrSysId: string): Row | undefined =>
        instance.tables.incident.get(numberOrSysId) ??
        [...instance.tables.incident.values()].find((row) => row.number === numberOrSysId);
    const require = (numberOrSysId: string): Row => {
        const row = find(numberOrSysId);
        if (!row) {
            throw new Error(`No incident ${numberOrSysId} in the ServiceNow emulator`);
        }
        return row;
    };
    const requireUser = (userName: string): void => {
        if (!instance.user(userName)) {
            throw new Error(`No user ${userName} in the ServiceNow emulator`);
        }
    };
    const entry = (row: Row): JournalEntry => ({
        sysId: row.sys_id,
        value: row.value,
        createdBy: row.sys_created_by,
        createdOn: row.sys_created_on
    });
    const attachmentView = (row: Row): AttachmentView => ({
        sysId: row.sys_id,
        fileName: row.file_name,
        contentType: row.content_type,
        sizeBytes: Number(row.size_bytes),
        hash: row.hash,
        createdBy: row.sys_created_by,
        content: Buffer.from(instance.attachmentContent(row.sys_id) ?? Buffer.alloc(0))
    });
    const view = (row: Row): IncidentView => ({
        record: { ...row },
        comments: instance.journal(row.sys_id, ['comments']).map(entry),
        workNotes: instance.journal(row.sys_id, ['work_notes']).map(entry),
        attachments: [...instance.tables.sys_attachment.values()]
            .filter((attachment) => attachment.table_name === 'incident' && attachment.table_sys_id === row.sys_id)
            .map(attachmentView)
    });

    return {
        url: `http://127.0.0.1:${port}`,
        serviceAccount,
        agent,
        oauthClient,
        close: () => server.close(),
        apiCalls: (userName) => server.apiCalls(userName),
        resetApiCalls: () => server.resetApiCalls(),
        tokenRequests: () => server.tokenRequests(),
        addUser: (user) => instance.addUser(user),
        createIncidentAs(userName, fields) {
            requireUser(userName);
            return view(instance.createIncident(userName, fields));
        },
        updateIncidentAs(userName, incident, fields) {
            requireUser(userName);
            const row = require(incident);
            instance.updateIncident(userName, row.sys_id, fields);
            return view(row);
        },
        addCommentAs(userName, incident, text) {
            requireUser(userName);
            const row = require(incident);
            instance.updateIncident(userName, row.sys_id, { comments: text });
            return view(row);
        },
        addWorkNoteAs(userName, incident, text) {
            requireUser(userName);
            const row = require(incident);
            instance.updateIncident(userName, row.sys_id, { work_notes: text });
            return view(row);
        },
        attachFileAs(userName, incident, file) {
            requireUser(userName);
            const row = require(incident);
            return attachmentView(
                instance.attach(userName, {
                    tableName: 'incident',
                    tableSysId: row.sys_id,
                    fileName: file.fileName,
                    contentType: file.contentType,
                    bytes: Buffer.from(file.bytes)
                })
            );
        },
        incident(numberOrSysId) {
            const row = find(numberOrSysId);
            return row ? view(row) : undefined;
        },
        incidents: () => [...instance.tables.incident.values()].map(view),
        setRateLimit: (rule) => rateLimiter.set(rule),
        expireAccessTokens: () => auth.expireAccessTokens(),
        expireRefreshTokens: () => auth.expireRefreshTokens(),
        failNext: (match, response) => server.failNext(match, response)
    };
}
