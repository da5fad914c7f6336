import { LightningElement, wire } from 'lwc';
import { CurrentPageReference } from 'lightning/navigation';
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
import { formatLabel } from 'c/exalateFormat';
const confirmDialog = LightningConfirm;
// lightning-datatable cannot render lightning-badge: the status is a text cell with an icon and an
// SLDS text colour per status, which reads like a badge.
const STATUS_STYLES = {
    Pending: { className: 'slds-text-color_weak', icon: 'utility:clock' },
    Active: { className: 'slds-text-color_success', icon: 'utility:success' },
    Deactivated: { className: 'slds-text-color_weak', icon: 'utility:ban' },
    Error: { className: 'slds-text-color_error', icon: 'utility:error' }
};
const VIEW = { label: ACTION_VIEW, name: 'view' };
const ACTIVATE = { label: ACTION_ACTIVATE, name: 'activate' };
const DEACTIVATE = { label: ACTION_DEACTIVATE, name: 'deactivate' };
const DELETE = { label: ACTION_DELETE, name: 'delete' };
/**
 * The row actions that apply to a connection in its status: a Pending connection waits for the
 * other side and can be neither activated nor deactivated; one in Error can be activated again
 * (once its cause is fixed) or deactivated.
 */
function rowActionsFor(status) {
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
            rowActions: (row, done) => {
                done(rowActionsFor(row.status));
            }
        }
    }
];
function toRow(connection) {
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
function deleteMessage(name, cases) {
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
    rows = [];
    loading = true;
    working = false;
    loadError;
    screen = 'list';
    selectedConnectionId;
    invitationCode;
    handledInvitation;
    connectedCallback() {
        void this.loadConnections();
    }
    @wire(CurrentPageReference)
    handlePageReference(pageReference) {
        const code = pageReference?.state?.c__invitation?.trim();
        // The same page reference can be provisioned again: an invitation opens the wizard once.
        if (code && code !== this.handledInvitation) {
            this.handledInvitation = code;
            this.invitationCode = code;
            this.screen = 'accept';
        }
    }
    get showInitiate() {
        return this.screen === 'initiate';
    }
    get showAccept() {
        return this.screen === 'accept';
    }
    get showConnection() {
        return this.screen === 'connection';
    }
    get hasConnections() {
        return !this.loading && !this.loadError && this.rows.length > 0;
    }
    get isEmpty() {
        return !this.loading && !this.loadError && this.rows.length === 0;
    }
    handleRefresh() {
        void this.loadConnections();
    }
    handleInitiate() {
        this.screen = 'initiate';
    }
    handleAccept() {
        this.invitationCode = undefined;
        this.screen = 'accept';
    }
    handleWizardCancel() {
        this.screen = 'list';
    }
    /** A wizard created a connection: back to the list, where the new (Pending) connection shows. */
    handleWizardDone() {
        this.screen = 'list';
        void this.loadConnections();
    }
    handleConnectionBack() {
        this.screen = 'list';
        this.selectedConnectionId = undefined;
        void this.loadConnections();
    }
    handleConnectionDeleted() {
        this.handleConnectionBack();
    }
    handleRowAction(event) {
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
    async loadConnections() {
        this.loading = true;
        this.loadError = undefined;
        try {
            const connections = (await listConnections());
            this.rows = connections.map(toRow);
        }
        catch (error) {
            this.rows = [];
            this.loadError = errorMessage(error);
        }
        finally {
            this.loading = false;
        }
    }
    async changeStatus(row, activate) {
        if (this.working) {
            return;
        }
        this.working = true;
        try {
            const params = { connectionId: row.id };
            const updated = (await (activate ? activateConnection(params) : deactivateConnection(params)));
            const saved = updated ?? row;
            this.rows = this.rows.map((existing) => (existing.id === saved.id ? toRow(saved) : existing));
            this.toast(formatLabel(activate ? ACTIVATED : DEACTIVATED, row.name), 'success');
        }
        catch (error) {
            this.toast(errorMessage(error), 'error', formatLabel(activate ? ACTIVATE_FAILED : DEACTIVATE_FAILED, row.name));
        }
        finally {
            this.working = false;
        }
    }
    async deleteRow(row) {
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
        }
        catch (error) {
            this.toast(errorMessage(error), 'error', formatLabel(DELETE_FAILED, row.name));
        }
        finally {
            this.working = false;
        }
    }
    toast(message, variant, title) {
        this.dispatchEvent(new ShowToastEvent(title ? { title, message, variant } : { message, variant }));
    }
}
