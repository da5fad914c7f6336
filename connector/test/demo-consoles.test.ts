// `npm run demo -- --consoles` as a newcomer runs it: a child process that prints a link to each
// side's console (with its admin token) and what to click, serves both consoles and their admin
// API with nothing connected yet, and on Ctrl-C (SIGINT) or SIGTERM stops everything and exits 0.
// By default a Salesforce console and a ServiceNow console; with --two-orgs two Salesforce ones.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { consoleBundle } from './browser/bundle.ts';
import { decodeInvitation, encodeInvitation } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
    readonly child: ChildProcessWithoutNullStreams;
    readonly output: () => string;
    readonly exited: Promise<number | null>;
}

function startDemo(args: string[]): Started {
    const child = spawn(process.execPath, ['--import', 'tsx', 'connector/demo/main.ts', ...args], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, output: () => output, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const match = pattern.exec(started.output());
        if (match !== null) {
            return match;
        }
        if (started.child.exitCode !== null || Date.now() > deadline) {
            throw new Error(`no ${String(pattern)} in:\n${started.output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

async function refused(url: string): Promise<boolean> {
    try {
        await fetch(url, { signal: AbortSignal.timeout(2_000) });
        return false;
    } catch {
        return true;
    }
}

function adminCall(consoleUrl: string, token: string | undefined, operation: string, params = {}): Promise<Response> {
    return fetch(new URL(`api/admin/${operation}`, consoleUrl), {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json',
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` })
        },
        body: JSON.stringify(params)
    });
}

async function admin<T>(side: { url: string; token: string }, operation: string, params = {}): Promise<T> {
    const answer = await adminCall(side.url, side.token, operation, params);
    const body = (await answer.json()) as T & { message?: string };
    assert.equal(answer.status, 200, `${operation}: ${body.message ?? ''}`);
    return body;
}

/**
 * What the printed steps ask the admins to do, through the two admin APIs as the console's
 * components call them: Initiate connection in A (the wizard writes the code), Accept invitation in
 * B, then B syncs its first Case by its number.
 */
async function connectAndSync(
    a: { url: string; token: string },
    b: { url: string; token: string },
    destinationUrl: string | null,
    nodeUrlA: string,
    recordNumber: string,
    names: { local: string; remote: string; remotePlatform: 'Salesforce' | 'ServiceNow' } = {
        local: 'SalesforceA',
        remote: 'SalesforceB',
        remotePlatform: 'Salesforce'
    }
): Promise<void> {
    const initiated = await admin<{
        connection: { name: string; localInstanceName: string; remoteInstanceName: string; type: 'Public' | 'Private' };
        invitationId: string;
        expiresAt: string;
        secret: string;
    }>(a, 'ConnectionController/initiateConnection', {
        input: {
            name: `${names.local}_to_${names.remote}`,
            localInstanceName: names.local,
            remoteInstanceName: names.remote,
            type: destinationUrl === null ? 'Private' : 'Public',
            remotePlatform: names.remotePlatform,
            remoteNodeUrl: destinationUrl
        }
    });
    const connection = initiated.connection;
    const code = encodeInvitation({
        version: 1,
        invitationId: initiated.invitationId,
        connectionName: connection.name,
        initiatorInstance: connection.localInstanceName,
        destinationInstance: connection.remoteInstanceName,
        initiatorPlatform: 'Salesforce',
        initiatorNodeUrl: nodeUrlA,
        connectionType: connection.type,
        mode: 'Basic',
        expiresAt: Math.floor(Date.parse(initiated.expiresAt) / 1000),
        secret: initiated.secret
    });
    const decoded = decodeInvitation(code, Math.floor(Date.now() / 1000));
    assert.ok(decoded.ok);
    const invitation = decoded.invitation;
    const accepted = await admin<{ id: string }>(b, 'ConnectionController/acceptInvitation', {
        input: {
            invitationId: invitation.invitationId,
            connectionName: invitation.connectionName,
            localInstanceName: invitation.destinationInstance,
            remoteInstanceName: invitation.initiatorInstance,
            description: null,
            type: invitation.connectionType,
            remotePlatform: invitation.initiatorPlatform,
            remoteNodeUrl: invitation.initiatorNodeUrl || null,
            expiresAt: new Date(invitation.expiresAt * 1000).toISOString(),
            secret: invitation.secret
        }
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
        const lists = await Promise.all(
            [a, b].map((side) => admin<{ status: string }[]>(side, 'ConnectionController/listConnections'))
        );
        if (lists.every((list) => list.length === 1 && list[0].status === 'Active')) {
            break;
        }
        assert.ok(Date.now() < deadline, `the connection is Active on both sides: ${JSON.stringify(lists)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin(b, 'CaseSyncController/requestSync', { connectionId: accepted.id, caseRef: recordNumber });
}

/** The console links printed, checked: 127.0.0.1, a token, the page, and the admin API behind the token. */
async function openConsoles(links: string[]): Promise<{ url: string; token: string }[]> {
    const consoles: { url: string; token: string }[] = [];
    for (const link of links) {
        const url = new URL(link);
        assert.equal(url.hostname, '127.0.0.1');
        const token = /^#token=(.+)$/.exec(url.hash)?.[1];
        assert.ok(token !== undefined && token.length >= 16, `the link ${link} carries an admin token`);
        url.hash = '';
        const page = await fetch(url);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /<title>Exalate<\/title>/);
        assert.match(html, /src="app\.js"/);
        const script = await fetch(new URL('app.js', url));
        assert.equal(script.status, 200);
        await script.arrayBuffer();

        const noToken = await adminCall(url.href, undefined, 'ConnectionController/listConnections');
        assert.equal(noToken.status, 401);
        const listed = await admin<unknown[]>({ url: url.href, token }, 'ConnectionController/listConnections');
        assert.deepEqual(listed, [], 'nothing is connected in advance');
        consoles.push({ url: url.href, token });
    }
    assert.notEqual(consoles[0].url, consoles[1].url);
    return consoles;
}

void describe('npm run demo -- --consoles --two-orgs', () => {
    before(async () => {
        // A fresh clone has no browser build yet: build it once, under the browser tests' lock.
        await consoleBundle();
    });

    for (const [signal, privateB] of [
        ['SIGINT', false],
        ['SIGTERM', true]
    ] as const) {
        void it(
            `${privateB ? 'with --private, ' : ''}serves a console per side with nothing connected; the printed steps connect the orgs and sync a first Case; stops on ${signal}`,
            { timeout: 90_000 },
            async () => {
                const demo = startDemo(
                    privateB ? ['--consoles', '--two-orgs', '--private'] : ['--consoles', '--two-orgs']
                );
                try {
                    const [, linkA] = await waitFor(demo, /Console A \(SalesforceA\) +(\S+)/, 30_000);
                    const [, linkB] = await waitFor(demo, /Console B \(SalesforceB\) +(\S+)/, 5_000);
                    await waitFor(demo, /What happens in the orgs is printed below/, 5_000);
                    const text = demo.output();
                    assert.match(text, /1\. Console A: Initiate connection\./);
                    assert.match(
                        text,
                        privateB
                            ? /Destination: I don't have a URL/
                            : /Destination instance URL: http:\/\/localhost:\d+ /
                    );
                    assert.match(text, /2\. Console B: Accept invitation, paste the code, Check, Confirm\./);
                    assert.match(text, /Sync your first case: Case number \d{8}, Exalate/);
                    assert.match(text, /SalesforceA[\s\S]*support Cases:\n {6}\d{8} {2}Checkout returns 502/);

                    const nodeUrls = [...text.matchAll(/connector node +(http:\/\/127\.0\.0\.1:\d+)/g)].map(
                        (m) => m[1]
                    );
                    const orgUrls = [...text.matchAll(/org \(emulated\) +(http:\/\/127\.0\.0\.1:\d+)/g)].map(
                        (m) => m[1]
                    );
                    assert.equal(nodeUrls.length, privateB ? 1 : 2);
                    assert.equal(orgUrls.length, 2);

                    const consoles = await openConsoles([linkA, linkB]);
                    const consoleUrls = consoles.map((side) => side.url);
                    // The steps as printed: the destination and node URLs and the Case number it names.
                    const destination = privateB ? null : /Destination instance URL: (\S+)/.exec(text)![1];
                    const nodeUrlA = /This side's Exalate node URL: (\S+?)\. Initiate/.exec(text)![1];
                    const caseNumber = /Sync your first case: Case number (\d{8})/.exec(text)![1];
                    await connectAndSync(consoles[0], consoles[1], destination, nodeUrlA, caseNumber);
                    await waitFor(demo, /SalesforceA: connection SalesforceA_to_SalesforceB is Active\./, 5_000);
                    await waitFor(demo, /SalesforceB: connection SalesforceA_to_SalesforceB is Active\./, 5_000);
                    await waitFor(
                        demo,
                        new RegExp(
                            `SalesforceB: Case ${caseNumber} Synchronized \\(the other side's Case \\d{8}\\)\\.`
                        ),
                        15_000
                    );
                    await waitFor(
                        demo,
                        /SalesforceA: Case \d{8} Synchronized \(the other side's Case \d{8}\)\./,
                        5_000
                    );

                    demo.child.kill(signal);
                    assert.equal(await demo.exited, 0, demo.output());
                    assert.match(demo.output(), /Consoles, connectors and emulated orgs stopped\./);
                    for (const url of [...consoleUrls, ...nodeUrls, ...orgUrls]) {
                        assert.ok(await refused(url), `${url} is closed`);
                    }
                } finally {
                    if (demo.child.exitCode === null) {
                        demo.child.kill('SIGKILL');
                        await demo.exited;
                    }
                }
            }
        );
    }
});

void describe('npm run demo -- --consoles (Salesforce and ServiceNow)', () => {
    before(async () => {
        await consoleBundle();
    });

    for (const [signal, privateNode] of [
        ['SIGTERM', false],
        ['SIGINT', true]
    ] as const) {
        void it(
            `${privateNode ? 'with --private (the ServiceNow node has no URL), ' : ''}serves a Salesforce console and a ServiceNow console with nothing connected; the printed steps connect them and sync a first incident; stops on ${signal}`,
            { timeout: 90_000 },
            async () => {
                const demo = startDemo(privateNode ? ['--consoles', '--private'] : ['--consoles']);
                try {
                    const [, sfLink] = await waitFor(demo, /Salesforce console +(http\S+)/, 30_000);
                    const [, snLink] = await waitFor(demo, /ServiceNow console +(http\S+)/, 5_000);
                    await waitFor(demo, /What happens in the org and on the instance is printed below/, 5_000);
                    const text = demo.output();
                    assert.match(text, /1\. Salesforce console: Initiate connection\./);
                    assert.match(
                        text,
                        privateNode
                            ? /Destination: I don't have a URL \(the ServiceNow node is private\)/
                            : /Destination instance URL: http:\/\/localhost:\d+ /
                    );
                    assert.match(text, /2\. ServiceNow console: Accept invitation, paste the code, Check, Confirm\./);
                    assert.match(text, /support Cases:\n {6}\d{8} {2}Checkout returns 502/);
                    assert.match(text, /incidents:\n {6}INC0010001 {2}Email delivery to the finance team/);
                    // The record pages it names carry the token of their own console.
                    const pages = [...text.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/\?c__recordId=\S+)/g)].map(
                        (m) => m[1]
                    );
                    assert.equal(pages.length, 2);
                    assert.equal(pages[0].split('#token=')[1], sfLink.split('#token=')[1]);
                    assert.equal(pages[1].split('#token=')[1], snLink.split('#token=')[1]);

                    const consoles = await openConsoles([sfLink, snLink]);
                    const nodeUrls = [...text.matchAll(/(?:connector node|node) +(http:\/\/127\.0\.0\.1:\d+)/g)].map(
                        (m) => m[1]
                    );
                    assert.equal(nodeUrls.length, privateNode ? 1 : 2);
                    const emulatorUrls = [
                        ...text.matchAll(/(?:org|instance) \(emulated\) +(http:\/\/127\.0\.0\.1:\d+)/g)
                    ].map((m) => m[1]);
                    assert.equal(emulatorUrls.length, 2);

                    const context = await admin<{ orgDomainUrl: string; suggestedInstanceName: string }>(
                        consoles[1],
                        'ConnectionController/getConsoleContext'
                    );
                    assert.equal(context.suggestedInstanceName, 'ServiceNow');
                    assert.equal(context.orgDomainUrl, emulatorUrls[1]);

                    const destination = privateNode ? null : /Destination instance URL: (\S+)/.exec(text)![1];
                    const nodeUrl = /This side's Exalate node URL: (\S+?)\. Initiate/.exec(text)![1];
                    const incidentNumber = /enter the incident number (INC\d{7})/.exec(text)![1];
                    await connectAndSync(consoles[0], consoles[1], destination, nodeUrl, incidentNumber, {
                        local: 'Salesforce',
                        remote: 'ServiceNow',
                        remotePlatform: 'ServiceNow'
                    });
                    await waitFor(demo, /Salesforce: connection Salesforce_to_ServiceNow is Active\./, 5_000);
                    await waitFor(demo, /ServiceNow: connection Salesforce_to_ServiceNow is Active\./, 5_000);
                    await waitFor(
                        demo,
                        new RegExp(`ServiceNow: incident ${incidentNumber} Synchronized \\(Case \\d{8}\\)\\.`),
                        20_000
                    );
                    await waitFor(
                        demo,
                        new RegExp(`Salesforce: Case \\d{8} Synchronized \\(incident ${incidentNumber}\\)\\.`),
                        5_000
                    );

                    demo.child.kill(signal);
                    assert.equal(await demo.exited, 0, demo.output());
                    assert.match(
                        demo.output(),
                        /Consoles, connectors, the emulated org and the emulated instance stopped\./
                    );
                    for (const url of [...consoles.map((side) => side.url), ...nodeUrls, ...emulatorUrls]) {
                        assert.ok(await refused(url), `${url} is closed`);
                    }
                } finally {
                    if (demo.child.exitCode === null) {
                        demo.child.kill('SIGKILL');
                        await demo.exited;
                    }
                }
            }
        );
    }
});
