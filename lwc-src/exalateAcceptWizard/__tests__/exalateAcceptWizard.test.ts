import { createElement } from 'lwc';
import ExalateAcceptWizard from 'c/exalateAcceptWizard';
import { encodeInvitation } from 'c/exalateInvitationCodec';
import type { InvitationPayload } from 'c/exalateInvitationCodec';
import acceptInvitation from '@salesforce/apex/ConnectionController.acceptInvitation';
import getConnection from '@salesforce/apex/ConnectionController.getConnection';

jest.mock('@salesforce/apex/ConnectionController.acceptInvitation', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.getConnection', () => ({ default: jest.fn() }), { virtual: true });
// Used by the embedded c-exalate-first-sync once the connection is established.
jest.mock('@salesforce/apex/CaseSyncController.requestSync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });

const acceptInvitationMock = acceptInvitation as unknown as jest.Mock;
const getConnectionMock = getConnection as unknown as jest.Mock;

const SECRET = 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQwEo';
const INVITATION_ID = '3f2b8c1e-9a4d-4e7b-8c21-5d6f0a9b7e13';
const CONNECTION_ID = 'a00000000000007AAA';

type Button = HTMLElement & { label: string; disabled: boolean };
type WizardElement = HTMLElement & { initialCode?: string; existingConnections?: Record<string, unknown>[] };

function nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
}

function payload(overrides: Partial<InvitationPayload> = {}): InvitationPayload {
    return {
        version: 1,
        invitationId: INVITATION_ID,
        connectionName: 'SalesforceA_to_ServiceNowB',
        initiatorInstance: 'SalesforceA',
        destinationInstance: 'ServiceNowB',
        initiatorPlatform: 'Salesforce',
        initiatorNodeUrl: 'https://exalate.example.com/node/salesforce-a',
        connectionType: 'Public',
        mode: 'Basic',
        description: 'Support Cases between the EMEA org and ServiceNow',
        expiresAt: nowSeconds() + 72 * 3600,
        secret: SECRET,
        ...overrides
    };
}

function code(overrides: Partial<InvitationPayload> = {}): string {
    return encodeInvitation(payload(overrides));
}

/* A CRC-32 and base64url of our own, to build codes the codec would never write. */
function crc32(text: string): string {
    let crc = 0xffffffff;
    for (let i = 0; i < text.length; i++) {
        crc ^= text.charCodeAt(i);
        for (let bit = 0; bit < 8; bit++) {
            crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
        }
    }
    return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

function frame(prefix: string, body: string): string {
    return `${prefix}${body}-${crc32(prefix + body)}`;
}

function base64Url(ascii: string): string {
    return btoa(ascii).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function connection(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: CONNECTION_ID,
        name: 'SalesforceA_to_ServiceNowB',
        localInstanceName: 'ServiceNowB',
        remoteInstanceName: 'SalesforceA',
        type: 'Public',
        mode: 'Basic',
        status: 'Pending',
        role: 'Acceptor',
        remotePlatform: 'Salesforce',
        ...overrides
    };
}

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 6; i++) {
        await Promise.resolve();
    }
}

async function mount(initialCode?: string, existingConnections?: Record<string, unknown>[]): Promise<WizardElement> {
    const element = createElement('c-exalate-accept-wizard', { is: ExalateAcceptWizard }) as unknown as WizardElement;
    if (existingConnections !== undefined) {
        element.existingConnections = existingConnections;
    }
    if (initialCode !== undefined) {
        element.initialCode = initialCode;
    }
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function $(element: HTMLElement, selector: string): HTMLElement | null {
    return element.shadowRoot!.querySelector(selector);
}

function text(element: HTMLElement, selector: string): string | undefined {
    return $(element, selector)?.textContent?.trim();
}

function button(element: HTMLElement, name: string): Button | null {
    return $(element, `lightning-button.${name}`) as Button | null;
}

async function click(element: HTMLElement, name: string): Promise<void> {
    button(element, name)!.click();
    await flushPromises();
}

async function paste(element: HTMLElement, value: string): Promise<void> {
    $(element, 'lightning-textarea.code')!.dispatchEvent(new CustomEvent('change', { detail: { value } }));
    await flushPromises();
}

async function advance(ms: number): Promise<void> {
    jest.advanceTimersByTime(ms);
    await flushPromises();
}

/** Lets two minutes of refreshes pass, timer by timer: the whole refresh budget of one wait. */
async function spendRefreshBudget(): Promise<void> {
    for (let waited = 0; waited < 120000; waited += 1000) {
        await advance(1000);
    }
}

describe('c-exalate-accept-wizard', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    describe('reading the code', () => {
        it('asks for the code and says nothing before anything was pasted', async () => {
            const element = await mount();

            expect(text(element, '.intro')).toBe('Please paste the invitation code, received from your partner.');
            expect(($(element, 'lightning-textarea.code') as HTMLElement & { label: string }).label).toBe(
                'Invitation code'
            );
            expect($(element, '.code-error')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(true);
            expect(button(element, 'cancel')).not.toBeNull();
            expect(button(element, 'done')).toBeNull();
        });

        it('asks for the code on Check when the field is empty', async () => {
            const element = await mount();
            await click(element, 'check');

            expect(text(element, '.code-error')).toBe(
                'Paste the invitation code first. It starts with EXA1- and comes from the admin who initiated the connection.'
            );
            expect($(element, '.code-error')!.getAttribute('role')).toBe('alert');
        });

        it('says nothing when the admin clears the field again', async () => {
            const element = await mount();
            await paste(element, 'hello');
            expect($(element, '.code-error')).not.toBeNull();
            await paste(element, '');
            expect($(element, '.code-error')).toBeNull();

            await paste(element, 'hello');
            $(element, 'lightning-textarea.code')!.dispatchEvent(new CustomEvent('change', { detail: {} }));
            await flushPromises();
            expect($(element, '.code-error')).toBeNull();
        });

        const valid = code();
        const cases: [string, string, string][] = [
            [
                'not-an-invitation',
                'Hello, here is the code you asked for',
                'This is not an Exalate invitation code. Invitation codes start with EXA1- and contain only letters, digits, - and _. Copy the whole code, from EXA1- to its last character, and paste it again.'
            ],
            [
                'truncated',
                valid.slice(0, valid.length - 30),
                'This invitation code is incomplete: its end is missing. Copy the whole code again, from EXA1- to its last character, and paste it here.'
            ],
            [
                'checksum',
                valid.slice(0, 20) + (valid.charAt(20) === 'A' ? 'B' : 'A') + valid.slice(21),
                'This invitation code has a typo or was changed: its checksum does not match. Copy it again from the message you received.'
            ],
            [
                'unsupported-version',
                frame('EXA2-', valid.slice('EXA1-'.length, valid.length - 9)),
                'This invitation code was made by a newer version of Exalate (invitation format 2; this version reads format 1). Upgrade Exalate on this side, then paste the code again.'
            ],
            [
                'malformed',
                frame(
                    'EXA1-',
                    base64Url(
                        JSON.stringify({
                            ...(JSON.parse(
                                atob(
                                    valid
                                        .slice(5, valid.length - 9)
                                        .replace(/-/g, '+')
                                        .replace(/_/g, '/')
                                )
                            ) as object),
                            s: undefined
                        })
                    )
                ),
                'This invitation code is complete but cannot be read: the secret is missing. It was probably made by faulty software. Ask the admin who sent it to initiate the connection again and send you the new code.'
            ],
            [
                'expired',
                code({ expiresAt: 1767225600 }),
                // In the user's locale and time zone (the Jest defaults: en-US, America/Los_Angeles).
                'This invitation expired on Dec 31, 2025, 4:00 PM. Ask SalesforceA to send a new one.'
            ]
        ];

        it.each(cases)('explains the %s error under the field and saves nothing', async (_kind, bad, message) => {
            const element = await mount();
            await paste(element, bad);

            expect(text(element, '.code-error')).toBe(message);
            expect($(element, '.details')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(true);

            await click(element, 'check');
            expect(text(element, '.code-error')).toBe(message);
            await click(element, 'confirm');
            expect(acceptInvitationMock).not.toHaveBeenCalled();
        });

        it('shows the details of a valid code, even one broken over lines and quoted', async () => {
            const good = code();
            const element = await mount();
            await paste(element, `"${good.slice(0, 100)}\n${good.slice(100, 250)}\r\n  ${good.slice(250)}".`);

            expect($(element, '.code-error')).toBeNull();
            expect(text(element, '.code-valid')).toBe('The invitation code is valid.');
            expect(text(element, '.details .connection-name')).toBe('SalesforceA_to_ServiceNowB');
            expect(text(element, '.details .initiator')).toBe('SalesforceA');
            expect(text(element, '.details .platform')).toBe('Salesforce');
            expect(text(element, '.details .node-url')).toBe('https://exalate.example.com/node/salesforce-a');
            expect(text(element, '.details .type')).toBe(
                'Public: both sides have a URL and send requests to each other.'
            );
            expect(text(element, '.details .mode')).toBe('Basic');
            expect(text(element, '.details .description')).toBe('Support Cases between the EMEA org and ServiceNow');
            expect(text(element, '.details .expiry')).toMatch(/\d/);
            expect(text(element, '.this-side .local-name')).toBe('ServiceNowB');
            expect(text(element, '.this-side .remote-name')).toBe('SalesforceA');
            expect(button(element, 'confirm')!.disabled).toBe(false);
        });

        it('explains a Private connection and leaves out a missing description', async () => {
            const element = await mount();
            await paste(element, code({ connectionType: 'Private', description: undefined }));

            expect(text(element, '.details .type')).toBe(
                'Private: this side has no URL and opens every request to the inviting node itself.'
            );
            expect($(element, '.details .description')).toBeNull();
        });

        it('reads the code it was opened with', async () => {
            const element = await mount(code());

            expect(($(element, 'lightning-textarea.code') as HTMLElement & { value: string }).value).toBe(code());
            expect(text(element, '.details .connection-name')).toBe('SalesforceA_to_ServiceNowB');
            expect(button(element, 'confirm')!.disabled).toBe(false);
        });

        it('explains a bad code it was opened with', async () => {
            const element = await mount('EXA1-abc');

            expect(text(element, '.code-error')).toContain('This invitation code is incomplete');
        });

        it('says before anything is saved that this org already accepted the code', async () => {
            const accepted = connection({ status: 'Active', invitationId: INVITATION_ID, name: 'EMEA_support' });
            const element = await mount(undefined, [connection({ id: 'a00000000000001AAA' }), accepted]);
            await paste(element, code());

            expect(text(element, '.code-error')).toBe(
                'This invitation code was already used: this org accepted it as connection EMEA_support. A code can be used only once. Open that connection in the console, or ask SalesforceA for a new invitation.'
            );
            expect($(element, '.code-error')!.getAttribute('role')).toBe('alert');
            expect($(element, '.details')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(true);
            await click(element, 'check');
            await click(element, 'confirm');
            expect(acceptInvitationMock).not.toHaveBeenCalled();
        });

        it('says that a code created in this org is meant for the other side', async () => {
            const initiated = connection({
                invitationId: INVITATION_ID,
                role: 'Initiator',
                name: 'SalesforceA_to_ServiceNowB',
                localInstanceName: 'SalesforceA',
                remoteInstanceName: 'ServiceNowB'
            });
            const element = await mount(undefined, [initiated]);
            await paste(element, code());

            expect(text(element, '.code-error')).toBe(
                'This invitation code was created in this org, for connection SalesforceA_to_ServiceNowB. Send it to the admin of ServiceNowB, who accepts it in their own org.'
            );
            expect(button(element, 'confirm')!.disabled).toBe(true);
        });

        it('checks a code it was opened with again when the connections of this org arrive', async () => {
            const element = await mount(code());
            expect($(element, '.details')).not.toBeNull();

            element.existingConnections = [connection({ invitationId: '0f8fad5b-d9cb-469f-a165-70867728950e' })];
            await flushPromises();
            expect($(element, '.code-error')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(false);

            element.existingConnections = [connection({ invitationId: INVITATION_ID })];
            await flushPromises();
            expect(text(element, '.code-error')).toMatch(/^This invitation code was already used/);
            expect(button(element, 'confirm')!.disabled).toBe(true);

            element.existingConnections = undefined;
            await flushPromises();
            expect($(element, '.code-error')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(false);
        });

        it('says nothing about connections while the field is empty', async () => {
            const element = await mount(undefined, [connection({ invitationId: INVITATION_ID })]);

            expect($(element, '.code-error')).toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(true);
        });

        it('cancels', async () => {
            const element = await mount(code());
            const cancelled = jest.fn();
            element.addEventListener('cancel', cancelled);
            await click(element, 'cancel');

            expect(cancelled).toHaveBeenCalledTimes(1);
        });
    });

    describe('accepting', () => {
        it('sends the decoded invitation and waits for the inviting side, then offers the first sync', async () => {
            jest.useFakeTimers();
            const invitation = payload();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock
                .mockResolvedValueOnce(connection())
                .mockResolvedValueOnce(connection({ status: 'Active' }));
            const element = await mount(encodeInvitation(invitation));
            await click(element, 'confirm');

            expect(acceptInvitationMock).toHaveBeenCalledWith({
                input: {
                    invitationId: INVITATION_ID,
                    connectionName: 'SalesforceA_to_ServiceNowB',
                    localInstanceName: 'ServiceNowB',
                    remoteInstanceName: 'SalesforceA',
                    description: 'Support Cases between the EMEA org and ServiceNow',
                    type: 'Public',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: 'https://exalate.example.com/node/salesforce-a',
                    expiresAt: new Date(invitation.expiresAt * 1000).toISOString(),
                    secret: SECRET
                }
            });
            expect(text(element, '.waiting')).toBe('Waiting for SalesforceA to confirm the connection…');
            expect(element.shadowRoot!.activeElement).toBe($(element, '.waiting'));
            expect($(element, '.status-live')!.getAttribute('aria-live')).toBe('polite');
            expect($(element, 'lightning-textarea.code')).toBeNull();
            expect(button(element, 'cancel')).toBeNull();
            expect(button(element, 'done')).not.toBeNull();

            await advance(499);
            expect(getConnectionMock).not.toHaveBeenCalled();
            await advance(1);
            expect(getConnectionMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            expect(text(element, '.waiting')).toBe('Waiting for SalesforceA to confirm the connection…');

            await advance(749);
            expect(getConnectionMock).toHaveBeenCalledTimes(1);
            await advance(1);
            expect(getConnectionMock).toHaveBeenCalledTimes(2);
            expect(text(element, '.established')).toBe('Connection established successfully');
            expect($(element, '.waiting')).toBeNull();
            const firstSync = $(element, 'c-exalate-first-sync') as HTMLElement & { connectionId: string };
            expect(firstSync.connectionId).toBe(CONNECTION_ID);

            await advance(60000);
            expect(getConnectionMock).toHaveBeenCalledTimes(2);
        });

        it('backs off while the inviting side takes its time', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(connection());
            const element = await mount(code());
            await click(element, 'confirm');

            for (const delay of [500, 750, 1125, 1688, 2532, 3798, 5000, 5000]) {
                const calls = getConnectionMock.mock.calls.length;
                await advance(delay - 1);
                expect(getConnectionMock).toHaveBeenCalledTimes(calls);
                await advance(1);
                expect(getConnectionMock).toHaveBeenCalledTimes(calls + 1);
            }
            expect(text(element, '.waiting')).toBe('Waiting for SalesforceA to confirm the connection…');
        });

        it('stops checking after two minutes without an answer, and checks again on request', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(connection());
            const element = await mount(code());
            await click(element, 'confirm');
            expect($(element, '.wait-paused')).toBeNull();
            expect(button(element, 'check-again')).toBeNull();

            await spendRefreshBudget();
            expect(getConnectionMock).toHaveBeenCalledTimes(27);
            expect(text(element, '.waiting')).toBe('Waiting for SalesforceA to confirm the connection…');
            expect(text(element, '.wait-paused')).toBe(
                'SalesforceA has not confirmed the connection yet: that happens when the connectors of both sides complete their handshake. To spare the org, this page stopped checking after two minutes. Click Check again, or click Done: the connections list shows the connection as Active once it is established.'
            );
            await advance(3600000);
            expect(getConnectionMock).toHaveBeenCalledTimes(27);

            getConnectionMock.mockResolvedValue(connection({ status: 'Active' }));
            await click(element, 'check-again');
            expect($(element, '.wait-paused')).toBeNull();
            await advance(500);
            expect(getConnectionMock).toHaveBeenCalledTimes(28);
            expect(text(element, '.established')).toBe('Connection established successfully');
        });

        it('starts the wait over when it comes back to the page after it stopped checking', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(connection());
            const element = await mount(code());
            await click(element, 'confirm');
            await spendRefreshBudget();
            expect($(element, '.wait-paused')).not.toBeNull();

            document.body.removeChild(element);
            document.body.appendChild(element);
            await flushPromises();
            expect($(element, '.wait-paused')).toBeNull();
            await advance(500);
            expect(getConnectionMock).toHaveBeenCalledTimes(28);
        });

        it('sends no description when the invitation has none', async () => {
            acceptInvitationMock.mockResolvedValue(connection({ status: 'Active' }));
            const element = await mount(code({ description: undefined }));
            await click(element, 'confirm');

            expect(
                (acceptInvitationMock.mock.calls[0][0] as { input: { description: unknown } }).input.description
            ).toBe(null);
        });

        it('stops and shows why when the connection goes into Error', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(
                connection({ status: 'Error', statusDetail: 'The inviting node refused the handshake: wrong secret.' })
            );
            const element = await mount(code());
            await click(element, 'confirm');
            await advance(500);

            expect(text(element, '.failure')).toBe('The inviting node refused the handshake: wrong secret.');
            expect($(element, '.failure')!.getAttribute('role')).toBe('alert');
            expect($(element, 'c-exalate-first-sync')).toBeNull();
            await advance(60000);
            expect(getConnectionMock).toHaveBeenCalledTimes(1);
        });

        it('explains an Error without detail and a deactivated connection', async () => {
            acceptInvitationMock.mockResolvedValueOnce(connection({ status: 'Error' }));
            const element = await mount(code());
            await click(element, 'confirm');
            expect(text(element, '.failure')).toBe(
                'The connection could not be established. Open it in the console to see why, or ask the admin of the other side.'
            );

            acceptInvitationMock.mockResolvedValueOnce(connection({ status: 'Deactivated' }));
            const other = await mount(code());
            await click(other, 'confirm');
            expect(text(other, '.failure')).toBe(
                'The connection was deactivated before it was established. Activate it in the console when the other side is ready.'
            );
        });

        it('shows the connection as established at once when it is already Active', async () => {
            acceptInvitationMock.mockResolvedValue(connection({ status: 'Active' }));
            const element = await mount(code());
            await click(element, 'confirm');

            expect(text(element, '.established')).toBe('Connection established successfully');
            expect(getConnectionMock).not.toHaveBeenCalled();
        });

        it('shows the Apex message when Apex refuses the invitation', async () => {
            acceptInvitationMock.mockRejectedValue({ body: { message: 'This invitation code was already used.' } });
            const element = await mount(code());
            await click(element, 'confirm');

            expect(text(element, '.save-error')).toBe('This invitation code was already used.');
            expect($(element, '.save-error')!.getAttribute('role')).toBe('alert');
            expect($(element, 'lightning-textarea.code')).not.toBeNull();
            expect(button(element, 'confirm')!.disabled).toBe(false);
        });

        it('reads the code again on Confirm: it may have expired meanwhile', async () => {
            jest.useFakeTimers();
            const expiresAt = nowSeconds() + 60;
            const element = await mount(code({ expiresAt }));
            expect(button(element, 'confirm')!.disabled).toBe(false);

            jest.setSystemTime((expiresAt + 1) * 1000);
            await click(element, 'confirm');

            expect(acceptInvitationMock).not.toHaveBeenCalled();
            expect(text(element, '.code-error')).toMatch(
                /^This invitation expired on .*Ask SalesforceA to send a new one\.$/
            );
        });

        it('says why it cannot check the connection, and checks again on request', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock
                .mockRejectedValueOnce({ body: { message: 'This connection no longer exists.' } })
                .mockResolvedValueOnce(connection({ status: 'Active' }));
            const element = await mount(code());
            await click(element, 'confirm');
            await advance(500);

            expect(text(element, '.poll-error')).toBe('This connection no longer exists.');
            await advance(60000);
            expect(getConnectionMock).toHaveBeenCalledTimes(1);

            await click(element, 'check-again');
            expect($(element, '.poll-error')).toBeNull();
            await advance(500);
            expect(text(element, '.established')).toBe('Connection established successfully');
        });

        it('stops waiting when it leaves the page and resumes when it comes back', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(connection());
            const element = await mount(code());
            await click(element, 'confirm');
            document.body.removeChild(element);
            await advance(60000);

            expect(getConnectionMock).not.toHaveBeenCalled();

            document.body.appendChild(element);
            await advance(5000);
            expect(getConnectionMock).toHaveBeenCalled();
        });

        it('drops an answer that arrives after it left the page', async () => {
            jest.useFakeTimers();
            let answer: (value: unknown) => void = () => undefined;
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockReturnValue(new Promise((resolve) => (answer = resolve)));
            const element = await mount(code());
            await click(element, 'confirm');
            await advance(500);
            document.body.removeChild(element);
            answer(connection({ status: 'Active' }));
            await flushPromises();

            expect(text(element, '.established')).toBeUndefined();
        });

        it('starts no wait when it left the page before Apex answered the Confirm', async () => {
            jest.useFakeTimers();
            let answer: (value: unknown) => void = () => undefined;
            acceptInvitationMock.mockReturnValue(new Promise((resolve) => (answer = resolve)));
            const element = await mount(code());
            await click(element, 'confirm');
            document.body.removeChild(element);
            answer(connection());
            await flushPromises();
            await advance(60000);

            expect(jest.getTimerCount()).toBe(0);
            expect(getConnectionMock).not.toHaveBeenCalled();
        });

        it('fires done with the connection id', async () => {
            acceptInvitationMock.mockResolvedValue(connection({ status: 'Active' }));
            const element = await mount(code());
            const done = jest.fn();
            element.addEventListener('done', done);
            await click(element, 'confirm');
            await click(element, 'done');

            expect((done.mock.calls[0][0] as CustomEvent<{ connectionId: string }>).detail).toEqual({
                connectionId: CONNECTION_ID
            });
        });
    });

    describe('accessibility', () => {
        it('is accessible with an error and with a valid code', async () => {
            const element = await mount();
            await paste(element, 'not a code');
            await expect(element).toBeAccessible();

            await paste(element, code());
            await expect(element).toBeAccessible();
        });

        it('is accessible while waiting', async () => {
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockReturnValue(new Promise(() => undefined));
            const element = await mount(code());
            await click(element, 'confirm');

            expect($(element, '.waiting')).not.toBeNull();
            await expect(element).toBeAccessible();
        });

        it('is accessible once it stopped checking', async () => {
            jest.useFakeTimers();
            acceptInvitationMock.mockResolvedValue(connection());
            getConnectionMock.mockResolvedValue(connection());
            const element = await mount(code());
            await click(element, 'confirm');
            await spendRefreshBudget();
            expect($(element, '.wait-paused')).not.toBeNull();

            jest.useRealTimers();
            await expect(element).toBeAccessible();
        });

        it('is accessible once established', async () => {
            acceptInvitationMock.mockResolvedValue(connection({ status: 'Active' }));
            const element = await mount(code());
            await click(element, 'confirm');

            expect($(element, '.established')).not.toBeNull();
            await expect(element).toBeAccessible();
        });
    });
});
