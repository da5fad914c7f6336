// What the benchmark's pairs share: waiting, percentiles, number formats, and the child processes
// that run one connector each (connector-process.ts, servicenow-process.ts) so that each one's peak
// memory is its own.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '../emulators/salesforce/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The naive baseline polls its queue (and a ServiceNow node its instance) this often. */
export const NAIVE_POLL_MS = 2_000;

export interface ConnectorStats {
    apiCalls: number;
    peakRssBytes: number;
    passes: number;
}

export interface RunningProcess {
    readonly child: ChildProcess;
    readonly nodeUrl: string;
    /** What the connector wrote to stderr (its errors). */
    errors(): string;
    stop(): Promise<ConnectorStats>;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until(what: string, check: () => boolean, timeoutMs: number, everyMs = 5): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > deadline) {
            throw new Error(`benchmark: timed out waiting for ${what}`);
        }
        await sleep(everyMs);
    }
}

export function text(record: JsonObject | undefined, field: string): string {
    const value = record?.[field];
    return typeof value === 'string' ? value : '';
}

export function percentile(values: readonly number[], p: number): number {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function fmt(value: number, digits = 2): string {
    return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * The heap limit the connector runs with (`npm run connector` and `npm run servicenow` start it so).
 * Without it V8 lets the heap grow long before collecting, and a bulk of 10,000 Cases peaked at about
 * 255 MiB resident; the live data never needs more than this limit.
 */
const CONNECTOR_HEAP = '--max-old-space-size=160';

/**
 * Runs `script` (a path from the repository root) with its options as JSON. The process prints
 * `ready <node url or ->` once it runs and, on SIGTERM, `stats <json>` before it exits.
 */
export function spawnConnectorProcess(script: string, options: object): Promise<RunningProcess> {
    const child = spawn(process.execPath, [CONNECTOR_HEAP, '--import', 'tsx', script, JSON.stringify(options)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe']
    });
    let output = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
        errors += chunk.toString();
    });
    return new Promise((resolve, reject) => {
        child.on('exit', (code) => {
            if (!output.includes('ready ')) {
                reject(new Error(`the connector exited with ${code}: ${errors}`));
            }
        });
        child.stdout?.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const ready = /ready (\S+)\n/.exec(output);
            if (ready && !output.includes('\u0000resolved')) {
                output += '\u0000resolved';
                resolve({
                    child,
                    nodeUrl: ready[1] === '-' ? '' : ready[1],
                    errors: () => errors,
                    stop: () =>
                        new Promise((done, fail) => {
                            child.once('exit', () => {
                                const stats = /stats (\{.*\})\n/.exec(output);
                                if (stats) {
                                    done(JSON.parse(stats[1]) as ConnectorStats);
                                } else {
                                    fail(new Error(`the connector left no stats: ${errors}`));
                                }
                            });
                            child.kill('SIGTERM');
                            // A connector that does not stop is ended; it then has no figures to give.
                            setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
                        })
                });
            }
        });
    });
}

/** Ends a connector process at once (a pair that cannot be measured leaves nothing running). */
export function killProcess(running: RunningProcess | undefined): Promise<void> {
    const child = running?.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
    });
}
