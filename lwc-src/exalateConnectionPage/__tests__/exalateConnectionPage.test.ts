import { createElement } from 'lwc';
import ExalateConnectionPage from 'c/exalateConnectionPage';
import LightningConfirm from 'lightning/confirm';
import getConnection from '@salesforce/apex/ConnectionController.getConnection';
import activateConnection from '@salesforce/apex/ConnectionController.activateConnection';
import deactivateConnection from '@salesforce/apex/ConnectionController.deactivateConnection';
import deleteConnection from '@salesforce/apex/ConnectionController.deleteConnection';
import listTriggers from '@salesforce/apex/SyncQueueController.listTriggers';
import saveTrigger from '@salesforce/apex/SyncQueueController.saveTrigger';
import setTriggerActive from '@salesforce/apex/SyncQueueController.setTriggerActive';
import deleteTrigger from '@salesforce/apex/SyncQueueController.deleteTrigger';
import bulkExalate from '@salesforce/apex/SyncQueueController.bulkExalate';
import listQueue from '@salesforce/apex/SyncQueueController.listQueue';
import listErrors from '@salesforce/apex/SyncQueueController.listErrors';
import retryEvent from '@salesforce/apex/SyncQueueController.retryEvent';
import getEntitySyncStatus from '@salesforce/apex/SyncQueueController.getEntitySyncStatus';
import { formatDateTime } from 'c/exalateFormat';

jest.mock('@salesforce/apex/ConnectionController.getConnection', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/ConnectionController.activateConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.deactivateConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.deleteConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/SyncQueueController.listTriggers', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.saveTrigger', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.setTriggerActive', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/SyncQueueController.deleteTrigger', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.bulkExalate', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.listQueue', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.listErrors', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.retryEvent', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/SyncQueueController.getEntitySyncStatus', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('lightning/confirm', () => ({ __esModule: true, default: { open: jest.fn() } }));

const getConnectionMock = getConnection as unknown as jest.Mock;
const activateMock = activateConnection as unknown as jest.Mock;
const deactivateMock = deactivateConnection as unknown as jest.Mock;
const deleteMock = deleteConnection as unknown as jest.Mock;
const listTriggersMock = listTriggers as unknown as jest.Mock;
const saveTriggerMock = saveTrigger as unknown as jest.Mock;
const setTriggerActiveMock = setTriggerActive as unknown as jest.Mock;
const deleteTriggerMock = deleteTrigger as unknown as jest.Mock;
const bulkExalateMock = bulkExalate as unknown as jest.Mock;
const listQueueMock = listQueue as unknown as jest.Mock;
const listErrorsMock = listErrors as unknown as jest.Mock;
const retryEventMock = retryEvent as unknown as jest.Mock;
const entityMock = getEntitySyncStatus as unknown as jest.Mock;
const confirmMock = (LightningConfirm as unknown as { open: jest.Mock }).open;

interface Toast {
    title?: string;
    message: string;
    variant: string;
}

interface Table<T> {
    data: T[];
    columns: {
        fieldName?: string;
        type: string;
        typeAttributes?: { rowActions?: unknown };
    }[];
}

const CONNECTION_ID = 'a00000000000001AAA';
const ACTIVE = {
    id: CONNECTION_ID,
    name: 'SalesforceA_to_ServiceNowB',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'ServiceNowB',
    description: 'Support Cases between the EMEA org and ServiceNow',
    type: 'Public',
    mode: 'Basic',
    status: 'Active',
    role: 'Initiator',
    remotePlatform: 'ServiceNow',
    remoteNodeUrl: 'https://exalate.example.com/node/servicenow-b',
    syncedCaseCount: 12
};
const PENDING = {
    ...ACTIVE,
    status: 'Pending',
    type: 'Private',
    remoteNodeUrl: undefined,
    description: undefined,
    invitationExpires: '2026-01-04T10:00:00.000Z',
    syncedCaseCount: undefined
};
const IN_ERROR = {
    ...ACTIVE,
    status: 'Error',
    role: 'Acceptor',
    acceptedBy: 'Ada Admin',
    acceptedAt: '2026-01-02T09:30:00.000Z',
    statusDetail: 'The remote node answered 401: the shared secret does not match.',
    syncedCaseCount: 1
};
const TRIGGERS = [
    {
        id: 'a01000000000001AAA',
        connectionId: CONNECTION_ID,
        filter: "Priority = 'High' AND Origin = 'Web'",
        active: true,
        notes: 'High priority web Cases',
        lastModified: '2026-01-02T10:00:00.000Z'
    },
    {
        id: 'a01000000000002AAA',
        connectionId: CONNECTION_ID,
        filter: "Status = 'Escalated'",
        active: false,
        lastModified: '2026-01-03T10:00:00.000Z'
    }
];
const QUEUE = [
    {
        id: 'a02000000000001AAA',
        name: 'EV-00000012',
        caseNumber: '00001027',
        direction: 'Outgoing',
        stage: 'Waiting for remote',
        attempts: 1,
        nextAttempt: '2026-01-02T10:05:00.000Z',
        createdDate: '2026-01-02T10:00:00.000Z'
    }
];
const FAILED = [
    {
        id: 'a02000000000002AAA',
        name: 'EV-00000013',
        caseNumber: '00001028',
        direction: 'Outgoing',
        stage: 'Failed',
        attempts: 3,
        error: 'The remote node answered 503 Service Unavailable.',
        createdDate: '2026-01-02T09:00:00.000Z',
        completed: '2026-01-02T09:10:00.000Z'
    },
    {
        id: 'a02000000000003AAA',
        name: 'EV-00000014',
        direction: 'Incoming',
        stage: 'Failed',
        attempts: 5,
        error: 'Case 00001029 could not be updated: FIELD_CUSTOM_VALIDATION_EXCEPTION',
        createdDate: '2026-01-02T08:00:00.000Z'
    }
];
const TWIN = {
    twinId: 'a03000000000001AAA',
    caseId: '500000000000001AAA',
    caseNumber: '00001027',
    connectionId: CONNECTION_ID,
    connectionName: 'SalesforceA_to_ServiceNowB',
    remoteKey: 'INC0010001',
    remoteUrl: 'https://servicenow-b.example.com/incident.do?sys_id=1',
    status: 'Synchronized',
    lastSynced: '2026-01-02T10:00:00.000Z',
    lastError: 'The remote node answered 503 Service Unavailable.',
    latestEventId: 'a02000000000001AAA',
    latestEventStage: 'Synchronized'
};
const ADMIN_ERROR = { body: { message: 'You need the Exalate Admin permission set to do this.' } };

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 10; i++) {
        await Promise.resolve();
    }
}

async function mount(connection: unknown = ACTIVE, triggers: unknown[] = TRIGGERS): Promise<HTMLElement> {
    getConnectionMock.mockResolvedValue(connection);
    listTriggersMock.mockResolvedValue(triggers);
    const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
    (element as unknown as { connectionId: string }).connectionId = CONNECTION_ID;
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

function click(element: HTMLElement, selector: string): void {
    $(element, selector)!.click();
}

function table<T>(element: HTMLElement, selector: string): Table<T> {
    return $(element, selector) as unknown as Table<T>;
}

function detail(element: HTMLElement, key: string): string | undefined {
    return text(element, `dd[data-key="${key}"]`);
}

function collectToasts(element: HTMLElement): Toast[] {
    const toasts: Toast[] = [];
    element.addEventListener('lightning__showtoast', (event) => {
        toasts.push((event as CustomEvent<Toast>).detail);
    });
    return toasts;
}

/** The row actions the triggers table offers for a row, by label. */
function triggerActionLabels(element: HTMLElement, row: unknown): string[] {
    const column = table(element, '.triggers-table').columns.find((candidate) => candidate.type === 'action');
    const rowActions = column!.typeAttributes!.rowActions as (
        row: unknown,
        done: (actions: { label: string }[]) => void
    ) => void;
    const done = jest.fn();
    rowActions(row, done);
    return (done.mock.calls[0][0] as { label: string }[]).map((action) => action.label);
}

async function rowAction(element: HTMLElement, selector: string, name: string, row: unknown): Promise<void> {
    $(element, selector)!.dispatchEvent(new CustomEvent('rowaction', { detail: { action: { name }, row } }));
    await flushPromises();
}

async function change(element: HTMLElement, selector: string, detailValue: Record<string, unknown>): Promise<void> {
    $(element, selector)!.dispatchEvent(new CustomEvent('change', { detail: detailValue }));
    await flushPromises();
}

async function activateTab(element: HTMLElement, selector: string): Promise<void> {
    $(element, selector)!.dispatchEvent(new CustomEvent('active'));
    await flushPromises();
}

describe('c-exalate-connection-page', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    describe('details', () => {
        it('loads the connection and shows its details', async () => {
            const element = await mount();

            expect(getConnectionMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            expect((element.shadowRoot!.querySelector('lightning-card') as unknown as { title: string }).title).toBe(
                'SalesforceA_to_ServiceNowB'
            );
            expect(detail(element, 'name')).toBe('SalesforceA_to_ServiceNowB');
            expect(detail(element, 'local')).toBe('SalesforceA');
            expect(detail(element, 'remote')).toBe('ServiceNowB');
            expect(detail(element, 'platform')).toBe('ServiceNow');
            expect(
                ($(element, 'dd[data-key="url"] lightning-formatted-url') as unknown as { value: string }).value
            ).toBe('https://exalate.example.com/node/servicenow-b');
            expect(detail(element, 'type')).toBe('Public');
            expect(detail(element, 'mode')).toBe('Basic');
            expect(detail(element, 'status')).toBe('Active');
            expect(detail(element, 'cases')).toBe('12');
            expect(detail(element, 'role')).toBe('Initiator: this side created the invitation');
            expect(detail(element, 'description')).toBe('Support Cases between the EMEA org and ServiceNow');
            expect($(element, 'dd[data-key="expires"]')).toBeNull();
            expect($(element, '.pending-note')).toBeNull();
            expect($(element, '.status-detail')).toBeNull();
            expect($(element, '.activate-button')).toBeNull();
            expect($(element, '.deactivate-button')).not.toBeNull();
        });

        it('shows when a Pending invitation expires and who must accept it, without activate or deactivate', async () => {
            const element = await mount(PENDING);

            expect(text(element, '.pending-note')).toBe(
                'Waiting for ServiceNowB to accept the invitation. Once they do, the connection becomes active and Cases can be synced.'
            );
            expect(
                ($(element, 'dd[data-key="expires"] lightning-formatted-date-time') as unknown as { value: string })
                    .value
            ).toBe('2026-01-04T10:00:00.000Z');
            expect(detail(element, 'url')).toBe('None: the remote side is private and opens every request itself.');
            expect(detail(element, 'cases')).toBe('0');
            expect($(element, 'dd[data-key="description"]')).toBeNull();
            expect($(element, '.activate-button')).toBeNull();
            expect($(element, '.deactivate-button')).toBeNull();
            expect($(element, '.delete-button')).not.toBeNull();
        });

        it('shows why a connection is in Error, who accepted it and when, and offers activate and deactivate', async () => {
            const element = await mount(IN_ERROR);

            const alert = $(element, '.status-detail')!;
            expect(alert.getAttribute('role')).toBe('alert');
            expect(alert.textContent).toContain('This connection stopped syncing because of an error');
            expect(alert.textContent).toContain('The remote node answered 401: the shared secret does not match.');
            expect(detail(element, 'role')).toBe('Acceptor: this side accepted the invitation');
            expect(detail(element, 'acceptedBy')).toBe('Ada Admin');
            expect(
                ($(element, 'dd[data-key="acceptedAt"] lightning-formatted-date-time') as unknown as { value: string })
                    .value
            ).toBe('2026-01-02T09:30:00.000Z');
            expect($(element, '.activate-button')).not.toBeNull();
            expect($(element, '.deactivate-button')).not.toBeNull();
        });

        it('explains an Error without detail, and a connection without platform, URL or role', async () => {
            const element = await mount({
                ...IN_ERROR,
                statusDetail: undefined,
                role: undefined,
                remotePlatform: undefined,
                remoteNodeUrl: undefined,
                type: 'Local'
            });

            expect(text(element, '.status-detail')).toContain(
                'The connector reported an error without details. Check the Errors tab, then activate the connection again.'
            );
            expect(detail(element, 'platform')).toBe('None');
            expect(detail(element, 'url')).toBe('None');
            expect($(element, 'dd[data-key="role"]')).toBeNull();
        });

        it('shows the Apex error when the connection cannot be loaded, and still offers Back', async () => {
            getConnectionMock.mockRejectedValue({ body: { message: 'This connection no longer exists.' } });
            listTriggersMock.mockResolvedValue([]);
            const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
            (element as unknown as { connectionId: string }).connectionId = CONNECTION_ID;
            document.body.appendChild(element);
            await flushPromises();

            expect(text(element, '.load-error')).toBe('This connection no longer exists.');
            expect($(element, '.load-error')!.getAttribute('role')).toBe('alert');
            expect($(element, 'lightning-tabset')).toBeNull();
            expect($(element, '.delete-button')).toBeNull();
            expect(listTriggersMock).not.toHaveBeenCalled();
            expect($(element, '.back-button')).not.toBeNull();
            await expect(element).toBeAccessible();
        });

        it('loads nothing without a connection id', async () => {
            const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
            document.body.appendChild(element);
            await flushPromises();

            expect(getConnectionMock).not.toHaveBeenCalled();
            expect($(element, 'lightning-tabset')).toBeNull();
        });

        it('loads the other connection when the id changes, and not again for the same id', async () => {
            const element = await mount();
            const other = { ...ACTIVE, id: 'a00000000000002AAA', name: 'SalesforceA_to_PartnerOrg' };
            getConnectionMock.mockResolvedValue(other);

            (element as unknown as { connectionId: string }).connectionId = other.id;
            await flushPromises();
            (element as unknown as { connectionId: string }).connectionId = other.id;
            await flushPromises();

            expect(getConnectionMock).toHaveBeenCalledTimes(2);
            expect(getConnectionMock).toHaveBeenLastCalledWith({ connectionId: other.id });
            expect(detail(element, 'name')).toBe('SalesforceA_to_PartnerOrg');
            expect((element as unknown as { connectionId: string }).connectionId).toBe(other.id);
        });

        it('ignores the answer for a connection that is no longer shown', async () => {
            let answerFirst: (value: unknown) => void = () => undefined;
            getConnectionMock.mockReturnValueOnce(
                new Promise((resolve) => {
                    answerFirst = resolve;
                })
            );
            listTriggersMock.mockResolvedValue([]);
            const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
            (element as unknown as { connectionId: string }).connectionId = CONNECTION_ID;
            document.body.appendChild(element);
            const other = { ...ACTIVE, id: 'a00000000000002AAA', name: 'SalesforceA_to_PartnerOrg' };
            getConnectionMock.mockResolvedValueOnce(other);
            (element as unknown as { connectionId: string }).connectionId = other.id;
            await flushPromises();

            answerFirst(ACTIVE);
            await flushPromises();

            expect(detail(element, 'name')).toBe('SalesforceA_to_PartnerOrg');
        });

        it('fires back when Back is clicked', async () => {
            const element = await mount();
            const back = jest.fn();
            element.addEventListener('back', back);

            click(element, '.back-button');

            expect(back).toHaveBeenCalledTimes(1);
        });
    });

    describe('activate, deactivate and delete', () => {
        it('activates a connection in Error, shows its new status and confirms it in a toast', async () => {
            activateMock.mockResolvedValue({ ...IN_ERROR, status: 'Active', statusDetail: undefined });
            const element = await mount(IN_ERROR);
            const toasts = collectToasts(element);

            click(element, '.activate-button');
            await flushPromises();

            expect(activateMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            expect(detail(element, 'status')).toBe('Active');
            expect($(element, '.status-detail')).toBeNull();
            expect(toasts).toEqual([
                { message: 'Connection SalesforceA_to_ServiceNowB is active.', variant: 'success' }
            ]);
        });

        it('shows the Apex error in a toast when activating fails', async () => {
            activateMock.mockRejectedValue(ADMIN_ERROR);
            const element = await mount(IN_ERROR);
            const toasts = collectToasts(element);

            click(element, '.activate-button');
            await flushPromises();

            expect(toasts).toEqual([
                {
                    title: 'Connection SalesforceA_to_ServiceNowB could not be activated',
                    message: 'You need the Exalate Admin permission set to do this.',
                    variant: 'error'
                }
            ]);
            expect(detail(element, 'status')).toBe('Error');
        });

        it('deactivates an Active connection', async () => {
            deactivateMock.mockResolvedValue({ ...ACTIVE, status: 'Deactivated' });
            const element = await mount();
            const toasts = collectToasts(element);

            click(element, '.deactivate-button');
            await flushPromises();

            expect(deactivateMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            expect(detail(element, 'status')).toBe('Deactivated');
            expect($(element, '.activate-button')).not.toBeNull();
            expect(toasts[0].message).toBe(
                'Connection SalesforceA_to_ServiceNowB is deactivated. Nothing syncs on it until you activate it again.'
            );
        });

        it('shows the Apex error in a toast when deactivating fails, and keeps the status when Apex answers nothing', async () => {
            deactivateMock.mockRejectedValueOnce({ body: { message: 'This connection no longer exists.' } });
            deactivateMock.mockResolvedValueOnce(undefined);
            const element = await mount();
            const toasts = collectToasts(element);

            click(element, '.deactivate-button');
            await flushPromises();
            click(element, '.deactivate-button');
            await flushPromises();

            expect(toasts[0]).toEqual({
                title: 'Connection SalesforceA_to_ServiceNowB could not be deactivated',
                message: 'This connection no longer exists.',
                variant: 'error'
            });
            expect(detail(element, 'status')).toBe('Active');
        });

        it('asks before deleting, then deletes, toasts and fires deleted', async () => {
            confirmMock.mockResolvedValue(true);
            deleteMock.mockResolvedValue(undefined);
            const element = await mount();
            const toasts = collectToasts(element);
            const deleted = jest.fn();
            element.addEventListener('deleted', deleted);

            click(element, '.delete-button');
            await flushPromises();

            expect(confirmMock).toHaveBeenCalledWith(
                expect.objectContaining({
                    label: 'Delete connection',
                    message:
                        'Delete connection SalesforceA_to_ServiceNowB? The 12 Cases under sync stay in both systems but stop syncing; the other side is told.'
                })
            );
            expect(deleteMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            expect(toasts).toEqual([
                { message: 'Connection SalesforceA_to_ServiceNowB was deleted.', variant: 'success' }
            ]);
            expect((deleted.mock.calls[0][0] as CustomEvent).detail).toEqual({ connectionId: CONNECTION_ID });
        });

        it('words the confirmation for one Case and for none', async () => {
            confirmMock.mockResolvedValue(false);
            const one = await mount(IN_ERROR);
            click(one, '.delete-button');
            await flushPromises();
            document.body.removeChild(one);
            const none = await mount(PENDING);
            click(none, '.delete-button');
            await flushPromises();

            expect(confirmMock.mock.calls.map((call) => (call[0] as { message: string }).message)).toEqual([
                'Delete connection SalesforceA_to_ServiceNowB? The 1 Case under sync stays in both systems but stops syncing; the other side is told.',
                'Delete connection SalesforceA_to_ServiceNowB? No Cases are under sync on it; the other side is told.'
            ]);
        });

        it('deletes nothing when the admin cancels', async () => {
            confirmMock.mockResolvedValue(false);
            const element = await mount();
            const deleted = jest.fn();
            element.addEventListener('deleted', deleted);

            click(element, '.delete-button');
            await flushPromises();

            expect(deleteMock).not.toHaveBeenCalled();
            expect(deleted).not.toHaveBeenCalled();
        });

        it('shows the Apex error in a toast when deleting fails, and stays on the page', async () => {
            confirmMock.mockResolvedValue(true);
            deleteMock.mockRejectedValue({ body: { message: 'This connection no longer exists.' } });
            const element = await mount();
            const toasts = collectToasts(element);
            const deleted = jest.fn();
            element.addEventListener('deleted', deleted);

            click(element, '.delete-button');
            await flushPromises();

            expect(toasts).toEqual([
                {
                    title: 'Connection SalesforceA_to_ServiceNowB could not be deleted',
                    message: 'This connection no longer exists.',
                    variant: 'error'
                }
            ]);
            expect(deleted).not.toHaveBeenCalled();
            expect(($(element, '.delete-button') as unknown as { disabled: boolean }).disabled).toBe(false);
        });

        it('disables the actions while one runs, and runs one at a time', async () => {
            let finish: (value: unknown) => void = () => undefined;
            activateMock.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = await mount(IN_ERROR);

            click(element, '.activate-button');
            await flushPromises();
            expect(($(element, '.deactivate-button') as unknown as { disabled: boolean }).disabled).toBe(true);
            expect($(element, '.working-spinner')).not.toBeNull();
            click(element, '.deactivate-button');
            click(element, '.delete-button');
            await flushPromises();
            finish({ ...IN_ERROR, status: 'Active' });
            await flushPromises();

            expect(deactivateMock).not.toHaveBeenCalled();
            expect(confirmMock).not.toHaveBeenCalled();
            expect($(element, '.working-spinner')).toBeNull();
        });
    });

    describe('triggers tab', () => {
        it('lists the triggers of the connection with their filter, state, notes and last change', async () => {
            const element = await mount();

            expect(listTriggersMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID });
            const triggers = table<{ id: string }>(element, '.triggers-table');
            expect(triggers.data.map((row) => row.id)).toEqual(['a01000000000001AAA', 'a01000000000002AAA']);
            expect(triggers.columns.map((column) => column.fieldName ?? column.type)).toEqual([
                'filter',
                'active',
                'notes',
                'lastModified',
                'bulkText',
                'action'
            ]);
        });

        it('offers Deactivate and Bulk Exalate on an active trigger, and only Activate on an inactive one', async () => {
            const element = await mount();

            expect(TRIGGERS.map((row) => triggerActionLabels(element, row))).toEqual([
                ['Edit', 'Deactivate', 'Bulk Exalate', 'Delete'],
                ['Edit', 'Activate', 'Delete']
            ]);
        });

        it('says so when there is no trigger yet', async () => {
            const element = await mount(ACTIVE, []);

            expect(text(element, '.triggers-empty')).toBe(
                'No triggers yet. Cases are synced on this connection only when someone clicks Exalate on them.'
            );
            expect($(element, '.triggers-table')).toBeNull();
        });

        it('shows the Apex error when the triggers cannot be loaded', async () => {
            getConnectionMock.mockResolvedValue(ACTIVE);
            listTriggersMock.mockRejectedValue(ADMIN_ERROR);
            const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
            (element as unknown as { connectionId: string }).connectionId = CONNECTION_ID;
            document.body.appendChild(element);
            await flushPromises();

            expect(text(element, '.triggers-error')).toBe('You need the Exalate Admin permission set to do this.');
            expect($(element, '.triggers-empty')).toBeNull();
        });

        it('loads the triggers again when their tab is opened after a failed load', async () => {
            getConnectionMock.mockResolvedValue(ACTIVE);
            listTriggersMock.mockRejectedValueOnce(ADMIN_ERROR).mockResolvedValueOnce(TRIGGERS);
            const element = createElement('c-exalate-connection-page', { is: ExalateConnectionPage });
            (element as unknown as { connectionId: string }).connectionId = CONNECTION_ID;
            document.body.appendChild(element);
            await flushPromises();

            await activateTab(element, '.triggers-tab');

            expect(listTriggersMock).toHaveBeenCalledTimes(2);
            expect($(element, '.triggers-error')).toBeNull();
            expect(table(element, '.triggers-table').data).toHaveLength(2);
        });

        it('loads the triggers once: activating their tab again does not reload them', async () => {
            const element = await mount();

            await activateTab(element, '.triggers-tab');

            expect(listTriggersMock).toHaveBeenCalledTimes(1);
        });

        it('creates a trigger with the inline form', async () => {
            const created = {
                id: 'a01000000000003AAA',
                connectionId: CONNECTION_ID,
                filter: "Priority = 'Low'",
                active: false,
                notes: 'Low priority'
            };
            saveTriggerMock.mockResolvedValue(created);
            const element = await mount();
            const toasts = collectToasts(element);

            click(element, '.new-trigger-button');
            await flushPromises();
            expect(text(element, '.trigger-form h4')).toBe('New trigger');
            const filter = $(element, '.filter-input') as unknown as { label: string; fieldLevelHelp: string };
            expect(filter.label).toBe('Filter');
            expect(filter.fieldLevelHelp).toContain('the part of a query that follows WHERE');
            expect(text(element, '.filter-example')).toBe("Example: Priority = 'High' AND Origin = 'Web'");
            expect(($(element, '.active-input') as unknown as { checked: boolean }).checked).toBe(true);
            await change(element, '.filter-input', { value: "Priority = 'Low'" });
            await change(element, '.notes-input', { value: 'Low priority' });
            await change(element, '.active-input', { checked: false });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(saveTriggerMock).toHaveBeenCalledWith({
                input: {
                    id: null,
                    connectionId: CONNECTION_ID,
                    filter: "Priority = 'Low'",
                    active: false,
                    notes: 'Low priority'
                }
            });
            expect($(element, '.trigger-form')).toBeNull();
            expect(table<{ id: string }>(element, '.triggers-table').data.map((row) => row.id)).toEqual([
                'a01000000000001AAA',
                'a01000000000002AAA',
                'a01000000000003AAA'
            ]);
            expect(toasts).toEqual([{ message: 'Trigger saved.', variant: 'success' }]);
        });

        it('saves once when Save is clicked again while saving', async () => {
            let finish: (value: unknown) => void = () => undefined;
            saveTriggerMock.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = await mount();
            click(element, '.new-trigger-button');
            await flushPromises();
            await change(element, '.filter-input', { value: "Priority = 'Low'" });

            click(element, '.save-trigger-button');
            await flushPromises();
            expect(($(element, '.save-trigger-button') as unknown as { disabled: boolean }).disabled).toBe(true);
            click(element, '.save-trigger-button');
            finish({ id: 'a01000000000003AAA', connectionId: CONNECTION_ID, filter: "Priority = 'Low'", active: true });
            await flushPromises();

            expect(saveTriggerMock).toHaveBeenCalledTimes(1);
            expect($(element, '.trigger-form')).toBeNull();
        });

        it('refuses a blank filter without calling Apex, and clears the message when the filter changes', async () => {
            const element = await mount();

            click(element, '.new-trigger-button');
            await flushPromises();
            await change(element, '.filter-input', { value: '   ' });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(saveTriggerMock).not.toHaveBeenCalled();
            const error = $(element, '.filter-error')!;
            expect(error.getAttribute('role')).toBe('alert');
            expect(error.textContent.trim()).toBe(
                "Filter is required. Enter a SOQL condition over Case, such as Priority = 'High' AND Origin = 'Web'."
            );

            await change(element, '.filter-input', { value: "Priority = 'High'" });
            expect($(element, '.filter-error')).toBeNull();
        });

        it('shows the filter error from Apex under the filter field and keeps the form open', async () => {
            saveTriggerMock.mockRejectedValue({
                body: { message: "The filter is not valid SOQL: No such column 'Priorty' on entity 'Case'." }
            });
            const element = await mount();

            click(element, '.new-trigger-button');
            await flushPromises();
            await change(element, '.filter-input', { value: "Priorty = 'High'" });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(text(element, '.filter-error')).toBe(
                "The filter is not valid SOQL: No such column 'Priorty' on entity 'Case'."
            );
            expect($(element, '.trigger-form')).not.toBeNull();
            expect($(element, '.notes-error')).toBeNull();
            expect($(element, '.form-error')).toBeNull();
            await expect(element).toBeAccessible();
        });

        it('shows the notes error from Apex under the notes field, and clears it when the notes change', async () => {
            saveTriggerMock.mockRejectedValue({
                body: { message: 'Notes are too long (2001 characters). Use at most 2000 characters.' }
            });
            const element = await mount();

            click(element, '.new-trigger-button');
            await flushPromises();
            await change(element, '.filter-input', { value: "Priority = 'High'" });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(text(element, '.notes-error')).toBe(
                'Notes are too long (2001 characters). Use at most 2000 characters.'
            );
            expect($(element, '.filter-error')).toBeNull();
            await change(element, '.notes-input', { value: 'Shorter' });
            expect($(element, '.notes-error')).toBeNull();
        });

        it('shows any other Apex error above the form buttons', async () => {
            saveTriggerMock.mockRejectedValue({ body: { message: 'This trigger no longer exists.' } });
            const element = await mount();

            click(element, '.new-trigger-button');
            await flushPromises();
            await change(element, '.filter-input', { value: "Priority = 'High'" });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(text(element, '.form-error')).toBe('This trigger no longer exists.');
            expect($(element, '.form-error')!.getAttribute('role')).toBe('alert');
        });

        it('edits a trigger: the form starts with its values and saving replaces the row', async () => {
            const edited = { ...TRIGGERS[1], filter: "Status = 'Escalated' AND IsClosed = false", notes: 'Open only' };
            saveTriggerMock.mockResolvedValue(edited);
            const element = await mount();

            await rowAction(element, '.triggers-table', 'edit', TRIGGERS[1]);
            expect(text(element, '.trigger-form h4')).toBe('Edit trigger');
            expect(($(element, '.filter-input') as unknown as { value: string }).value).toBe("Status = 'Escalated'");
            expect(($(element, '.notes-input') as unknown as { value: string }).value).toBe('');
            expect(($(element, '.active-input') as unknown as { checked: boolean }).checked).toBe(false);
            expect($(element, '.new-trigger-button')).toBeNull();
            await change(element, '.filter-input', { value: edited.filter });
            await change(element, '.notes-input', { value: 'Open only' });
            click(element, '.save-trigger-button');
            await flushPromises();

            expect(saveTriggerMock).toHaveBeenCalledWith({
                input: {
                    id: TRIGGERS[1].id,
                    connectionId: CONNECTION_ID,
                    filter: edited.filter,
                    active: false,
                    notes: 'Open only'
                }
            });
            const rows = table<{ id: string; filter: string }>(element, '.triggers-table').data;
            expect(rows.map((row) => row.filter)).toEqual([TRIGGERS[0].filter, edited.filter]);
        });

        it('closes the form on Cancel without saving', async () => {
            const element = await mount();

            click(element, '.new-trigger-button');
            await flushPromises();
            click(element, '.cancel-trigger-button');
            await flushPromises();

            expect($(element, '.trigger-form')).toBeNull();
            expect($(element, '.new-trigger-button')).not.toBeNull();
            expect(saveTriggerMock).not.toHaveBeenCalled();
        });

        it('turns a trigger off and on', async () => {
            setTriggerActiveMock
                .mockResolvedValueOnce({ ...TRIGGERS[0], active: false })
                .mockResolvedValueOnce({ ...TRIGGERS[1], active: true });
            const element = await mount();
            const toasts = collectToasts(element);

            await rowAction(element, '.triggers-table', 'deactivate', TRIGGERS[0]);
            await rowAction(element, '.triggers-table', 'activate', TRIGGERS[1]);

            expect(setTriggerActiveMock.mock.calls).toEqual([
                [{ triggerId: TRIGGERS[0].id, active: false }],
                [{ triggerId: TRIGGERS[1].id, active: true }]
            ]);
            expect(table<{ active: boolean }>(element, '.triggers-table').data.map((row) => row.active)).toEqual([
                false,
                true
            ]);
            expect(toasts.map((toast) => toast.message)).toEqual([
                'Trigger deactivated: it brings no more Cases under sync.',
                'Trigger activated: Cases that match its filter are brought under sync.'
            ]);
        });

        it('shows the Apex error in a toast when a trigger cannot be turned on', async () => {
            setTriggerActiveMock.mockRejectedValue({
                body: { message: "The filter is not valid SOQL: No such column 'Old_Field__c' on entity 'Case'." }
            });
            const element = await mount();
            const toasts = collectToasts(element);

            await rowAction(element, '.triggers-table', 'activate', TRIGGERS[1]);

            expect(toasts).toEqual([
                {
                    title: 'The trigger could not be changed',
                    message: "The filter is not valid SOQL: No such column 'Old_Field__c' on entity 'Case'.",
                    variant: 'error'
                }
            ]);
        });

        it('deletes a trigger after confirmation, and closes its open form', async () => {
            confirmMock.mockResolvedValue(true);
            deleteTriggerMock.mockResolvedValue(undefined);
            const element = await mount();
            const toasts = collectToasts(element);
            await rowAction(element, '.triggers-table', 'edit', TRIGGERS[0]);

            await rowAction(element, '.triggers-table', 'delete', TRIGGERS[0]);

            expect(confirmMock).toHaveBeenCalledWith(
                expect.objectContaining({
                    label: 'Delete trigger',
                    message:
                        "Delete the trigger with filter Priority = 'High' AND Origin = 'Web'? Cases it brought under sync stay under sync."
                })
            );
            expect(deleteTriggerMock).toHaveBeenCalledWith({ triggerId: TRIGGERS[0].id });
            expect(table<{ id: string }>(element, '.triggers-table').data.map((row) => row.id)).toEqual([
                TRIGGERS[1].id
            ]);
            expect($(element, '.trigger-form')).toBeNull();
            expect(toasts).toEqual([{ message: 'Trigger deleted.', variant: 'success' }]);
        });

        it('keeps another trigger open in the form when one is deleted', async () => {
            confirmMock.mockResolvedValue(true);
            deleteTriggerMock.mockResolvedValue(undefined);
            const element = await mount();
            await rowAction(element, '.triggers-table', 'edit', TRIGGERS[1]);

            await rowAction(element, '.triggers-table', 'delete', TRIGGERS[0]);

            expect($(element, '.trigger-form')).not.toBeNull();
        });

        it('deletes no trigger when the admin cancels', async () => {
            confirmMock.mockResolvedValue(false);
            const element = await mount();

            await rowAction(element, '.triggers-table', 'delete', TRIGGERS[0]);

            expect(deleteTriggerMock).not.toHaveBeenCalled();
            expect(table(element, '.triggers-table').data).toHaveLength(2);
        });

        it('shows the Apex error in a toast when a trigger cannot be deleted', async () => {
            confirmMock.mockResolvedValue(true);
            deleteTriggerMock.mockRejectedValue({ body: { message: 'This trigger no longer exists.' } });
            const element = await mount();
            const toasts = collectToasts(element);

            await rowAction(element, '.triggers-table', 'delete', TRIGGERS[0]);

            expect(toasts).toEqual([
                {
                    title: 'The trigger could not be changed',
                    message: 'This trigger no longer exists.',
                    variant: 'error'
                }
            ]);
            expect(table(element, '.triggers-table').data).toHaveLength(2);
        });

        it('runs one trigger action at a time and ignores unknown actions', async () => {
            let finish: (value: unknown) => void = () => undefined;
            setTriggerActiveMock.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = await mount();

            await rowAction(element, '.triggers-table', 'deactivate', TRIGGERS[0]);
            await rowAction(element, '.triggers-table', 'activate', TRIGGERS[1]);
            await rowAction(element, '.triggers-table', 'delete', TRIGGERS[1]);
            await rowAction(element, '.triggers-table', 'archive', TRIGGERS[1]);
            finish({ ...TRIGGERS[0], active: false });
            await flushPromises();

            expect(setTriggerActiveMock).toHaveBeenCalledTimes(1);
            expect(confirmMock).not.toHaveBeenCalled();
            expect($(element, '.trigger-form')).toBeNull();
        });
    });

    describe('Bulk Exalate', () => {
        const REQUESTED = '2026-01-05T09:30:00.000Z';
        const COMPLETED = '2026-01-05T09:42:00.000Z';

        function bulkTexts(element: HTMLElement): string[] {
            return table<{ bulkText: string }>(element, '.triggers-table').data.map((row) => row.bulkText);
        }

        it('shows nothing for a trigger never run, "Requested <time>, running" until it is done, then "<time>: <result>"', async () => {
            const element = await mount(ACTIVE, [
                TRIGGERS[1],
                { ...TRIGGERS[0], bulkRequested: REQUESTED },
                {
                    ...TRIGGERS[0],
                    id: 'a01000000000003AAA',
                    bulkRequested: REQUESTED,
                    bulkCompleted: COMPLETED,
                    bulkResult: '1,000 Cases brought under sync'
                },
                { ...TRIGGERS[0], id: 'a01000000000004AAA', bulkRequested: REQUESTED, bulkCompleted: COMPLETED }
            ]);

            expect(bulkTexts(element)).toEqual([
                '',
                `Requested ${formatDateTime(new Date(REQUESTED))}, running`,
                `${formatDateTime(new Date(COMPLETED))}: 1,000 Cases brought under sync`,
                `Finished ${formatDateTime(new Date(COMPLETED))}`
            ]);
            expect(formatDateTime(new Date(REQUESTED))).toMatch(/2026/);
        });

        it('asks first, then requests it, shows it running and confirms it in a toast', async () => {
            confirmMock.mockResolvedValue(true);
            bulkExalateMock.mockResolvedValue({ ...TRIGGERS[0], bulkRequested: REQUESTED });
            const element = await mount();
            const toasts = collectToasts(element);

            await rowAction(element, '.triggers-table', 'bulk', TRIGGERS[0]);

            expect(confirmMock).toHaveBeenCalledWith({
                label: 'Bulk Exalate',
                message:
                    "Bring every existing Case that matches Priority = 'High' AND Origin = 'Web' under sync on SalesforceA_to_ServiceNowB? This can be many Cases: each one is synced with ServiceNowB and stays under sync.",
                variant: 'header',
                theme: 'warning'
            });
            expect(bulkExalateMock).toHaveBeenCalledWith({ triggerId: TRIGGERS[0].id });
            expect(bulkTexts(element)).toEqual([`Requested ${formatDateTime(new Date(REQUESTED))}, running`, '']);
            expect(toasts).toEqual([
                {
                    message:
                        'Bulk Exalate requested: the connector is bringing the matching Cases under sync. Refresh the triggers to see when it is done.',
                    variant: 'success'
                }
            ]);
            expect(listTriggersMock).toHaveBeenCalledTimes(1);
            expect($(element, '.working-spinner')).toBeNull();
        });

        it('requests nothing when the admin cancels', async () => {
            confirmMock.mockResolvedValue(false);
            const element = await mount();

            await rowAction(element, '.triggers-table', 'bulk', TRIGGERS[0]);

            expect(bulkExalateMock).not.toHaveBeenCalled();
            expect(bulkTexts(element)).toEqual(['', '']);
        });

        it.each([
            ['the trigger was deleted meanwhile', 'This trigger no longer exists.'],
            [
                'the trigger was turned off meanwhile',
                'This trigger is not active. Activate it first: Bulk Exalate runs only active triggers.'
            ],
            [
                'the connection is not active',
                'Connection SalesforceA_to_ServiceNowB is not active (status: Deactivated). Activate it first.'
            ],
            [
                'the filter no longer runs',
                "The filter is not valid SOQL: No such column 'Old_Field__c' on entity 'Case'."
            ],
            ['the admin lacks the permission set', 'You need the Exalate Admin permission set to do this.']
        ])('shows the refusal in a toast when %s, and reads the triggers again', async (_why, message) => {
            confirmMock.mockResolvedValue(true);
            bulkExalateMock.mockRejectedValue({ body: { message } });
            const element = await mount();
            const toasts = collectToasts(element);
            listTriggersMock.mockResolvedValue([TRIGGERS[1]]);

            await rowAction(element, '.triggers-table', 'bulk', TRIGGERS[0]);

            expect(toasts).toEqual([{ title: 'Bulk Exalate could not be started', message, variant: 'error' }]);
            expect(listTriggersMock).toHaveBeenCalledTimes(2);
            expect(table<{ id: string }>(element, '.triggers-table').data.map((row) => row.id)).toEqual([
                TRIGGERS[1].id
            ]);
            expect($(element, '.working-spinner')).toBeNull();
        });

        it('asks for nothing while another trigger action runs', async () => {
            let finish: (value: unknown) => void = () => undefined;
            setTriggerActiveMock.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = await mount();

            await rowAction(element, '.triggers-table', 'deactivate', TRIGGERS[1]);
            await rowAction(element, '.triggers-table', 'bulk', TRIGGERS[0]);
            finish({ ...TRIGGERS[1], active: false });
            await flushPromises();

            expect(confirmMock).not.toHaveBeenCalled();
            expect(bulkExalateMock).not.toHaveBeenCalled();
        });

        it('reads the triggers again on refresh, to show a Bulk Exalate that has finished', async () => {
            const element = await mount(ACTIVE, [{ ...TRIGGERS[0], bulkRequested: REQUESTED }]);
            listTriggersMock.mockResolvedValue([
                {
                    ...TRIGGERS[0],
                    bulkRequested: REQUESTED,
                    bulkCompleted: COMPLETED,
                    bulkResult: '3 Cases brought under sync'
                }
            ]);

            click(element, '.triggers-refresh');
            await flushPromises();

            expect(listTriggersMock).toHaveBeenCalledTimes(2);
            expect(bulkTexts(element)).toEqual([`${formatDateTime(new Date(COMPLETED))}: 3 Cases brought under sync`]);
        });
    });

    describe('sync queue tab', () => {
        it('loads the queue when its tab is opened, and again on refresh', async () => {
            listQueueMock.mockResolvedValue(QUEUE);
            const element = await mount();
            expect(listQueueMock).not.toHaveBeenCalled();

            await activateTab(element, '.queue-tab');

            expect(listQueueMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID, limitSize: 100 });
            const queue = table<Record<string, unknown>>(element, '.queue-table');
            expect(queue.data.map((row) => row.name)).toEqual(['EV-00000012']);
            expect(queue.columns.map((column) => column.fieldName)).toEqual([
                'name',
                'caseNumber',
                'directionText',
                'stageText',
                'attempts',
                'nextAttempt',
                'createdDate'
            ]);
            // What the row shows for its direction and stage comes from labels.
            expect([queue.data[0].directionText, queue.data[0].stageText]).toEqual(['Outgoing', 'Waiting for remote']);

            click(element, '.queue-refresh');
            await flushPromises();
            expect(listQueueMock).toHaveBeenCalledTimes(2);
        });

        it('names an incoming change as such', async () => {
            listQueueMock.mockResolvedValue([{ ...QUEUE[0], direction: 'Incoming', stage: 'Finalizing' }]);
            const element = await mount();

            await activateTab(element, '.queue-tab');

            const queue = table<Record<string, unknown>>(element, '.queue-table');
            expect([queue.data[0].directionText, queue.data[0].stageText]).toEqual(['Incoming', 'Finalizing']);
        });

        it('says so when nothing is waiting', async () => {
            listQueueMock.mockResolvedValue([]);
            const element = await mount();

            await activateTab(element, '.queue-tab');

            expect(text(element, '.queue-empty')).toBe('Nothing is waiting to sync on this connection.');
            expect($(element, '.queue-table')).toBeNull();
        });

        it('shows the Apex error when the queue cannot be loaded', async () => {
            listQueueMock.mockRejectedValue(ADMIN_ERROR);
            const element = await mount();

            await activateTab(element, '.queue-tab');

            expect(text(element, '.queue-error')).toBe('You need the Exalate Admin permission set to do this.');
            expect($(element, '.queue-empty')).toBeNull();
        });
    });

    describe('errors tab', () => {
        it('lists the failed syncs with their cause, time, Case number and attempts', async () => {
            listErrorsMock.mockResolvedValue(FAILED);
            const element = await mount();

            await activateTab(element, '.errors-tab');

            expect(listErrorsMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID, limitSize: 100 });
            const errors = table<{ error: string; failedAt: string }>(element, '.errors-table');
            expect(errors.data.map((row) => [row.error, row.failedAt])).toEqual([
                ['The remote node answered 503 Service Unavailable.', '2026-01-02T09:10:00.000Z'],
                ['Case 00001029 could not be updated: FIELD_CUSTOM_VALIDATION_EXCEPTION', '2026-01-02T08:00:00.000Z']
            ]);
            expect(errors.columns.map((column) => column.fieldName ?? column.type)).toEqual([
                'error',
                'failedAt',
                'caseNumber',
                'attempts',
                'name',
                'action'
            ]);
            expect(errors.columns[5].typeAttributes!.rowActions).toEqual([{ label: 'Retry', name: 'retry' }]);
        });

        it('retries a failed sync, toasts, and refreshes the errors and the opened queue', async () => {
            listErrorsMock.mockResolvedValueOnce(FAILED).mockResolvedValueOnce([FAILED[1]]);
            listQueueMock.mockResolvedValue([]);
            retryEventMock.mockResolvedValue({ ...FAILED[0], stage: 'Preparing' });
            const element = await mount();
            const toasts = collectToasts(element);
            await activateTab(element, '.queue-tab');
            await activateTab(element, '.errors-tab');

            await rowAction(element, '.errors-table', 'retry', FAILED[0]);

            expect(retryEventMock).toHaveBeenCalledWith({ eventId: FAILED[0].id });
            expect(toasts).toEqual([{ message: 'EV-00000013 is back in the sync queue.', variant: 'success' }]);
            expect(listErrorsMock).toHaveBeenCalledTimes(2);
            expect(listQueueMock).toHaveBeenCalledTimes(2);
            expect(table<{ id: string }>(element, '.errors-table').data.map((row) => row.id)).toEqual([FAILED[1].id]);
        });

        it('shows the Apex error in a toast when a retry fails, and refreshes the errors', async () => {
            listErrorsMock.mockResolvedValue(FAILED);
            retryEventMock.mockRejectedValue({ body: { message: 'Only failed events can be retried.' } });
            const element = await mount();
            const toasts = collectToasts(element);
            await activateTab(element, '.errors-tab');

            await rowAction(element, '.errors-table', 'retry', FAILED[0]);

            expect(toasts).toEqual([
                {
                    title: 'EV-00000013 could not be retried',
                    message: 'Only failed events can be retried.',
                    variant: 'error'
                }
            ]);
            expect(listErrorsMock).toHaveBeenCalledTimes(2);
            expect(listQueueMock).not.toHaveBeenCalled();
        });

        it('ignores other row actions', async () => {
            listErrorsMock.mockResolvedValue(FAILED);
            const element = await mount();
            await activateTab(element, '.errors-tab');

            await rowAction(element, '.errors-table', 'archive', FAILED[0]);

            expect(retryEventMock).not.toHaveBeenCalled();
            expect(listErrorsMock).toHaveBeenCalledTimes(1);
        });

        it('says so when nothing failed, and refreshes on demand', async () => {
            listErrorsMock.mockResolvedValue([]);
            const element = await mount();

            await activateTab(element, '.errors-tab');
            click(element, '.errors-refresh');
            await flushPromises();

            expect(text(element, '.errors-empty')).toBe('No failed syncs on this connection.');
            expect(listErrorsMock).toHaveBeenCalledTimes(2);
        });

        it('shows the Apex error when the errors cannot be loaded', async () => {
            listErrorsMock.mockRejectedValue(ADMIN_ERROR);
            const element = await mount();

            await activateTab(element, '.errors-tab');

            expect(text(element, '.errors-error')).toBe('You need the Exalate Admin permission set to do this.');
            expect($(element, '.errors-table')).toBeNull();
        });
    });

    describe('entity sync status tab', () => {
        async function find(element: HTMLElement, ref: string): Promise<void> {
            await change(element, '.case-ref-input', { value: ref });
            click(element, '.find-button');
            await flushPromises();
        }

        it('shows the twin of a Case under sync: remote link, status, last sync and last error', async () => {
            entityMock.mockResolvedValue(TWIN);
            const element = await mount();

            await find(element, ' 00001027 ');

            expect(entityMock).toHaveBeenCalledWith({ connectionId: CONNECTION_ID, caseRef: '00001027' });
            expect(text(element, '.entity-case')).toBe('00001027');
            expect(text(element, '.entity-connection')).toBe('SalesforceA_to_ServiceNowB');
            const link = $(element, '.entity-remote lightning-formatted-url') as unknown as {
                value: string;
                label: string;
            };
            expect([link.label, link.value]).toEqual([
                'INC0010001',
                'https://servicenow-b.example.com/incident.do?sys_id=1'
            ]);
            expect(text(element, '.entity-status')).toBe('Synchronized');
            expect(text(element, '.entity-latest-event')).toBe('Synchronized');
            expect(
                ($(element, '.entity-last-synced lightning-formatted-date-time') as unknown as { value: string }).value
            ).toBe('2026-01-02T10:00:00.000Z');
            expect(text(element, '.entity-last-error')).toBe('The remote node answered 503 Service Unavailable.');
            expect($(element, '.entity-result')!.getAttribute('aria-live')).toBe('polite');
            await expect(element).toBeAccessible();
        });

        it('says what is not there yet for a Case that has not synced', async () => {
            entityMock.mockResolvedValue({
                twinId: TWIN.twinId,
                caseId: TWIN.caseId,
                connectionId: CONNECTION_ID,
                connectionName: TWIN.connectionName,
                status: 'Preparing'
            });
            const element = await mount();

            await find(element, TWIN.caseId);

            expect(text(element, '.entity-case')).toBe(TWIN.caseId);
            expect(text(element, '.entity-remote')).toBe('Not created on the remote side yet');
            expect($(element, '.entity-remote lightning-formatted-url')).toBeNull();
            expect(text(element, '.entity-last-synced')).toBe('Never');
            expect(text(element, '.entity-last-error')).toBe('None');
            expect(text(element, '.entity-latest-event')).toBe('');
        });

        it('links the remote URL even before the remote key is known, and shows an empty status', async () => {
            entityMock.mockResolvedValue({ ...TWIN, remoteKey: undefined, status: undefined });
            const element = await mount();

            await find(element, '00001027');

            const link = $(element, '.entity-remote lightning-formatted-url') as unknown as { label: string };
            expect(link.label).toBe('https://servicenow-b.example.com/incident.do?sys_id=1');
            expect(text(element, '.entity-status')).toBe('');
        });

        it('looks the Case up when Enter is pressed in the field', async () => {
            entityMock.mockResolvedValue(TWIN);
            const element = await mount();
            await change(element, '.case-ref-input', { value: '00001027' });

            $(element, '.case-ref-input')!.dispatchEvent(new KeyboardEvent('keyup', { key: 'a' }));
            await flushPromises();
            expect(entityMock).not.toHaveBeenCalled();
            $(element, '.case-ref-input')!.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter' }));
            await flushPromises();

            expect(entityMock).toHaveBeenCalledTimes(1);
            expect($(element, '.entity-details')).not.toBeNull();
        });

        it('says so when the Case is not under sync on this connection', async () => {
            entityMock.mockResolvedValue(null);
            const element = await mount();

            await find(element, '00001030');

            expect(text(element, '.entity-not-under-sync')).toBe('Case 00001030 is not under sync on this connection.');
            expect($(element, '.entity-details')).toBeNull();
        });

        it('shows the Apex message for an unknown Case', async () => {
            entityMock.mockRejectedValue({
                body: { message: 'No Case with number 99999999 was found, or you do not have access to it.' }
            });
            const element = await mount();

            await find(element, '99999999');

            const error = $(element, '.entity-error')!;
            expect(error.getAttribute('role')).toBe('alert');
            expect(error.textContent.trim()).toBe(
                'No Case with number 99999999 was found, or you do not have access to it.'
            );
            expect($(element, '.entity-not-under-sync')).toBeNull();
        });

        it('asks for a Case number without calling Apex when the field is blank', async () => {
            const element = await mount();

            await find(element, '   ');

            expect(entityMock).not.toHaveBeenCalled();
            expect(text(element, '.entity-error')).toBe('Enter a Case number, such as 00001027, or a Case id.');
        });

        it('replaces the previous result with the next lookup', async () => {
            entityMock.mockResolvedValueOnce(TWIN).mockResolvedValueOnce(null);
            const element = await mount();

            await find(element, '00001027');
            await find(element, '00001031');

            expect($(element, '.entity-details')).toBeNull();
            expect(text(element, '.entity-not-under-sync')).toBe('Case 00001031 is not under sync on this connection.');
        });
    });

    describe('accessibility', () => {
        it('is accessible with details, triggers, queue and errors', async () => {
            listQueueMock.mockResolvedValue(QUEUE);
            listErrorsMock.mockResolvedValue(FAILED);
            const element = await mount();
            await activateTab(element, '.queue-tab');
            await activateTab(element, '.errors-tab');

            await expect(element).toBeAccessible();
        });

        it('is accessible with Bulk Exalate running on one trigger and finished on another', async () => {
            const element = await mount(ACTIVE, [
                { ...TRIGGERS[0], bulkRequested: '2026-01-05T09:30:00.000Z' },
                {
                    ...TRIGGERS[1],
                    bulkRequested: '2026-01-04T09:30:00.000Z',
                    bulkCompleted: '2026-01-04T09:42:00.000Z',
                    bulkResult: '1,000 Cases brought under sync'
                }
            ]);

            await expect(element).toBeAccessible();
        });

        it('is accessible with the trigger form open', async () => {
            const element = await mount();
            click(element, '.new-trigger-button');
            await flushPromises();

            await expect(element).toBeAccessible();
        });

        it('is accessible for a Pending connection and for one in Error', async () => {
            const pending = await mount(PENDING, []);
            await expect(pending).toBeAccessible();
            document.body.removeChild(pending);

            const inError = await mount(IN_ERROR, []);
            await expect(inError).toBeAccessible();
        });
    });
});
