// Starting the console outside Salesforce beside a running connector: for a Salesforce side, a
// jsforce session of the connector's org and the Salesforce admin; for a ServiceNow side, the
// node's store and instance and the ServiceNow admin; then the admin server with the console's
// build. The CLIs (`npm run connector -- run --console-port N`, `npm run servicenow -- run
// --console-port N`), the tests and the demo start it through here.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import type { ApiBudget } from '../salesforce/index.ts';
import { apiNames, connectOrg } from '../salesforce/index.ts';
import type { OrgAuthOptions } from '../salesforce/index.ts';
import type { IncidentApi } from '../servicenow/incident-api.ts';
import type { ServiceNowStore } from '../servicenow/store/servicenow-store.ts';
import { adminApi } from './operations.ts';
import type { AdminApi } from './operations.ts';
import { SalesforceAdmin } from './salesforce-admin.ts';
import { ServiceNowAdmin } from './servicenow-admin.ts';
import type { ServiceNowAdminOptions } from './servicenow-admin.ts';
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

function checkBuild(staticDir: string): void {
    if (!existsSync(join(staticDir, 'index.html')) || !existsSync(join(staticDir, 'app.js'))) {
        throw new Error(
            `The console is not built (${staticDir} has no index.html and app.js): run npm run build:console-web first.`
        );
    }
}

function checkToken(token: string): void {
    if (token.length < MIN_TOKEN_LENGTH) {
        throw new Error(`The admin token must be at least ${MIN_TOKEN_LENGTH} characters long.`);
    }
}

async function serve(
    api: AdminApi,
    token: string,
    options: { staticDir: string; host?: string; port?: number; log?: (message: string) => void }
): Promise<RunningConsole> {
    const server = await startAdminServer({
        staticDir: options.staticDir,
        token,
        api,
        host: options.host,
        port: options.port,
        log: options.log
    });
    return { ...server, link: `${server.url}#token=${token}` };
}

export async function startSalesforceConsole(options: SalesforceConsoleOptions): Promise<RunningConsole> {
    const staticDir = options.staticDir ?? CONSOLE_BUILD_DIR;
    checkBuild(staticDir);
    const token = options.token ?? newAdminToken();
    checkToken(token);
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
    return serve(adminApi(admin), token, { ...options, staticDir });
}

export interface ServiceNowConsoleOptions {
    /** The running node's store: the console reads and writes it as the command-line console does. */
    readonly store: ServiceNowStore;
    /** The instance (the node's own REST client, so the console's calls are counted with the node's). */
    readonly api: IncidentApi;
    readonly instanceUrl: string;
    readonly host?: string;
    readonly port?: number;
    /** Default: a new random token (EXALATE_ADMIN_TOKEN on the command line). */
    readonly token?: string;
    /** Suggested short name of this side in the wizards. */
    readonly instanceName?: string;
    /** Tells the other node of activate, deactivate and delete (default: a signed protocol request). */
    readonly tellOtherNode?: ServiceNowAdminOptions['tellOtherNode'];
    readonly staticDir?: string;
    readonly log?: (message: string) => void;
}

/** The console of a ServiceNow node: the same components, the admin API over the node's store. */
export async function startServiceNowConsole(options: ServiceNowConsoleOptions): Promise<RunningConsole> {
    const staticDir = options.staticDir ?? CONSOLE_BUILD_DIR;
    checkBuild(staticDir);
    const token = options.token ?? newAdminToken();
    checkToken(token);
    const admin = new ServiceNowAdmin({
        store: options.store,
        api: options.api,
        instanceUrl: options.instanceUrl,
        instanceName: options.instanceName,
        tellOtherNode: options.tellOtherNode
    });
    return serve(adminApi(admin), token, { ...options, staticDir });
}
