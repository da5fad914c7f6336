import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
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
import { errorMessage } from 'c/exalateErrors';
import { stageLabel } from 'c/exalateStages';
import TITLE from '@salesforce/label/c.ConnPage_Title';
import LOADING from '@salesforce/label/c.ConnPage_Loading';
import WORKING from '@salesforce/label/c.ConnPage_Working';
import BACK from '@salesforce/label/c.ConnPage_Back';
import ACTIVATE from '@salesforce/label/c.ConnPage_Activate';
import DEACTIVATE from '@salesforce/label/c.ConnPage_Deactivate';
import DELETE from '@salesforce/label/c.ConnPage_Delete';
import ACTIVATED from '@salesforce/label/c.ConnPage_Activated';
import DEACTIVATED from '@salesforce/label/c.ConnPage_Deactivated';
import DELETED from '@salesforce/label/c.ConnPage_Deleted';
import ACTIVATE_FAILED from '@salesforce/label/c.ConnPage_Activate_Failed';
import DEACTIVATE_FAILED from '@salesforce/label/c.ConnPage_Deactivate_Failed';
import DELETE_FAILED from '@salesforce/label/c.ConnPage_Delete_Failed';
import DELETE_TITLE from '@salesforce/label/c.ConnPage_Delete_Title';
import DELETE_CONFIRM from '@salesforce/label/c.ConnPage_Delete_Confirm';
import DELETE_CONFIRM_ONE from '@salesforce/label/c.ConnPage_Delete_Confirm_One';
import DELETE_CONFIRM_NONE from '@salesforce/label/c.ConnPage_Delete_Confirm_None';
import DETAILS from '@salesforce/label/c.ConnPage_Details';
import FIELD_NAME from '@salesforce/label/c.ConnPage_Field_Name';
import FIELD_DESCRIPTION from '@salesforce/label/c.ConnPage_Field_Description';
import FIELD_LOCAL from '@salesforce/label/c.ConnPage_Field_Local';
import FIELD_REMOTE from '@salesforce/label/c.ConnPage_Field_Remote';
import FIELD_PLATFORM from '@salesforce/label/c.ConnPage_Field_Platform';
import FIELD_URL from '@salesforce/label/c.ConnPage_Field_Url';
import FIELD_TYPE from '@salesforce/label/c.ConnPage_Field_Type';
import FIELD_MODE from '@salesforce/label/c.ConnPage_Field_Mode';
import FIELD_STATUS from '@salesforce/label/c.ConnPage_Field_Status';
import FIELD_ROLE from '@salesforce/label/c.ConnPage_Field_Role';
import FIELD_CASES from '@salesforce/label/c.ConnPage_Field_Cases';
import FIELD_EXPIRES from '@salesforce/label/c.ConnPage_Field_Expires';
import FIELD_ACCEPTED_BY from '@salesforce/label/c.ConnPage_Field_AcceptedBy';
import FIELD_ACCEPTED_AT from '@salesforce/label/c.ConnPage_Field_AcceptedAt';
import ROLE_INITIATOR from '@salesforce/label/c.ConnPage_Role_Initiator';
import ROLE_ACCEPTOR from '@salesforce/label/c.ConnPage_Role_Acceptor';
import NO_URL_PRIVATE from '@salesforce/label/c.ConnPage_No_Url_Private';
import NO_URL from '@salesforce/label/c.ConnPage_No_Url';
import PENDING_NOTE from '@salesforce/label/c.ConnPage_Pending_Note';
import ERROR_TITLE from '@salesforce/label/c.ConnPage_Error_Title';
import ERROR_NO_DETAIL from '@salesforce/label/c.ConnPage_Error_No_Detail';
import TAB_TRIGGERS from '@salesforce/label/c.ConnPage_Tab_Triggers';
import TAB_QUEUE from '@salesforce/label/c.ConnPage_Tab_Queue';
import TAB_ERRORS from '@salesforce/label/c.ConnPage_Tab_Errors';
import TAB_ENTITY from '@salesforce/label/c.ConnPage_Tab_Entity';
import TAB_LOADING from '@salesforce/label/c.ConnPage_Tab_Loading';
import TRIGGERS_INTRO from '@salesforce/label/c.ConnPage_Triggers_Intro';
import TRIGGERS_EMPTY from '@salesforce/label/c.ConnPage_Triggers_Empty';
import TRIGGER_NEW from '@salesforce/label/c.ConnPage_Trigger_New';
import TRIGGER_EDIT from '@salesforce/label/c.ConnPage_Trigger_Edit';
import TRIGGER_FILTER from '@salesforce/label/c.ConnPage_Trigger_Filter';
import TRIGGER_FILTER_HELP from '@salesforce/label/c.ConnPage_Trigger_Filter_Help';
import TRIGGER_FILTER_EXAMPLE from '@salesforce/label/c.ConnPage_Trigger_Filter_Example';
import TRIGGER_FILTER_PLACEHOLDER from '@salesforce/label/c.ConnPage_Trigger_Filter_Placeholder';
import TRIGGER_FILTER_REQUIRED from '@salesforce/label/c.ConnPage_Trigger_Filter_Required';
import TRIGGER_NOTES from '@salesforce/label/c.ConnPage_Trigger_Notes';
import TRIGGER_ACTIVE from '@salesforce/label/c.ConnPage_Trigger_Active';
import TRIGGER_SAVE from '@salesforce/label/c.ConnPage_Trigger_Save';
import TRIGGER_CANCEL from '@salesforce/label/c.ConnPage_Trigger_Cancel';
import TRIGGER_SAVED from '@salesforce/label/c.ConnPage_Trigger_Saved';
import TRIGGER_ACTIVATED from '@salesforce/label/c.ConnPage_Trigger_Activated';
import TRIGGER_DEACTIVATED from '@salesforce/label/c.ConnPage_Trigger_Deactivated';
import TRIGGER_DELETED from '@salesforce/label/c.ConnPage_Trigger_Deleted';
import TRIGGER_FAILED from '@salesforce/label/c.ConnPage_Trigger_Failed';
import TRIGGER_DELETE_TITLE from '@salesforce/label/c.ConnPage_Trigger_Delete_Title';
import TRIGGER_DELETE_CONFIRM from '@salesforce/label/c.ConnPage_Trigger_Delete_Confirm';
import TRIGGERS_REFRESH from '@salesforce/label/c.ConnPage_Triggers_Refresh';
import BULK_TITLE from '@salesforce/label/c.ConnPage_Bulk_Title';
import BULK_CONFIRM from '@salesforce/label/c.ConnPage_Bulk_Confirm';
import BULK_REQUESTED from '@salesforce/label/c.ConnPage_Bulk_Requested';
import BULK_FAILED from '@salesforce/label/c.ConnPage_Bulk_Failed';
import BULK_RUNNING from '@salesforce/label/c.ConnPage_Bulk_Running';
import BULK_DONE from '@salesforce/label/c.ConnPage_Bulk_Done';
import BULK_DONE_NO_RESULT from '@salesforce/label/c.ConnPage_Bulk_Done_No_Result';
import COLUMN_FILTER from '@salesforce/label/c.ConnPage_Column_Filter';
import COLUMN_ACTIVE from '@salesforce/label/c.ConnPage_Column_Active';
import COLUMN_NOTES from '@salesforce/label/c.ConnPage_Column_Notes';
import COLUMN_LAST_MODIFIED from '@salesforce/label/c.ConnPage_Column_Last_Modified';
import COLUMN_BULK from '@salesforce/label/c.ConnPage_Column_Bulk';
import COLUMN_EVENT from '@salesforce/label/c.ConnPage_Column_Event';
import COLUMN_CASE from '@salesforce/label/c.ConnPage_Column_Case';
import COLUMN_DIRECTION from '@salesforce/label/c.ConnPage_Column_Direction';
import DIRECTION_OUTGOING from '@salesforce/label/c.ConnPage_Direction_Outgoing';
import DIRECTION_INCOMING from '@salesforce/label/c.ConnPage_Direction_Incoming';
import COLUMN_STAGE from '@salesforce/label/c.ConnPage_Column_Stage';
import COLUMN_ATTEMPTS from '@salesforce/label/c.ConnPage_Column_Attempts';
import COLUMN_NEXT_ATTEMPT from '@salesforce/label/c.ConnPage_Column_Next_Attempt';
import COLUMN_CREATED from '@salesforce/label/c.ConnPage_Column_Created';
import COLUMN_CAUSE from '@salesforce/label/c.ConnPage_Column_Cause';
import COLUMN_TIME from '@salesforce/label/c.ConnPage_Column_Time';
import ACTION_EDIT from '@salesforce/label/c.ConnPage_Action_Edit';
import ACTION_ACTIVATE from '@salesforce/label/c.ConnPage_Action_Activate';
import ACTION_DEACTIVATE from '@salesforce/label/c.ConnPage_Action_Deactivate';
import ACTION_BULK from '@salesforce/label/c.ConnPage_Action_Bulk';
import ACTION_DELETE from '@salesforce/label/c.ConnPage_Action_Delete';
import ACTION_RETRY from '@salesforce/label/c.ConnPage_Action_Retry';
import QUEUE_INTRO from '@salesforce/label/c.ConnPage_Queue_Intro';
import QUEUE_EMPTY from '@salesforce/label/c.ConnPage_Queue_Empty';
import QUEUE_REFRESH from '@salesforce/label/c.ConnPage_Queue_Refresh';
import ERRORS_INTRO from '@salesforce/label/c.ConnPage_Errors_Intro';
import ERRORS_EMPTY from '@salesforce/label/c.ConnPage_Errors_Empty';
import ERRORS_REFRESH from '@salesforce/label/c.ConnPage_Errors_Refresh';
import RETRIED from '@salesforce/label/c.ConnPage_Retried';
import RETRY_FAILED from '@salesforce/label/c.ConnPage_Retry_Failed';
import ENTITY_INTRO from '@salesforce/label/c.ConnPage_Entity_Intro';
import ENTITY_INPUT from '@salesforce/label/c.ConnPage_Entity_Input';
import ENTITY_PLACEHOLDER from '@salesforce/label/c.ConnPage_Entity_Placeholder';
import ENTITY_FIND from '@salesforce/label/c.ConnPage_Entity_Find';
import ENTITY_SEARCHING from '@salesforce/label/c.ConnPage_Entity_Searching';
import ENTITY_REQUIRED from '@salesforce/label/c.ConnPage_Entity_Required';
import ENTITY_NOT_UNDER_SYNC from '@salesforce/label/c.ConnPage_Entity_Not_Under_Sync';
import ENTITY_CASE from '@salesforce/label/c.ConnPage_Entity_Case';
import ENTITY_CONNECTION from '@salesforce/label/c.ConnPage_Entity_Connection';
import ENTITY_REMOTE from '@salesforce/label/c.ConnPage_Entity_Remote';
import ENTITY_NO_REMOTE from '@salesforce/label/c.ConnPage_Entity_No_Remote';
import ENTITY_STATUS from '@salesforce/label/c.ConnPage_Entity_Status';
import ENTITY_LATEST_EVENT from '@salesforce/label/c.ConnPage_Entity_Latest_Event';
import ENTITY_LAST_SYNCED from '@salesforce/label/c.ConnPage_Entity_Last_Synced';
import ENTITY_NEVER from '@salesforce/label/c.ConnPage_Entity_Never';
import ENTITY_LAST_ERROR from '@salesforce/label/c.ConnPage_Entity_Last_Error';
import ENTITY_NO_ERROR from '@salesforce/label/c.ConnPage_Entity_No_Error';
import type { ConnectionDto, SyncEventDto, TriggerDto, TriggerInput, TwinStatusDto } from '../../types/exalate-dto';
import { formatDateTime, formatLabel } from 'c/exalateFormat';

/** How many events the queue and errors tabs show (the Apex side clamps to 1..200). */
const EVENT_LIMIT = 100;

/** One line of the details list: text, a URL or a date/time. */
interface DetailItem {
    key: string;
    labelKey?: string;
    valueKey?: string;
    label: string;
    text?: string;
    url?: string;
    dateTime?: string;
}

interface RowAction {
    label: string;
    name: string;
}

interface TriggerForm {
    id?: string;
    filter: string;
    notes: string;
    active: boolean;
}

interface ErrorRow extends SyncEventDto {
    failedAt?: string;
}

/** A queued event as its row shows it: the stage and direction in the words of this org's labels. */
interface QueueRow extends SyncEventDto {
    stageText: string;
    directionText: string;
}

/** A trigger as its row shows it: with the state of its last Bulk Exalate in words. */
interface TriggerRow extends TriggerDto {
    bulkText: string;
}

/**
 * The state of a trigger's last Bulk Exalate: "Requested <time>, running" until the connector
 * sets its completion, then "<time>: <result>"; '' when none was ever requested.
 */
function bulkState(trigger: TriggerDto): string {
    if (trigger.bulkCompleted) {
        const finished = formatDateTime(new Date(trigger.bulkCompleted));
        return trigger.bulkResult
            ? formatLabel(BULK_DONE, finished, trigger.bulkResult)
            : formatLabel(BULK_DONE_NO_RESULT, finished);
    }
    if (trigger.bulkRequested) {
        return formatLabel(BULK_RUNNING, formatDateTime(new Date(trigger.bulkRequested)));
    }
    return '';
}

function toQueueRow(event: SyncEventDto): QueueRow {
    return {
        ...event,
        stageText: stageLabel(event.stage),
        directionText: event.direction === 'Incoming' ? DIRECTION_INCOMING : DIRECTION_OUTGOING
    };
}

/** The options LightningConfirm.open takes (@salesforce/lightning-types does not declare open). */
interface ConfirmOptions {
    label: string;
    message: string;
    variant?: 'header' | 'headerless';
    theme?: 'default' | 'warning' | 'error';
}

const confirmDialog = LightningConfirm as unknown as { open(options: ConfirmOptions): Promise<boolean> };

const DATE_TIME = {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit'
};

const TRIGGER_COLUMNS = [
    { label: COLUMN_FILTER, fieldName: 'filter', type: 'text', wrapText: true },
    { label: COLUMN_ACTIVE, fieldName: 'active', type: 'boolean', initialWidth: 90 },
    { label: COLUMN_NOTES, fieldName: 'notes', type: 'text', wrapText: true },
    { label: COLUMN_LAST_MODIFIED, fieldName: 'lastModified', type: 'date', typeAttributes: DATE_TIME },
    { label: COLUMN_BULK, fieldName: 'bulkText', type: 'text', wrapText: true },
    {
        type: 'action',
        typeAttributes: {
            // Only an active trigger can be run over the existing Cases (Bulk Exalate).
            rowActions: (row: TriggerDto, done: (actions: RowAction[]) => void): void => {
                done(
                    row.active
                        ? [
                              { label: ACTION_EDIT, name: 'edit' },
                              { label: ACTION_DEACTIVATE, name: 'deactivate' },
                              { label: ACTION_BULK, name: 'bulk' },
                              { label: ACTION_DELETE, name: 'delete' }
                          ]
                        : [
                              { label: ACTION_EDIT, name: 'edit' },
                              { label: ACTION_ACTIVATE, name: 'activate' },
                              { label: ACTION_DELETE, name: 'delete' }
                          ]
                );
            }
        }
    }
];

const QUEUE_COLUMNS = [
    { label: COLUMN_EVENT, fieldName: 'name', type: 'text' },
    { label: COLUMN_CASE, fieldName: 'caseNumber', type: 'text' },
    { label: COLUMN_DIRECTION, fieldName: 'directionText', type: 'text' },
    { label: COLUMN_STAGE, fieldName: 'stageText', type: 'text' },
    { label: COLUMN_ATTEMPTS, fieldName: 'attempts', type: 'number' },
    { label: COLUMN_NEXT_ATTEMPT, fieldName: 'nextAttempt', type: 'date', typeAttributes: DATE_TIME },
    { label: COLUMN_CREATED, fieldName: 'createdDate', type: 'date', typeAttributes: DATE_TIME }
];

const ERROR_COLUMNS = [
    { label: COLUMN_CAUSE, fieldName: 'error', type: 'text', wrapText: true },
    { label: COLUMN_TIME, fieldName: 'failedAt', type: 'date', typeAttributes: DATE_TIME },
    { label: COLUMN_CASE, fieldName: 'caseNumber', type: 'text' },
    { label: COLUMN_ATTEMPTS, fieldName: 'attempts', type: 'number' },
    { label: COLUMN_EVENT, fieldName: 'name', type: 'text' },
    { type: 'action', typeAttributes: { rowActions: [{ label: ACTION_RETRY, name: 'retry' }] } }
];

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

function emptyForm(): TriggerForm {
    return { filter: '', notes: '', active: true };
}

/**
 * One connection of the console: its details, activate / deactivate / delete, and four tabs:
 * its triggers (create, edit, turn on and off, Bulk Exalate, delete), its sync queue, its failed
 * syncs (retry) and the sync status of one Case. Fires `back` (Back button) and `deleted` (after a delete,
 * detail `{ connectionId }`).
 */
export default class ExalateConnectionPage extends LightningElement {
    labels = {
        title: TITLE,
        loading: LOADING,
        working: WORKING,
        back: BACK,
        activate: ACTIVATE,
        deactivate: DEACTIVATE,
        delete: DELETE,
        details: DETAILS,
        errorTitle: ERROR_TITLE,
        tabTriggers: TAB_TRIGGERS,
        tabQueue: TAB_QUEUE,
        tabErrors: TAB_ERRORS,
        tabEntity: TAB_ENTITY,
        tabLoading: TAB_LOADING,
        triggersIntro: TRIGGERS_INTRO,
        triggersEmpty: TRIGGERS_EMPTY,
        triggersRefresh: TRIGGERS_REFRESH,
        triggerNew: TRIGGER_NEW,
        triggerFilter: TRIGGER_FILTER,
        triggerFilterHelp: TRIGGER_FILTER_HELP,
        triggerFilterExample: TRIGGER_FILTER_EXAMPLE,
        triggerFilterPlaceholder: TRIGGER_FILTER_PLACEHOLDER,
        triggerNotes: TRIGGER_NOTES,
        triggerActive: TRIGGER_ACTIVE,
        triggerSave: TRIGGER_SAVE,
        triggerCancel: TRIGGER_CANCEL,
        queueIntro: QUEUE_INTRO,
        queueEmpty: QUEUE_EMPTY,
        queueRefresh: QUEUE_REFRESH,
        errorsIntro: ERRORS_INTRO,
        errorsEmpty: ERRORS_EMPTY,
        errorsRefresh: ERRORS_REFRESH,
        entityIntro: ENTITY_INTRO,
        entityInput: ENTITY_INPUT,
        entityPlaceholder: ENTITY_PLACEHOLDER,
        entityFind: ENTITY_FIND,
        entitySearching: ENTITY_SEARCHING,
        entityCase: ENTITY_CASE,
        entityConnection: ENTITY_CONNECTION,
        entityRemote: ENTITY_REMOTE,
        entityStatus: ENTITY_STATUS,
        entityLatestEvent: ENTITY_LATEST_EVENT,
        entityLastSynced: ENTITY_LAST_SYNCED,
        entityLastError: ENTITY_LAST_ERROR
    };
    dateTime = DATE_TIME;
    triggerColumns = TRIGGER_COLUMNS;
    queueColumns = QUEUE_COLUMNS;
    errorColumns = ERROR_COLUMNS;

    connection: ConnectionDto | undefined;
    loading = false;
    loadError: string | undefined;
    working = false;

    triggers: TriggerDto[] = [];
    triggersLoading = false;
    triggersError: string | undefined;
    form: TriggerForm | undefined;
    filterError: string | undefined;
    notesError: string | undefined;
    formError: string | undefined;
    saving = false;

    queue: QueueRow[] = [];
    queueLoading = false;
    queueError: string | undefined;
    queueLoaded = false;

    errors: ErrorRow[] = [];
    errorsLoading = false;
    errorsError: string | undefined;
    errorsLoaded = false;

    caseRef = '';
    entity: TwinStatusDto | undefined;
    entityNotUnderSync: string | undefined;
    entityError: string | undefined;
    entityLoading = false;

    private currentId: string | undefined;
    private triggersLoaded = false;

    @api
    get connectionId(): string | undefined {
        return this.currentId;
    }
    set connectionId(value: string | undefined) {
        if (value === this.currentId) {
            return;
        }
        this.currentId = value;
        this.reset();
        if (value) {
            void this.load();
        }
    }

    get title(): string {
        return this.connection?.name ?? TITLE;
    }

    get showContent(): boolean {
        return !this.loading && !this.loadError && this.connection !== undefined;
    }

    get showActivate(): boolean {
        const status = this.connection?.status;
        return status === 'Deactivated' || status === 'Error';
    }

    get showDeactivate(): boolean {
        const status = this.connection?.status;
        return status === 'Active' || status === 'Error';
    }

    get actionsDisabled(): boolean {
        return this.working || !this.connection;
    }

    get isPending(): boolean {
        return this.connection?.status === 'Pending';
    }

    get pendingNote(): string {
        return formatLabel(PENDING_NOTE, this.connection?.remoteInstanceName ?? '');
    }

    get isError(): boolean {
        return this.connection?.status === 'Error';
    }

    get statusDetail(): string {
        return this.connection?.statusDetail || ERROR_NO_DETAIL;
    }

    get details(): DetailItem[] {
        const connection = this.connection;
        if (!connection) {
            return [];
        }
        const items: DetailItem[] = [
            { key: 'name', label: FIELD_NAME, text: connection.name },
            { key: 'local', label: FIELD_LOCAL, text: connection.localInstanceName },
            { key: 'remote', label: FIELD_REMOTE, text: connection.remoteInstanceName },
            { key: 'platform', label: FIELD_PLATFORM, text: connection.remotePlatform ?? NO_URL },
            connection.remoteNodeUrl
                ? { key: 'url', label: FIELD_URL, url: connection.remoteNodeUrl }
                : {
                      key: 'url',
                      label: FIELD_URL,
                      text: connection.type === 'Private' && connection.role !== 'Acceptor' ? NO_URL_PRIVATE : NO_URL
                  },
            { key: 'type', label: FIELD_TYPE, text: connection.type },
            { key: 'mode', label: FIELD_MODE, text: connection.mode },
            { key: 'status', label: FIELD_STATUS, text: connection.status },
            { key: 'cases', label: FIELD_CASES, text: String(connection.syncedCaseCount ?? 0) }
        ];
        if (connection.role) {
            items.push({
                key: 'role',
                label: FIELD_ROLE,
                text: connection.role === 'Initiator' ? ROLE_INITIATOR : ROLE_ACCEPTOR
            });
        }
        if (connection.description) {
            items.push({ key: 'description', label: FIELD_DESCRIPTION, text: connection.description });
        }
        if (connection.status === 'Pending' && connection.invitationExpires) {
            items.push({ key: 'expires', label: FIELD_EXPIRES, dateTime: connection.invitationExpires });
        }
        if (connection.acceptedBy) {
            items.push({ key: 'acceptedBy', label: FIELD_ACCEPTED_BY, text: connection.acceptedBy });
        }
        if (connection.acceptedAt) {
            items.push({ key: 'acceptedAt', label: FIELD_ACCEPTED_AT, dateTime: connection.acceptedAt });
        }
        // A <dt> and its <dd> are siblings in the iteration: each needs its own key.
        return items.map((item) => ({ ...item, labelKey: `${item.key}-label`, valueKey: `${item.key}-value` }));
    }

    // Triggers tab

    get hasTriggers(): boolean {
        return !this.triggersLoading && !this.triggersError && this.triggers.length > 0;
    }

    get noTriggers(): boolean {
        return !this.triggersLoading && !this.triggersError && this.triggers.length === 0;
    }

    /** The rows of the triggers table, each with the state of its last Bulk Exalate. */
    get triggerRows(): TriggerRow[] {
        return this.triggers.map((trigger) => ({ ...trigger, bulkText: bulkState(trigger) }));
    }

    get showNewTrigger(): boolean {
        return this.form === undefined;
    }

    get formTitle(): string {
        return this.form?.id ? TRIGGER_EDIT : TRIGGER_NEW;
    }

    get formFilter(): string {
        return this.form?.filter ?? '';
    }

    get formNotes(): string {
        return this.form?.notes ?? '';
    }

    get formActive(): boolean {
        return this.form?.active ?? false;
    }

    // Queue and errors tabs

    get hasQueue(): boolean {
        return !this.queueLoading && !this.queueError && this.queueLoaded && this.queue.length > 0;
    }

    get noQueue(): boolean {
        return !this.queueLoading && !this.queueError && this.queueLoaded && this.queue.length === 0;
    }

    get hasErrors(): boolean {
        return !this.errorsLoading && !this.errorsError && this.errorsLoaded && this.errors.length > 0;
    }

    get noErrors(): boolean {
        return !this.errorsLoading && !this.errorsError && this.errorsLoaded && this.errors.length === 0;
    }

    // Entity sync status tab

    get entityCaseLabel(): string {
        return this.entity?.caseNumber ?? this.entity?.caseId ?? '';
    }

    get entityRemoteText(): string {
        return this.entity?.remoteKey ?? ENTITY_NO_REMOTE;
    }

    get entityRemoteUrl(): string | undefined {
        return this.entity?.remoteUrl;
    }

    get entityRemoteLabel(): string {
        return this.entity?.remoteKey ?? this.entity?.remoteUrl ?? '';
    }

    get entityNeverSynced(): boolean {
        return !this.entity?.lastSynced;
    }

    get entityNeverText(): string {
        return ENTITY_NEVER;
    }

    get entityLastErrorText(): string {
        return this.entity?.lastError ?? ENTITY_NO_ERROR;
    }

    get entityStatusText(): string {
        return stageLabel(this.entity?.status);
    }

    get entityLatestEventText(): string {
        return stageLabel(this.entity?.latestEventStage);
    }

    // Header actions

    handleBack(): void {
        this.dispatchEvent(new CustomEvent('back'));
    }

    handleActivate(): void {
        void this.changeStatus(true);
    }

    handleDeactivate(): void {
        void this.changeStatus(false);
    }

    async handleDelete(): Promise<void> {
        const connection = this.connection;
        if (!connection || this.working) {
            return;
        }
        const confirmed = await confirmDialog.open({
            label: DELETE_TITLE,
            message: deleteMessage(connection.name, connection.syncedCaseCount ?? 0),
            variant: 'header',
            theme: 'warning'
        });
        if (!confirmed) {
            return;
        }
        this.working = true;
        try {
            await deleteConnection({ connectionId: connection.id });
            this.toast(formatLabel(DELETED, connection.name), 'success');
            this.dispatchEvent(new CustomEvent('deleted', { detail: { connectionId: connection.id } }));
        } catch (error) {
            this.toast(errorMessage(error), 'error', formatLabel(DELETE_FAILED, connection.name));
        } finally {
            this.working = false;
        }
    }

    // Triggers

    /** The triggers load with the connection; opening their tab again retries a failed load. */
    handleTriggersActive(): void {
        if (!this.triggersLoaded || this.triggersError) {
            void this.loadTriggers();
        }
    }

    /** Reads the triggers again, e.g. to see whether a Bulk Exalate has finished. */
    handleTriggersRefresh(): void {
        void this.loadTriggers();
    }

    handleNewTrigger(): void {
        this.clearFormErrors();
        this.form = emptyForm();
    }

    handleCancelTrigger(): void {
        this.clearFormErrors();
        this.form = undefined;
    }

    handleFilterChange(event: CustomEvent<{ value: string }>): void {
        if (this.form) {
            this.form = { ...this.form, filter: event.detail.value ?? '' };
            this.filterError = undefined;
        }
    }

    handleNotesChange(event: CustomEvent<{ value: string }>): void {
        if (this.form) {
            this.form = { ...this.form, notes: event.detail.value ?? '' };
            this.notesError = undefined;
        }
    }

    handleActiveChange(event: CustomEvent<{ checked: boolean }>): void {
        if (this.form) {
            this.form = { ...this.form, active: event.detail.checked === true };
        }
    }

    async handleSaveTrigger(): Promise<void> {
        const form = this.form;
        if (!form || this.saving) {
            return;
        }
        this.clearFormErrors();
        if (!form.filter.trim()) {
            this.filterError = TRIGGER_FILTER_REQUIRED;
            return;
        }
        const input: TriggerInput = {
            id: form.id ?? null,
            connectionId: this.currentId ?? null,
            filter: form.filter,
            active: form.active,
            notes: form.notes
        };
        this.saving = true;
        try {
            const saved = (await saveTrigger({ input })) as TriggerDto;
            const exists = this.triggers.some((existing) => existing.id === saved.id);
            this.triggers = exists
                ? this.triggers.map((existing) => (existing.id === saved.id ? saved : existing))
                : [...this.triggers, saved];
            this.form = undefined;
            this.toast(TRIGGER_SAVED, 'success');
        } catch (error) {
            // Apex explains what is wrong; the sentence goes under the field it is about.
            const message = errorMessage(error);
            if (/^notes\b/i.test(message)) {
                this.notesError = message;
            } else if (/^(the )?filter\b/i.test(message)) {
                this.filterError = message;
            } else {
                this.formError = message;
            }
        } finally {
            this.saving = false;
        }
    }

    handleTriggerRowAction(event: CustomEvent<{ action: { name: string }; row: TriggerDto }>): void {
        const { action, row } = event.detail;
        switch (action.name) {
            case 'edit':
                this.clearFormErrors();
                this.form = { id: row.id, filter: row.filter ?? '', notes: row.notes ?? '', active: row.active };
                break;
            case 'activate':
                void this.setTriggerActive(row, true);
                break;
            case 'deactivate':
                void this.setTriggerActive(row, false);
                break;
            case 'delete':
                void this.deleteTrigger(row);
                break;
            case 'bulk':
                void this.bulkExalate(row);
                break;
            default:
                break;
        }
    }

    // Queue and errors

    handleQueueActive(): void {
        void this.loadQueue();
    }

    handleQueueRefresh(): void {
        void this.loadQueue();
    }

    handleErrorsActive(): void {
        void this.loadErrors();
    }

    handleErrorsRefresh(): void {
        void this.loadErrors();
    }

    async handleErrorRowAction(event: CustomEvent<{ action: { name: string }; row: ErrorRow }>): Promise<void> {
        const { action, row } = event.detail;
        if (action.name !== 'retry' || this.working) {
            return;
        }
        this.working = true;
        try {
            await retryEvent({ eventId: row.id });
            this.toast(formatLabel(RETRIED, row.name), 'success');
        } catch (error) {
            this.toast(errorMessage(error), 'error', formatLabel(RETRY_FAILED, row.name));
        } finally {
            this.working = false;
        }
        await this.loadErrors();
        if (this.queueLoaded) {
            await this.loadQueue();
        }
    }

    // Entity sync status

    handleCaseRefChange(event: CustomEvent<{ value: string }>): void {
        this.caseRef = event.detail.value ?? '';
    }

    handleCaseRefKeyUp(event: KeyboardEvent): void {
        if (event.key === 'Enter') {
            void this.findEntity();
        }
    }

    handleFind(): void {
        void this.findEntity();
    }

    // Loading

    private reset(): void {
        this.connection = undefined;
        this.loadError = undefined;
        this.triggers = [];
        this.triggersLoaded = false;
        this.triggersError = undefined;
        this.form = undefined;
        this.clearFormErrors();
        this.queue = [];
        this.queueLoaded = false;
        this.queueError = undefined;
        this.errors = [];
        this.errorsLoaded = false;
        this.errorsError = undefined;
        this.caseRef = '';
        this.clearEntity();
    }

    private async load(): Promise<void> {
        const id = this.currentId;
        this.loading = true;
        try {
            const connection = (await getConnection({ connectionId: id })) as ConnectionDto;
            if (id !== this.currentId) {
                return;
            }
            this.connection = connection;
        } catch (error) {
            if (id === this.currentId) {
                this.loadError = errorMessage(error);
            }
            return;
        } finally {
            if (id === this.currentId) {
                this.loading = false;
            }
        }
        await this.loadTriggers();
    }

    private async loadTriggers(): Promise<void> {
        this.triggersLoaded = true;
        this.triggersLoading = true;
        this.triggersError = undefined;
        try {
            this.triggers = (await listTriggers({ connectionId: this.currentId })) as TriggerDto[];
        } catch (error) {
            this.triggers = [];
            this.triggersError = errorMessage(error);
        } finally {
            this.triggersLoading = false;
        }
    }

    private async loadQueue(): Promise<void> {
        this.queueLoading = true;
        this.queueError = undefined;
        try {
            const events = (await listQueue({
                connectionId: this.currentId,
                limitSize: EVENT_LIMIT
            })) as SyncEventDto[];
            this.queue = events.map(toQueueRow);
        } catch (error) {
            this.queue = [];
            this.queueError = errorMessage(error);
        } finally {
            this.queueLoaded = true;
            this.queueLoading = false;
        }
    }

    private async loadErrors(): Promise<void> {
        this.errorsLoading = true;
        this.errorsError = undefined;
        try {
            const events = (await listErrors({
                connectionId: this.currentId,
                limitSize: EVENT_LIMIT
            })) as SyncEventDto[];
            this.errors = events.map((event) => ({ ...event, failedAt: event.completed ?? event.createdDate }));
        } catch (error) {
            this.errors = [];
            this.errorsError = errorMessage(error);
        } finally {
            this.errorsLoaded = true;
            this.errorsLoading = false;
        }
    }

    private async changeStatus(activate: boolean): Promise<void> {
        const connection = this.connection;
        if (!connection || this.working) {
            return;
        }
        this.working = true;
        try {
            const params = { connectionId: connection.id };
            const updated = (await (activate ? activateConnection(params) : deactivateConnection(params))) as
                ConnectionDto | undefined;
            if (updated) {
                this.connection = updated;
            }
            this.toast(formatLabel(activate ? ACTIVATED : DEACTIVATED, connection.name), 'success');
        } catch (error) {
            this.toast(
                errorMessage(error),
                'error',
                formatLabel(activate ? ACTIVATE_FAILED : DEACTIVATE_FAILED, connection.name)
            );
        } finally {
            this.working = false;
        }
    }

    private async setTriggerActive(row: TriggerDto, active: boolean): Promise<void> {
        if (this.working) {
            return;
        }
        this.working = true;
        try {
            const saved = (await setTriggerActive({ triggerId: row.id, active })) as TriggerDto;
            this.triggers = this.triggers.map((existing) => (existing.id === saved.id ? saved : existing));
            this.toast(active ? TRIGGER_ACTIVATED : TRIGGER_DEACTIVATED, 'success');
        } catch (error) {
            this.toast(errorMessage(error), 'error', TRIGGER_FAILED);
        } finally {
            this.working = false;
        }
    }

    private async deleteTrigger(row: TriggerDto): Promise<void> {
        if (this.working) {
            return;
        }
        const confirmed = await confirmDialog.open({
            label: TRIGGER_DELETE_TITLE,
            message: formatLabel(TRIGGER_DELETE_CONFIRM, row.filter),
            variant: 'header',
            theme: 'warning'
        });
        if (!confirmed) {
            return;
        }
        this.working = true;
        try {
            await deleteTrigger({ triggerId: row.id });
            this.triggers = this.triggers.filter((existing) => existing.id !== row.id);
            if (this.form?.id === row.id) {
                this.form = undefined;
            }
            this.toast(TRIGGER_DELETED, 'success');
        } catch (error) {
            this.toast(errorMessage(error), 'error', TRIGGER_FAILED);
        } finally {
            this.working = false;
        }
    }

    /**
     * Asks for a Bulk Exalate of an active trigger after the admin confirms it (it can bring many
     * Cases under sync). The connector does the work; the row shows the request until it is done.
     * After a refusal the triggers are read again, as the trigger may have been deleted or turned
     * off meanwhile.
     */
    private async bulkExalate(row: TriggerDto): Promise<void> {
        const connection = this.connection;
        if (this.working || !connection) {
            return;
        }
        const confirmed = await confirmDialog.open({
            label: BULK_TITLE,
            message: formatLabel(BULK_CONFIRM, row.filter, connection.name, connection.remoteInstanceName),
            variant: 'header',
            theme: 'warning'
        });
        if (!confirmed) {
            return;
        }
        this.working = true;
        let refused = false;
        try {
            const requested = (await bulkExalate({ triggerId: row.id })) as TriggerDto;
            this.triggers = this.triggers.map((existing) => (existing.id === requested.id ? requested : existing));
            this.toast(BULK_REQUESTED, 'success');
        } catch (error) {
            refused = true;
            this.toast(errorMessage(error), 'error', BULK_FAILED);
        } finally {
            this.working = false;
        }
        if (refused) {
            await this.loadTriggers();
        }
    }

    private async findEntity(): Promise<void> {
        const ref = this.caseRef.trim();
        this.clearEntity();
        if (!ref) {
            this.entityError = ENTITY_REQUIRED;
            return;
        }
        this.entityLoading = true;
        try {
            const status = (await getEntitySyncStatus({
                connectionId: this.currentId,
                caseRef: ref
            })) as TwinStatusDto | null | undefined;
            if (status) {
                this.entity = status;
            } else {
                this.entityNotUnderSync = formatLabel(ENTITY_NOT_UNDER_SYNC, ref);
            }
        } catch (error) {
            this.entityError = errorMessage(error);
        } finally {
            this.entityLoading = false;
        }
    }

    private clearEntity(): void {
        this.entity = undefined;
        this.entityNotUnderSync = undefined;
        this.entityError = undefined;
    }

    private clearFormErrors(): void {
        this.filterError = undefined;
        this.notesError = undefined;
        this.formError = undefined;
    }

    private toast(message: string, variant: 'success' | 'error', title?: string): void {
        this.dispatchEvent(new ShowToastEvent(title ? { title, message, variant } : { message, variant }));
    }
}
