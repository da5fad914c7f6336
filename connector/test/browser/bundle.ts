// The browser build of the console for the browser tests: built once, and only when a source is
// newer than the bundle in connector/dist/console-web (a full build takes about half a minute).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CONSOLE_WEB_DIR = join(ROOT, 'connector/dist/console-web');
const BUNDLE = join(CONSOLE_WEB_DIR, 'app.js');

/** What the bundle is made of: a change to any of these makes it stale. */
const SOURCES = [
    'lwc-src',
    'types',
    'connector/console-web',
    'scripts/build/console-web',
    'scripts/build/build-console-web.mjs',
    'scripts/build/build-lwc.mjs',
    'scripts/build/labels.mjs',
    'package-lock.json'
];

function newestChange(path: string): number {
    const stat = statSync(path);
    if (!stat.isDirectory()) {
        return stat.mtimeMs;
    }
    let newest = stat.mtimeMs;
    for (const entry of readdirSync(path)) {
        if (entry !== '__tests__') {
            newest = Math.max(newest, newestChange(join(path, entry)));
        }
    }
    return newest;
}

function isFresh(): boolean {
    if (!existsSync(BUNDLE) || !existsSync(join(CONSOLE_WEB_DIR, 'index.html'))) {
        return false;
    }
    const built = statSync(BUNDLE).mtimeMs;
    return SOURCES.every((source) => !existsSync(join(ROOT, source)) || newestChange(join(ROOT, source)) <= built);
}

let building: Promise<string> | undefined;

/** The folder of a bundle built from the current sources. */
export function consoleBundle(): Promise<string> {
    building ??= (async () => {
        if (!isFresh()) {
            await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build/build-console-web.mjs')], {
                cwd: ROOT,
                maxBuffer: 16 * 1024 * 1024
            });
        }
        return CONSOLE_WEB_DIR;
    })();
    return building;
}
