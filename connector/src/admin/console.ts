// Starting the console outside Salesforce beside a running Salesforce connector: a jsforce session
// of the connector's org, the Salesforce admin, and the admin server with the console's build. The
// CLI (`npm run connector -- run --console-port N`), the tests and the demo start it through here.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import type { ApiBudget } from '../salesforce/index.ts';
import { apiNames, connectOrg } from '../salesforce/index.ts';
import type { OrgAuthOptions } from '../salesforce/index.ts';
import { salesforceAdminApi } from './operations.ts';
import { SalesforceAdmin } from './salesforce-admin.ts';
import { apexRestSecretStore } from './secret-store.ts';
import type { SecretStore } from './secret-store.ts';
import { MIN_TOKEN_LENGTH, startAdminServer } from './server.ts';
import type { AdminServer } from './server.ts';

/** Where `npm run build:console-web` writes the console's browser build. */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL('../../dist/console-web', import.meta.url));

export interface SalesforceConsoleOptions {
    /** How the connector signs in; the console gets its own session of the same user. */
    readonly auth: OrgAuthOptions;
    readonly namespace: string;
    /** The connector's API budget, so the console's calls count against the same allocation. */
    readonly budget: ApiBudget;
    readonly host?: string;
    readonly port?: number;
    /** Default: a new random token (EXALATE_ADMIN_TOKEN on the command line). */
    readonly token?: string;
    /** Suggested short name of this side in the wizards. */
    readonly instanceName?: string;
    /** Where a new connection's secret goes (default: the package's Apex REST resource). */
    readonly secrets?: (connection: Connection) => SecretStore;
    readonly staticDir?: string;
    readonly log?: (message: string) => void;
}

export interface RunningConsole extends AdminServer {
    /** The console's address with the admin token in its fragment: give it to the admin only. */
    readonly link: string;
}

/** A new admin token: 256 bits, base64url. */
export function newAdminToken(): string {
    return randomBytes(32).toString('base64url');
}

export async function startSalesforceConsole(options: SalesforceConsoleOptions): Promise<RunningConsole> {
    const staticDir = options.staticDir ?? CONSOLE_BUILD_DIR;
    if (!existsSync(join(staticDir, 'index.html')) || !existsSync(join(staticDir, 'app.js'))) {
        throw new Error(
            `The console is not built (${staticDir} has no index.html and app.js): run npm run build:console-web first.`
        );
    }
    const token = options.token ?? newAdminToken();
    if (token.length < MIN_TOKEN_LENGTH) {
        throw new Error(`The admin token must be at least ${MIN_TOKEN_LENGTH} characters long.`);
    }
    const connection = await connectOrg(options.auth);
    // The identity URL is not metered: who accepted an invitation and who asked for a sync.
    const identity = await connection.identity();
    const names = apiNames(options.namespace);
    const admin = new SalesforceAdmin({
        connection,
        names,
        budget: options.budget,
        secrets:
            options.secrets?.(connection) ??
            apexRestSecretStore({ connection: () => connection, names, budget: options.budget }),
        instanceName: options.instanceName,
        actor: { userId: identity.user_id, name: identity.display_name }
    });
    const server = await startAdminServer({
        staticDir,
        token,
        api: salesforceAdminApi(admin),
        host: options.host,
        port: options.port,
        log: options.log
    });
    return { ...server, link: `${server.url}#token=${token}` };
}
