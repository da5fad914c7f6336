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

type Root = ShadowRoot;

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 5; i++) {
        await Promise.resolve();
    }
}

async function mount(): Promise<HTMLElement & { recordId?: string }> {
    const element = createElement('c-exalate-case-action', { is: ExalateCaseAction }) as HTMLElement & {
        recordId?: string;
    };
    element.recordId = CASE_ID;
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function root(element: HTMLElement): Root {
    return element.shadowRoot!;
}

function startButton(element: HTMLElement): HTMLElement & { label: string; disabled: boolean } {
    return root(element).querySelector('lightning-button.start') as HTMLElement & { label: string; disabled: boolean };
}

describe('c-exalate-case-action', () => {
    beforeEach(() => {
        getCaseSyncStatusMock.mockResolvedValue([]);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    it('skips the connection choice when there is only one active connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        const element = await mount();

        expect(getCaseSyncStatusMock).toHaveBeenCalledWith({ caseId: CASE_ID });
        expect(root(element).querySelector('lightning-radio-group')).toBeNull();
        expect(startButton(element).label).toBe('Exalate');
        expect(startButton(element).disabled).toBe(false);
    });

    it('asks which connection to use when there are several', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        const element = await mount();

        const chooser = root(element).querySelector('lightning-radio-group') as unknown as {
            options: { label: string; value: string }[];
            dispatchEvent(event: Event): boolean;
        };
        expect(chooser.options).toEqual([
            { label: 'SalesforceA_to_ServiceNowB (ServiceNowB)', value: TO_SERVICENOW.id },
            { label: 'SalesforceA_to_Partner (Partner)', value: TO_PARTNER.id }
        ]);
        expect(startButton(element).disabled).toBe(true);

        chooser.dispatchEvent(new CustomEvent('change', { detail: { value: TO_PARTNER.id } }));
        await flushPromises();
        expect(startButton(element).disabled).toBe(false);
    });

    it('says so when there is no active connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([]);
        const element = await mount();

        expect(root(element).querySelector('.no-connection')!.textContent).toContain('no active connection');
        expect(startButton(element)).toBeNull();
    });

    it('shows why the connections could not be loaded', async () => {
        listActiveConnectionsMock.mockRejectedValue({
            body: { message: 'Insufficient access to Sync_Connection__c.' }
        });
        const element = await mount();

        expect(root(element).querySelector('.load-error')!.textContent).toBe(
            'Insufficient access to Sync_Connection__c.'
        );
        expect(startButton(element)).toBeNull();
    });

    it('offers Sync now for a Case already under sync on the chosen connection', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        getCaseSyncStatusMock.mockResolvedValue([
            {
                twinId: 'a01',
                caseId: CASE_ID,
                connectionId: TO_SERVICENOW.id,
                connectionName: TO_SERVICENOW.name,
                remoteKey: 'INC0010001',
                status: 'Synchronized'
            }
        ]);
        const element = await mount();

        expect(root(element).querySelector('.already-synced')!.textContent).toBe(
            'This Case is already under sync on SalesforceA_to_ServiceNowB as INC0010001 (Synchronized).'
        );
        expect(startButton(element).label).toBe('Sync now');
    });

    it('starts the sync and follows the stages until Synchronized, then stops refreshing', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue({
            twinId: 'a01',
            caseId: CASE_ID,
            connectionId: TO_SERVICENOW.id,
            connectionName: TO_SERVICENOW.name,
            status: 'Preparing',
            latestEventId: 'a02',
            latestEventStage: 'Preparing'
        });
        getSyncProgressMock
            .mockResolvedValueOnce({ id: 'a02', name: 'EV-1', direction: 'Outgoing', stage: 'Waiting for remote' })
            .mockResolvedValueOnce({ id: 'a02', name: 'EV-1', direction: 'Outgoing', stage: 'Synchronized' });
        const element = await mount();

        startButton(element).click();
        await flushPromises();
        expect(requestSyncMock).toHaveBeenCalledWith({ connectionId: TO_SERVICENOW.id, caseRef: CASE_ID });
        expect(root(element).querySelector('.stage')!.textContent).toBe('Preparing');
        expect(startButton(element)).toBeNull();

        jest.advanceTimersByTime(500);
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledWith({ eventId: 'a02' });
        expect(root(element).querySelector('.stage')!.textContent).toBe('Waiting for remote');

        jest.advanceTimersByTime(750);
        await flushPromises();
        expect(root(element).querySelector('.synchronized')).not.toBeNull();

        jest.advanceTimersByTime(60000);
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(2);
    });

    it('shows the cause when the sync fails', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue({
            twinId: 'a01',
            caseId: CASE_ID,
            connectionId: TO_SERVICENOW.id,
            connectionName: TO_SERVICENOW.name,
            latestEventId: 'a02',
            latestEventStage: 'Sending'
        });
        getSyncProgressMock.mockResolvedValue({
            id: 'a02',
            name: 'EV-1',
            direction: 'Outgoing',
            stage: 'Failed',
            error: 'The remote node refused the request: bad signature.'
        });
        const element = await mount();

        startButton(element).click();
        await flushPromises();
        jest.advanceTimersByTime(500);
        await flushPromises();

        expect(root(element).querySelector('.sync-error')!.textContent).toBe(
            'The remote node refused the request: bad signature.'
        );
        expect(startButton(element).label).toBe('Sync now');
    });

    it('shows the Apex error when the sync cannot be requested', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockRejectedValue({
            body: {
                message: 'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
            }
        });
        const element = await mount();

        startButton(element).click();
        await flushPromises();

        expect(root(element).querySelector('.sync-error')!.textContent).toContain('is not active');
        expect(root(element).querySelector('.stage')).toBeNull();
        expect(startButton(element).disabled).toBe(false);
    });

    it('stops refreshing and closes when the user closes it', async () => {
        jest.useFakeTimers();
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW]);
        requestSyncMock.mockResolvedValue({
            twinId: 'a01',
            caseId: CASE_ID,
            connectionId: TO_SERVICENOW.id,
            connectionName: TO_SERVICENOW.name,
            latestEventId: 'a02',
            latestEventStage: 'Sending'
        });
        const element = await mount();
        const closed = jest.fn();
        element.addEventListener('lightning__actionsclosescreen', closed);

        startButton(element).click();
        await flushPromises();
        (root(element).querySelector('lightning-button.close') as HTMLElement).click();
        jest.advanceTimersByTime(60000);
        await flushPromises();

        expect(closed).toHaveBeenCalledTimes(1);
        expect(getSyncProgressMock).not.toHaveBeenCalled();
    });

    it('is accessible', async () => {
        listActiveConnectionsMock.mockResolvedValue([TO_SERVICENOW, TO_PARTNER]);
        const element = await mount();

        await expect(element).toBeAccessible();
    });
});
