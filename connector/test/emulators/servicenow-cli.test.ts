// `npm run emulator:servicenow`: the CLI prints the instance URL and credentials that work, and
// stops on SIGINT (Ctrl-C) with exit code 0.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const CLI = fileURLToPath(new URL('../../emulators/servicenow/cli.ts', import.meta.url));

void describe('ServiceNow emulator: CLI', () => {
    void it('serves with the printed credentials until Ctrl-C', async () => {
        const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0'], {
            stdio: ['ignore', 'pipe', 'inherit']
        });
        try {
            let output = '';
            child.stdout.setEncoding('utf8');
            await new Promise<void>((resolve, reject) => {
                child.stdout.on('data', (chunk: string) => {
                    output += chunk;
                    if (output.includes('Serving until Ctrl-C.')) {
                        resolve();
                    }
                });
                child.once('exit', () => reject(new Error(`CLI ended early:\n${output}`)));
            });
            const url = /instance URL:\s+(\S+)/.exec(output)?.[1] ?? '';
            const [userName, password] = (/service account:\s+(\S+) \/ (\S+)/.exec(output) ?? []).slice(1);
            assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
            const response = await fetch(`${url}/api/now/table/incident`, {
                headers: { Authorization: `Basic ${Buffer.from(`${userName}:${password}`).toString('base64')}` }
            });
            assert.equal(response.status, 200);
            assert.deepEqual(await response.json(), { result: [] });
            const exited = once(child, 'exit');
            child.kill('SIGINT');
            const [code] = (await exited) as [number | null];
            assert.equal(code, 0);
        } finally {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGKILL');
            }
        }
    });
});
