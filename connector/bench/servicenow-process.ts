// The ServiceNow node of the benchmark, in its own process so that its memory is measured alone:
//   node --import tsx connector/bench/servicenow-process.ts '<json options>'
// Prints `ready <node url>` once it runs and, on SIGTERM, `stats <json>` (REST calls, peak memory)
// before it exits.
import { startServiceNowConnector } from '../src/runtime/servicenow-connector.ts';
import { RestIncidentApi } from '../src/servicenow/rest/index.ts';
import { naiveIncidentApi } from './naive-servicenow.ts';

interface ProcessOptions {
    readonly instanceUrl: string;
    readonly userName: string;
    readonly password: string;
    readonly storePath: string;
    readonly spoolDir: string;
    readonly private: boolean;
    readonly naive: boolean;
    /** How often the node reads the instance for changes (ServiceNow pushes nothing). */
    readonly feedEveryMs: number;
    /** The naive baseline also polls its queue this often. */
    readonly pollEveryMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProcessOptions;
const rest = new RestIncidentApi({
    instanceUrl: options.instanceUrl,
    auth: { kind: 'basic', userName: options.userName, password: options.password }
});
const api = options.naive ? naiveIncidentApi(rest) : rest;
const connector = await startServiceNowConnector({
    storePath: options.storePath,
    instanceUrl: options.instanceUrl,
    auth: { kind: 'basic', userName: options.userName, password: options.password },
    api,
    listen: options.private ? undefined : { host: '127.0.0.1', port: 0 },
    spoolDir: options.spoolDir,
    log: (entry) => {
        if (entry.level === 'error') {
            process.stderr.write(`${entry.event}: ${entry.message}\n`);
        }
    },
    feed: { intervalMs: options.feedEveryMs },
    tuning: options.naive ? { reconcileEveryMs: options.pollEveryMs ?? 5_000 } : undefined
});
// The node's timers do not hold the process, and a private node serves nothing that would.
const keepAlive = setInterval(() => undefined, 60 * 60_000);
process.stdout.write(`ready ${connector.nodeUrl || '-'}\n`);
process.on('SIGTERM', () => {
    clearInterval(keepAlive);
    void connector.stop().finally(() => {
        const stats = {
            apiCalls: api.apiCalls,
            peakRssBytes: process.resourceUsage().maxRSS * 1024,
            ...connector.engine.stats
        };
        process.stdout.write(`stats ${JSON.stringify(stats)}\n`, () => process.exit(0));
    });
});
