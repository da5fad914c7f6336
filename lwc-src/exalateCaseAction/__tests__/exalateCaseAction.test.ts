import { createElement } from 'lwc';
import ExalateCaseAction from 'c/exalateCaseAction';
import listActiveConnections from '@salesforce/apex/CaseSyncController.listActiveConnections';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';

jest.mock('@salesforce/apex/CaseSyncController.listActiveConnections', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.requestSync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });

const listActiveConnectionsMock = listActiveConnections as unknown as jest.Mock;
const getCaseSyncStatusMock = getCaseSyncStatus as unknown as jest.Mock;
const requestSyncMock = requestSync as unknown as jest.Mock;
const getSyncProgressMock = getSyncProgress as unknown as jest.Mock;

const CASE_ID = '500000000000001AAA';
const TO_SERVICENOW = {
    id: 'a00000000000001AAA',
    name: 'SalesforceA_to_ServiceNowB',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'ServiceNowB',
    type: 'Public',
    mode: 'Basic',
    status: 'Active'
};
const TO_PARTNER = {
    ...TO_SERVICENOW,
    id: 'a00000000000002AAA',
    name: 'SalesforceA_to_Partner',
    remoteInstanceName: 'Partner'
};
const TWIN = {
    twinId: 'a01000000000001AAA',
    caseId: CASE_ID,
    caseNumber: '00001027',
    connectionId: TO_SERVICENOW.id,
    connectionName: TO_SERVICENOW.name,
    remoteKey: 'INC0010001',
    remoteUrl: 'https://servicenowb.example.com/nav_to.do?uri=incident.do?sys_id=1',
    status: 'Synchronized'
};
const QUEUED = {
    ...TWIN,
    remoteKey: undefined,
    remoteUrl: undefined,
    status: 'Preparing',
    latestEventId: 'a03000000000001AAA',
    latestEventStage: 'Preparing'
};

function progressEvent(stage: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: QUEUED.latestEventId,
        name: 'EV-000001',
        connectionId: TO_SERVICENOW.id,
        twinId: TWIN.twinId,
        caseId: CASE_ID,
        direction: 'Outgoing',
        stage,
        ...extra
    };
}

type ActionElement = HTMLElement & { recordId?: string };
type Button = HTMLElement & { label: string; disabled: boolean };

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 10; i++) {
        await Promise.resolve();
    }
}

async function mount(recordId: string | null = CASE_ID): Promise<ActionElement> {
    const element = createElement('c-exalate-case-action', { is: ExalateCaseAction }) as ActionElement;
    if (recordId !== null) {
        element.recordId = recordId;
    }
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function find<T = HTMLElement>(element: HTMLElement, selector: string): T {
    return element.shadowRoot!.querySelector(selector) as unknown as T;
}

function startButton(element: HTMLElement): Button {
    return find<Button>(element, 'lightning-button.start');
}

function progress(element: HTMLElement): (HTMLElement & { eventId?: string }) | null {
    return find(element, 'c-exalate-sync-progress');
}

function progressText(element: HTMLElement, selector: string): string | null | undefined {
    return progress(element)?.shadowRoot!.querySelector(selector)?.textContent;
}

async function startSync(element: HTMLElement): Promise<void> {
    startButton(element).click();
    await flushPromises();
}

describe('c-exalate-case-action', () => {
    beforeEach(() => {
        getCaseSyncStatusMock.mockResolvedValue([]);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllTimers();
        jest.useRealTimers();
        jest.resetAllMocks();
    });

    it('skips the connection choice when there is only one active connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        const element = await mount();

        expect(find(element, 'h1').textContent).toBe('Exalate');
        expect(getCaseSyncStatusMock).toHaveBeenCalledWith({ caseId: CASE_ID });
        expect(find(element, 'lightning-radio-group')).toBeNull();
        expect(find(element, '.already-synced')).toBeNull();
        expect(startButton(element).label).toBe('Exalate');
        expect(startButton(element).disabled).toBe(false);
        expect(find<Button>(element, 'lightning-button.close').label).toBe('Close');
    });

    it('shows a spinner while the connections load', async () => {
        listActiveConnectionsMock.mockReturnValue(new Promise(() => undefined));
        const element = await mount();

        expect(find<{ alternativeText: string }>(element, 'lightning-spinner').alternativeText).toBe(
            'Loading connections'
        );
        expect(startButton(element)).toBeNull();
    });

    it('asks which connection to use when there are several', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        const element = await mount();

        const chooser = find<{
            label: string;
            options: { label: string; value: string }[];
            dispatchEvent(event: Event): boolean;
        }>(element, 'lightning-radio-group');
        expect(chooser.label).toBe('Connection');
        expect(chooser.options).toEqual([
            { label: 'SalesforceA_to_ServiceNowB (ServiceNowB)', value: TO_SERVICENOW.id },
            { label: 'SalesforceA_to_Partner (Partner)', value: TO_PARTNER.id }
        ]);
        expect(startButton(element).disabled).toBe(true);

        // Nothing is requested before a connection is chosen.
        await startSync(element);
        expect(requestSyncMock).not.toHaveBeenCalled();

        chooser.dispatchEvent(new CustomEvent('change', { detail: { value: TO_PARTNER.id } }));
        await flushPromises();
        expect(startButton(element).disabled).toBe(false);
        expect(startButton(element).label).toBe('Exalate');
    });

    it('says so when there is no active connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([]);
        const element = await mount();

        expect(find(element, '.no-connection').textContent).toBe(
            'There is no active connection yet. Ask your Exalate admin to set one up in the Exalate console.'
        );
        expect(startButton(element)).toBeNull();
    });

    it('shows why the connections could not be loaded', async () => {
        listActiveConnectionsMock.mockRejectedValue({
            body: { message: 'Insufficient access to Sync_Connection__c.' }
        });
        const element = await mount();

        expect(find(element, '.load-error').textContent).toBe('Insufficient access to Sync_Connection__c.');
        expect(find(element, '.load-error').getAttribute('role')).toBe('alert');
        expect(find(element, '.no-connection')).toBeNull();
        expect(startButton(element)).toBeNull();
    });

    it('shows why the sync status of the Case could not be loaded', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        getCaseSyncStatusMock.mockRejectedValue({ body: { message: 'You do not have access to this Case.' } });
        const element = await mount();

        expect(find(element, '.load-error').textContent).toBe('You do not have access to this Case.');
        expect(startButton(element)).toBeNull();
    });

    it('loads once, and only when it has a Case', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        const element = await mount(null);
        expect(find(element, 'lightning-spinner')).not.toBeNull();
        expect(listActiveConnectionsMock).not.toHaveBeenCalled();

        element.recordId = CASE_ID;
        element.recordId = CASE_ID;
        await flushPromises();
        expect(listActiveConnectionsMock).toHaveBeenCalledTimes(1);
        expect(element.recordId).toBe(CASE_ID);
    });

    it('offers Sync now for a Case already under sync on the chosen connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        const element = await mount();

        expect(find(element, '.already-synced').textContent).toBe(
            'This Case is already under sync on SalesforceA_to_ServiceNowB as INC0010001 (Synchronized).'
        );
        expect(startButton(element).label).toBe('Sync now');
    });

    it('says a Case is under sync before the other side has a key, as Preparing when no status is known', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        getCaseSyncStatusMock.mockResolvedValue([{ ...TWIN, remoteKey: undefined, status: undefined }]);
        const element = await mount();

        expect(find(element, '.already-synced').textContent).toBe(
            'This Case is already under sync on SalesforceA_to_ServiceNowB (Preparing).'
        );
    });

    it('speaks only of the twin on the chosen connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        const element = await mount();
        const chooser = find(element, 'lightning-radio-group');

        expect(find(element, '.already-synced')).toBeNull();
        chooser.dispatchEvent(new CustomEvent('change', { detail: { value: TO_PARTNER.id } }));
        await flushPromises();
        expect(find(element, '.already-synced')).toBeNull();
        expect(startButton(element).label).toBe('Exalate');

        chooser.dispatchEvent(new CustomEvent('change', { detail: { value: TO_SERVICENOW.id } }));
        await flushPromises();
        expect(find(element, '.already-synced').textContent).toContain('as INC0010001');
        expect(startButton(element).label).toBe('Sync now');
    });

    it('starts the sync, shows its stages until Synchronized, then links to the other side', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock
            .mockResolvedValueOnce(progressEvent('Preparing'))
            .mockResolvedValueOnce(progressEvent('Waiting for remote'))
            .mockResolvedValueOnce(progressEvent('Synchronized'));
        getCaseSyncStatusMock.mockResolvedValueOnce([]).mockResolvedValue([TWIN]);
        const element = await mount();
        find(element, 'lightning-radio-group').dispatchEvent(
            new CustomEvent('change', { detail: { value: TO_SERVICENOW.id } })
        );
        await flushPromises();

        await startSync(element);
        expect(requestSyncMock).toHaveBeenCalledWith({ connectionId: TO_SERVICENOW.id, caseRef: CASE_ID });
        expect(progress(element)!.eventId).toBe(QUEUED.latestEventId);
        expect(getSyncProgressMock).toHaveBeenCalledWith({ eventId: QUEUED.latestEventId });
        expect(progressText(element, '.stage')).toBe('Sync stage: Preparing');
        expect(find(element, 'lightning-radio-group')).toBeNull();
        expect(startButton(element)).toBeNull();

        jest.advanceTimersByTime(500);
        await flushPromises();
        expect(progressText(element, '.stage')).toBe('Sync stage: Waiting for remote');
        expect(find(element, '.synchronized')).toBeNull();

        jest.advanceTimersByTime(750);
        await flushPromises();
        expect(progressText(element, '.stage')).toBe('Sync stage: Synchronized');
        expect(find(element, '.synchronized').textContent).toBe('The Case is in sync with the other side.');
        const link = find<{ value: string; label: string }>(element, 'lightning-formatted-url');
        expect(link.value).toBe(TWIN.remoteUrl);
        expect(link.label).toBe('INC0010001');
        expect(find(element, '.remote').textContent).toContain('Record on the other side:');
        expect(find(element, '.already-synced')).toBeNull();
        expect(startButton(element).label).toBe('Sync now');

        jest.advanceTimersByTime(60000);
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(3);
    });

    it('names the remote key without a link when the other side has no URL', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockResolvedValue(progressEvent('Synchronized'));
        getCaseSyncStatusMock.mockResolvedValueOnce([]).mockResolvedValue([{ ...TWIN, remoteUrl: undefined }]);
        const element = await mount();

        await startSync(element);

        expect(find(element, 'lightning-formatted-url')).toBeNull();
        expect(find(element, '.remote-key').textContent).toBe('INC0010001');
    });

    it('shows the cause when the sync fails and offers to sync again', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue({ ...QUEUED, latestEventStage: 'Sending' });
        getSyncProgressMock
            .mockResolvedValueOnce(progressEvent('Sending'))
            .mockResolvedValueOnce(
                progressEvent('Failed', { error: 'The remote node refused the request: bad signature.' })
            );
        const element = await mount();

        await startSync(element);
        jest.advanceTimersByTime(500);
        await flushPromises();

        expect(progressText(element, '[role="alert"]')).toBe('The remote node refused the request: bad signature.');
        expect(find(element, '.synchronized')).toBeNull();
        expect(find(element, '.remote')).toBeNull();
        expect(startButton(element).label).toBe('Sync now');
    });

    it('watches the new event when the Case is synced again', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock
            .mockResolvedValueOnce(QUEUED)
            .mockResolvedValueOnce({ ...QUEUED, latestEventId: 'a03000000000002AAA' });
        getSyncProgressMock
            .mockResolvedValueOnce(progressEvent('Failed', { error: 'Timed out.' }))
            .mockReturnValueOnce(new Promise(() => undefined));
        const element = await mount();

        await startSync(element);
        expect(progressText(element, '.error')).toBe('Timed out.');
        await startSync(element);

        expect(progress(element)!.eventId).toBe('a03000000000002AAA');
        expect(getSyncProgressMock).toHaveBeenLastCalledWith({ eventId: 'a03000000000002AAA' });
        expect(progressText(element, '.error')).toBeUndefined();
        expect(startButton(element)).toBeNull();
    });

    it('requests one sync for a double click', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockReturnValue(new Promise(() => undefined));
        const element = await mount();

        const button = startButton(element);
        button.click();
        button.click();
        await flushPromises();

        expect(requestSyncMock).toHaveBeenCalledTimes(1);
    });

    it('shows the Apex error when the sync cannot be requested', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockRejectedValue({
            body: {
                message: 'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
            }
        });
        const element = await mount();

        await startSync(element);

        expect(find(element, '.sync-error').textContent).toBe(
            'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
        );
        expect(find(element, '.sync-error').getAttribute('role')).toBe('alert');
        expect(progress(element)).toBeNull();
        expect(startButton(element).disabled).toBe(false);
    });

    it('stays ready to start when Apex queued no event', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue({ ...QUEUED, latestEventId: undefined });
        const element = await mount();

        await startSync(element);

        expect(progress(element)).toBeNull();
        expect(startButton(element).label).toBe('Sync now');
    });

    it('stops refreshing and closes when the user closes it', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockResolvedValue(progressEvent('Sending'));
        const element = await mount();
        const closed = jest.fn();
        element.addEventListener('lightning__actionsclosescreen', closed);

        await startSync(element);
        expect(jest.getTimerCount()).toBe(1);
        find(element, 'lightning-button.close').click();
        await flushPromises();
        jest.advanceTimersByTime(60000);
        await flushPromises();

        expect(closed).toHaveBeenCalledTimes(1);
        expect(progress(element)).toBeNull();
        expect(jest.getTimerCount()).toBe(0);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(1);
    });

    it('is accessible while choosing a connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        const element = await mount();
        find(element, 'lightning-radio-group').dispatchEvent(
            new CustomEvent('change', { detail: { value: TO_SERVICENOW.id } })
        );
        await flushPromises();

        await expect(element).toBeAccessible();
    });

    it('is accessible after a sync, with its stages and the link to the other side', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockResolvedValue(progressEvent('Synchronized'));
        getCaseSyncStatusMock.mockResolvedValueOnce([]).mockResolvedValue([TWIN]);
        const element = await mount();
        await startSync(element);
        expect(find(element, '.synchronized')).not.toBeNull();

        await expect(element).toBeAccessible();
    });

    it('is accessible with an error', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockRejectedValue({ body: { message: 'This connection no longer exists.' } });
        const element = await mount();
        await startSync(element);

        await expect(element).toBeAccessible();
    });
});
