// The console's options of `npm run connector -- run` and `npm run servicenow -- run`:
//
//   --console-port N        serve the console and its admin API on this port (0: any free port)
//   --console-host H        where it listens (default 127.0.0.1: this machine only)
//   --instance-name NAME    the short name suggested for this side in the wizards
//
// The admin token comes from EXALATE_ADMIN_TOKEN, or is made up at start; the console's link,
// printed once, carries it in its fragment (which browsers never send to a server).
import type { OrgAuthOptions } from '../salesforce/index.ts';
import type { RunningConnector } from '../runtime/salesforce-connector.ts';
import type { RunningServiceNowConnector } from '../runtime/servicenow-connector.ts';
import { startSalesforceConsole, startServiceNowConsole } from './console.ts';
import type { RunningConsole } from './console.ts';

export const CONSOLE_USAGE = '       [--console-port N [--console-host 127.0.0.1] [--instance-name NAME]]';

/** Options to merge into the `run` command's parseArgs options. */
export const CONSOLE_CLI_OPTIONS = {
    'console-port': { type: 'string' },
    'console-host': { type: 'string', default: '127.0.0.1' },
    'instance-name': { type: 'string' }
} as const;

interface ConsoleCliValues {
    readonly host: string;
    readonly port: number;
    readonly token: string | undefined;
    readonly instanceName: string | undefined;
}

/** The console's options, or undefined when --console-port is not given. */
function consoleValues(values: Record<string, string | boolean | undefined>): ConsoleCliValues | undefined {
    const portText = values['console-port'];
    if (typeof portText !== 'string') {
        return undefined;
    }
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`--console-port must be a port number, not ${portText}`);
    }
    const envToken = process.env.EXALATE_ADMIN_TOKEN;
    return {
        host: typeof values['console-host'] === 'string' ? values['console-host'] : '127.0.0.1',
        port,
        token: envToken === undefined || envToken === '' ? undefined : envToken,
        instanceName: typeof values['instance-name'] === 'string' ? values['instance-name'] : undefined
    };
}

function announce(running: RunningConsole, host: string, write: (line: string) => void): RunningConsole {
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
        write(`console: listening on ${host}, reachable from other machines; anyone with the link is an admin.`);
    }
    write(`Console: ${running.link}`);
    return running;
}

/** Starts the console when --console-port is given; prints its link once. */
export async function startConsoleFromCli(
    values: Record<string, string | boolean | undefined>,
    context: { readonly auth: OrgAuthOptions; readonly namespace: string; readonly connector: RunningConnector },
    write: (line: string) => void
): Promise<RunningConsole | undefined> {
    const options = consoleValues(values);
    if (options === undefined) {
        return undefined;
    }
    const running = await startSalesforceConsole({
        auth: context.auth,
        namespace: context.namespace,
        budget: context.connector.org.budget,
        host: options.host,
        port: options.port,
        token: options.token,
        instanceName: options.instanceName,
        log: (message) => write(`console: ${message}`)
    });
    return announce(running, options.host, write);
}

/** The same for a ServiceNow node (`npm run servicenow -- run --console-port N`). */
export async function startServiceNowConsoleFromCli(
    values: Record<string, string | boolean | undefined>,
    connector: RunningServiceNowConnector,
    write: (line: string) => void
): Promise<RunningConsole | undefined> {
    const options = consoleValues(values);
    if (options === undefined) {
        return undefined;
    }
    const running = await startServiceNowConsole({
        store: connector.store,
        api: connector.api,
        instanceUrl: connector.instanceUrl,
        host: options.host,
        port: options.port,
        token: options.token,
        instanceName: options.instanceName,
        log: (message) => write(`console: ${message}`)
    });
    return announce(running, options.host, write);
}
