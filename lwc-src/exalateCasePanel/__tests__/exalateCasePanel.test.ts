import { createElement } from 'lwc';
import ExalateCasePanel from 'c/exalateCasePanel';
import LightningConfirm from 'lightning/confirm';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import unexalate from '@salesforce/apex/CaseSyncController.unexalate';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';

jest.mock('lightning/confirm', () => ({ __esModule: true, default: { open: jest.fn() } }));
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.requestSync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.unexalate', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });

const confirmMock = (LightningConfirm as unknown as { open: jest.Mock }).open;
const getCaseSyncStatusMock = getCaseSyncStatus as unknown as jest.Mock;
const requestSyncMock = requestSync as unknown as jest.Mock;
const unexalateMock = unexalate as unknown as jest.Mock;
const getSyncProgressMock = getSyncProgress as unknown as jest.Mock;

const CASE_ID = '500000000000001AAA';
const TWIN = {
    twinId: 'a01000000000001AAA',
    caseId: CASE_ID,
    caseNumber: '00001027',
    connectionId: 'a00000000000001AAA',
    connectionName: 'SalesforceA_to_ServiceNowB',
    remoteKey: 'INC0010001',
    remoteUrl: 'https://servicenowb.example.com/nav_to.do?uri=incident.do?sys_id=1',
    status: 'Failed',
    lastSynced: '2026-03-02T09:15:00.000Z',
    lastError: 'The remote node refused the request: bad signature.',
    latestEventId: 'a03000000000001AAA',
    latestEventStage: 'Failed'
};
const PARTNER_TWIN = {
    twinId: 'a01000000000002AAA',
    caseId: CASE_ID,
    connectionId: 'a00000000000002AAA',
    connectionName: 'SalesforceA_to_PartnerOrg',
    status: 'Preparing'
};
const QUEUED = {
    ...TWIN,
    status: 'Preparing',
    latestEventId: 'a03000000000002AAA',
    latestEventStage: 'Preparing'
};
const SYNCED = {
    ...TWIN,
    status: 'Synchronized',
    lastSynced: '2026-03-03T10:00:00.000Z',
    lastError: undefined,
    latestEventId: QUEUED.latestEventId,
    latestEventStage: 'Synchronized'
};

type PanelElement = HTMLElement & { recordId?: string };

function progressEvent(stage: string): Record<string, unknown> {
    return {
        id: QUEUED.latestEventId,
        name: 'EV-000002',
        connectionId: TWIN.connectionId,
        twinId: TWIN.twinId,
        caseId: CASE_ID,
        direction: 'Outgoing',
        stage
    };
}

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 12; i++) {
        await Promise.resolve();
    }
}

async function mount(recordId: string | null = CASE_ID): Promise<PanelElement> {
    const element = createElement('c-exalate-case-panel', { is: ExalateCasePanel }) as PanelElement;
    if (recordId !== null) {
        element.recordId = recordId;
    }
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

function find<T = HTMLElement>(scope: HTMLElement, selector: string): T {
    return scope.shadowRoot!.querySelector(selector) as unknown as T;
}

function twins(element: HTMLElement): HTMLElement[] {
    return Array.from(element.shadowRoot!.querySelectorAll('article.twin'));
}

function inTwin<T = HTMLElement>(twin: HTMLElement, selector: string): T {
    return twin.querySelector(selector) as unknown as T;
}

function text(twin: HTMLElement, selector: string): string | undefined {
    return inTwin(twin, selector)?.textContent?.trim();
}

async function click(target: HTMLElement): Promise<void> {
    target.click();
    await flushPromises();
}

describe('c-exalate-case-panel', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllTimers();
        jest.useRealTimers();
        jest.resetAllMocks();
    });

    it('says the Case is not synced and how to sync it', async () => {
        getCaseSyncStatusMock.mockResolvedValue([]);
        const element = await mount();

        expect(getCaseSyncStatusMock).toHaveBeenCalledWith({ caseId: CASE_ID });
        expect(find<{ title: string }>(element, 'lightning-card').title).toBe('Exalate sync status');
        expect(find(element, '.empty').textContent).toBe('This Case is not synced with any other system.');
        expect(find(element, '.empty-hint').textContent).toBe(
            "To sync it, click Exalate in the Case's actions and choose a connection."
        );
        expect(twins(element)).toHaveLength(0);
    });

    it('shows a spinner while it loads', async () => {
        getCaseSyncStatusMock.mockReturnValue(new Promise(() => undefined));
        const element = await mount();

        expect(find<{ alternativeText: string }>(element, 'lightning-spinner').alternativeText).toBe(
            'Loading sync status'
        );
        expect(find(element, '.empty')).toBeNull();
        expect(find<{ disabled: boolean }>(element, 'lightning-button-icon.refresh').disabled).toBe(true);
    });

    it('shows one twin with its connection, remote link, status, last sync and last error', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        const element = await mount();

        const [twin] = twins(element);
        expect(twins(element)).toHaveLength(1);
        expect(text(twin, 'h3')).toBe('SalesforceA_to_ServiceNowB');
        const link = inTwin<{ value: string; label: string }>(twin, 'lightning-formatted-url');
        expect(link.value).toBe(TWIN.remoteUrl);
        expect(link.label).toBe('INC0010001');
        expect(text(twin, '.status')).toBe('Failed');
        expect(inTwin<{ value: string }>(twin, 'lightning-formatted-date-time').value).toBe(TWIN.lastSynced);
        expect(text(twin, '.last-error')).toBe('The remote node refused the request: bad signature.');
        expect(Array.from(twin.querySelectorAll('dt')).map((term) => term.textContent)).toEqual([
            'Remote record',
            'Status',
            'Last synced',
            'Last error'
        ]);
        expect(inTwin<{ label: string }>(twin, 'lightning-button.sync-now').label).toBe('Sync now');
        expect(inTwin<{ label: string }>(twin, 'lightning-button.unexalate').label).toBe('Unexalate');
        expect(inTwin(twin, 'c-exalate-sync-progress')).toBeNull();
        expect(find(element, '.empty')).toBeNull();
    });

    it('shows several twins, and what is not known yet about a new one', async () => {
        getCaseSyncStatusMock.mockResolvedValue([
            PARTNER_TWIN,
            TWIN,
            { ...PARTNER_TWIN, twinId: 'a01000000000003AAA', status: undefined, remoteKey: 'P-7' }
        ]);
        const element = await mount();

        const [partner, servicenow, unknown] = twins(element);
        expect(twins(element).map((twin) => text(twin, 'h3'))).toEqual([
            'SalesforceA_to_PartnerOrg',
            'SalesforceA_to_ServiceNowB',
            'SalesforceA_to_PartnerOrg'
        ]);
        expect(inTwin(partner, 'lightning-formatted-url')).toBeNull();
        expect(text(partner, '.remote')).toBe('Not created yet');
        expect(text(partner, '.status')).toBe('Preparing');
        expect(text(partner, '.last-synced')).toBe('Never');
        expect(inTwin(partner, '.last-error')).toBeNull();
        expect(inTwin(servicenow, 'lightning-formatted-url')).not.toBeNull();
        expect(text(unknown, '.remote')).toBe('P-7');
        expect(text(unknown, '.status')).toBe('Unknown');
    });

    it('syncs now, shows the stages, and refreshes the status when the sync ends', async () => {
        jest.useFakeTimers();
        getCaseSyncStatusMock.mockResolvedValueOnce([TWIN]).mockResolvedValue([SYNCED]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock
            .mockResolvedValueOnce(progressEvent('Preparing'))
            .mockResolvedValueOnce(progressEvent('Synchronized'));
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        expect(requestSyncMock).toHaveBeenCalledWith({ connectionId: TWIN.connectionId, caseRef: CASE_ID });
        let [twin] = twins(element);
        const progress = inTwin<HTMLElement & { eventId: string }>(twin, 'c-exalate-sync-progress');
        expect(progress.eventId).toBe(QUEUED.latestEventId);
        expect(text(twin, '.status')).toBe('Preparing');
        expect(inTwin<{ disabled: boolean }>(twin, 'lightning-button.sync-now').disabled).toBe(true);
        expect(inTwin<{ disabled: boolean }>(twin, 'lightning-button.unexalate').disabled).toBe(false);
        expect(progress.shadowRoot!.querySelector('.stage')!.textContent).toBe('Sync stage: Preparing');

        jest.advanceTimersByTime(500);
        await flushPromises();

        expect(getCaseSyncStatusMock).toHaveBeenLastCalledWith({ caseId: CASE_ID });
        [twin] = twins(element);
        expect(text(twin, '.status')).toBe('Synchronized');
        expect(inTwin<{ value: string }>(twin, 'lightning-formatted-date-time').value).toBe(SYNCED.lastSynced);
        expect(inTwin(twin, '.last-error')).toBeNull();
        expect(inTwin<{ disabled: boolean }>(twin, 'lightning-button.sync-now').disabled).toBe(false);
        // The ended sync stays visible until a manual refresh.
        expect(inTwin(twin, 'c-exalate-sync-progress')).not.toBeNull();

        await click(find(element, 'lightning-button-icon.refresh'));
        expect(inTwin(twins(element)[0], 'c-exalate-sync-progress')).toBeNull();
    });

    it('keeps the stages of a running sync on a manual refresh', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockReturnValue(new Promise(() => undefined));
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        expect(requestSyncMock).toHaveBeenCalledTimes(1);
        await click(find(element, 'lightning-button-icon.refresh'));

        expect(getCaseSyncStatusMock).toHaveBeenCalledTimes(2);
        expect(inTwin(twins(element)[0], 'c-exalate-sync-progress')).not.toBeNull();
    });

    it('shows why Sync now failed, inline, and clears it on the next try', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN, PARTNER_TWIN]);
        requestSyncMock
            .mockRejectedValueOnce({
                body: {
                    message:
                        'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
                }
            })
            .mockReturnValueOnce(new Promise(() => undefined));
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        let [servicenow, partner] = twins(element);
        const alert = inTwin(servicenow, '[role="alert"]');
        expect(alert.textContent?.trim()).toBe(
            'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
        );
        expect(inTwin(partner, '[role="alert"]')).toBeNull();
        expect(inTwin(servicenow, 'c-exalate-sync-progress')).toBeNull();
        expect(inTwin<{ disabled: boolean }>(servicenow, 'lightning-button.sync-now').disabled).toBe(false);

        await click(inTwin(servicenow, 'lightning-button.sync-now'));
        [servicenow, partner] = twins(element);
        expect(inTwin(servicenow, '.action-error')).toBeNull();
        expect(inTwin<{ disabled: boolean }>(servicenow, 'lightning-button.sync-now').disabled).toBe(true);
        expect(inTwin<{ disabled: boolean }>(servicenow, 'lightning-button.unexalate').disabled).toBe(true);
        expect(inTwin<{ disabled: boolean }>(partner, 'lightning-button.sync-now').disabled).toBe(false);
    });

    it('requests one sync for a double click, and shows no stages when Apex queued no event', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        requestSyncMock.mockResolvedValue({ ...QUEUED, latestEventId: undefined });
        const element = await mount();

        const button = inTwin(twins(element)[0], 'lightning-button.sync-now');
        button.click();
        button.click();
        await flushPromises();

        expect(requestSyncMock).toHaveBeenCalledTimes(1);
        expect(inTwin(twins(element)[0], 'c-exalate-sync-progress')).toBeNull();
        expect(text(twins(element)[0], '.status')).toBe('Preparing');
    });

    it('unexalates after confirmation, says so in a toast and refreshes', async () => {
        getCaseSyncStatusMock.mockResolvedValueOnce([TWIN, PARTNER_TWIN]).mockResolvedValue([PARTNER_TWIN]);
        confirmMock.mockResolvedValue(true);
        unexalateMock.mockResolvedValue(undefined);
        const element = await mount();
        const toast = jest.fn();
        element.addEventListener('lightning__showtoast', toast);

        await click(inTwin(twins(element)[0], 'lightning-button.unexalate'));

        expect(confirmMock).toHaveBeenCalledWith({
            label: 'Unexalate this Case?',
            message:
                'Stop syncing this Case with INC0010001 on SalesforceA_to_ServiceNowB? Both records are kept; only the link between them is removed.',
            variant: 'header',
            theme: 'warning'
        });
        expect(unexalateMock).toHaveBeenCalledWith({ twinId: TWIN.twinId });
        expect((toast.mock.calls[0][0] as CustomEvent).detail).toEqual({
            title: 'Sync stopped',
            message: 'This Case is no longer synced with INC0010001 on SalesforceA_to_ServiceNowB.',
            variant: 'success'
        });
        expect(getCaseSyncStatusMock).toHaveBeenCalledTimes(2);
        expect(twins(element).map((twin) => text(twin, 'h3'))).toEqual(['SalesforceA_to_PartnerOrg']);
    });

    it('names only the connection when the other side has no key yet', async () => {
        getCaseSyncStatusMock.mockResolvedValueOnce([PARTNER_TWIN]).mockResolvedValue([]);
        confirmMock.mockResolvedValue(true);
        unexalateMock.mockResolvedValue(undefined);
        const element = await mount();
        const toast = jest.fn();
        element.addEventListener('lightning__showtoast', toast);

        await click(inTwin(twins(element)[0], 'lightning-button.unexalate'));

        expect((confirmMock.mock.calls[0][0] as { message: string }).message).toBe(
            'Stop syncing this Case on SalesforceA_to_PartnerOrg? Both records are kept; only the link between them is removed.'
        );
        expect((toast.mock.calls[0][0] as CustomEvent<{ message: string }>).detail.message).toBe(
            'This Case is no longer synced on SalesforceA_to_PartnerOrg.'
        );
        expect(find(element, '.empty')).not.toBeNull();
    });

    it('does nothing when the unexalate is cancelled', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        confirmMock.mockResolvedValue(false);
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.unexalate'));

        expect(confirmMock).toHaveBeenCalledTimes(1);
        expect(unexalateMock).not.toHaveBeenCalled();
        expect(getCaseSyncStatusMock).toHaveBeenCalledTimes(1);
        expect(twins(element)).toHaveLength(1);
    });

    it('shows why the unexalate failed, inline', async () => {
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
        confirmMock.mockResolvedValue(true);
        unexalateMock.mockRejectedValue({ body: { message: 'This Case is no longer under sync on that connection.' } });
        const element = await mount();
        const toast = jest.fn();
        element.addEventListener('lightning__showtoast', toast);

        await click(inTwin(twins(element)[0], 'lightning-button.unexalate'));

        const [twin] = twins(element);
        expect(text(twin, '[role="alert"]')).toBe('This Case is no longer under sync on that connection.');
        expect(toast).not.toHaveBeenCalled();
        expect(inTwin<{ disabled: boolean }>(twin, 'lightning-button.unexalate').disabled).toBe(false);
    });

    it('drops the stages of a twin that was unexalated', async () => {
        getCaseSyncStatusMock.mockResolvedValueOnce([TWIN]).mockResolvedValue([]);
        requestSyncMock.mockResolvedValue(QUEUED);
        getSyncProgressMock.mockReturnValue(new Promise(() => undefined));
        confirmMock.mockResolvedValue(true);
        unexalateMock.mockResolvedValue(undefined);
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        await click(inTwin(twins(element)[0], 'lightning-button.unexalate'));

        expect(element.shadowRoot!.querySelector('c-exalate-sync-progress')).toBeNull();
        expect(find(element, '.empty')).not.toBeNull();
    });

    it('shows why the status could not be loaded, and loads again on refresh', async () => {
        getCaseSyncStatusMock
            .mockRejectedValueOnce({ body: { message: 'You do not have access to Sync_Twin__c.' } })
            .mockResolvedValue([TWIN]);
        const element = await mount();

        expect(find(element, '.load-error').textContent).toBe('You do not have access to Sync_Twin__c.');
        expect(find(element, '.load-error').getAttribute('role')).toBe('alert');
        expect(find(element, '.empty')).toBeNull();

        await click(find(element, 'lightning-button-icon.refresh'));
        expect(find(element, '.load-error')).toBeNull();
        expect(twins(element)).toHaveLength(1);
    });

    it('shows only the answer of the latest load', async () => {
        let firstAnswer: (value: unknown) => void = () => undefined;
        let secondFailure: (reason: unknown) => void = () => undefined;
        getCaseSyncStatusMock
            .mockReturnValueOnce(new Promise((resolve) => (firstAnswer = resolve)))
            .mockReturnValueOnce(new Promise((_resolve, reject) => (secondFailure = reject)))
            .mockResolvedValueOnce([PARTNER_TWIN]);
        const element = await mount();

        await click(find(element, 'lightning-button-icon.refresh'));
        await click(find(element, 'lightning-button-icon.refresh'));
        firstAnswer([TWIN]);
        secondFailure({ body: { message: 'late failure' } });
        await flushPromises();

        expect(twins(element).map((twin) => text(twin, 'h3'))).toEqual(['SalesforceA_to_PartnerOrg']);
        expect(find(element, '.load-error')).toBeNull();
        expect(find(element, 'lightning-spinner')).toBeNull();
    });

    it('loads the Case it is given, and nothing without one', async () => {
        getCaseSyncStatusMock.mockResolvedValueOnce([TWIN]).mockResolvedValueOnce([]);
        const element = await mount(null);
        expect(getCaseSyncStatusMock).not.toHaveBeenCalled();
        expect(find(element, 'lightning-spinner')).toBeNull();

        element.recordId = CASE_ID;
        await flushPromises();
        element.recordId = CASE_ID;
        await flushPromises();
        expect(getCaseSyncStatusMock).toHaveBeenCalledTimes(1);
        expect(element.recordId).toBe(CASE_ID);
        expect(twins(element)).toHaveLength(1);

        element.recordId = '500000000000002AAA';
        await flushPromises();
        expect(getCaseSyncStatusMock).toHaveBeenLastCalledWith({ caseId: '500000000000002AAA' });
        expect(twins(element)).toHaveLength(0);
    });

    it('is accessible when the Case is not synced', async () => {
        getCaseSyncStatusMock.mockResolvedValue([]);
        const element = await mount();

        await expect(element).toBeAccessible();
    });

    it('is accessible with several twins, a sync shown and an error', async () => {
        getCaseSyncStatusMock.mockResolvedValueOnce([TWIN, PARTNER_TWIN]).mockResolvedValue([SYNCED, PARTNER_TWIN]);
        requestSyncMock
            .mockResolvedValueOnce(QUEUED)
            .mockRejectedValueOnce({ body: { message: 'This connection no longer exists.' } });
        getSyncProgressMock.mockResolvedValue(progressEvent('Synchronized'));
        const element = await mount();

        await click(inTwin(twins(element)[0], 'lightning-button.sync-now'));
        await click(inTwin(twins(element)[1], 'lightning-button.sync-now'));
        expect(element.shadowRoot!.querySelector('c-exalate-sync-progress')).not.toBeNull();
        expect(find(element, '.action-error')).not.toBeNull();

        await expect(element).toBeAccessible();
    });

    it('is accessible with a load error', async () => {
        getCaseSyncStatusMock.mockRejectedValue({ body: { message: 'You do not have access to Sync_Twin__c.' } });
        const element = await mount();

        await expect(element).toBeAccessible();
    });
});
