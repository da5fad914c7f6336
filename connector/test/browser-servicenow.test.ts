// The console outside Salesforce on both sides of a Salesforce <-> ServiceNow connection, in a real
// Chromium: an emulated org and an emulated ServiceNow instance (test infrastructure), the real
// connector of each, and each connector's console. Either admin initiates in their console and the
// other accepts the code in theirs, public or with the destination private ("I don't have a URL"),
// and a first record is synced by its number until its stages reach Synchronized: a Case from the
// Salesforce console, an incident from the ServiceNow console.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually } from '../emulators/scenario/two-org-stack.ts';
import { consoleBundle } from './browser/bundle.ts';
import { launchBrowser } from './browser/browser.ts';
import type { Browser } from './browser/browser.ts';
import { initiate, openConsole, pasteInvitation, screenshot } from './browser/console-page.ts';
import { startServiceNowConsoleStack } from './browser/servicenow-console-stack.ts';
import type { ServiceNowConsoleStack } from './browser/servicenow-console-stack.ts';

/** On one machine both nodes and the instance are on 127.0.0.1: name the other side localhost. */
function asLocalhost(url: string): string {
    return url.replace('127.0.0.1', 'localhost');
}

/**
 * Accept invitation with the code, Confirm, wait for "Connection established", then Sync your
 * first case with `recordNumber` until Synchronized. Answers the remote key shown.
 */
async function acceptAndSyncFirst(
    page: Page,
    code: string,
    recordNumber: string,
    shots?: { details: string; synchronized: string }
): Promise<string> {
    await pasteInvitation(page, code);
    const wizard = page.locator('c-exalate-accept-wizard');
    await wizard.getByText('The invitation code is valid.').waitFor();
    if (shots !== undefined) {
        await screenshot(page, shots.details, [wizard.locator('lightning-textarea.code textarea')]);
    }
    await wizard.getByRole('button', { name: 'Confirm' }).click();
    await wizard.locator('h3.established').waitFor({ timeout: 30_000 });
    const firstSync = wizard.locator('c-exalate-first-sync');
    await firstSync.getByLabel('Case number').fill(recordNumber);
    await firstSync.getByRole('button', { name: 'Exalate' }).click();
    await firstSync
        .getByText('The Case is in sync with the other side.', { exact: false })
        .waitFor({ timeout: 30_000 });
    assert.equal(await firstSync.locator('p.stage').textContent(), 'Sync stage: Synchronized');
    if (shots !== undefined) {
        await screenshot(page, shots.synchronized);
    }
    return ((await firstSync.locator('.remote-link, .remote-key').first().textContent()) ?? '').trim();
}

void describe('console outside Salesforce, Salesforce <-> ServiceNow (an emulated org and instance, both connectors, both consoles)', () => {
    let browser: Browser;
    let staticDir: string;

    before(async () => {
        [staticDir, browser] = await Promise.all([consoleBundle(), launchBrowser()]);
    });

    after(async () => {
        await browser?.close();
    });

    /** Runs a flow on its own stack; a failure names what the connectors logged last. */
    async function onStack(
        options: { initiator: 'salesforce' | 'servicenow'; privateDestination: boolean },
        flow: (stack: ServiceNowConsoleStack) => Promise<void>
    ): Promise<void> {
        const stack = await startServiceNowConsoleStack({ staticDir, ...options });
        try {
            await flow(stack);
        } catch (error) {
            if (error instanceof Error) {
                error.message += `\nconnector logs:\n${stack.logTail()}`;
            }
            throw error;
        } finally {
            await stack.close();
        }
    }

    void it('ServiceNow initiates in its console, Salesforce accepts in its console: Active on both sides; a first Case becomes an incident, and an incident synced from its page in the ServiceNow console becomes a Case', async () => {
        await onStack({ initiator: 'servicenow', privateDestination: false }, async (s) => {
            const { sf, sn } = s.stack;
            const seeded = s.createCase(
                'Checkout returns 502 for EU customers',
                'Since 09:40 every EU checkout fails at the payment step.'
            );
            let code = '';
            await browser.withPage('sn-initiates-initiate', async (page) => {
                await openConsole(page, s.snConsole.link);
                await page.getByRole('button', { name: 'Initiate connection' }).first().waitFor();
                await screenshot(page, 'servicenow-console-home');
                code = await initiate(page, {
                    destinationUrl: asLocalhost(sf.connector.nodeUrl),
                    nodeUrl: sn.connector.nodeUrl,
                    remoteName: 'Salesforce'
                });
                assert.match(code, /^EXA1-/);
                await screenshot(page, 'servicenow-initiate-code', [page.locator('textarea.invitation-code')]);
            });
            const [initiated] = sn.connector.store.readConnections();
            assert.deepEqual(
                [initiated.name, initiated.role, initiated.type, initiated.status],
                ['ServiceNow_to_Salesforce', 'Initiator', 'Public', 'Pending']
            );
            let remoteKey = '';
            await browser.withPage('sn-initiates-accept', async (page) => {
                await openConsole(page, s.sfConsole.link);
                remoteKey = await acceptAndSyncFirst(page, code, seeded.caseNumber);
            });
            assert.deepEqual(
                sf.org.records('Sync_Connection__c').map((row) => [row.Role__c, row.Remote_Platform__c]),
                [['Acceptor', 'ServiceNow']],
                'the code named ServiceNow as the inviting platform'
            );
            const incidents = sn.instance
                .incidents()
                .filter((view) => view.record.short_description === 'Checkout returns 502 for EU customers');
            assert.equal(incidents.length, 1, 'the Case became one incident');
            assert.ok(remoteKey.includes(String(incidents[0].record.number)), `remote key shown: ${remoteKey}`);

            // The ServiceNow admin sees the connection Active, and syncs an incident from its page.
            await browser.withPage('sn-initiates-list', async (page) => {
                await openConsole(page, s.snConsole.link);
                const row = page.locator('c-exalate-console tr', { hasText: 'ServiceNow_to_Salesforce' });
                await row.getByText('Active').waitFor({ timeout: 10_000 });
                await screenshot(page, 'servicenow-connections-active');
            });
            const incident = s.createIncident(
                'VPN drops every 20 minutes in the Lyon office',
                'Only on the office network.'
            );
            await browser.withPage('sn-incident-page', async (page) => {
                await page.goto(s.recordPage(s.snConsole, incident.sysId));
                await page.locator('web-case-page lightning-button', { hasText: 'Exalate' }).first().click();
                const action = page.locator('c-exalate-case-action');
                await action.locator('lightning-button.start button').click();
                await action.locator('p.stage').getByText('Sync stage: Synchronized').waitFor({ timeout: 30_000 });
                // The incident's page opened again: its Exalate sync status panel shows it under sync.
                await page.reload();
                const panel = page.locator('c-exalate-case-panel');
                await panel.locator('h3.connection', { hasText: 'ServiceNow_to_Salesforce' }).waitFor();
                await panel.locator('dd.status').getByText('Synchronized').waitFor({ timeout: 10_000 });
                await screenshot(page, 'servicenow-incident-page');
            });
            await eventually('the incident arrived once in the org as a Case', () =>
                sf.org.records('Case').some((row) => row.Subject === 'VPN drops every 20 minutes in the Lyon office')
            );
            assert.equal(
                sf.org.records('Case').filter((row) => row.Subject === 'VPN drops every 20 minutes in the Lyon office')
                    .length,
                1
            );
        });
    });

    void it("ServiceNow initiates with I don't have a URL, Salesforce accepts on its private side: Active, and a first Case reaches Synchronized", async () => {
        await onStack({ initiator: 'servicenow', privateDestination: true }, async (s) => {
            const { sf, sn } = s.stack;
            assert.equal(sf.connector.nodeUrl, '', 'the Salesforce connector serves nothing');
            const seeded = s.createCase('Invoice PDF is blank', 'The March invoice downloads as an empty page.');
            let code = '';
            await browser.withPage('sn-initiates-private-initiate', async (page) => {
                await openConsole(page, s.snConsole.link);
                code = await initiate(page, {
                    destinationUrl: null,
                    nodeUrl: sn.connector.nodeUrl,
                    remoteName: 'Salesforce'
                });
            });
            await browser.withPage('sn-initiates-private-accept', async (page) => {
                await openConsole(page, s.sfConsole.link);
                await acceptAndSyncFirst(page, code, seeded.caseNumber);
            });
            assert.deepEqual(
                sn.connector.store.readConnections().map((c) => [c.type, c.status, c.remoteNodeUrl]),
                [['Private', 'Active', null]]
            );
            assert.equal(
                sn.instance.incidents().filter((view) => view.record.short_description === 'Invoice PDF is blank')
                    .length,
                1
            );
        });
    });

    void it('Salesforce initiates in its console, ServiceNow accepts in its console: Active on both sides; a first incident synced by its number reaches Synchronized and becomes a Case', async () => {
        await onStack({ initiator: 'salesforce', privateDestination: false }, async (s) => {
            const { sf, sn } = s.stack;
            const incident = s.createIncident(
                'Email delivery delayed for the finance team',
                'Messages to finance@acme.example arrive two hours late.'
            );
            let code = '';
            await browser.withPage('sf-initiates-initiate', async (page) => {
                await openConsole(page, s.sfConsole.link);
                code = await initiate(page, {
                    destinationUrl: asLocalhost(sn.connector.nodeUrl),
                    nodeUrl: sf.connector.nodeUrl,
                    remoteName: 'ServiceNow'
                });
            });
            let remoteKey = '';
            await browser.withPage('sf-initiates-sn-accepts', async (page) => {
                await openConsole(page, s.snConsole.link);
                remoteKey = await acceptAndSyncFirst(page, code, incident.number, {
                    details: 'servicenow-accept-details',
                    synchronized: 'servicenow-first-sync-synchronized'
                });
            });
            const cases = sf.org
                .records('Case')
                .filter((row) => row.Subject === 'Email delivery delayed for the finance team');
            assert.equal(cases.length, 1, 'the incident became one Case');
            assert.ok(remoteKey.includes(cases[0].CaseNumber as string), `remote key shown: ${remoteKey}`);
            assert.deepEqual(
                sn.connector.store.readConnections().map((c) => [c.name, c.role, c.status]),
                [['Salesforce_to_ServiceNow', 'Acceptor', 'Active']]
            );
            // The incident's twin, in the connection page of the ServiceNow console.
            await browser.withPage('sf-initiates-sn-connection-page', async (page) => {
                await openConsole(page, s.snConsole.link);
                await page.getByRole('button', { name: 'Salesforce_to_ServiceNow' }).click();
                const connectionPage = page.locator('c-exalate-connection-page');
                await connectionPage.getByRole('tab', { name: 'Entity sync status' }).click();
                await connectionPage.getByLabel('Case number or Case id').fill(incident.number);
                await connectionPage.getByRole('button', { name: 'Find' }).click();
                await connectionPage
                    .locator('dd.entity-case')
                    .getByText(incident.number, { exact: false })
                    .waitFor({ timeout: 10_000 });
                await screenshot(page, 'servicenow-connection-page');
            });
        });
    });

    void it("Salesforce initiates with I don't have a URL, ServiceNow accepts on its private node: Active, and a first incident reaches Synchronized", async () => {
        await onStack({ initiator: 'salesforce', privateDestination: true }, async (s) => {
            const { sf, sn } = s.stack;
            assert.equal(sn.connector.nodeUrl, '', 'the ServiceNow node serves nothing');
            const incident = s.createIncident('Printer on floor 3 offline', 'Jobs queue and never print.');
            let code = '';
            await browser.withPage('sf-initiates-private-initiate', async (page) => {
                await openConsole(page, s.sfConsole.link);
                code = await initiate(page, {
                    destinationUrl: null,
                    nodeUrl: sf.connector.nodeUrl,
                    remoteName: 'ServiceNow'
                });
            });
            await browser.withPage('sf-initiates-private-sn-accepts', async (page) => {
                await openConsole(page, s.snConsole.link);
                await acceptAndSyncFirst(page, code, incident.number);
            });
            assert.deepEqual(
                sf.org.records('Sync_Connection__c').map((row) => [row.Type__c, row.Status__c, row.Remote_Node_Url__c]),
                [['Private', 'Active', null]]
            );
            assert.equal(
                sf.org.records('Case').filter((row) => row.Subject === 'Printer on floor 3 offline').length,
                1
            );
        });
    });
});
