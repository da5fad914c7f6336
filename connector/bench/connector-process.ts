// One connector of the benchmark, in its own process so that its memory is measured alone:
//   node --import tsx connector/bench/connector-process.ts '<json options>'
// Prints `ready <node url>` once it runs and, on SIGTERM, `stats <json>` (API calls, peak memory)
// before it exits.
import { startSalesforceConnector } from '../src/runtime/salesforce-connector.ts';
import { naiveOrg } from './naive-org.ts';
import { DEFAULT_TUNING } from '../src/engine/context.ts';

interface ProcessOptions {
    readonly instanceUrl: string;
    readonly accessToken: string;
    readonly port?: number;
    readonly private: boolean;
    readonly naive: boolean;
    /** The naive baseline polls the queue instead of listening to wake events. */
    readonly pollEveryMs?: number;
    readonly reconcileEveryMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProcessOptions;
const connector = await startSalesforceConnector({
    auth: { kind: 'token', instanceUrl: options.instanceUrl, accessToken: options.accessToken },
    namespace: '',
    listen: options.private ? undefined : { host: '127.0.0.1', port: options.port ?? 0 },
    log: (entry) => {
        if (entry.level === 'error') {
            process.stderr.write(`${entry.event}: ${entry.message}\n`);
        }
    },
    streaming: !options.naive,
    wrapOrg: options.naive ? naiveOrg : undefined,
    tuning: {
        reconcileEveryMs: options.naive
            ? (options.pollEveryMs ?? 5_000)
            : (options.reconcileEveryMs ?? DEFAULT_TUNING.reconcileEveryMs)
    }
});
process.stdout.write(`ready ${connector.nodeUrl || '-'}\n`);
process.on('SIGTERM', () => {
    void connector.stop().finally(() => {
        const stats = {
            apiCalls: connector.org.apiCalls,
            peakRssBytes: process.resourceUsage().maxRSS * 1024,
            ...connector.engine.stats
        };
        process.stdout.write(`stats ${JSON.stringify(stats)}\n`, () => process.exit(0));
    });
});
