import { LightningElement, wire } from 'lwc';
import { CurrentPageReference } from 'lightning/navigation';
import type { PageReference } from 'lightning/navigation';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LightningConfirm from 'lightning/confirm';
import listConnections from '@salesforce/apex/ConnectionController.listConnections';
import activateConnection from '@salesforce/apex/ConnectionController.activateConnection';
import deactivateConnection from '@salesforce/apex/ConnectionController.deactivateConnection';
import deleteConnection from '@salesforce/apex/ConnectionController.deleteConnection';
import { errorMessage } from 'c/exalateErrors';
import CONSOLE_TITLE from '@salesforce/label/c.Console_Title';
import CONSOLE_REFRESH from '@salesforce/label/c.Console_Refresh';
import CONSOLE_LOADING from '@salesforce/label/c.Console_Loading';
import CONSOLE_WORKING from '@salesforce/label/c.Console_Working';
import CONSOLE_EMPTY_TITLE from '@salesforce/label/c.Console_Empty_Title';
import CONSOLE_EMPTY_BODY from '@salesforce/label/c.Console_Empty_Body';
import CONSOLE_EMPTY_INITIATE from '@salesforce/label/c.Console_Empty_Initiate';
import CONSOLE_EMPTY_ACCEPT from '@salesforce/label/c.Console_Empty_Accept';
import CONSOLE_INITIATE from '@salesforce/label/c.Console_Initiate';
import CONSOLE_ACCEPT from '@salesforce/label/c.Console_Accept';
import COLUMN_CONNECTION from '@salesforce/label/c.Console_Column_Connection';
import COLUMN_REMOTE from '@salesforce/label/c.Console_Column_Remote';
import COLUMN_TYPE from '@salesforce/label/c.Console_Column_Type';
import COLUMN_MODE from '@salesforce/label/c.Console_Column_Mode';
import COLUMN_STATUS from '@salesforce/label/c.Console_Column_Status';
import COLUMN_CASES from '@salesforce/label/c.Console_Column_Cases';
import ACTION_VIEW from '@salesforce/label/c.Console_Action_View';
import ACTION_ACTIVATE from '@salesforce/label/c.Console_Action_Activate';
import ACTION_DEACTIVATE from '@salesforce/label/c.Console_Action_Deactivate';
import ACTION_DELETE from '@salesforce/label/c.Console_Action_Delete';
import ACTIVATED from '@salesforce/label/c.Console_Activated';
import DEACTIVATED from '@salesforce/label/c.Console_Deactivated';
import DELETED from '@salesforce/label/c.Console_Deleted';
import ACTIVATE_FAILED from '@salesforce/label/c.Console_Activate_Failed';
import DEACTIVATE_FAILED from '@salesforce/label/c.Console_Deactivate_Failed';
import DELETE_FAILED from '@salesforce/label/c.Console_Delete_Failed';
import DELETE_TITLE from '@salesforce/label/c.Console_Delete_Title';
import DELETE_CONFIRM from '@salesforce/label/c.Console_Delete_Confirm';
import DELETE_CONFIRM_ONE from '@salesforce/label/c.Console_Delete_Confirm_One';
import DELETE_CONFIRM_NONE from '@salesforce/label/c.Console_Delete_Confirm_None';
import type { ConnectionDto, ConnectionStatus } from '../../types/exalate-dto';
import { formatLabel } from 'c/exalateFormat';

/** The screens of the console; the list is the default. */
type Screen = 'list' | 'initiate' | 'accept' | 'connection';

type RowActionName = 'view' | 'activate' | 'deactivate' | 'delete';

interface RowAction {
    label: string;
    name: RowActionName;
}

interface ConnectionRow extends ConnectionDto {
    remote: string;
    cases: number;
    statusClass: string;
    statusIcon: string;
}

/** The options LightningConfirm.open takes (@salesforce/lightning-types does not declare open). */
interface ConfirmOptions {
    label: string;
    message: string;
    variant?: 'header' | 'headerless';
    theme?: 'default' | 'warning' | 'error';
}

const confirmDialog = LightningConfirm as unknown as { open(options: ConfirmOptions): Promise<boolean> };

// lightning-datatable cannot render lightning-badge: the status is a text cell with an icon and an
// SLDS text colour per status, which reads like a badge.
const STATUS_STYLES: Record<ConnectionStatus, { className: string; icon: string }> = {
    Pending: { className: 'slds-text-color_weak', icon: 'utility:clock' },
    Active: { className: 'slds-text-color_success', icon: 'utility:success' },
    Deactivated: { className: 'slds-text-color_weak', icon: 'utility:ban' },
    Error: { className: 'slds-text-color_error', icon: 'utility:error' }
};

const VIEW: RowAction = { label: ACTION_VIEW, name: 'view' };
const ACTIVATE: RowAction = { label: ACTION_ACTIVATE, name: 'activate' };
const DEACTIVATE: RowAction = { label: ACTION_DEACTIVATE, name: 'deactivate' };
const DELETE: RowAction = { label: ACTION_DELETE, name: 'delete' };

/**
 * The row actions that apply to a connection in its status: a Pending connection waits for the
 * other side and can be neither activated nor deactivated; one in Error can be activated again
 * (once its cause is fixed) or deactivated.
 */
function rowActionsFor(status: ConnectionStatus | undefined): RowAction[] {
    switch (status) {
        case 'Active':
            return [VIEW, DEACTIVATE, DELETE];
        case 'Deactivated':
            return [VIEW, ACTIVATE, DELETE];
        case 'Error':
            return [VIEW, ACTIVATE, DEACTIVATE, DELETE];
        default:
            return [VIEW, DELETE];
    }
}

const COLUMNS = [
    {
        label: COLUMN_CONNECTION,
        fieldName: 'name',
        type: 'button',
        typeAttributes: { label: { fieldName: 'name' }, name: 'view', variant: 'base' }
    },
    { label: COLUMN_REMOTE, fieldName: 'remote', type: 'text' },
    { label: COLUMN_TYPE, fieldName: 'type', type: 'text' },
    { label: COLUMN_MODE, fieldName: 'mode', type: 'text' },
    {
        label: COLUMN_STATUS,
        fieldName: 'status',
        type: 'text',
        cellAttributes: { class: { fieldName: 'statusClass' }, iconName: { fieldName: 'statusIcon' } }
    },
    { label: COLUMN_CASES, fieldName: 'cases', type: 'number' },
    {
        type: 'action',
        typeAttributes: {
            rowActions: (row: ConnectionRow, done: (actions: RowAction[]) => void): void => {
                done(rowActionsFor(row.status));
            }
        }
    }
];

function toRow(connection: ConnectionDto): ConnectionRow {
    const style = STATUS_STYLES[connection.status] ?? STATUS_STYLES.Pending;
    return {
        ...connection,
        remote: connection.remotePlatform
            ? `${connection.remoteInstanceName} (${connection.remotePlatform})`
            : connection.remoteInstanceName,
        cases: connection.syncedCaseCount ?? 0,
        statusClass: style.className,
        statusIcon: style.icon
    };
}

/** The delete confirmation: what happens to the Cases under sync, in words that fit their number. */
function deleteMessage(name: string, cases: number): string {
    if (cases === 0) {
        return formatLabel(DELETE_CONFIRM_NONE, name);
    }
    if (cases === 1) {
        return formatLabel(DELETE_CONFIRM_ONE, name);
    }
    return formatLabel(DELETE_CONFIRM, name, cases);
}

/**
 * The Exalate console (app tab): the connections of this org, and a small router to the initiate
 * and accept wizards and to a connection's page. Opened with `c__invitation=<code>` in the URL, it
 * goes straight to the accept wizard with that code.
 */
export default class ExalateConsole extends LightningElement {
    labels = {
        title: CONSOLE_TITLE,
        refresh: CONSOLE_REFRESH,
        loading: CONSOLE_LOADING,
        working: CONSOLE_WORKING,
        emptyTitle: CONSOLE_EMPTY_TITLE,
        emptyBody: CONSOLE_EMPTY_BODY,
        emptyInitiate: CONSOLE_EMPTY_INITIATE,
        emptyAccept: CONSOLE_EMPTY_ACCEPT,
        initiate: CONSOLE_INITIATE,
        accept: CONSOLE_ACCEPT
    };
    columns = COLUMNS;
    rows: ConnectionRow[] = [];
    loading = true;
    working = false;
    loadError: string | undefined;
    screen: Screen = 'list';
    selectedConnectionId: string | undefined;
    invitationCode: string | undefined;

    private handledInvitation: string | undefined;

    connectedCallback(): void {
        void this.loadConnections();
    }

    @wire(CurrentPageReference)
    handlePageReference(pageReference: PageReference | undefined): void {
        const code = pageReference?.state?.c__invitation?.trim();
        // The same page reference can be provisioned again: an invitation opens the wizard once.
        if (code && code !== this.handledInvitation) {
            this.handledInvitation = code;
            this.invitationCode = code;
            this.screen = 'accept';
        }
    }

    get showInitiate(): boolean {
        return this.screen === 'initiate';
    }

    get showAccept(): boolean {
        return this.screen === 'accept';
    }

    get showConnection(): boolean {
        return this.screen === 'connection';
    }

    get hasConnections(): boolean {
        return !this.loading && !this.loadError && this.rows.length > 0;
    }

    get isEmpty(): boolean {
        return !this.loading && !this.loadError && this.rows.length === 0;
    }

    handleRefresh(): void {
        void this.loadConnections();
    }

    handleInitiate(): void {
        this.screen = 'initiate';
    }

    handleAccept(): void {
        this.invitationCode = undefined;
        this.screen = 'accept';
    }

    handleWizardCancel(): void {
        this.screen = 'list';
    }

    /** A wizard created a connection: back to the list, where the new (Pending) connection shows. */
    handleWizardDone(): void {
        this.screen = 'list';
        void this.loadConnections();
    }

    handleConnectionBack(): void {
        this.screen = 'list';
        this.selectedConnectionId = undefined;
        void this.loadConnections();
    }

    handleConnectionDeleted(): void {
        this.handleConnectionBack();
    }

    handleRowAction(event: CustomEvent<{ action: { name: string }; row: ConnectionRow }>): void {
        const { action, row } = event.detail;
        switch (action.name) {
            case 'view':
                this.selectedConnectionId = row.id;
                this.screen = 'connection';
                break;
            case 'activate':
                void this.changeStatus(row, true);
                break;
            case 'deactivate':
                void this.changeStatus(row, false);
                break;
            case 'delete':
                void this.deleteRow(row);
                break;
            default:
                break;
        }
    }

    private async loadConnections(): Promise<void> {
        this.loading = true;
        this.loadError = undefined;
        try {
            const connections = (await listConnections()) as ConnectionDto[];
            this.rows = connections.map(toRow);
        } catch (error) {
            this.rows = [];
            this.loadError = errorMessage(error);
        } finally {
            this.loading = false;
        }
    }

    private async changeStatus(row: ConnectionRow, activate: boolean): Promise<void> {
        if (this.working) {
            return;
        }
        this.working = true;
        try {
            const params = { connectionId: row.id };
            const updated = (await (activate ? activateConnection(params) : deactivateConnection(params))) as
                ConnectionDto | undefined;
            const saved = updated ?? row;
            this.rows = this.rows.map((existing) => (existing.id === saved.id ? toRow(saved) : existing));
            this.toast(formatLabel(activate ? ACTIVATED : DEACTIVATED, row.name), 'success');
        } catch (error) {
            this.toast(
                errorMessage(error),
                'error',
                formatLabel(activate ? ACTIVATE_FAILED : DEACTIVATE_FAILED, row.name)
            );
        } finally {
            this.working = false;
        }
    }

    private async deleteRow(row: ConnectionRow): Promise<void> {
        if (this.working) {
            return;
        }
        const confirmed = await confirmDialog.open({
            label: DELETE_TITLE,
            message: deleteMessage(row.name, row.cases),
            variant: 'header',
            theme: 'warning'
        });
        if (!confirmed) {
            return;
        }
        this.working = true;
        try {
            await deleteConnection({ connectionId: row.id });
            this.rows = this.rows.filter((existing) => existing.id !== row.id);
            this.toast(formatLabel(DELETED, row.name), 'success');
        } catch (error) {
            this.toast(errorMessage(error), 'error', formatLabel(DELETE_FAILED, row.name));
        } finally {
            this.working = false;
        }
    }

    private toast(message: string, variant: 'success' | 'error', title?: string): void {
        this.dispatchEvent(new ShowToastEvent(title ? { title, message, variant } : { message, variant }));
    }
}
