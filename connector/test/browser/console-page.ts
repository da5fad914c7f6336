// What an admin does in the console, as browser steps shared by the browser tests, and the
// screenshots they refresh in docs/screenshots/ with SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from './bundle.ts';

const SCREENSHOTS = process.env.SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : undefined;

/**
 * Saves a screenshot of the page as docs/screenshots/<name>.png when SCREENSHOTS=1. Invitation
 * codes carry a connection's secret: pass their fields as `mask`, and they are painted over.
 */
export async function screenshot(page: Page, name: string, mask: Locator[] = []): Promise<void> {
    if (SCREENSHOTS !== undefined) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, mask, maskColor: '#c9c9c9' });
    }
}

/** Opens the console through its link (the token in the fragment) and waits for the connections list. */
export async function openConsole(page: Page, link: string): Promise<void> {
    await page.goto(link);
    await page.locator('c-exalate-console lightning-card').first().waitFor();
}

/**
 * Initiate connection: Public with "No, I don't have admin access", or Private ("I don't have a
 * URL") when `destinationUrl` is null; answers the code on screen.
 */
export async function initiate(
    page: Page,
    options: { destinationUrl: string | null; nodeUrl: string; remoteName: string }
): Promise<string> {
    await page.getByRole('button', { name: 'Initiate connection' }).first().click();
    const wizard = page.locator('c-exalate-initiate-wizard');
    if (options.destinationUrl === null) {
        await wizard.getByText("I don't have a URL").click();
    } else {
        await wizard.getByLabel('Destination instance URL').fill(options.destinationUrl);
    }
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText('Choose the configuration type', { exact: false }).waitFor();
    await wizard.getByRole('button', { name: 'Next' }).click();
    if (options.destinationUrl !== null) {
        await wizard.getByText("No, I don't have admin access").click();
        await wizard.getByRole('button', { name: 'Next' }).click();
    }
    await wizard.getByLabel('Remote instance short name').fill(options.remoteName);
    await wizard.locator('lightning-radio-group.platform').getByText('Salesforce', { exact: true }).click();
    await wizard.getByLabel("This side's Exalate node URL").fill(options.nodeUrl);
    await wizard.getByRole('button', { name: 'Initiate' }).click();
    const code = wizard.locator('textarea.invitation-code');
    await code.waitFor();
    return code.inputValue();
}

/** Accept invitation with a code, up to the code check (the details or the error under the field). */
export async function pasteInvitation(page: Page, code: string): Promise<void> {
    await page.getByRole('button', { name: 'Accept invitation' }).first().click();
    const wizard = page.locator('c-exalate-accept-wizard');
    await wizard.getByLabel('Invitation code').fill(code);
    await wizard.getByRole('button', { name: 'Check' }).click();
}
