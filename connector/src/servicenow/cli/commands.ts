// The ServiceNow admin's console on the command line, and the command that runs the node:
//
//   npm run servicenow -- <command> [options]
//
// Every command works on the node's store file (--store, or EXALATE_SN_STORE); the running node
// hears of changes at once. Output is for people; --json prints one JSON document for scripts.
// Exit codes: 0 done, 1 refused (the message says why), 2 wrong usage.
import { parseArgs } from 'node:util';
import { CONSOLE_CLI_OPTIONS, startServiceNowConsoleFromCli } from '../../admin/cli.ts';
import { startServiceNowConnector } from '../../runtime/servicenow-connector.ts';
import type { ConnectorLogEntry } from '../../runtime/servicenow-connector.ts';
import type { SyncConnection, SyncStage } from '../../salesforce/types.ts';
import { ServiceNowConsole } from '../console/console.ts';
import type { ConnectionRow, EventRow } from '../console/console.ts';
import { RestIncidentApi } from '../rest/index.ts';
import type { ServiceNowAuth } from '../rest/index.ts';
import { ServiceNowStore } from '../store/servicenow-store.ts';

export const USAGE = `Usage: npm run servicenow -- <command> [options]

Commands
  run                           run the node: sync until Ctrl-C
      [--port 8444] [--host 127.0.0.1] [--public-url URL] [--private] [--poll-seconds 5] [--spool DIR]
      [--console-port N [--console-host 127.0.0.1] [--instance-name NAME]]
                                also serve the console in a browser (its link, with the admin
                                token, is printed once; EXALATE_ADMIN_TOKEN sets the token)
  initiate                      create a connection and print its invitation code
      [--destination-url URL | --no-url] [--local-instance ServiceNow] [--remote-instance NAME]
      [--name NAME] [--description TEXT] [--node-url URL] [--expires-hours 72]
  accept <code>                 accept an invitation code from the other side [--wait]
  connections                   list connections with their status
  activate|deactivate|delete <connection>
  trigger <connection> <query>  incidents matching an encoded query (urgency=1) come under sync
  sync <connection> <INC0010001> bring an incident under sync and follow it [--no-follow] [--timeout 120]
  queue [<connection>]          syncs on their way
  errors [<connection>]         failed syncs
  retry <EV-00000042>           queue a failed sync again

Options for every command
  --store FILE                  the node's store (EXALATE_SN_STORE; default servicenow-node.db)
  --json                        print JSON
The instance (run, sync)
  --instance-url URL            (EXALATE_SN_INSTANCE_URL)
  --user NAME --password PASS   the service account (EXALATE_SN_USER, EXALATE_SN_PASSWORD)
  --client-id ID --client-secret SECRET
                                OAuth instead of basic auth (EXALATE_SN_CLIENT_ID, EXALATE_SN_CLIENT_SECRET)
A <connection> is its name, its id, or the first 8 characters of its invitation id.`;

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
    override readonly name = 'UsageError';
}

/** Where the commands write; the real console passes the process's streams. */
export interface Io {
    out(text: string): void;
    err(text: string): void;
    env: Readonly<Record<string, string | undefined>>;
    /** Resolves when the admin asks to stop (Ctrl-C), for `run`. */
    stopRequested?: Promise<void>;
}

const OPTIONS = {
    store: { type: 'string' },
    json: { type: 'boolean', default: false },
    'instance-url': { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    port: { type: 'string', default: '8444' },
    host: { type: 'string', default: '127.0.0.1' },
    'public-url': { type: 'string' },
    private: { type: 'boolean', default: false },
    'poll-seconds': { type: 'string', default: '5' },
    spool: { type: 'string' },
    'destination-url': { type: 'string' },
    'no-url': { type: 'boolean', default: false },
    'local-instance': { type: 'string' },
    'remote-instance': { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    'node-url': { type: 'string' },
    'expires-hours': { type: 'string' },
    wait: { type: 'boolean', default: false },
    'no-follow': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '120' },
    ...CONSOLE_CLI_OPTIONS
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function value(values: Values, name: keyof Values, io: Io, variable?: string): string | undefined {
    const given = values[name];
    if (typeof given === 'string' && given !== '') {
        return given;
    }
    const fromEnv = variable === undefined ? undefined : io.env[variable];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function positiveNumber(text: string | undefined, option: string): number | undefined {
    if (text === undefined) {
        return undefined;
    }
    const number = Number(text);
    if (!Number.isFinite(number) || number <= 0) {
        throw new UsageError(`--${option} must be a positive number, not ${text}`);
    }
    return number;
}

/** The instance and its service account, from the options or the environment. */
export function instanceFrom(values: Values, io: Io): { instanceUrl: string; auth: ServiceNowAuth } {
    const instanceUrl = value(values, 'instance-url', io, 'EXALATE_SN_INSTANCE_URL');
    const userName = value(values, 'user', io, 'EXALATE_SN_USER');
    const password = value(values, 'password', io, 'EXALATE_SN_PASSWORD');
    if (instanceUrl === undefined || userName === undefined || password === undefined) {
        throw new UsageError(
            'Say which instance and service account: --instance-url, --user and --password (or EXALATE_SN_*).'
        );
    }
    const clientId = value(values, 'client-id', io, 'EXALATE_SN_CLIENT_ID');
    const clientSecret = value(values, 'client-secret', io, 'EXALATE_SN_CLIENT_SECRET');
    if ((clientId === undefined) !== (clientSecret === undefined)) {
        throw new UsageError('--client-id and --client-secret go together.');
    }
    return {
        instanceUrl,
        auth:
            clientId !== undefined && clientSecret !== undefined
                ? { kind: 'oauth', userName, password, clientId, clientSecret }
                : { kind: 'basic', userName, password }
    };
}

// ---------------------------------------------------------------------------------------------
// Output

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = headers.map((header, column) =>
        Math.min(60, Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)))
    );
    const line = (cells: readonly string[]): string =>
        cells
            .map((cell, column) => {
                const text = cell.length > widths[column] ? `${cell.slice(0, widths[column] - 1)}…` : cell;
                return text.padEnd(widths[column]);
            })
            .join('  ')
            .trimEnd();
    return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function connectionsText(rows: readonly ConnectionRow[]): string {
    if (rows.length === 0) {
        return 'No connections yet. Start one with: npm run servicenow -- initiate';
    }
    const body = table(
        ['Name', 'Status', 'Type', 'Role', 'Other side', 'Incidents', 'Queued', 'Failed', 'Id'],
        rows.map((row) => [
            row.name,
            row.status,
            row.type,
            row.role,
            `${row.remoteInstance} (${row.remotePlatform})`,
            String(row.syncedIncidents),
            String(row.queued),
            String(row.failed),
            row.id
        ])
    );
    const details = rows
        .filter((row) => row.statusDetail)
        .map((row) => `${row.name}: ${row.statusDetail ?? ''}`)
        .join('\n');
    return details === '' ? body : `${body}\n\n${details}`;
}

function eventsText(rows: readonly EventRow[], empty: string): string {
    if (rows.length === 0) {
        return empty;
    }
    return table(
        ['Entry', 'Incident', 'Direction', 'Stage', 'Attempts', 'Connection', 'Error'],
        rows.map((row) => [
            row.name,
            row.incident ?? '',
            row.direction ?? '',
            row.stage ?? '',
            String(row.attempts),
            row.connection,
            row.error ?? ''
        ])
    );
}

function connectionLine(connection: SyncConnection): string {
    return `${connection.name}: ${connection.status ?? 'deleted'} (${connection.type ?? ''}, ${connection.role ?? ''}, with ${connection.remoteInstanceName ?? 'the other side'})`;
}

/** The connection without anything an admin should not see in a script's output. */
function connectionJson(connection: SyncConnection): Record<string, unknown> {
    return {
        id: connection.id,
        name: connection.name,
        status: connection.status,
        type: connection.type,
        role: connection.role,
        localInstance: connection.localInstanceName,
        remoteInstance: connection.remoteInstanceName,
        remotePlatform: connection.remotePlatform,
        remoteNodeUrl: connection.remoteNodeUrl,
        invitationId: connection.invitationId,
        invitationExpires: connection.invitationExpires,
        statusDetail: connection.statusDetail
    };
}

// ---------------------------------------------------------------------------------------------

/** Runs one command; answers the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
    let parsed: { values: Values; positionals: string[] };
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        io.err(`${(error as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const { values, positionals } = parsed;
    const [command, ...args] = positionals;
    const json = values.json === true;
    const print = (text: string, data: unknown): void =>
        io.out(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
    if (command === undefined || command === 'help') {
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
    }
    const storePath = value(values, 'store', io, 'EXALATE_SN_STORE') ?? 'servicenow-node.db';
    try {
        if (command === 'run') {
            return await run(values, storePath, io, json);
        }
        const store = ServiceNowStore.open(storePath);
        try {
            const needsInstance = command === 'sync';
            const instance = needsInstance ? instanceFrom(values, io) : undefined;
            const console = new ServiceNowConsole({
                store,
                api: instance === undefined ? undefined : new RestIncidentApi(instance)
            });
            return await runConsoleCommand(console, store, command, args, values, io, print);
        } finally {
            store.close();
        }
    } catch (error) {
        if (error instanceof UsageError) {
            io.err(`${error.message}\n${USAGE}\n`);
            return 2;
        }
        if (json) {
            io.out(`${JSON.stringify({ error: (error as Error).message }, null, 2)}\n`);
        } else {
            io.err(`${(error as Error).message}\n`);
        }
        return 1;
    }
}

function needArgs(args: readonly string[], count: number, what: string): void {
    if (args.length < count) {
        throw new UsageError(`Missing ${what}.`);
    }
}

async function runConsoleCommand(
    console: ServiceNowConsole,
    store: ServiceNowStore,
    command: string,
    args: readonly string[],
    values: Values,
    io: Io,
    print: (text: string, data: unknown) => void
): Promise<number> {
    switch (command) {
        case 'initiate': {
            const destinationUrl = values['destination-url'];
            if (destinationUrl === undefined && values['no-url'] !== true) {
                throw new UsageError(
                    "Give the destination's URL (--destination-url URL), or --no-url when it has none (a private destination)."
                );
            }
            if (destinationUrl !== undefined && values['no-url'] === true) {
                throw new UsageError('--destination-url and --no-url exclude each other.');
            }
            const initiated = console.initiate({
                destinationUrl,
                localInstance: values['local-instance'],
                remoteInstance: values['remote-instance'],
                connectionName: values.name,
                description: values.description,
                nodeUrl: values['node-url'],
                expiresInHours: positiveNumber(values['expires-hours'], 'expires-hours')
            });
            const connection = initiated.connection;
            print(
                [
                    `Connection ${connection.name} created (Basic mode, ${connection.type === 'Private' ? 'the destination is private: it will open every request itself' : `destination ${connection.remoteNodeUrl ?? ''}`}).`,
                    '',
                    'Copy this invitation code and send it to the other admin, who pastes it under Accept invitation:',
                    '',
                    initiated.code,
                    '',
                    `It expires ${connection.invitationExpires ?? ''} and can be accepted once. The connection is Pending until then.`
                ].join('\n'),
                { connection: connectionJson(connection), invitationCode: initiated.code }
            );
            return 0;
        }
        case 'accept': {
            needArgs(args, 1, 'the invitation code');
            const accepted = console.accept(args.join(''));
            let connection: SyncConnection = accepted;
            if (values.wait === true) {
                const deadline = Date.now() + (positiveNumber(values.timeout, 'timeout') ?? 120) * 1000;
                while (connection.status === 'Pending' && Date.now() < deadline) {
                    await new Promise((resolve) => setTimeout(resolve, 200));
                    connection = store.findConnection(accepted.id) ?? connection;
                }
            }
            print(
                connection.status === 'Active'
                    ? `${connectionLine(connection)}. Sync an incident with: npm run servicenow -- sync "${connection.name}" INC0010001`
                    : connection.status === 'Pending'
                      ? `${connectionLine(connection)}. The running node confirms it with ${connection.remoteInstanceName ?? 'the other side'} (check with: npm run servicenow -- connections).`
                      : `${connectionLine(connection)}. ${connection.statusDetail ?? ''}`,
                { connection: connectionJson(connection) }
            );
            return connection.status === 'Error' ? 1 : 0;
        }
        case 'connections': {
            const rows = console.connections();
            print(connectionsText(rows), { connections: rows });
            return 0;
        }
        case 'activate':
        case 'deactivate':
        case 'delete': {
            needArgs(args, 1, 'the connection');
            const result = await console.command(args[0], command);
            const done =
                command === 'delete'
                    ? `Connection ${result.connection.name} deleted; its incidents stay, they no longer sync.`
                    : connectionLine(result.connection);
            print(`${done}\nThe other side was ${result.otherNode}.`, {
                connection: connectionJson(result.connection),
                otherNode: result.otherNode
            });
            return 0;
        }
        case 'trigger': {
            needArgs(args, 2, 'the connection and the encoded query');
            const id = console.addTrigger(args[0], args.slice(1).join(' '));
            print(`Trigger added: incidents matching ${args.slice(1).join(' ')} come under sync as they change.`, {
                triggerId: id
            });
            return 0;
        }
        case 'sync': {
            needArgs(args, 2, 'the connection and the incident number');
            const requested = await console.sync(args[0], args[1]);
            if (values['no-follow'] === true) {
                print(`${requested.incidentNumber} queued (${requested.eventName}).`, requested);
                return 0;
            }
            const stages: { stage: SyncStage; at: string }[] = [];
            if (values.json !== true) {
                io.out(`Syncing ${requested.incidentNumber} (${requested.eventName})\n`);
            }
            const result = await console.follow(
                requested.eventId,
                (stage) => {
                    stages.push({ stage, at: new Date().toISOString() });
                    if (values.json !== true) {
                        io.out(`  ${stage}\n`);
                    }
                },
                { timeoutMs: (positiveNumber(values.timeout, 'timeout') ?? 120) * 1000 }
            );
            const remote = result.twin?.remoteKey ? ` as ${result.twin.remoteKey}` : '';
            const summary =
                result.stage === 'Synchronized'
                    ? `${requested.incidentNumber} is synchronized${remote}.`
                    : result.stage === 'Failed'
                      ? `${requested.incidentNumber} failed: ${result.event?.error ?? 'no reason given'}. See: npm run servicenow -- errors`
                      : `${requested.incidentNumber} is still ${result.stage ?? 'queued'}: is the node running? (npm run servicenow -- run)`;
            if (values.json === true) {
                io.out(
                    `${JSON.stringify({ ...requested, stages, stage: result.stage, remoteKey: result.twin?.remoteKey ?? null, error: result.event?.error ?? null }, null, 2)}\n`
                );
            } else {
                io.out(`${summary}\n`);
            }
            return result.stage === 'Synchronized' ? 0 : 1;
        }
        case 'queue': {
            const rows = console.queue(args[0]);
            print(eventsText(rows, 'The queue is empty: everything is synchronized.'), { queue: rows });
            return 0;
        }
        case 'errors': {
            const rows = console.errors(args[0]);
            print(eventsText(rows, 'No errors.'), { errors: rows });
            return 0;
        }
        case 'retry': {
            needArgs(args, 1, 'the entry (EV-00000042)');
            const row = console.retry(args[0]);
            print(`${row.name} is queued again (${row.stage ?? ''}); the running node sends it now.`, { entry: row });
            return 0;
        }
        default:
            throw new UsageError(`Unknown command: ${command}`);
    }
}

function formatLog(entry: ConnectorLogEntry, json: boolean): string {
    if (json) {
        const { cause, ...rest } = entry;
        return JSON.stringify({
            time: new Date().toISOString(),
            ...rest,
            ...(cause instanceof Error ? { cause: cause.message } : {})
        });
    }
    const where = entry.connectionId ? ` [${entry.connectionId.slice(0, 8)}]` : '';
    return `${new Date().toISOString()} ${entry.level.padEnd(5)} ${entry.event}${where}: ${entry.message}`;
}

async function run(values: Values, storePath: string, io: Io, json: boolean): Promise<number> {
    const instance = instanceFrom(values, io);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a port number, not ${values.port}`);
    }
    const pollSeconds = positiveNumber(values['poll-seconds'], 'poll-seconds') ?? 5;
    const connector = await startServiceNowConnector({
        storePath,
        instanceUrl: instance.instanceUrl,
        auth: instance.auth,
        listen: values.private === true ? undefined : { host: values.host, port },
        publicUrl: values['public-url'],
        spoolDir: values.spool,
        feed: { intervalMs: pollSeconds * 1000 },
        log: (entry) => io.out(`${formatLog(entry, json)}\n`)
    });
    io.out(
        json
            ? `${JSON.stringify({ event: 'started', nodeUrl: connector.nodeUrl, connections: connector.engine.connections.length })}\n`
            : `ServiceNow node running${connector.nodeUrl ? ` at ${connector.nodeUrl}` : ' (private: it serves nothing)'}; ` +
                  `${connector.engine.connections.length} connection(s); store ${storePath}. Ctrl-C stops it.\n`
    );
    let adminConsole;
    try {
        adminConsole = await startServiceNowConsoleFromCli(values, connector, (line) => io.out(`${line}\n`));
    } catch (error) {
        await connector.stop();
        throw error;
    }
    // Keeps the process alive (the engine's own timers do not).
    const alive = setInterval(() => undefined, 60_000);
    await (io.stopRequested ?? new Promise<void>(() => undefined));
    clearInterval(alive);
    await adminConsole?.close();
    await connector.stop();
    return 0;
}
