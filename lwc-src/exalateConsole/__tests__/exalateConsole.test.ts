import { createElement } from 'lwc';
import ExalateConsole from 'c/exalateConsole';
import listConnections from '@salesforce/apex/ConnectionController.listConnections';

jest.mock('@salesforce/apex/ConnectionController.listConnections', () => ({ default: jest.fn() }), {
    virtual: true
});

const listConnectionsMock = listConnections as unknown as jest.Mock;

const CONNECTIONS = [
    {
        id: 'a00000000000001AAA',
        name: 'SalesforceA_to_ServiceNowB',
        localInstanceName: 'SalesforceA',
        remoteInstanceName: 'ServiceNowB',
        remotePlatform: 'ServiceNow',
        type: 'Public',
        mode: 'Basic',
        status: 'Active',
        syncedCaseCount: 12
    },
    {
        id: 'a00000000000002AAA',
        name: 'SalesforceA_to_PartnerOrg',
        localInstanceName: 'SalesforceA',
        remoteInstanceName: 'PartnerOrg',
        type: 'Private',
        mode: 'Basic',
        status: 'Pending'
    }
];

async function flushPromises(): Promise<void> {
    for (let i = 0; i < 5; i++) {
        await Promise.resolve();
    }
}

function mount(): HTMLElement {
    const element = createElement('c-exalate-console', { is: ExalateConsole });
    document.body.appendChild(element);
    return element;
}

describe('c-exalate-console', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('lists the connections with their remote side, status and number of Cases under sync', async () => {
        listConnectionsMock.mockResolvedValue(CONNECTIONS);
        const element = mount();
        await flushPromises();

        const table = element.shadowRoot!.querySelector('lightning-datatable') as unknown as {
            data: Record<string, unknown>[];
            columns: { fieldName: string }[];
        };
        expect(table).not.toBeNull();
        expect(table.data.map((row) => [row.name, row.remote, row.status, row.cases])).toEqual([
            ['SalesforceA_to_ServiceNowB', 'ServiceNowB (ServiceNow)', 'Active', 12],
            ['SalesforceA_to_PartnerOrg', 'PartnerOrg', 'Pending', 0]
        ]);
        expect(table.columns.map((column) => column.fieldName)).toEqual([
            'name',
            'remote',
            'type',
            'mode',
            'status',
            'cases'
        ]);
        expect(element.shadowRoot!.querySelector('.empty-state')).toBeNull();
        expect(element.shadowRoot!.querySelector('lightning-spinner')).toBeNull();
    });

    it('explains what a connection is when there is none yet', async () => {
        listConnectionsMock.mockResolvedValue([]);
        const element = mount();
        await flushPromises();

        expect(element.shadowRoot!.querySelector('.empty-state')!.textContent).toContain('No connections yet');
        expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();
    });

    it('shows the Apex error message when the connections cannot be loaded', async () => {
        listConnectionsMock.mockRejectedValue({
            body: { message: 'You need the Exalate Admin permission set to do this.' }
        });
        const element = mount();
        await flushPromises();

        const alert = element.shadowRoot!.querySelector('.load-error');
        expect(alert!.textContent).toBe('You need the Exalate Admin permission set to do this.');
        expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();
        expect(element.shadowRoot!.querySelector('.empty-state')).toBeNull();
    });

    it('loads the connections again on refresh', async () => {
        listConnectionsMock.mockResolvedValueOnce([]).mockResolvedValueOnce(CONNECTIONS);
        const element = mount();
        await flushPromises();
        expect(element.shadowRoot!.querySelector('lightning-datatable')).toBeNull();

        (element.shadowRoot!.querySelector('lightning-button-icon') as HTMLElement).click();
        await flushPromises();

        expect(listConnectionsMock).toHaveBeenCalledTimes(2);
        expect(element.shadowRoot!.querySelector('lightning-datatable')).not.toBeNull();
    });

    it('is accessible', async () => {
        listConnectionsMock.mockResolvedValue(CONNECTIONS);
        const element = mount();
        await flushPromises();

        await expect(element).toBeAccessible();
    });
});
