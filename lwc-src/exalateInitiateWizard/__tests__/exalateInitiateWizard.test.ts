import { createElement } from 'lwc';
import ExalateInitiateWizard from 'c/exalateInitiateWizard';
import { decodeInvitation } from 'c/exalateInvitationCodec';
import getConsoleContext from '@salesforce/apex/ConnectionController.getConsoleContext';
import initiateConnection from '@salesforce/apex/ConnectionController.initiateConnection';
import createConnection from '@salesforce/apex/ConnectionController.createConnection';

jest.mock('@salesforce/apex/ConnectionController.getConsoleContext', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.initiateConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.createConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
// Used by c-exalate-first-sync and c-exalate-sync-progress after a Local connection is created.
jest.mock('@salesforce/apex/CaseSyncController.requestSync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });

const getConsoleContextMock = getConsoleContext as unknown as jest.Mock;
const initiateConnectionMock = initiateConnection as unknown as jest.Mock;
const createConnectionMock = createConnection as unknown as jest.Mock;

const CONTEXT = {
    orgDomainUrl: 'https://acme.my.salesforce.com',
    namespacePrefix: '',
    suggestedInstanceName: 'AcmeInc',
    platform: 'Salesforce'
};
const SECRET = 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQwEo';
const INVITATION_ID = '3f2b8c1e-9a4d-4e7b-8c21-5d6f0a9b7e13';
const EXPIRES_AT = '2030-01-04T12:00:00.000Z';
const EXPIRES_SECONDS = Date.parse(EXPIRES_AT) / 1000;
const NOW_SECONDS = EXPIRES_SECONDS - 72 * 3600;
const NODE_URL = 'https://exalate.acme.example.com';

type Button = HTMLElement & { label: string; disabled: boolean };
type Field = HTMLElement & {
    value: string;
    label: string;
    disabled: boolean;
    fieldLevelHelp: string;
    options: { value: string }[];
};

function connection(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: 'a00000000000001AAA',
        name: 'AcmeInc_to_Partner',
        localInstanceName: 'AcmeInc',
        remoteInstanceName: 'Partner',
        description: 'Support Cases with our partner',
        type: 'Public',
        mode: 'Basic',
        status: 'Pending',
        role: 'Initiator',
        remotePlatform: 'Salesforce',
        remoteNodeUrl: 'https://partner.my.salesforce.com',
        ...overrides
    };
}

function invitation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { connection: connection(overrides), invitationId: INVITATION_ID, expiresAt: EXPIRES_AT, secret: SECRET };
}

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 6; i++) {
        await Promise.resolve();
    }
}

async function mount(): Promise<HTMLElement> {
    const element = createElement('c-exalate-initiate-wizard', { is: ExalateInitiateWizard });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function $(element: HTMLElement, selector: string): HTMLElement | null {
    return element.shadowRoot!.querySelector(selector);
}

function text(element: HTMLElement, selector: string): string | null | undefined {
    return $(element, selector)?.textContent?.trim();
}

function button(element: HTMLElement, name: string): Button | null {
    return $(element, `lightning-button.${name}`) as Button | null;
}

async function click(element: HTMLElement, name: string): Promise<void> {
    button(element, name)!.click();
    await flushPromises();
}

async function change(target: HTMLElement, detail: Record<string, unknown>): Promise<void> {
    target.dispatchEvent(new CustomEvent('change', { detail }));
    await flushPromises();
}

async function enterUrl(element: HTMLElement, value: string): Promise<void> {
    await change($(element, 'lightning-input.destination-url')!, { value });
}

async function setNoUrl(element: HTMLElement, checked: boolean): Promise<void> {
    await change($(element, 'lightning-input.no-url')!, { checked });
}

async function setField(element: HTMLElement, field: string, value: string): Promise<void> {
    await change($(element, `[data-field="${field}"]`)!, { value });
}

async function chooseAccess(element: HTMLElement, answer: 'yes' | 'no'): Promise<void> {
    ($(element, `input.access-${answer}`) as HTMLInputElement).click();
    await flushPromises();
}

function stepOf(element: HTMLElement): string | undefined {
    return ['url', 'mode', 'access', 'info', 'code', 'local'].find((step) => $(element, `section.step-${step}`));
}

/** URL, Basic, admin access, names: the wizard on its last step before Initiate, for a Public destination. */
async function toPublicInfo(
    element: HTMLElement,
    url = 'https://partner.my.salesforce.com',
    access: 'yes' | 'no' = 'yes'
): Promise<void> {
    await enterUrl(element, url);
    await click(element, 'next');
    await click(element, 'next');
    await chooseAccess(element, access);
    await click(element, 'next');
}

async function fillNames(element: HTMLElement): Promise<void> {
    await setField(element, 'remoteName', 'Partner');
    await setField(element, 'description', 'Support Cases with our partner');
    await setField(element, 'nodeUrl', NODE_URL);
}

function decodedCode(element: HTMLElement): ReturnType<typeof decodeInvitation> {
    const area = $(element, 'textarea.invitation-code') as HTMLTextAreaElement;
    return decodeInvitation(area.value, NOW_SECONDS);
}

describe('c-exalate-initiate-wizard', () => {
    let openSpy: jest.SpyInstance;

    beforeEach(() => {
        getConsoleContextMock.mockResolvedValue(CONTEXT);
        openSpy = jest.spyOn(window, 'open').mockImplementation(() => null);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        openSpy.mockRestore();
        Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
        Object.defineProperty(document, 'execCommand', { value: undefined, configurable: true, writable: true });
    });

    describe('destination URL', () => {
        it('asks for the destination URL with help explaining it, or no URL', async () => {
            const element = await mount();

            expect(getConsoleContextMock).toHaveBeenCalledTimes(1);
            expect(stepOf(element)).toBe('url');
            const url = $(element, 'lightning-input.destination-url') as Field & { type: string };
            expect(url.type).toBe('url');
            expect(url.label).toBe('Destination instance URL');
            expect(url.fieldLevelHelp).toContain('URL of its Salesforce org');
            expect(url.fieldLevelHelp).toContain('Exalate node');
            expect(($(element, 'lightning-input.no-url') as Field).label).toBe("I don't have a URL");
            expect(button(element, 'cancel')).not.toBeNull();
            expect(button(element, 'previous')).toBeNull();
            expect(button(element, 'next')!.disabled).toBe(false);
        });

        it('keeps Next disabled while the org context loads', () => {
            getConsoleContextMock.mockReturnValue(new Promise(() => undefined));
            const element = createElement('c-exalate-initiate-wizard', { is: ExalateInitiateWizard });
            document.body.appendChild(element);

            expect(button(element, 'next')!.disabled).toBe(true);
            expect($(element, 'lightning-spinner')).not.toBeNull();
        });

        it('refuses a blank URL while the toggle is off, under the field', async () => {
            const element = await mount();
            await enterUrl(element, '   ');
            await click(element, 'next');

            expect(stepOf(element)).toBe('url');
            expect(text(element, '.url-error')).toBe(
                "Enter the destination instance URL, starting with https://, or turn on I don't have a URL."
            );
            expect($(element, '.url-error')!.getAttribute('role')).toBe('alert');
        });

        it('treats a change without a value as an empty URL', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await change($(element, 'lightning-input.destination-url')!, {});
            await click(element, 'next');

            expect(stepOf(element)).toBe('url');
            expect(text(element, '.url-error')).toMatch(/^Enter the destination instance URL/);
        });

        it.each([
            ['an ftp URL', 'ftp://partner.example.com', 'The URL must start with https://'],
            ['a URL without scheme', 'partner.my.salesforce.com', 'The URL must start with https://'],
            [
                'http:// to another host than localhost',
                'http://partner.example.com',
                'The URL must start with https://'
            ],
            ['a URL without host', 'https://', 'The URL must start with https://'],
            ['a URL with a space', 'https://partner example.com', 'A URL cannot contain spaces. Correct the URL.'],
            [
                'a URL of 270 characters',
                `https://example.com/${'a'.repeat(250)}`,
                'The URL is too long (270 characters). Use at most 255 characters.'
            ]
        ])('refuses %s and stays on the step', async (_case, url, message) => {
            const element = await mount();
            await enterUrl(element, url);
            await click(element, 'next');

            expect(stepOf(element)).toBe('url');
            expect(text(element, '.url-error')).toContain(message);
        });

        it('accepts http://localhost during local development', async () => {
            const element = await mount();
            await enterUrl(element, 'http://localhost:8080');
            await click(element, 'next');

            expect(stepOf(element)).toBe('mode');
        });

        it('forgets the URL error as soon as the URL changes', async () => {
            const element = await mount();
            await click(element, 'next');
            expect($(element, '.url-error')).not.toBeNull();

            await enterUrl(element, 'https://partner');
            expect($(element, '.url-error')).toBeNull();
        });

        it.each(['https://acme.lightning.force.com', 'https://ACME.my.salesforce.com/lightning/page/home'])(
            'recognises this org in %s: a Local connection',
            async (url) => {
                const element = await mount();
                await enterUrl(element, url);

                expect(text(element, '.local-explanation')).toBe(
                    'This is the URL of this org: the connection will be a local connection between Cases of this org.'
                );
            }
        );

        it('recognises a sandbox by its Lightning host', async () => {
            getConsoleContextMock.mockResolvedValue({
                ...CONTEXT,
                orgDomainUrl: 'https://acme--uat.sandbox.my.salesforce.com'
            });
            const element = await mount();
            await enterUrl(element, 'https://acme--uat.sandbox.lightning.force.com');

            expect($(element, '.local-explanation')).not.toBeNull();
        });

        it('does not call another org local', async () => {
            const element = await mount();
            await enterUrl(element, 'https://acme2.my.salesforce.com');

            expect($(element, '.local-explanation')).toBeNull();
        });

        it('needs no URL when the admin has none: the connection is Private', async () => {
            const element = await mount();
            await enterUrl(element, 'not a url');
            await setNoUrl(element, true);

            expect(($(element, 'lightning-input.destination-url') as Field).disabled).toBe(true);
            expect(text(element, '.no-url-explanation')).toContain('The connection is Private');
            await click(element, 'next');
            expect(stepOf(element)).toBe('mode');
        });

        it('shows why the org context could not be read and still works without it', async () => {
            getConsoleContextMock.mockRejectedValue({
                body: { message: 'You need the Exalate Admin permission set to do this.' }
            });
            const element = await mount();

            expect(text(element, '.context-error')).toBe('You need the Exalate Admin permission set to do this.');
            await enterUrl(element, 'https://acme.lightning.force.com');
            expect($(element, '.local-explanation')).toBeNull();
            await click(element, 'next');
            expect(stepOf(element)).toBe('mode');
        });
    });

    describe('configuration type', () => {
        it('offers Basic only, selected, with its four bullet points', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');

            expect(stepOf(element)).toBe('mode');
            expect(text(element, 'h3')).toBe('Choose the configuration type');
            expect(text(element, '.mode-name')).toBe('Basic');
            const bullets = Array.from(element.shadowRoot!.querySelectorAll('.mode-bullets li')).map((li) =>
                li.textContent?.trim()
            );
            expect(bullets).toEqual([
                'Automatic configuration of basic fields',
                'Sync rules cannot be edited',
                'Only cases can be synced',
                'Recommended for use cases of basic complexity'
            ]);
            expect(element.shadowRoot!.textContent).not.toContain('Script');
            expect(button(element, 'previous')).not.toBeNull();
            expect(button(element, 'cancel')).not.toBeNull();
        });

        it('takes the focus to the heading of each new step', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            expect(element.shadowRoot!.activeElement).toBeNull();
            await click(element, 'next');

            expect(element.shadowRoot!.activeElement?.textContent?.trim()).toBe('Choose the configuration type');
            await click(element, 'next');
            expect(element.shadowRoot!.activeElement?.textContent?.trim()).toBe(
                'Do you have admin access to the destination instance?'
            );
        });

        it('goes back to the URL, which is kept', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');
            await click(element, 'previous');

            expect(stepOf(element)).toBe('url');
            expect(($(element, 'lightning-input.destination-url') as Field).value).toBe(
                'https://partner.my.salesforce.com'
            );
        });
    });

    describe('admin access (Public destinations)', () => {
        it('asks whether the admin can reach the destination, with the explanations', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');
            await click(element, 'next');

            expect(stepOf(element)).toBe('access');
            const step = $(element, 'section.step-access')!.textContent;
            expect(step).toContain('Do you have admin access to the destination instance?');
            expect(step).toContain('Yes, I have admin access');
            expect(step).toContain('You will be redirected to the destination instance to establish the connection');
            expect(step).toContain("No, I don't have admin access");
            expect(step).toContain(
                'You will generate an invitation and send it to the destination instance admin to establish the connection'
            );
        });

        it('needs an answer before going on', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');
            await click(element, 'next');
            await click(element, 'next');

            expect(stepOf(element)).toBe('access');
            expect(text(element, '.access-error')).toBe(
                'Choose whether you have admin access to the destination instance.'
            );

            await chooseAccess(element, 'no');
            expect($(element, '.access-error')).toBeNull();
            await click(element, 'next');
            expect(stepOf(element)).toBe('info');
        });

        it('goes back from the connection information to the admin access question', async () => {
            const element = await mount();
            await toPublicInfo(element);
            await click(element, 'previous');

            expect(stepOf(element)).toBe('access');
            expect(($(element, 'input.access-yes') as HTMLInputElement).checked).toBe(true);
            await click(element, 'previous');
            expect(stepOf(element)).toBe('mode');
        });
    });

    describe('connection information', () => {
        it('prefills this side with the org name and names the connection after both sides', async () => {
            const element = await mount();
            await toPublicInfo(element);

            expect(stepOf(element)).toBe('info');
            expect(($(element, '[data-field="localName"]') as Field).value).toBe('AcmeInc');
            expect(($(element, '[data-field="platform"]') as Field).value).toBe('Salesforce');
            expect(($(element, '[data-field="nodeUrl"]') as Field).label).toBe("This side's Exalate node URL");
            expect(($(element, '[data-field="nodeUrl"]') as Field).fieldLevelHelp).toContain(
                'public URL of the connector that serves this org'
            );
            expect(button(element, 'submit')!.label).toBe('Initiate');

            await setField(element, 'remoteName', 'Partner');
            expect(($(element, '[data-field="connectionName"]') as Field).value).toBe('AcmeInc_to_Partner');
            await setField(element, 'localName', 'Acme');
            expect(($(element, '[data-field="connectionName"]') as Field).value).toBe('Acme_to_Partner');
        });

        it('stops renaming the connection once the admin edited its name', async () => {
            const element = await mount();
            await toPublicInfo(element);
            await setField(element, 'remoteName', 'Partner');
            await setField(element, 'connectionName', 'Escalations');
            await setField(element, 'remoteName', 'PartnerOrg');

            expect(($(element, '[data-field="connectionName"]') as Field).value).toBe('Escalations');
        });

        it('guesses ServiceNow from a service-now.com URL', async () => {
            const element = await mount();
            await toPublicInfo(element, 'https://partner.service-now.com');

            expect(($(element, '[data-field="platform"]') as Field).value).toBe('ServiceNow');
        });

        it.each([
            ['a blank local name', 'localName', '', '.local-name-error', 'Local instance name is required.'],
            [
                'a local name of 41 characters',
                'localName',
                'A'.repeat(41),
                '.local-name-error',
                'Local instance name is too long (41 characters).'
            ],
            [
                'a local name with a space',
                'localName',
                'Acme Inc',
                '.local-name-error',
                'Local instance name can contain only letters, digits'
            ],
            ['a blank remote name', 'remoteName', '', '.remote-name-error', 'Remote instance name is required.'],
            [
                'a remote name of 45 characters',
                'remoteName',
                'B'.repeat(45),
                '.remote-name-error',
                'Remote instance name is too long (45 characters).'
            ],
            [
                'a remote name with !',
                'remoteName',
                'Partner!',
                '.remote-name-error',
                'Remote instance name can contain only letters, digits'
            ],
            [
                'a remote name equal to the local one',
                'remoteName',
                'acmeinc',
                '.remote-name-error',
                'Local instance name and remote instance name are both AcmeInc. Give each side its own name.'
            ],
            [
                'a blank connection name',
                'connectionName',
                '  ',
                '.connection-name-error',
                'Connection name is required.'
            ],
            [
                'a connection name of 81 characters',
                'connectionName',
                'C'.repeat(81),
                '.connection-name-error',
                'Connection name is too long (81 characters).'
            ],
            [
                'a description of 2001 characters',
                'description',
                'D'.repeat(2001),
                '.description-error',
                'Description is too long (2001 characters).'
            ],
            ['a blank node URL', 'nodeUrl', '', '.node-url-error', "This side's Exalate node URL is required."],
            [
                'a node URL without scheme',
                'nodeUrl',
                'exalate.acme.example.com',
                '.node-url-error',
                "This side's Exalate node URL must start with https://"
            ],
            [
                'a node URL with a space',
                'nodeUrl',
                'https://exalate acme.com',
                '.node-url-error',
                "This side's Exalate node URL must start with https://"
            ],
            [
                'a node URL of 264 characters',
                'nodeUrl',
                `https://e.com/${'x'.repeat(250)}`,
                '.node-url-error',
                "This side's Exalate node URL is too long (264 characters)."
            ]
        ])('refuses %s under the field and calls no Apex', async (_case, field, value, selector, message) => {
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await setField(element, field, value);
            await click(element, 'submit');

            expect(stepOf(element)).toBe('info');
            expect(text(element, selector)).toContain(message);
            expect($(element, selector)!.getAttribute('role')).toBe('alert');
            expect(initiateConnectionMock).not.toHaveBeenCalled();
        });

        it('needs the destination platform when it cannot be told from the URL', async () => {
            const element = await mount();
            await toPublicInfo(element, 'https://exalate.partner.example.com');
            await fillNames(element);
            await click(element, 'submit');

            expect(text(element, '.platform-error')).toBe('Choose the destination platform: Salesforce or ServiceNow.');
            expect(initiateConnectionMock).not.toHaveBeenCalled();

            await setField(element, 'platform', 'ServiceNow');
            expect($(element, '.platform-error')).toBeNull();
        });

        it('treats a change without a value as an empty field', async () => {
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await change($(element, '[data-field="remoteName"]')!, {});
            await click(element, 'submit');

            expect(text(element, '.remote-name-error')).toMatch(/^Remote instance name is required\./);
            expect(initiateConnectionMock).not.toHaveBeenCalled();
        });

        it('shows the Apex message when Apex refuses and stays on the step', async () => {
            initiateConnectionMock.mockRejectedValue({
                body: { message: 'A connection named AcmeInc_to_Partner already exists.' }
            });
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');

            expect(stepOf(element)).toBe('info');
            expect(text(element, '.submit-error')).toBe('A connection named AcmeInc_to_Partner already exists.');
            expect(button(element, 'submit')!.disabled).toBe(false);

            await setField(element, 'connectionName', 'Other');
            expect($(element, '.submit-error')).toBeNull();
        });

        it('cancels from every step before the code exists', async () => {
            const element = await mount();
            const cancelled = jest.fn();
            element.addEventListener('cancel', cancelled);
            await click(element, 'cancel');
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');
            await click(element, 'cancel');
            await click(element, 'next');
            await click(element, 'cancel');
            await chooseAccess(element, 'no');
            await click(element, 'next');
            await click(element, 'cancel');

            expect(cancelled).toHaveBeenCalledTimes(4);
        });
    });

    describe('invitation code', () => {
        it('initiates a Public connection and shows the code the other side needs', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');

            expect(initiateConnectionMock).toHaveBeenCalledWith({
                input: {
                    name: 'AcmeInc_to_Partner',
                    localInstanceName: 'AcmeInc',
                    remoteInstanceName: 'Partner',
                    description: 'Support Cases with our partner',
                    type: 'Public',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: 'https://partner.my.salesforce.com'
                }
            });
            expect(stepOf(element)).toBe('code');
            expect(text(element, '.install-note')).toBe(
                'Ensure that Exalate is installed on the destination side “Partner”. On that side, an administrator accepts the invitation.'
            );
            const decoded = decodedCode(element);
            expect(decoded).toEqual({
                ok: true,
                invitation: {
                    version: 1,
                    invitationId: INVITATION_ID,
                    connectionName: 'AcmeInc_to_Partner',
                    initiatorInstance: 'AcmeInc',
                    destinationInstance: 'Partner',
                    initiatorPlatform: 'Salesforce',
                    initiatorNodeUrl: NODE_URL,
                    connectionType: 'Public',
                    mode: 'Basic',
                    description: 'Support Cases with our partner',
                    expiresAt: EXPIRES_SECONDS,
                    secret: SECRET
                }
            });
            expect(text(element, '.expiry-note')).toMatch(/^This code can be used once, until .*2030.*\.$/);
            expect(button(element, 'copy')!.label).toBe('Copy invitation code');
            expect(button(element, 'cancel')).toBeNull();
            expect(button(element, 'previous')).toBeNull();
            expect(button(element, 'done')).not.toBeNull();
        });

        it('names the platform the console runs on as the initiator (a ServiceNow node)', async () => {
            getConsoleContextMock.mockResolvedValue({ ...CONTEXT, platform: 'ServiceNow' });
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');

            const decoded = decodedCode(element);
            expect(decoded.ok && decoded.invitation.initiatorPlatform).toBe('ServiceNow');
        });

        it('opens the destination console with the code when the admin has access to that Salesforce org', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element, 'https://partner.lightning.force.com/lightning/page/home');
            await fillNames(element);
            await click(element, 'submit');
            const code = ($(element, 'textarea.invitation-code') as HTMLTextAreaElement).value;
            await click(element, 'open-destination');

            expect(openSpy).toHaveBeenCalledWith(
                `https://partner.lightning.force.com/lightning/n/Exalate_Console?c__invitation=${code}`,
                '_blank',
                'noopener'
            );
        });

        it('puts the package namespace into the destination console link', async () => {
            getConsoleContextMock.mockResolvedValue({ ...CONTEXT, namespacePrefix: 'exa' });
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            await click(element, 'open-destination');

            expect(openSpy.mock.calls[0][0]).toMatch(
                /^https:\/\/partner\.my\.salesforce\.com\/lightning\/n\/exa__Exalate_Console\?c__invitation=EXA1-/
            );
        });

        it('offers no destination console without admin access', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element, 'https://partner.my.salesforce.com', 'no');
            await fillNames(element);
            await click(element, 'submit');

            expect(stepOf(element)).toBe('code');
            expect(button(element, 'open-destination')).toBeNull();
        });

        it('offers no destination console for a destination that is not a Salesforce org', async () => {
            initiateConnectionMock.mockResolvedValue(invitation({ remotePlatform: 'ServiceNow' }));
            const element = await mount();
            await toPublicInfo(element, 'https://partner.service-now.com', 'yes');
            await fillNames(element);
            await click(element, 'submit');

            expect(stepOf(element)).toBe('code');
            expect(button(element, 'open-destination')).toBeNull();
        });

        it('initiates a Private connection without the admin access question; the other side is “unknown”', async () => {
            initiateConnectionMock.mockResolvedValue(
                invitation({ type: 'Private', remoteNodeUrl: undefined, description: undefined })
            );
            const element = await mount();
            await setNoUrl(element, true);
            await click(element, 'next');
            await click(element, 'next');

            expect(stepOf(element)).toBe('info');
            expect(($(element, '[data-field="platform"]') as Field).value).toBeUndefined();
            await setField(element, 'remoteName', 'Partner');
            await setField(element, 'nodeUrl', NODE_URL);
            await setField(element, 'platform', 'Salesforce');
            await click(element, 'previous');
            expect(stepOf(element)).toBe('mode');
            await click(element, 'next');
            await click(element, 'submit');

            expect(initiateConnectionMock).toHaveBeenCalledWith({
                input: {
                    name: 'AcmeInc_to_Partner',
                    localInstanceName: 'AcmeInc',
                    remoteInstanceName: 'Partner',
                    description: null,
                    type: 'Private',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: null
                }
            });
            expect(text(element, '.install-note')).toBe(
                'Ensure that Exalate is installed on the destination side “unknown”. On that side, an administrator accepts the invitation.'
            );
            const decoded = decodedCode(element);
            expect(decoded.ok && decoded.invitation.connectionType).toBe('Private');
            expect(decoded.ok && decoded.invitation.description).toBeUndefined();
            expect(button(element, 'open-destination')).toBeNull();
        });

        it('says so when the code cannot be made from what Apex returned', async () => {
            initiateConnectionMock.mockResolvedValue({ ...invitation(), secret: 'short' });
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');

            expect(stepOf(element)).toBe('info');
            expect(text(element, '.submit-error')).toMatch(
                /^Connection AcmeInc_to_Partner was created, but its invitation code could not be made: .*secret.* Delete the connection in the console and initiate it again\.$/
            );
            expect(text(element, '.submit-error')).not.toContain('short');
        });

        it('copies the code to the clipboard and says so', async () => {
            const writeText = jest.fn().mockResolvedValue(undefined);
            Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            const toasts = jest.fn();
            element.addEventListener('lightning__showtoast', toasts);
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            await click(element, 'copy');

            const code = ($(element, 'textarea.invitation-code') as HTMLTextAreaElement).value;
            expect(writeText).toHaveBeenCalledWith(code);
            expect(toasts).toHaveBeenCalledTimes(1);
            expect((toasts.mock.calls[0][0] as CustomEvent<{ message: string }>).detail.message).toBe(
                'Invitation code copied'
            );
        });

        it('copies by selecting the code when the clipboard is not available', async () => {
            const execCommand = jest.fn().mockReturnValue(true);
            Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true, writable: true });
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            const toasts = jest.fn();
            element.addEventListener('lightning__showtoast', toasts);
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            const area = $(element, 'textarea.invitation-code') as HTMLTextAreaElement;
            const select = jest.spyOn(area, 'select');
            await click(element, 'copy');

            expect(select).toHaveBeenCalled();
            expect(execCommand).toHaveBeenCalledWith('copy');
            expect(toasts).toHaveBeenCalledTimes(1);
        });

        it('asks the admin to copy the selected code when nothing else works', async () => {
            const writeText = jest.fn().mockRejectedValue(new Error('denied'));
            Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
            Object.defineProperty(document, 'execCommand', {
                value: jest.fn().mockReturnValue(false),
                configurable: true,
                writable: true
            });
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            const toasts = jest.fn();
            element.addEventListener('lightning__showtoast', toasts);
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            await click(element, 'copy');

            expect(toasts).not.toHaveBeenCalled();
            expect(text(element, '.copy-hint')).toBe(
                'The code could not be copied automatically. It is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.'
            );
        });

        it('selects the whole code when it gets the focus', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            const area = $(element, 'textarea.invitation-code') as HTMLTextAreaElement;
            const select = jest.spyOn(area, 'select');
            area.dispatchEvent(new FocusEvent('focus'));

            expect(select).toHaveBeenCalled();
        });

        it('fires done with the connection id', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            const done = jest.fn();
            element.addEventListener('done', done);
            await toPublicInfo(element);
            await fillNames(element);
            await click(element, 'submit');
            expect(($(element, 'textarea.invitation-code') as HTMLTextAreaElement).value).toMatch(/^EXA1-/);
            await click(element, 'done');

            expect(done).toHaveBeenCalledTimes(1);
            expect((done.mock.calls[0][0] as CustomEvent<{ connectionId: string }>).detail).toEqual({
                connectionId: 'a00000000000001AAA'
            });
            // The code holds the secret: the page forgets it once the admin is done.
            expect(($(element, 'textarea.invitation-code') as HTMLTextAreaElement).value).toBe('');
        });
    });

    describe('Local connection (this org’s own URL)', () => {
        it('creates an active Local connection without invitation and offers the first sync', async () => {
            createConnectionMock.mockResolvedValue(
                connection({
                    name: 'AcmeInc_to_AcmeCopy',
                    type: 'Local',
                    status: 'Active',
                    remoteInstanceName: 'AcmeCopy'
                })
            );
            const element = await mount();
            const done = jest.fn();
            element.addEventListener('done', done);
            await enterUrl(element, 'https://acme.lightning.force.com');
            await click(element, 'next');
            await click(element, 'next');

            expect(stepOf(element)).toBe('info');
            expect($(element, '[data-field="platform"]')).toBeNull();
            expect($(element, '[data-field="nodeUrl"]')).toBeNull();
            expect(button(element, 'submit')!.label).toBe('Create connection');
            await setField(element, 'remoteName', 'AcmeCopy');
            await click(element, 'submit');

            expect(initiateConnectionMock).not.toHaveBeenCalled();
            expect(createConnectionMock).toHaveBeenCalledWith({
                input: {
                    name: 'AcmeInc_to_AcmeCopy',
                    localInstanceName: 'AcmeInc',
                    remoteInstanceName: 'AcmeCopy',
                    description: null,
                    type: 'Local',
                    remotePlatform: 'Salesforce',
                    remoteNodeUrl: null
                }
            });
            expect(stepOf(element)).toBe('local');
            expect(text(element, '.established')).toBe('Connection established successfully');
            expect(text(element, '.local-created')).toContain('Local connection AcmeInc_to_AcmeCopy is active');
            const firstSync = $(element, 'c-exalate-first-sync') as HTMLElement & { connectionId: string };
            expect(firstSync.connectionId).toBe('a00000000000001AAA');
            expect($(element, 'textarea.invitation-code')).toBeNull();
            expect(button(element, 'cancel')).toBeNull();

            await click(element, 'done');
            expect((done.mock.calls[0][0] as CustomEvent<{ connectionId: string }>).detail.connectionId).toBe(
                'a00000000000001AAA'
            );
        });

        it('shows the Apex message when the Local connection cannot be created', async () => {
            createConnectionMock.mockRejectedValue({
                body: { message: 'A connection named AcmeInc_to_AcmeCopy already exists.' }
            });
            const element = await mount();
            await enterUrl(element, 'https://acme.my.salesforce.com');
            await click(element, 'next');
            await click(element, 'next');
            await setField(element, 'remoteName', 'AcmeCopy');
            await click(element, 'submit');

            expect(stepOf(element)).toBe('info');
            expect(text(element, '.submit-error')).toBe('A connection named AcmeInc_to_AcmeCopy already exists.');
        });
    });

    describe('accessibility', () => {
        it('is accessible on the URL step with an error', async () => {
            const element = await mount();
            await click(element, 'next');
            await expect(element).toBeAccessible();
        });

        it('is accessible on the configuration type and admin access steps', async () => {
            const element = await mount();
            await enterUrl(element, 'https://partner.my.salesforce.com');
            await click(element, 'next');
            await expect(element).toBeAccessible();
            await click(element, 'next');
            await click(element, 'next');
            await expect(element).toBeAccessible();
        });

        it('is accessible on the connection information step with errors and on the code step', async () => {
            initiateConnectionMock.mockResolvedValue(invitation());
            const element = await mount();
            await toPublicInfo(element);
            await setField(element, 'localName', '');
            await click(element, 'submit');
            await expect(element).toBeAccessible();

            await setField(element, 'localName', 'AcmeInc');
            await fillNames(element);
            await click(element, 'submit');
            expect(stepOf(element)).toBe('code');
            await expect(element).toBeAccessible();
        });
    });
});
