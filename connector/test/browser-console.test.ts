// The Exalate console outside Salesforce, in a real Chromium: the package's own components built
// for the browser (npm run build:console-web) with the real base components and SLDS, their Apex
// calls going to the admin API. With SCREENSHOTS=1 it also refreshes the screenshots in
// docs/screenshots/.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { decodeInvitation, encodeInvitation } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import { consoleBundle } from './browser/bundle.ts';
import { initiate, openConsole, screenshot } from './browser/console-page.ts';
import { launchBrowser } from './browser/browser.ts';
import type { Browser } from './browser/browser.ts';
import { startAdminServer } from '../src/admin/server.ts';
import type { AdminServer } from '../src/admin/server.ts';
import { standInOrg } from './browser/stand-in-admin.ts';
import type { StandInOrg } from './browser/stand-in-admin.ts';

const TOKEN = 'browser-test-token-0123456789';

/** Runs in the page (the connector's TypeScript has no DOM library, hence the cast). */
function backgroundColor(element: unknown): string {
    const view = globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } };
    return view.getComputedStyle(element).backgroundColor;
}

let browser: Browser;

void describe('console outside Salesforce: its screens (stand-in org behind the admin server)', () => {
    let org: StandInOrg;
    let server: AdminServer;

    before(async () => {
        const [staticDir, launched] = await Promise.all([consoleBundle(), launchBrowser()]);
        browser = launched;
        org = standInOrg('SalesforceA');
        server = await startAdminServer({ staticDir, token: TOKEN, api: org.api });
    });

    after(async () => {
        await browser?.close();
        await server?.close();
    });

    void it('renders the console with the real base components and SLDS, the token gone from the URL', async () => {
        await browser.withPage('console-home', async (page) => {
            await openConsole(page, `${server.url}#token=${TOKEN}`);
            // lightning-button is LBC's, and SLDS paints its brand variant.
            const initiateButton = page.getByRole('button', { name: 'Initiate connection' }).first();
            await initiateButton.waitFor();
            const brand = page.locator('lightning-button button.slds-button_brand').first();
            assert.equal(await brand.evaluate(backgroundColor), 'rgb(1, 118, 211)');
            assert.doesNotMatch(page.url(), /token/);
            assert.ok(org.calls.includes('ConnectionController.listConnections'));
            await screenshot(page, 'console-home');
        });
    });

    void it('Initiate connection shows an invitation code that the codec reads back', async () => {
        await browser.withPage('initiate-wizard', async (page) => {
            await openConsole(page, `${server.url}#token=${TOKEN}`);
            const code = await initiate(page, {
                destinationUrl: 'https://b.example.com',
                nodeUrl: 'https://a-node.example.com',
                remoteName: 'SalesforceB'
            });
            const decoded = decodeInvitation(code, Math.floor(Date.now() / 1000));
            assert.ok(decoded.ok, code);
            assert.equal(decoded.invitation.initiatorInstance, 'SalesforceA');
            assert.equal(decoded.invitation.initiatorNodeUrl, 'https://a-node.example.com');
            assert.equal(decoded.invitation.invitationId, org.connections.at(-1)?.invitationId);
        });
    });

    void it('Accept invitation shows the codec error for a malformed code', async () => {
        await browser.withPage('accept-wizard', async (page) => {
            await openConsole(page, `${server.url}#token=${TOKEN}`);
            await page.getByRole('button', { name: 'Accept invitation' }).first().click();
            const wizard = page.locator('c-exalate-accept-wizard');
            const valid = encodeInvitation({
                version: 1,
                invitationId: '6f1c1f3e-9a59-4f0e-8d2a-7c6b5a4f3e2d',
                connectionName: 'SalesforceX_to_SalesforceA',
                initiatorInstance: 'SalesforceX',
                destinationInstance: 'SalesforceA',
                initiatorPlatform: 'Salesforce',
                initiatorNodeUrl: 'https://x-node.example.com',
                connectionType: 'Public',
                mode: 'Basic',
                expiresAt: Math.floor(Date.now() / 1000) + 3600,
                secret: 'A'.repeat(43)
            });
            // One character changed in the middle: the checksum no longer matches.
            const middle = Math.floor(valid.length / 2);
            const typo = `${valid.slice(0, middle)}${valid[middle] === 'A' ? 'B' : 'A'}${valid.slice(middle + 1)}`;
            for (const code of ['hello, this is not a code', typo]) {
                const expected = decodeInvitation(code, Math.floor(Date.now() / 1000));
                assert.ok(!expected.ok);
                await wizard.getByLabel('Invitation code').fill(code);
                await wizard.getByRole('button', { name: 'Check' }).click();
                await wizard.locator('.code-error').getByText(expected.message).waitFor();
            }
        });
    });
});
