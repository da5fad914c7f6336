import { createElement } from 'lwc';
import ExalateConsole from 'c/exalateConsole';
import LightningConfirm from 'lightning/confirm';
import { CurrentPageReference } from 'lightning/navigation';
import listConnections from '@salesforce/apex/ConnectionController.listConnections';
import activateConnection from '@salesforce/apex/ConnectionController.activateConnection';
import deactivateConnection from '@salesforce/apex/ConnectionController.deactivateConnection';
import deleteConnection from '@salesforce/apex/ConnectionController.deleteConnection';
import getConnection from '@salesforce/apex/ConnectionController.getConnection';

jest.mock('@salesforce/apex/ConnectionController.listConnections', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.activateConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.deactivateConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/ConnectionController.deleteConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
// The connection page and the wizards are rendered as children: their Apex answers quietly.
jest.mock('@salesforce/apex/ConnectionController.getConnection', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock(
    '@salesforce/apex/ConnectionController.getConsoleContext',
    () => ({
        default: jest.fn(() =>
            Promise.resolve({
                orgDomainUrl: 'https://example.my.salesforce.com',
                namespacePrefix: '',
                suggestedInstanceName: 'SalesforceA'
            })
        )
    }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/SyncQueueController.listTriggers',
    () => ({ default: jest.fn(() => Promise.resolve([])) }),
    {
        virtual: true
    }
);
jest.mock('lightning/confirm', () => ({ __esModule: true, default: { open: jest.fn() } }));

const listConnectionsMock = listConnections as unknown as jest.Mock;
const activateMock = activateConnection as unknown as jest.Mock;
const deactivateMock = deactivateConnection as unknown as jest.Mock;
const deleteMock = deleteConnection as unknown as jest.Mock;
const getConnectionMock = getConnection as unknown as jest.Mock;
const confirmMock = (LightningConfirm as unknown as { open: jest.Mock }).open;
const pageReference = CurrentPageReference as unknown as { emit(value: unknown): void };

interface Row {
    id: string;
    name: string;
    status: string;
    cases: number;
    remote: string;
    statusClass: string;
    statusIcon: string;
}

interface Column {
    fieldName?: string;
    type: string;
    typeAttributes?: { rowActions?: (row: Row, done: (actions: { name: string }[]) => void) => void };
}

interface Toast {
    title?: string;
    message: string;
    variant: string;
}

const ACTIVE = {
    id: 'a00000000000001AAA',
    name: 'SalesforceA_to_ServiceNowB',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'ServiceNowB',
    remotePlatform: 'ServiceNow',
    type: 'Public',
    mode: 'Basic',
    status: 'Active',
    syncedCaseCount: 12
};
const PENDING = {
    id: 'a00000000000002AAA',
    name: 'SalesforceA_to_PartnerOrg',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'PartnerOrg',
    type: 'Private',
    mode: 'Basic',
    status: 'Pending'
};
const DEACTIVATED = {
    id: 'a00000000000003AAA',
    name: 'SalesforceA_to_Local',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'SalesforceB',
    remotePlatform: 'Salesforce',
    type: 'Local',
    mode: 'Basic',
    status: 'Deactivated',
    syncedCaseCount: 1
};
const IN_ERROR = {
    id: 'a00000000000004AAA',
    name: 'SalesforceA_to_Broken',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'Broken',
    remotePlatform: 'ServiceNow',
    type: 'Public',
    mode: 'Basic',
    status: 'Error',
    statusDetail: 'The remote node answered 401.',
    syncedCaseCount: 0
};
const CONNECTIONS = [ACTIVE, PENDING, DEACTIVATED, IN_ERROR];
const ADMIN_ERROR = { body: { message: 'You need the Exalate Admin permission set to do this.' } };

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 8; i++) {
        await Promise.resolve();
    }
}

function mount(): HTMLElement {
    const element = createElement('c-exalate-console', { is: ExalateConsole });
    document.body.appendChild(element);
    return element;
}

function collectToasts(element: HTMLElement): Toast[] {
    const toasts: Toast[] = [];
    element.addEventListener('lightning__showtoast', (event) => {
        toasts.push((event as CustomEvent<Toast>).detail);
    });
    return toasts;
}

function table(element: HTMLElement): { data: Row[]; columns: Column[] } {
    return element.shadowRoot!.querySelector('lightning-datatable') as unknown as { data: Row[]; columns: Column[] };
}

function rowOf(element: HTMLElement, id: string): Row {
    return table(element).data.find((row) => row.id === id)!;
}

async function rowAction(element: HTMLElement, name: string, id: string): Promise<void> {
    const row = rowOf(element, id);
    element
        .shadowRoot!.querySelector('lightning-datatable')!
        .dispatchEvent(new CustomEvent('rowaction', { detail: { action: { name }, row } }));
    await flushPromises();
}

function click(element: HTMLElement, selector: string): void {
    (element.shadowRoot!.querySelector(selector) as HTMLElement).click();
}

function child(element: HTMLElement, tag: string): HTMLElement | null {
    return element.shadowRoot!.querySelector(tag);
}

describe('c-exalate-console', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    describe('connections list', () => {
        it('lists the connections with their remote side, status and number of Cases under sync', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            const { data, columns } = table(element);
            expect(data.map((row) => [row.name, row.remote, row.status, row.cases])).toEqual([
                ['SalesforceA_to_ServiceNowB', 'ServiceNowB (ServiceNow)', 'Active', 12],
                ['SalesforceA_to_PartnerOrg', 'PartnerOrg', 'Pending', 0],
                ['SalesforceA_to_Local', 'SalesforceB (Salesforce)', 'Deactivated', 1],
                ['SalesforceA_to_Broken', 'Broken (ServiceNow)', 'Error', 0]
            ]);
            expect(columns.map((column) => column.fieldName ?? column.type)).toEqual([
                'name',
                'remote',
                'type',
                'mode',
                'status',
                'cases',
                'action'
            ]);
            expect(element.shadowRoot!.querySelector('.empty-state')).toBeNull();
            expect(element.shadowRoot!.querySelector('lightning-spinner')).toBeNull();
        });

        it('styles each status like a badge: a colour and an icon per status', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            expect(table(element).data.map((row) => [row.status, row.statusClass, row.statusIcon])).toEqual([
                ['Active', 'slds-text-color_success', 'utility:success'],
                ['Pending', 'slds-text-color_weak', 'utility:clock'],
                ['Deactivated', 'slds-text-color_weak', 'utility:ban'],
                ['Error', 'slds-text-color_error', 'utility:error']
            ]);
        });

        it('offers only the row actions that apply to each status', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            const { data, columns } = table(element);
            const rowActions = columns.find((column) => column.type === 'action')!.typeAttributes!.rowActions!;
            const actionsByStatus = data.map((row) => {
                const done = jest.fn();
                rowActions(row, done);
                const actions = done.mock.calls[0][0] as { name: string; label: string }[];
                return [row.status, actions.map((action) => action.label)];
            });
            expect(actionsByStatus).toEqual([
                ['Active', ['View', 'Deactivate', 'Delete']],
                ['Pending', ['View', 'Delete']],
                ['Deactivated', ['View', 'Activate', 'Delete']],
                ['Error', ['View', 'Activate', 'Deactivate', 'Delete']]
            ]);
        });

        it('shows the header buttons Initiate connection and Accept invitation', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            const initiate = element.shadowRoot!.querySelector('.initiate-button') as unknown as { label: string };
            const accept = element.shadowRoot!.querySelector('.accept-button') as unknown as { label: string };
            expect(initiate.label).toBe('Initiate connection');
            expect(accept.label).toBe('Accept invitation');
        });

        it('explains what a connection is and offers both entry points when there is none yet', async () => {
            listConnectionsMock.mockResolvedValue([]);
            const element = mount();
            await flushPromises();

            const empty = element.shadowRoot!.querySelector('.empty-state')!;
            expect(empty.textContent).toContain('No connections yet');
            expect(empty.textContent).toContain('Start here if nobody has invited you yet');
            expect(empty.textContent).toContain(
                'Start here if the admin of the other side sent you an invitation code'
            );
            expect((empty.querySelector('.empty-initiate-button') as unknown as { label: string }).label).toBe(
                'Initiate connection'
            );
            expect((empty.querySelector('.empty-accept-button') as unknown as { label: string }).label).toBe(
                'Accept invitation'
            );
            expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();
        });

        it('shows the Apex error message when the connections cannot be loaded', async () => {
            listConnectionsMock.mockRejectedValue(ADMIN_ERROR);
            const element = mount();
            await flushPromises();

            const alert = element.shadowRoot!.querySelector('.load-error')!;
            expect(alert.getAttribute('role')).toBe('alert');
            expect(alert.textContent).toBe('You need the Exalate Admin permission set to do this.');
            expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();
            expect(element.shadowRoot!.querySelector('.empty-state')).toBeNull();
        });

        it('loads the connections again on refresh', async () => {
            listConnectionsMock.mockResolvedValueOnce([]).mockResolvedValueOnce(CONNECTIONS);
            const element = mount();
            await flushPromises();
            expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();

            click(element, '.refresh-button');
            await flushPromises();

            expect(listConnectionsMock).toHaveBeenCalledTimes(2);
            expect(element.shadowRoot!.querySelector('lightning-datatable')).not.toBeNull();
        });
    });

    describe('row actions', () => {
        it('activates a connection, shows its new status and confirms it in a toast', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            activateMock.mockResolvedValue({ ...DEACTIVATED, status: 'Active' });
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'activate', DEACTIVATED.id);

            expect(activateMock).toHaveBeenCalledWith({ connectionId: DEACTIVATED.id });
            expect(rowOf(element, DEACTIVATED.id).status).toBe('Active');
            expect(rowOf(element, DEACTIVATED.id).statusClass).toBe('slds-text-color_success');
            expect(toasts).toEqual([{ message: 'Connection SalesforceA_to_Local is active.', variant: 'success' }]);
            expect(element.shadowRoot!.querySelector('.working-spinner')).toBeNull();
        });

        it('shows the Apex error in a toast when activating fails, and leaves the row as it was', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            activateMock.mockRejectedValue({
                body: {
                    message:
                        'Connection SalesforceA_to_PartnerOrg is waiting for the other side to accept the invitation.'
                }
            });
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'activate', PENDING.id);

            expect(toasts).toEqual([
                {
                    title: 'Connection SalesforceA_to_PartnerOrg could not be activated',
                    message:
                        'Connection SalesforceA_to_PartnerOrg is waiting for the other side to accept the invitation.',
                    variant: 'error'
                }
            ]);
            expect(rowOf(element, PENDING.id).status).toBe('Pending');
        });

        it('deactivates a connection and confirms it in a toast', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            deactivateMock.mockResolvedValue({ ...ACTIVE, status: 'Deactivated' });
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'deactivate', ACTIVE.id);

            expect(deactivateMock).toHaveBeenCalledWith({ connectionId: ACTIVE.id });
            expect(rowOf(element, ACTIVE.id).status).toBe('Deactivated');
            expect(toasts).toEqual([
                {
                    message:
                        'Connection SalesforceA_to_ServiceNowB is deactivated. Nothing syncs on it until you activate it again.',
                    variant: 'success'
                }
            ]);
        });

        it('shows the Apex error in a toast when deactivating fails', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            deactivateMock.mockRejectedValue({ body: { message: 'This connection no longer exists.' } });
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'deactivate', ACTIVE.id);

            expect(toasts).toEqual([
                {
                    title: 'Connection SalesforceA_to_ServiceNowB could not be deactivated',
                    message: 'This connection no longer exists.',
                    variant: 'error'
                }
            ]);
            expect(rowOf(element, ACTIVE.id).status).toBe('Active');
        });

        it('asks before deleting, saying what happens to the Cases under sync, then deletes', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            confirmMock.mockResolvedValue(true);
            deleteMock.mockResolvedValue(undefined);
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'delete', ACTIVE.id);

            expect(confirmMock).toHaveBeenCalledWith(
                expect.objectContaining({
                    label: 'Delete connection',
                    message:
                        'Delete connection SalesforceA_to_ServiceNowB? The 12 Cases under sync stay in both systems but stop syncing; the other side is told.'
                })
            );
            expect(deleteMock).toHaveBeenCalledWith({ connectionId: ACTIVE.id });
            expect(table(element).data.map((row) => row.id)).toEqual([PENDING.id, DEACTIVATED.id, IN_ERROR.id]);
            expect(toasts).toEqual([
                { message: 'Connection SalesforceA_to_ServiceNowB was deleted.', variant: 'success' }
            ]);
        });

        it('words the delete confirmation for one Case and for none', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            confirmMock.mockResolvedValue(false);
            const element = mount();
            await flushPromises();

            await rowAction(element, 'delete', DEACTIVATED.id);
            await rowAction(element, 'delete', PENDING.id);

            expect(confirmMock.mock.calls.map((call) => (call[0] as { message: string }).message)).toEqual([
                'Delete connection SalesforceA_to_Local? The 1 Case under sync stays in both systems but stops syncing; the other side is told.',
                'Delete connection SalesforceA_to_PartnerOrg? No Cases are under sync on it; the other side is told.'
            ]);
        });

        it('deletes nothing when the admin cancels the confirmation', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            confirmMock.mockResolvedValue(false);
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'delete', ACTIVE.id);

            expect(deleteMock).not.toHaveBeenCalled();
            expect(table(element).data).toHaveLength(4);
            expect(toasts).toEqual([]);
        });

        it('shows the Apex error in a toast when deleting fails, and keeps the row', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            confirmMock.mockResolvedValue(true);
            deleteMock.mockRejectedValue({ body: { message: 'This connection no longer exists.' } });
            const element = mount();
            const toasts = collectToasts(element);
            await flushPromises();

            await rowAction(element, 'delete', ACTIVE.id);

            expect(toasts).toEqual([
                {
                    title: 'Connection SalesforceA_to_ServiceNowB could not be deleted',
                    message: 'This connection no longer exists.',
                    variant: 'error'
                }
            ]);
            expect(table(element).data).toHaveLength(4);
        });

        it('runs one action at a time', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            let finish: (value: unknown) => void = () => undefined;
            activateMock.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = mount();
            await flushPromises();

            await rowAction(element, 'activate', DEACTIVATED.id);
            expect(element.shadowRoot!.querySelector('.working-spinner')).not.toBeNull();
            await rowAction(element, 'deactivate', ACTIVE.id);
            await rowAction(element, 'delete', ACTIVE.id);
            finish({ ...DEACTIVATED, status: 'Active' });
            await flushPromises();

            expect(deactivateMock).not.toHaveBeenCalled();
            expect(confirmMock).not.toHaveBeenCalled();
            expect(element.shadowRoot!.querySelector('.working-spinner')).toBeNull();
        });

        it('keeps the row when Apex answers an activation without a connection', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            activateMock.mockResolvedValue(undefined);
            const element = mount();
            await flushPromises();

            await rowAction(element, 'activate', IN_ERROR.id);

            expect(rowOf(element, IN_ERROR.id).status).toBe('Error');
        });

        it('ignores an unknown row action', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            await rowAction(element, 'archive', ACTIVE.id);

            expect(activateMock).not.toHaveBeenCalled();
            expect(deactivateMock).not.toHaveBeenCalled();
            expect(confirmMock).not.toHaveBeenCalled();
            expect(table(element)).not.toBeNull();
        });
    });

    describe('router', () => {
        it('opens the connection page from View, and comes back to a reloaded list on back', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            getConnectionMock.mockResolvedValue(ACTIVE);
            const element = mount();
            await flushPromises();

            await rowAction(element, 'view', ACTIVE.id);

            const page = child(element, 'c-exalate-connection-page') as unknown as HTMLElement & {
                connectionId: string;
            };
            expect(page.connectionId).toBe(ACTIVE.id);
            expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();

            page.dispatchEvent(new CustomEvent('back'));
            await flushPromises();

            expect(child(element, 'c-exalate-connection-page')).toBeNull();
            expect(table(element)).not.toBeNull();
            expect(listConnectionsMock).toHaveBeenCalledTimes(2);
        });

        it('comes back to a reloaded list when the connection was deleted on its page', async () => {
            listConnectionsMock.mockResolvedValueOnce(CONNECTIONS).mockResolvedValueOnce([PENDING]);
            getConnectionMock.mockResolvedValue(ACTIVE);
            const element = mount();
            await flushPromises();
            await rowAction(element, 'view', ACTIVE.id);

            child(element, 'c-exalate-connection-page')!.dispatchEvent(
                new CustomEvent('deleted', { detail: { connectionId: ACTIVE.id } })
            );
            await flushPromises();

            expect(child(element, 'c-exalate-connection-page')).toBeNull();
            expect(table(element).data.map((row) => row.id)).toEqual([PENDING.id]);
        });

        it('opens the initiate wizard from the header, and cancel goes back to the list', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            click(element, '.initiate-button');
            await flushPromises();

            const wizard = child(element, 'c-exalate-initiate-wizard')!;
            expect(wizard).not.toBeNull();
            expect(element.shadowRoot!.querySelector('lightning-card')).toBeNull();

            wizard.dispatchEvent(new CustomEvent('cancel'));
            await flushPromises();

            expect(child(element, 'c-exalate-initiate-wizard')).toBeNull();
            expect(table(element)).not.toBeNull();
            expect(listConnectionsMock).toHaveBeenCalledTimes(1);
        });

        it('after the initiate wizard is done, shows the list again with the new Pending connection', async () => {
            const created = { ...PENDING, id: 'a00000000000009AAA', name: 'SalesforceA_to_New' };
            listConnectionsMock.mockResolvedValueOnce([]).mockResolvedValueOnce([created]);
            const element = mount();
            await flushPromises();

            click(element, '.empty-initiate-button');
            await flushPromises();
            child(element, 'c-exalate-initiate-wizard')!.dispatchEvent(
                new CustomEvent('done', { detail: { connectionId: created.id } })
            );
            await flushPromises();

            expect(child(element, 'c-exalate-initiate-wizard')).toBeNull();
            expect(table(element).data.map((row) => [row.name, row.status])).toEqual([
                ['SalesforceA_to_New', 'Pending']
            ]);
        });

        it('opens the accept wizard without a code from the header, and reloads the list when it is done', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            click(element, '.accept-button');
            await flushPromises();

            const wizard = child(element, 'c-exalate-accept-wizard') as unknown as HTMLElement & {
                initialCode?: string;
                existingConnections: { id: string; invitationId?: string }[];
            };
            expect(wizard).not.toBeNull();
            expect(wizard.initialCode).toBeFalsy();
            // The wizard explains a code that one of these connections already used, before Confirm.
            expect(wizard.existingConnections.map((connection) => connection.id)).toEqual(
                CONNECTIONS.map((connection) => connection.id)
            );

            wizard.dispatchEvent(new CustomEvent('done', { detail: { connectionId: 'a00000000000009AAA' } }));
            await flushPromises();

            expect(child(element, 'c-exalate-accept-wizard')).toBeNull();
            expect(listConnectionsMock).toHaveBeenCalledTimes(2);
        });

        it('opens the accept wizard from the empty state, and cancel goes back to the empty state', async () => {
            listConnectionsMock.mockResolvedValue([]);
            const element = mount();
            await flushPromises();

            click(element, '.empty-accept-button');
            await flushPromises();
            child(element, 'c-exalate-accept-wizard')!.dispatchEvent(new CustomEvent('cancel'));
            await flushPromises();

            expect(child(element, 'c-exalate-accept-wizard')).toBeNull();
            expect(element.shadowRoot!.querySelector('.empty-state')).not.toBeNull();
        });
    });

    describe('c__invitation URL parameter', () => {
        it('opens the accept wizard with the invitation code from the URL', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            pageReference.emit({
                type: 'standard__navItemPage',
                attributes: { apiName: 'Exalate_Console' },
                state: { c__invitation: ' EXA1-abc-12345678 ' }
            });
            await flushPromises();

            const wizard = child(element, 'c-exalate-accept-wizard') as unknown as { initialCode?: string };
            expect(wizard).not.toBeNull();
            expect(wizard.initialCode).toBe('EXA1-abc-12345678');
        });

        it('opens the wizard once per code: the same page reference again leaves the list alone', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            const reference = { type: 'standard__navItemPage', state: { c__invitation: 'EXA1-abc-12345678' } };
            pageReference.emit(reference);
            await flushPromises();
            child(element, 'c-exalate-accept-wizard')!.dispatchEvent(new CustomEvent('cancel'));
            await flushPromises();

            pageReference.emit({ ...reference });
            await flushPromises();
            expect(child(element, 'c-exalate-accept-wizard')).toBeNull();

            pageReference.emit({ type: 'standard__navItemPage', state: { c__invitation: 'EXA1-def-87654321' } });
            await flushPromises();
            const wizard = child(element, 'c-exalate-accept-wizard') as unknown as { initialCode?: string };
            expect(wizard.initialCode).toBe('EXA1-def-87654321');
        });

        it('stays on the list without the parameter, or with a blank one', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            pageReference.emit({ type: 'standard__navItemPage', attributes: { apiName: 'Exalate_Console' } });
            await flushPromises();
            pageReference.emit({ type: 'standard__navItemPage', state: { c__invitation: '   ' } });
            await flushPromises();
            pageReference.emit(undefined);
            await flushPromises();

            expect(child(element, 'c-exalate-accept-wizard')).toBeNull();
            expect(table(element)).not.toBeNull();
        });
    });

    describe('accessibility', () => {
        it('is accessible with connections', async () => {
            listConnectionsMock.mockResolvedValue(CONNECTIONS);
            const element = mount();
            await flushPromises();

            await expect(element).toBeAccessible();
        });

        it('is accessible in the empty state', async () => {
            listConnectionsMock.mockResolvedValue([]);
            const element = mount();
            await flushPromises();

            await expect(element).toBeAccessible();
        });

        it('is accessible with a load error', async () => {
            listConnectionsMock.mockRejectedValue(ADMIN_ERROR);
            const element = mount();
            await flushPromises();

            await expect(element).toBeAccessible();
        });
    });
});
