import { createElement } from 'lwc';
import ExalateFirstSync from 'c/exalateFirstSync';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';

jest.mock('@salesforce/apex/CaseSyncController.requestSync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });
// Read by c-exalate-sync-progress, which watches the stages itself; here it stays at its first read.
jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });

const requestSyncMock = requestSync as unknown as jest.Mock;
const getCaseSyncStatusMock = getCaseSyncStatus as unknown as jest.Mock;
const getSyncProgressMock = getSyncProgress as unknown as jest.Mock;

const CONNECTION_ID = 'a00000000000001AAA';
const CASE_ID = '500000000000001AAA';
const EVENT_ID = 'a02000000000001AAA';
const TWIN = {
    twinId: 'a01000000000001AAA',
    caseId: CASE_ID,
    caseNumber: '00001027',
    connectionId: CONNECTION_ID,
    connectionName: 'SalesforceA_to_ServiceNowB',
    status: 'Preparing',
    latestEventId: EVENT_ID,
    latestEventStage: 'Preparing'
};

type FirstSyncElement = HTMLElement & { connectionId?: string };
type Input = HTMLElement & { value: string; disabled: boolean };

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 6; i++) {
        await Promise.resolve();
    }
}

function mount(connectionId: string | undefined = CONNECTION_ID): FirstSyncElement {
    const element = createElement('c-exalate-first-sync', { is: ExalateFirstSync }) as FirstSyncElement;
    element.connectionId = connectionId;
    document.body.appendChild(element);
    return element;
}

function $(element: HTMLElement, selector: string): HTMLElement | null {
    return element.shadowRoot!.querySelector(selector);
}

async function typeCase(element: HTMLElement, value: string): Promise<void> {
    const input = $(element, 'lightning-input.case-ref')!;
    input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
    await flushPromises();
}

async function clickExalate(element: HTMLElement): Promise<void> {
    $(element, 'lightning-button.exalate')!.click();
    await flushPromises();
}

async function endSync(element: HTMLElement, detail: Record<string, unknown>): Promise<void> {
    $(element, 'c-exalate-sync-progress')!.dispatchEvent(new CustomEvent('syncend', { detail }));
    await flushPromises();
}

describe('c-exalate-first-sync', () => {
    beforeEach(() => {
        getSyncProgressMock.mockReturnValue(new Promise(() => undefined));
        getCaseSyncStatusMock.mockResolvedValue([]);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('asks for a Case number under the heading Sync your first case', () => {
        const element = mount();

        expect($(element, 'h3')!.textContent).toBe('Sync your first case');
        expect(($(element, 'lightning-input.case-ref') as Input & { label: string }).label).toBe('Case number');
        expect(($(element, 'lightning-button.exalate') as HTMLElement & { label: string }).label).toBe('Exalate');
        expect($(element, 'c-exalate-sync-progress')).toBeNull();
    });

    it('syncs the Case, shows its stages and links to both sides when it is Synchronized', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        const element = mount();
        await typeCase(element, '  00001027 ');
        await clickExalate(element);

        expect(requestSyncMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID, caseRef: '00001027' });
        const progress = $(element, 'c-exalate-sync-progress') as HTMLElement & { eventId: string };
        expect(progress.eventId).toBe(EVENT_ID);
        expect(($(element, 'lightning-button.exalate') as Input).disabled).toBe(true);
        expect(($(element, 'lightning-input.case-ref') as Input).disabled).toBe(true);

        await endSync(element, {
            stage: 'Synchronized',
            remoteKey: 'INC0010001',
            remoteUrl: 'https://acme.service-now.com/incident.do?sys_id=1'
        });

        const local = $(element, 'a.local-link') as HTMLAnchorElement;
        expect(local.getAttribute('href')).toBe(`/lightning/r/Case/${CASE_ID}/view`);
        expect(local.textContent).toBe('Case 00001027');
        const remote = $(element, 'a.remote-link') as HTMLAnchorElement;
        expect(remote.getAttribute('href')).toBe('https://acme.service-now.com/incident.do?sys_id=1');
        expect(remote.textContent).toBe('INC0010001');
        expect($(element, '.synchronized')!.textContent).toContain('The Case is in sync with the other side.');
        expect($(element, '.sync-failure')).toBeNull();
        expect(getCaseSyncStatusMock).not.toHaveBeenCalled();
        expect(($(element, 'lightning-button.exalate') as Input).disabled).toBe(false);
    });

    it('names the Case by the id the admin entered when Apex did not say its number', async () => {
        requestSyncMock.mockResolvedValue({ ...TWIN, caseNumber: undefined });
        const element = mount();
        await typeCase(element, CASE_ID);
        await clickExalate(element);
        await endSync(element, { stage: 'Synchronized', remoteKey: 'INC0010001' });

        expect(($(element, 'a.local-link') as HTMLAnchorElement).textContent).toBe(`Case ${CASE_ID}`);
    });

    it('treats a change without a value as an empty field', async () => {
        const element = mount();
        await typeCase(element, '00001027');
        $(element, 'lightning-input.case-ref')!.dispatchEvent(new CustomEvent('change', { detail: {} }));
        await flushPromises();
        await clickExalate(element);

        expect(requestSyncMock).not.toHaveBeenCalled();
        expect($(element, '.case-error')!.textContent).toBe('Enter a Case number, such as 00001027, or a Case id.');
    });

    it('reads the remote key and URL from the twin when the progress did not carry them', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        getCaseSyncStatusMock.mockResolvedValue([
            { ...TWIN, connectionId: 'a00000000000009AAA', remoteKey: 'OTHER' },
            { ...TWIN, remoteKey: '00005001', remoteUrl: 'https://partner.my.salesforce.com/lightning/r/Case/5/view' }
        ]);
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, { stage: 'Synchronized' });

        expect(getCaseSyncStatusMock).toHaveBeenCalledWith({ caseId: CASE_ID });
        const remote = $(element, 'a.remote-link') as HTMLAnchorElement;
        expect(remote.textContent).toBe('00005001');
        expect(remote.getAttribute('href')).toBe('https://partner.my.salesforce.com/lightning/r/Case/5/view');
    });

    it('says the remote side is not known yet when nothing tells it', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        getCaseSyncStatusMock.mockRejectedValue({ body: { message: 'boom' } });
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, { stage: 'Synchronized' });

        expect($(element, 'a.remote-link')).toBeNull();
        expect($(element, '.remote-key')!.textContent).toBe('not known yet');
        expect($(element, 'a.local-link')).not.toBeNull();
    });

    it('shows why the sync failed', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, {
            stage: 'Failed',
            error: 'The remote side refused the Case: required field Category is missing.'
        });

        expect($(element, '.sync-failure')!.textContent).toBe(
            'The remote side refused the Case: required field Category is missing.'
        );
        expect($(element, '.synchronized')).toBeNull();
        expect($(element, 'a.local-link')).toBeNull();
    });

    it('explains a failed sync without an error text', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, { stage: 'Failed' });

        expect($(element, '.sync-failure')!.textContent).toBe(
            'The sync failed. Your Exalate admin can see the cause in the Errors tab of the console.'
        );
    });

    it('shows the Apex message under the input for an unknown Case number and syncs nothing', async () => {
        requestSyncMock.mockRejectedValue({
            body: { message: 'No Case with number 00001234 was found, or you do not have access to it.' }
        });
        const element = mount();
        await typeCase(element, '00001234');
        await clickExalate(element);

        expect($(element, '.case-error')!.textContent).toBe(
            'No Case with number 00001234 was found, or you do not have access to it.'
        );
        expect($(element, '.case-error')!.getAttribute('role')).toBe('alert');
        expect($(element, 'c-exalate-sync-progress')).toBeNull();
        expect(($(element, 'lightning-button.exalate') as Input).disabled).toBe(false);
    });

    it('shows any other Apex error, such as an inactive connection', async () => {
        requestSyncMock.mockRejectedValue({
            body: {
                message: 'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
            }
        });
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);

        expect($(element, '.case-error')!.textContent).toBe(
            'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
        );
    });

    it('asks for a Case number before calling Apex, and forgets the message once the admin types', async () => {
        const element = mount();
        await typeCase(element, '   ');
        await clickExalate(element);

        expect(requestSyncMock).not.toHaveBeenCalled();
        expect($(element, '.case-error')!.textContent).toBe('Enter a Case number, such as 00001027, or a Case id.');

        await typeCase(element, '0000');
        expect($(element, '.case-error')).toBeNull();
    });

    it('refuses to sync without a connection', async () => {
        const element = mount('');
        await typeCase(element, '00001027');
        await clickExalate(element);

        expect(requestSyncMock).not.toHaveBeenCalled();
        expect($(element, '.case-error')!.textContent).toBe(
            'There is no connection to sync on yet. Finish setting up the connection first.'
        );
    });

    it('starts the sync with Enter in the Case number field', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        const element = mount();
        await typeCase(element, '00001027');
        const input = $(element, 'lightning-input.case-ref')!;
        input.dispatchEvent(new KeyboardEvent('keyup', { key: 'a' }));
        await flushPromises();
        expect(requestSyncMock).not.toHaveBeenCalled();

        input.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter' }));
        await flushPromises();
        expect(requestSyncMock).toHaveBeenCalledTimes(1);
    });

    it('syncs another Case after the first one ended', async () => {
        requestSyncMock
            .mockResolvedValueOnce(TWIN)
            .mockResolvedValueOnce({ ...TWIN, caseNumber: '00001028', latestEventId: 'a02000000000002AAA' });
        const element = mount();
        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, { stage: 'Synchronized', remoteKey: 'INC1' });

        await typeCase(element, '00001028');
        await clickExalate(element);

        const progress = $(element, 'c-exalate-sync-progress') as HTMLElement & { eventId: string };
        expect(progress.eventId).toBe('a02000000000002AAA');
        expect($(element, '.synchronized')).toBeNull();
    });

    it('is accessible while asking and once synchronized', async () => {
        requestSyncMock.mockResolvedValue(TWIN);
        const element = mount();
        await expect(element).toBeAccessible();

        await typeCase(element, '00001027');
        await clickExalate(element);
        await endSync(element, {
            stage: 'Synchronized',
            remoteKey: 'INC0010001',
            remoteUrl: 'https://x.example.com/1'
        });
        await expect(element).toBeAccessible();
    });
});
