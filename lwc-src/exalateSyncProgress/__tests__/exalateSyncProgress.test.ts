import { createElement } from 'lwc';
import ExalateSyncProgress from 'c/exalateSyncProgress';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';

jest.mock('@salesforce/apex/CaseSyncController.getSyncProgress', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/CaseSyncController.getCaseSyncStatus', () => ({ default: jest.fn() }), { virtual: true });

const getSyncProgressMock = getSyncProgress as unknown as jest.Mock;
const getCaseSyncStatusMock = getCaseSyncStatus as unknown as jest.Mock;

const EVENT_ID = 'a03000000000001AAA';
const OTHER_EVENT_ID = 'a03000000000002AAA';
const CASE_ID = '500000000000001AAA';
const TWIN_ID = 'a01000000000001AAA';
const CONNECTION_ID = 'a00000000000001AAA';

type ProgressElement = HTMLElement & { eventId?: string };

function event(stage: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: EVENT_ID,
        name: 'EV-000001',
        connectionId: CONNECTION_ID,
        twinId: TWIN_ID,
        caseId: CASE_ID,
        caseNumber: '00001027',
        direction: 'Outgoing',
        stage,
        ...extra
    };
}

const TWIN = {
    twinId: TWIN_ID,
    caseId: CASE_ID,
    connectionId: CONNECTION_ID,
    connectionName: 'SalesforceA_to_ServiceNowB',
    remoteKey: 'INC0010001',
    remoteUrl: 'https://servicenowb.example.com/nav_to.do?uri=incident.do?sys_id=1',
    status: 'Synchronized'
};

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 8; i++) {
        await Promise.resolve();
    }
}

/** Lets the timer due in `ms` fire and the read it starts settle. */
async function advance(ms: number): Promise<void> {
    jest.advanceTimersByTime(ms);
    await flushPromises();
}

/** Lets two minutes of refreshes pass, timer by timer: the whole refresh budget of one watch. */
async function spendRefreshBudget(): Promise<void> {
    for (let waited = 0; waited < 120000; waited += 1000) {
        await advance(1000);
    }
}

async function mount(eventId: string | null = EVENT_ID): Promise<{ element: ProgressElement; syncend: jest.Mock }> {
    const element = createElement('c-exalate-sync-progress', { is: ExalateSyncProgress }) as ProgressElement;
    if (eventId !== null) {
        element.eventId = eventId;
    }
    const syncend = jest.fn();
    element.addEventListener('syncend', syncend);
    document.body.appendChild(element);
    await flushPromises();
    return { element, syncend };
}

function stageText(element: HTMLElement): string | null | undefined {
    return element.shadowRoot!.querySelector('.stage')?.textContent;
}

function indicator(element: HTMLElement): { currentStep: string; hasError: boolean; type: string } {
    return element.shadowRoot!.querySelector('lightning-progress-indicator') as unknown as {
        currentStep: string;
        hasError: boolean;
        type: string;
    };
}

function errorText(element: HTMLElement): string | null | undefined {
    return element.shadowRoot!.querySelector('.error')?.textContent;
}

describe('c-exalate-sync-progress', () => {
    beforeEach(() => {
        jest.useFakeTimers();
        getCaseSyncStatusMock.mockResolvedValue([TWIN]);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllTimers();
        jest.useRealTimers();
        jest.resetAllMocks();
    });

    it('shows the five stages and follows the event through them until Synchronized', async () => {
        getSyncProgressMock
            .mockResolvedValueOnce(event('Preparing'))
            .mockResolvedValueOnce(event('Sending'))
            .mockResolvedValueOnce(event('Waiting for remote'))
            .mockResolvedValueOnce(event('Finalizing'))
            .mockResolvedValueOnce(event('Synchronized'));
        const { element, syncend } = await mount();

        const steps = Array.from(element.shadowRoot!.querySelectorAll('lightning-progress-step')) as unknown as {
            label: string;
            value: string;
        }[];
        expect(steps.map((step) => step.label)).toEqual([
            'Preparing',
            'Sending',
            'Waiting for remote',
            'Finalizing',
            'Synchronized'
        ]);
        expect(indicator(element).type).toBe('base');
        expect(getSyncProgressMock).toHaveBeenCalledWith({ eventId: EVENT_ID });
        expect(stageText(element)).toBe('Sync stage: Preparing');
        expect(indicator(element).currentStep).toBe('Preparing');

        await advance(500);
        expect(stageText(element)).toBe('Sync stage: Sending');
        await advance(750);
        expect(stageText(element)).toBe('Sync stage: Waiting for remote');
        expect(indicator(element).currentStep).toBe('Waiting for remote');
        await advance(1125);
        expect(stageText(element)).toBe('Sync stage: Finalizing');
        await advance(1688);
        expect(stageText(element)).toBe('Sync stage: Synchronized');
        expect(indicator(element).currentStep).toBe('Synchronized');
        expect(indicator(element).hasError).toBe(false);
        expect(errorText(element)).toBeUndefined();
        expect(syncend).toHaveBeenCalledTimes(1);
    });

    it('says it is checking before the first stage is read', async () => {
        getSyncProgressMock.mockReturnValue(new Promise(() => undefined));
        const { element } = await mount();

        expect(stageText(element)).toBe('Checking the sync stage…');
        expect(indicator(element).currentStep).toBe('');
    });

    it('backs off from 500 ms by 1.5 up to 5 s, with one read per timer', async () => {
        getSyncProgressMock.mockResolvedValue(event('Waiting for remote'));
        await mount();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(1);

        const delays = [500, 750, 1125, 1688, 2532, 3798, 5000, 5000];
        for (const [index, delay] of delays.entries()) {
            await advance(delay - 1);
            expect(getSyncProgressMock).toHaveBeenCalledTimes(index + 1);
            await advance(1);
            expect(getSyncProgressMock).toHaveBeenCalledTimes(index + 2);
            expect(jest.getTimerCount()).toBe(1);
        }
    });

    it('stops reading a sync still running after two minutes, and reads again on Check again', async () => {
        getSyncProgressMock.mockResolvedValue(event('Waiting for remote'));
        const { element, syncend } = await mount();
        expect(element.shadowRoot!.querySelector('.paused')).toBeNull();

        await spendRefreshBudget();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(28);
        expect(jest.getTimerCount()).toBe(0);
        expect(stageText(element)).toBe('Sync stage: Waiting for remote');
        expect(element.shadowRoot!.querySelector('.paused')?.textContent).toBe(
            'The sync is still on its way. To spare the org, this page stopped checking its stage after two minutes; click Check again to see where it stands.'
        );
        await advance(600000);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(28);
        expect(syncend).not.toHaveBeenCalled();

        getSyncProgressMock.mockResolvedValueOnce(event('Finalizing')).mockResolvedValueOnce(event('Synchronized'));
        const checkAgain = element.shadowRoot!.querySelector('lightning-button.check-again') as HTMLElement & {
            label: string;
        };
        expect(checkAgain.label).toBe('Check again');
        checkAgain.click();
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(29);
        expect(stageText(element)).toBe('Sync stage: Finalizing');
        expect(element.shadowRoot!.querySelector('.paused')).toBeNull();

        await advance(500);
        expect(syncend).toHaveBeenCalledTimes(1);
    });

    it('gives a new event and a return to the page the whole refresh budget again', async () => {
        getSyncProgressMock.mockResolvedValue(event('Sending'));
        const { element } = await mount();
        await spendRefreshBudget();
        expect(element.shadowRoot!.querySelector('.paused')).not.toBeNull();

        document.body.removeChild(element);
        document.body.appendChild(element);
        await flushPromises();
        expect(element.shadowRoot!.querySelector('.paused')).toBeNull();
        expect(jest.getTimerCount()).toBe(1);

        await spendRefreshBudget();
        expect(element.shadowRoot!.querySelector('.paused')).not.toBeNull();
        element.eventId = OTHER_EVENT_ID;
        await flushPromises();
        expect(element.shadowRoot!.querySelector('.paused')).toBeNull();
        expect(jest.getTimerCount()).toBe(1);

        element.eventId = undefined;
        await flushPromises();
        expect(element.shadowRoot!.querySelector('.paused')).toBeNull();
    });

    it('stops refreshing at Synchronized and reports the remote key and URL of the twin', async () => {
        getSyncProgressMock.mockResolvedValueOnce(event('Sending')).mockResolvedValueOnce(event('Synchronized'));
        getCaseSyncStatusMock.mockResolvedValue([
            { ...TWIN, twinId: 'a01000000000009AAA', connectionId: 'a00000000000009AAA', remoteKey: 'OTHER-1' },
            TWIN
        ]);
        const { syncend } = await mount();

        await advance(500);
        expect(getCaseSyncStatusMock).toHaveBeenCalledTimes(1);
        expect(getCaseSyncStatusMock).toHaveBeenCalledWith({ caseId: CASE_ID });
        expect(syncend).toHaveBeenCalledTimes(1);
        const fired = syncend.mock.calls[0][0] as CustomEvent;
        expect(fired.detail).toEqual({ stage: 'Synchronized', remoteKey: 'INC0010001', remoteUrl: TWIN.remoteUrl });
        expect(fired.bubbles).toBe(false);

        await advance(60000);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(2);
        expect(jest.getTimerCount()).toBe(0);
        expect(syncend).toHaveBeenCalledTimes(1);
    });

    it('matches the twin by connection when the event carries no twin id', async () => {
        getSyncProgressMock.mockResolvedValue(event('Synchronized', { twinId: undefined }));
        const { syncend } = await mount();

        expect((syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({
            stage: 'Synchronized',
            remoteKey: 'INC0010001',
            remoteUrl: TWIN.remoteUrl
        });
    });

    it('leaves the link out when the twin has no remote key yet, is gone, or cannot be read', async () => {
        getSyncProgressMock.mockResolvedValue(event('Synchronized'));
        getCaseSyncStatusMock.mockResolvedValueOnce([{ ...TWIN, remoteKey: undefined, remoteUrl: undefined }]);
        const first = await mount();
        expect((first.syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({ stage: 'Synchronized' });

        getCaseSyncStatusMock.mockResolvedValueOnce([]);
        const second = await mount();
        expect((second.syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({ stage: 'Synchronized' });

        getCaseSyncStatusMock.mockRejectedValueOnce({ body: { message: 'Insufficient access.' } });
        const third = await mount();
        expect((third.syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({ stage: 'Synchronized' });
    });

    it('does not look the twin up when the event names no Case', async () => {
        getSyncProgressMock.mockResolvedValue(event('Synchronized', { caseId: undefined }));
        const { syncend } = await mount();

        expect(getCaseSyncStatusMock).not.toHaveBeenCalled();
        expect((syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({ stage: 'Synchronized' });
    });

    it('stops at Failed and shows the cause as an alert, on the stage it reached', async () => {
        getSyncProgressMock
            .mockResolvedValueOnce(event('Waiting for remote'))
            .mockResolvedValueOnce(event('Failed', { error: 'The remote node refused the request: bad signature.' }));
        const { element, syncend } = await mount();

        await advance(500);
        const alert = element.shadowRoot!.querySelector('[role="alert"]')!;
        expect(alert.textContent).toBe('The remote node refused the request: bad signature.');
        expect(stageText(element)).toBe('Sync stage: Failed');
        expect(indicator(element).hasError).toBe(true);
        expect(indicator(element).currentStep).toBe('Waiting for remote');
        expect((syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({
            stage: 'Failed',
            error: 'The remote node refused the request: bad signature.',
            remoteKey: 'INC0010001',
            remoteUrl: TWIN.remoteUrl
        });

        await advance(60000);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(2);
        expect(jest.getTimerCount()).toBe(0);
    });

    it('explains a failure that has no recorded cause', async () => {
        getSyncProgressMock.mockResolvedValue(event('Failed'));
        const { element, syncend } = await mount();

        expect(errorText(element)).toBe('The sync failed. Your Exalate admin can see the cause in the Errors tab.');
        expect((syncend.mock.calls[0][0] as CustomEvent).detail.error).toBe(
            'The sync failed. Your Exalate admin can see the cause in the Errors tab.'
        );
    });

    it('shows the Apex error, stops refreshing and ends the sync as Failed', async () => {
        getSyncProgressMock.mockResolvedValueOnce(event('Sending')).mockRejectedValueOnce({
            body: { message: 'This sync event no longer exists, or you do not have access to its Case.' }
        });
        const { element, syncend } = await mount();

        await advance(500);
        expect(errorText(element)).toBe('This sync event no longer exists, or you do not have access to its Case.');
        expect(element.shadowRoot!.querySelector('.error')!.getAttribute('role')).toBe('alert');
        expect(indicator(element).hasError).toBe(true);
        expect(syncend).toHaveBeenCalledTimes(1);
        expect((syncend.mock.calls[0][0] as CustomEvent).detail).toMatchObject({
            stage: 'Failed',
            error: 'This sync event no longer exists, or you do not have access to its Case.'
        });

        await advance(60000);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(2);
    });

    it('ends as Failed without a twin lookup when the very first read fails', async () => {
        getSyncProgressMock.mockRejectedValue(new Error('Network failure'));
        const { element, syncend } = await mount();

        expect(errorText(element)).toBe('Network failure');
        expect(getCaseSyncStatusMock).not.toHaveBeenCalled();
        expect((syncend.mock.calls[0][0] as CustomEvent).detail).toEqual({ stage: 'Failed', error: 'Network failure' });
    });

    it('stops the timer when it leaves the page, and picks up again when it comes back', async () => {
        getSyncProgressMock.mockResolvedValue(event('Sending'));
        const { element } = await mount();
        expect(jest.getTimerCount()).toBe(1);

        document.body.removeChild(element);
        expect(jest.getTimerCount()).toBe(0);
        await advance(60000);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(1);

        document.body.appendChild(element);
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(2);
        expect(jest.getTimerCount()).toBe(1);
    });

    it('drops an answer that arrives after it left the page', async () => {
        let answer: (value: unknown) => void = () => undefined;
        getSyncProgressMock.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
        const { element, syncend } = await mount();

        document.body.removeChild(element);
        answer(event('Synchronized'));
        await flushPromises();

        expect(syncend).not.toHaveBeenCalled();
        expect(jest.getTimerCount()).toBe(0);
    });

    it('fires syncend again when it comes back after leaving during the twin lookup', async () => {
        getSyncProgressMock.mockResolvedValue(event('Synchronized'));
        let answer: (value: unknown) => void = () => undefined;
        getCaseSyncStatusMock.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
        const { element, syncend } = await mount();

        document.body.removeChild(element);
        answer([TWIN]);
        await flushPromises();
        expect(syncend).not.toHaveBeenCalled();

        document.body.appendChild(element);
        await flushPromises();
        expect(syncend).toHaveBeenCalledTimes(1);
    });

    it('watches a new event from its start when the event id changes, and ignores the old one', async () => {
        let answer: (value: unknown) => void = () => undefined;
        getSyncProgressMock
            .mockResolvedValueOnce(event('Failed', { error: 'Timed out.' }))
            .mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
            .mockResolvedValueOnce(event('Preparing', { id: OTHER_EVENT_ID }))
            .mockResolvedValueOnce(event('Sending', { id: OTHER_EVENT_ID }));
        const { element, syncend } = await mount();
        expect(syncend).toHaveBeenCalledTimes(1);

        element.eventId = EVENT_ID;
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenCalledTimes(1);

        element.eventId = OTHER_EVENT_ID;
        await flushPromises();
        element.eventId = 'a03000000000003AAA';
        answer(event('Synchronized', { id: OTHER_EVENT_ID }));
        await flushPromises();
        expect(getSyncProgressMock).toHaveBeenLastCalledWith({ eventId: 'a03000000000003AAA' });
        expect(stageText(element)).toBe('Sync stage: Preparing');
        expect(errorText(element)).toBeUndefined();
        expect(indicator(element).hasError).toBe(false);
        expect(syncend).toHaveBeenCalledTimes(1);

        await advance(499);
        expect(getSyncProgressMock).toHaveBeenCalledTimes(3);
        await advance(1);
        expect(stageText(element)).toBe('Sync stage: Sending');
        expect(jest.getTimerCount()).toBe(1);
    });

    it('treats an empty answer as an error', async () => {
        getSyncProgressMock.mockResolvedValue(undefined);
        const { element, syncend } = await mount();

        expect(errorText(element)).toBe(
            'Something went wrong. Try again, and tell your Exalate admin if it keeps happening.'
        );
        expect((syncend.mock.calls[0][0] as CustomEvent).detail.stage).toBe('Failed');
        expect(jest.getTimerCount()).toBe(0);
    });

    it('stops watching when the event id is cleared', async () => {
        getSyncProgressMock.mockResolvedValue(event('Sending'));
        const { element, syncend } = await mount();
        expect(jest.getTimerCount()).toBe(1);

        element.eventId = undefined;
        await advance(60000);

        expect(getSyncProgressMock).toHaveBeenCalledTimes(1);
        expect(jest.getTimerCount()).toBe(0);
        expect(stageText(element)).toBe('Checking the sync stage…');
        expect(syncend).not.toHaveBeenCalled();
    });

    it('reads nothing without an event id', async () => {
        const { element } = await mount(null);

        expect(getSyncProgressMock).not.toHaveBeenCalled();
        expect(jest.getTimerCount()).toBe(0);
        expect(stageText(element)).toBe('Checking the sync stage…');
    });

    it('is accessible while running', async () => {
        getSyncProgressMock.mockResolvedValue(event('Sending'));
        const { element } = await mount();
        expect(element.shadowRoot!.querySelector('.stage')!.getAttribute('aria-live')).toBe('polite');

        // sa11y refuses to run under fake timers; the pending refresh stays on the fake clock.
        jest.useRealTimers();
        await expect(element).toBeAccessible();
    });

    it('is accessible once it stopped checking a long sync', async () => {
        getSyncProgressMock.mockResolvedValue(event('Waiting for remote'));
        const { element } = await mount();
        await spendRefreshBudget();
        expect(element.shadowRoot!.querySelector('.paused')).not.toBeNull();

        jest.useRealTimers();
        await expect(element).toBeAccessible();
    });

    it('is accessible after a failure', async () => {
        jest.useRealTimers();
        getSyncProgressMock.mockResolvedValue(event('Failed', { error: 'Timed out.' }));
        const { element } = await mount();
        expect(errorText(element)).toBe('Timed out.');

        await expect(element).toBeAccessible();
    });
});
