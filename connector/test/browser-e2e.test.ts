// The seed flow end to end in a real Chromium, over the real stack: two emulated Salesforce orgs,
// a connector for each, and each connector's console (its admin API going to the org through
// jsforce). One admin initiates a connection in console A, the other accepts the code in console B,
// the connection becomes Active, a first Case is synced by its number and its stages reach
// Synchronized; the Case arrives in org A. Then the refusals an admin meets, and the Case page.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { consoleBundle } from './browser/bundle.ts';
import { launchBrowser } from './browser/browser.ts';
import type { Browser } from './browser/browser.ts';
import { initiate, openConsole, pasteInvitation, screenshot } from './browser/console-page.ts';
import { startConsoleStack } from './browser/console-stack.ts';
import type { ConsoleStack } from './browser/console-stack.ts';

const CONNECTION = 'SalesforceA_to_SalesforceB';

// Both emulated orgs and both connectors live on 127.0.0.1, and the wizard takes a destination on
// this org's own host for a Local connection: the other side is named by `localhost` instead.
let browser: Browser;
let stack: ConsoleStack;
/** Shared by the tests in order: the flow builds on itself as an admin's session would. */
let invitationCode = '';
let syncedCase: { id: string; caseNumber: string; remoteKey: string } | undefined;

void describe('console outside Salesforce, end to end (two emulated orgs, two connectors, two consoles)', () => {
    before(async () => {
        const staticDir = await consoleBundle();
        [browser, stack] = await Promise.all([launchBrowser(), startConsoleStack({ staticDir })]);
    });

    after(async () => {
        await browser?.close();
        await stack?.close();
    });

    void it('Initiate connection in console A, Accept invitation in console B: Active on both sides; a first Case synced by its number reaches Synchronized and arrives in org A', async () => {
        const seeded = stack.b.createCase(
            'Checkout returns 502 for EU customers',
            'Since 09:40 every EU checkout fails at the payment step.',
            ['Reproduced from Frankfurt with a test card.']
        );
        await browser.withPage('e2e-initiate', async (page) => {
            await openConsole(page, stack.a.console.link);
            invitationCode = await initiate(page, {
                destinationUrl: stack.b.connector.nodeUrl.replace('127.0.0.1', 'localhost'),
                nodeUrl: stack.a.connector.nodeUrl,
                remoteName: 'SalesforceB'
            });
            assert.match(invitationCode, /^EXA1-/);
            await screenshot(page, 'initiate-code', [page.locator('textarea.invitation-code')]);
        });
        await browser.withPage('e2e-accept-and-first-sync', async (page) => {
            await openConsole(page, stack.b.console.link);
            await pasteInvitation(page, invitationCode);
            const wizard = page.locator('c-exalate-accept-wizard');
            await wizard.getByText('The invitation code is valid.').waitFor();
            assert.equal(await wizard.locator('dd.connection-name').textContent(), CONNECTION);
            assert.equal(await wizard.locator('dd.initiator').textContent(), 'SalesforceA');
            await screenshot(page, 'accept-details', [wizard.locator('lightning-textarea.code textarea')]);
            await wizard.getByRole('button', { name: 'Confirm' }).click();
            await wizard.locator('h3.established').waitFor({ timeout: 30_000 });

            // Sync your first case: the Case number, Exalate, then the stages.
            const firstSync = wizard.locator('c-exalate-first-sync');
            await firstSync.getByLabel('Case number').fill(seeded.caseNumber);
            await firstSync.getByRole('button', { name: 'Exalate' }).click();
            await firstSync
                .getByText('The Case is in sync with the other side.', { exact: false })
                .waitFor({ timeout: 30_000 });
            assert.equal(await firstSync.locator('p.stage').textContent(), 'Sync stage: Synchronized');
            const remote = (await firstSync.locator('.remote-link, .remote-key').first().textContent()) ?? '';
            await screenshot(page, 'first-sync-synchronized');
            syncedCase = { ...seeded, remoteKey: remote.trim() };
        });
        // What the admins would check next: the connection Active in A's list, and the Case in org A.
        await browser.withPage('e2e-list-a', async (page) => {
            await openConsole(page, stack.a.console.link);
            const row = page.locator('c-exalate-console tr', { hasText: CONNECTION });
            await row.getByText('Active').waitFor();
            await screenshot(page, 'connections-active');
        });
        assert.deepEqual(
            stack.b.records('Sync_Connection__c').map((row) => [row.Name, row.Role__c, row.Status__c]),
            [[CONNECTION, 'Acceptor', 'Active']]
        );
        const arrived = stack.a
            .records('Case')
            .filter((row) => row.Subject === 'Checkout returns 502 for EU customers');
        assert.equal(arrived.length, 1, 'the Case arrived once in org A');
        assert.ok(
            syncedCase?.remoteKey.includes(arrived[0].CaseNumber as string),
            `remote key shown: ${syncedCase?.remoteKey}`
        );
    });

    void it('refuses a used invitation code, a tampered one, and a connection name already taken, with the words an admin can act on', async () => {
        assert.notEqual(invitationCode, '', 'the connection test ran first');
        await browser.withPage('e2e-bad-codes', async (page) => {
            await openConsole(page, stack.b.console.link);
            await pasteInvitation(page, invitationCode);
            const wizard = page.locator('c-exalate-accept-wizard');
            await wizard
                .locator('.code-error')
                .getByText(`This invitation code was already used: this org accepted it as connection ${CONNECTION}.`, {
                    exact: false
                })
                .waitFor();
            await screenshot(page, 'accept-used-code', [wizard.locator('lightning-textarea.code textarea')]);
            const middle = Math.floor(invitationCode.length / 2);
            const tampered = `${invitationCode.slice(0, middle)}${invitationCode[middle] === 'A' ? 'B' : 'A'}${invitationCode.slice(middle + 1)}`;
            await wizard.getByLabel('Invitation code').fill(tampered);
            await wizard.getByRole('button', { name: 'Check' }).click();
            await wizard.locator('.code-error').getByText('checksum does not match', { exact: false }).waitFor();
        });
        await browser.withPage('e2e-name-taken', async (page) => {
            await openConsole(page, stack.a.console.link);
            const wizardPage = initiate(page, {
                destinationUrl: stack.b.connector.nodeUrl.replace('127.0.0.1', 'localhost'),
                nodeUrl: stack.a.connector.nodeUrl,
                remoteName: 'SalesforceB'
            });
            // The admin API refuses it as the Apex does; the wizard shows the reason and makes no code.
            const refusal = page
                .locator('c-exalate-initiate-wizard .submit-error')
                .getByText(`A connection named ${CONNECTION} already exists.`);
            await Promise.race([refusal.waitFor(), wizardPage.then(() => assert.fail('a code was made'))]);
            assert.equal(stack.a.records('Sync_Connection__c').length, 1);
        });
    });

    void it('a sync that fails while the other side is down is shown as Failed on the Case, and Retry in the Errors tab brings it across', async () => {
        assert.ok(syncedCase, 'the connection test ran first');
        const token = stack.b.console.link.split('#token=')[1];
        const second = stack.b.createCase('Invoice PDF is blank', 'The March invoice downloads as an empty page.');
        await stack.a.stopConnector();
        try {
            await browser.withPage('e2e-sync-fails', async (page) => {
                // The agent clicks Exalate on the Case: the action syncs it on the only connection.
                await page.goto(`${stack.b.console.url}?c__recordId=${second.id}#token=${token}`);
                await page.locator('web-case-page lightning-button', { hasText: 'Exalate' }).first().click();
                const action = page.locator('c-exalate-case-action');
                await action.locator('lightning-button.start button').click();
                await action.locator('p.stage').getByText('Sync stage: Failed').waitFor({ timeout: 30_000 });
                // The event's own cause, in words the admin can act on.
                await action
                    .locator('[role="alert"]')
                    .getByText('Delivery to the other side failed', { exact: false })
                    .waitFor();
                await screenshot(page, 'case-action-failed');
            });
        } finally {
            await stack.a.startConnector();
        }
        assert.equal(
            stack.a.records('Case').filter((row) => row.Subject === 'Invoice PDF is blank').length,
            0,
            'nothing arrived while A was down'
        );
        await browser.withPage('e2e-retry', async (page) => {
            await openConsole(page, stack.b.console.link);
            await page.getByRole('button', { name: CONNECTION }).click();
            const connectionPage = page.locator('c-exalate-connection-page');
            await connectionPage.getByRole('tab', { name: 'Errors' }).click();
            const row = connectionPage.locator('.errors-table tr', { hasText: second.caseNumber });
            await row.waitFor();
            await screenshot(page, 'errors-tab');
            await row.getByRole('button', { name: 'Show actions' }).click();
            await page.getByRole('menuitem', { name: 'Retry' }).click();
            await row.waitFor({ state: 'detached', timeout: 30_000 });
        });
        await browser.withPage('e2e-retried-case', async (page) => {
            await page.goto(`${stack.b.console.url}?c__recordId=${second.id}#token=${token}`);
            const panel = page.locator('c-exalate-case-panel');
            await panel.locator('dd.status').getByText('Synchronized').waitFor({ timeout: 30_000 });
        });
        assert.equal(
            stack.a.records('Case').filter((row) => row.Subject === 'Invoice PDF is blank').length,
            1,
            'the retried Case arrived once in org A'
        );
    });

    void it('shows the Case under sync on its Case page (Exalate sync status panel)', async () => {
        assert.ok(syncedCase, 'the sync test ran first');
        await browser.withPage('e2e-case-page', async (page) => {
            await page.goto(
                `${stack.b.console.url}?c__recordId=${syncedCase!.id}#token=${stack.b.console.link.split('#token=')[1]}`
            );
            const panel = page.locator('c-exalate-case-panel');
            await panel.locator('h3.connection', { hasText: CONNECTION }).waitFor();
            await panel.locator('dd.status').getByText('Synchronized').waitFor();
            await screenshot(page, 'case-panel');
        });
    });
});

void describe('console outside Salesforce, end to end: a private side (no URL; its connector serves nothing)', () => {
    let privateBrowser: Browser;
    let privateStack: ConsoleStack;

    before(async () => {
        const staticDir = await consoleBundle();
        [privateBrowser, privateStack] = await Promise.all([
            launchBrowser(),
            startConsoleStack({ staticDir, privateB: true })
        ]);
    });

    after(async () => {
        await privateBrowser?.close();
        await privateStack?.close();
    });

    void it("Initiate connection with I don't have a URL, Accept invitation on the private side: Active, and a first Case reaches Synchronized", async () => {
        assert.equal(privateStack.b.connector.nodeUrl, '', 'B serves nothing');
        const seeded = privateStack.b.createCase('VPN drops every 20 minutes', 'Only on the Lyon office network.');
        let code = '';
        await privateBrowser.withPage('private-initiate', async (page) => {
            await openConsole(page, privateStack.a.console.link);
            code = await initiate(page, {
                destinationUrl: null,
                nodeUrl: privateStack.a.connector.nodeUrl,
                remoteName: 'SalesforceB'
            });
        });
        await privateBrowser.withPage('private-accept', async (page) => {
            await openConsole(page, privateStack.b.console.link);
            await pasteInvitation(page, code);
            const wizard = page.locator('c-exalate-accept-wizard');
            await wizard.getByText('The invitation code is valid.').waitFor();
            assert.match((await wizard.locator('dd.type').textContent()) ?? '', /^Private/);
            await wizard.getByRole('button', { name: 'Confirm' }).click();
            await wizard.locator('h3.established').waitFor({ timeout: 30_000 });
            const firstSync = wizard.locator('c-exalate-first-sync');
            await firstSync.getByLabel('Case number').fill(seeded.caseNumber);
            await firstSync.getByRole('button', { name: 'Exalate' }).click();
            await firstSync
                .getByText('The Case is in sync with the other side.', { exact: false })
                .waitFor({ timeout: 30_000 });
        });
        assert.deepEqual(
            privateStack.a
                .records('Sync_Connection__c')
                .map((row) => [row.Type__c, row.Status__c, row.Remote_Node_Url__c]),
            [['Private', 'Active', null]]
        );
        assert.equal(
            privateStack.a.records('Case').filter((row) => row.Subject === 'VPN drops every 20 minutes').length,
            1
        );
    });
});
