// Chromium for the browser tests, through playwright-core and the system's own Chromium (no
// browser download). CHROMIUM_PATH overrides the executable; by default `chromium` is looked up on
// PATH. A page that fails its test leaves a screenshot in a temporary folder (BROWSER_FAILURES_DIR
// overrides it), whose path the failure message names.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const FAILURES_DIR = process.env.BROWSER_FAILURES_DIR ?? join(tmpdir(), 'exalate-browser-failures');

/** The Chromium to drive: CHROMIUM_PATH, else the first `chromium` on PATH. */
export function chromiumPath(): string {
    const configured = process.env.CHROMIUM_PATH;
    if (configured) {
        return configured;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
        for (const name of ['chromium', 'chromium-browser']) {
            const candidate = join(dir, name);
            try {
                accessSync(candidate, constants.X_OK);
                return candidate;
            } catch {
                // not here
            }
        }
    }
    throw new Error('No Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH');
}

export interface Browser {
    readonly context: BrowserContext;
    /**
     * Runs `use` on a new page; on failure saves a screenshot named after `name` and adds the
     * page's errors to the thrown error. The page is closed either way.
     */
    withPage<T>(name: string, use: (page: Page) => Promise<T>): Promise<T>;
    close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), 'exalate-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync'
        ]
    });
    return {
        context,
        withPage: async (name, use) => {
            const page = await context.newPage();
            const problems: string[] = [];
            page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
            page.on('console', (message) => {
                if (message.type() === 'error') {
                    problems.push(`console error: ${message.text()}`);
                }
            });
            try {
                return await use(page);
            } catch (error) {
                mkdirSync(FAILURES_DIR, { recursive: true });
                const file = join(FAILURES_DIR, `${name.replace(/[^\w-]+/g, '_')}.png`);
                const saved = await page.screenshot({ path: file, fullPage: true }).then(
                    () => true,
                    () => false
                );
                if (error instanceof Error) {
                    const notes = saved ? [`screenshot: ${file}`, ...problems] : problems;
                    if (notes.length > 0) {
                        error.message += `\n${notes.join('\n')}`;
                    }
                }
                throw error;
            } finally {
                await page.close().catch(() => undefined);
            }
        },
        close: async () => {
            await context.close().catch(() => undefined);
            await rm(profile, { recursive: true, force: true });
        }
    };
}
