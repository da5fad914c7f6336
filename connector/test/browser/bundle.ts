// The browser build of the console for the browser tests: built once, and only when a source is
// newer than the bundle in connector/dist/console-web (a full build takes about half a minute).
// Test files run in parallel processes, so the build holds a lock folder: another process waits
// for it, then finds the bundle fresh.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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

const LOCK = join(ROOT, 'connector/dist/.console-web-build.lock');
/** A lock older than this was left by a killed process. */
const STALE_LOCK_MS = 5 * 60 * 1000;

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
    mkdirSync(join(ROOT, 'connector/dist'), { recursive: true });
    for (;;) {
        try {
            mkdirSync(LOCK);
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
                throw error;
            }
            const lock = statSync(LOCK, { throwIfNoEntry: false });
            if (lock !== undefined && Date.now() - lock.mtimeMs > STALE_LOCK_MS) {
                rmSync(LOCK, { recursive: true, force: true });
            }
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
    }
    try {
        return await work();
    } finally {
        rmSync(LOCK, { recursive: true, force: true });
    }
}

let building: Promise<string> | undefined;

/** The folder of a bundle built from the current sources. */
export function consoleBundle(): Promise<string> {
    building ??= withBuildLock(async () => {
        if (!isFresh()) {
            await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build/build-console-web.mjs')], {
                cwd: ROOT,
                maxBuffer: 16 * 1024 * 1024
            });
        }
        return CONSOLE_WEB_DIR;
    });
    return building;
}
