// The connector's command line for a Salesforce side:
//
//   npm run connector -- run [options]
//
// Signs in to the org, serves the node protocol (unless --private) and syncs until Ctrl-C.
// Options (each also as an environment variable, for secrets that should not be on a command line):
//   --instance-url URL    with --access-token: an existing session (EXALATE_INSTANCE_URL)
//   --access-token TOKEN  (EXALATE_ACCESS_TOKEN)
//   --sf-alias ALIAS      reuse a Salesforce CLI login (EXALATE_SF_ALIAS)
//   --jwt-login-url URL --jwt-client-id ID --jwt-username NAME --jwt-key-file FILE
//                         the JWT bearer flow (EXALATE_JWT_*)
//   --namespace NS        the package namespace in the org ('' by default)
//   --port N --host H     where to serve (default 8443 on 127.0.0.1)
//   --public-url URL      the URL other nodes reach this one at, when a proxy is in front
//   --private             serve nothing: this side opens every request itself
//   --spool DIR           folder for attachments in transit
//   --json                log lines as JSON
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { OrgAuthOptions } from './salesforce/index.ts';
import { startSalesforceConnector } from './runtime/salesforce-connector.ts';
import type { ConnectorLogEntry } from './runtime/salesforce-connector.ts';
import { CONSOLE_CLI_OPTIONS, CONSOLE_USAGE, startConsoleFromCli } from './admin/cli.ts';

const USAGE = `Usage: npm run connector -- run [--instance-url URL --access-token TOKEN | --sf-alias ALIAS |
       --jwt-login-url URL --jwt-client-id ID --jwt-username NAME --jwt-key-file FILE]
       [--namespace NS] [--port 8443] [--host 127.0.0.1] [--public-url URL] [--private] [--spool DIR] [--json]
${CONSOLE_USAGE}`;

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function env(name: string): string | undefined {
    const value = process.env[name];
    return value === undefined || value === '' ? undefined : value;
}

/** The org sign-in the options describe. */
export function authFrom(values: Record<string, string | boolean | undefined>): OrgAuthOptions {
    const text = (name: string, variable: string): string | undefined => {
        const value = values[name];
        return typeof value === 'string' && value !== '' ? value : env(variable);
    };
    const alias = text('sf-alias', 'EXALATE_SF_ALIAS');
    const instanceUrl = text('instance-url', 'EXALATE_INSTANCE_URL');
    const accessToken = text('access-token', 'EXALATE_ACCESS_TOKEN');
    const jwtClientId = text('jwt-client-id', 'EXALATE_JWT_CLIENT_ID');
    if (instanceUrl !== undefined || accessToken !== undefined) {
        if (instanceUrl === undefined || accessToken === undefined) {
            throw new UsageError('--instance-url and --access-token go together.');
        }
        return { kind: 'token', instanceUrl, accessToken };
    }
    if (alias !== undefined) {
        return { kind: 'sf-cli', aliasOrUsername: alias };
    }
    if (jwtClientId !== undefined) {
        const loginUrl = text('jwt-login-url', 'EXALATE_JWT_LOGIN_URL') ?? 'https://login.salesforce.com';
        const username = text('jwt-username', 'EXALATE_JWT_USERNAME');
        const keyFile = text('jwt-key-file', 'EXALATE_JWT_KEY_FILE');
        if (username === undefined || keyFile === undefined) {
            throw new UsageError('The JWT bearer flow needs --jwt-username and --jwt-key-file too.');
        }
        return { kind: 'jwt', loginUrl, clientId: jwtClientId, username, privateKeyPem: readFileSync(keyFile, 'utf8') };
    }
    throw new UsageError('Say how to sign in to the org: --sf-alias, --instance-url with --access-token, or --jwt-*.');
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

async function run(args: string[]): Promise<void> {
    const { values } = parseArgs({
        args,
        options: {
            'instance-url': { type: 'string' },
            'access-token': { type: 'string' },
            'sf-alias': { type: 'string' },
            'jwt-login-url': { type: 'string' },
            'jwt-client-id': { type: 'string' },
            'jwt-username': { type: 'string' },
            'jwt-key-file': { type: 'string' },
            namespace: { type: 'string', default: '' },
            port: { type: 'string', default: '8443' },
            host: { type: 'string', default: '127.0.0.1' },
            'public-url': { type: 'string' },
            private: { type: 'boolean', default: false },
            spool: { type: 'string' },
            json: { type: 'boolean', default: false },
            ...CONSOLE_CLI_OPTIONS
        },
        strict: true
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a port number, not ${values.port}`);
    }
    const json = values.json === true;
    const connector = await startSalesforceConnector({
        auth: authFrom(values),
        namespace: values.namespace ?? '',
        listen: values.private ? undefined : { host: values.host, port },
        publicUrl: values['public-url'],
        spoolDir: values.spool,
        log: (entry) => process.stdout.write(`${formatLog(entry, json)}\n`)
    });
    process.stdout.write(
        json
            ? `${JSON.stringify({ event: 'started', nodeUrl: connector.nodeUrl, connections: connector.engine.connections.length })}\n`
            : `Connector running${connector.nodeUrl ? ` at ${connector.nodeUrl}` : ' (private: it serves nothing)'}; ` +
                  `${connector.engine.connections.length} connection(s). Ctrl-C stops it.\n`
    );
    const adminConsole = await startConsoleFromCli(
        values,
        { auth: authFrom(values), namespace: values.namespace ?? '', connector },
        (line) => process.stdout.write(`${line}\n`)
    );
    let stopping = false;
    const stop = (): void => {
        if (!stopping) {
            stopping = true;
            void Promise.all([connector.stop(), adminConsole?.close()]).then(() => process.exit(0));
        }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
}

const [command, ...rest] = process.argv.slice(2);
try {
    if (command === 'run') {
        await run(rest);
    } else {
        throw new UsageError(command === undefined ? 'Name a command.' : `Unknown command: ${command}`);
    }
} catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
        process.exit(2);
    }
    process.stderr.write(`The connector could not start: ${(error as Error).message}\n`);
    process.exit(1);
}
