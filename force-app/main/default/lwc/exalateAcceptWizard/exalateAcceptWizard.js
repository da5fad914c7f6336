import { LightningElement, api } from 'lwc';
import acceptInvitation from '@salesforce/apex/ConnectionController.acceptInvitation';
import getConnection from '@salesforce/apex/ConnectionController.getConnection';
import { errorMessage } from 'c/exalateErrors';
import { nextRefreshDelay, withinRefreshBudget } from 'c/exalateStages';
import { INVITATION_PROTOCOL_VERSION, decodeInvitation } from 'c/exalateInvitationCodec';
import TITLE from '@salesforce/label/c.Accept_Title';
import INTRO from '@salesforce/label/c.Accept_Intro';
import CODE_LABEL from '@salesforce/label/c.Accept_Code_Label';
import CODE_PLACEHOLDER from '@salesforce/label/c.Accept_Code_Placeholder';
import CHECK from '@salesforce/label/c.Accept_Check';
import CONFIRM from '@salesforce/label/c.Accept_Confirm';
import CANCEL from '@salesforce/label/c.Accept_Cancel';
import DONE from '@salesforce/label/c.Accept_Done';
import CODE_VALID from '@salesforce/label/c.Accept_Code_Valid';
import DETAILS_HEADING from '@salesforce/label/c.Accept_Details_Heading';
import CONNECTION_NAME from '@salesforce/label/c.Accept_Connection_Name';
import INITIATOR from '@salesforce/label/c.Accept_Initiator';
import INITIATOR_PLATFORM from '@salesforce/label/c.Accept_Initiator_Platform';
import NODE_URL from '@salesforce/label/c.Accept_Node_Url';
import TYPE from '@salesforce/label/c.Accept_Type';
import TYPE_PUBLIC from '@salesforce/label/c.Accept_Type_Public';
import TYPE_PRIVATE from '@salesforce/label/c.Accept_Type_Private';
import MODE from '@salesforce/label/c.Accept_Mode';
import DESCRIPTION from '@salesforce/label/c.Accept_Description';
import EXPIRES from '@salesforce/label/c.Accept_Expires';
import THIS_SIDE_HEADING from '@salesforce/label/c.Accept_This_Side_Heading';
import LOCAL_NAME from '@salesforce/label/c.Accept_Local_Name';
import REMOTE_NAME from '@salesforce/label/c.Accept_Remote_Name';
import NAMES_NOTE from '@salesforce/label/c.Accept_Names_Note';
import SAVING from '@salesforce/label/c.Accept_Saving';
import WAITING from '@salesforce/label/c.Accept_Waiting';
import WAITING_PAUSED from '@salesforce/label/c.Accept_Waiting_Paused';
import ESTABLISHED from '@salesforce/label/c.Accept_Established';
import FAILED from '@salesforce/label/c.Accept_Failed';
import DEACTIVATED from '@salesforce/label/c.Accept_Deactivated';
import CHECK_AGAIN from '@salesforce/label/c.Accept_Check_Again';
import CODE_ERROR_EMPTY from '@salesforce/label/c.Accept_Code_Error_Empty';
import CODE_ERROR_NOT_INVITATION from '@salesforce/label/c.Accept_Code_Error_Not_Invitation';
import CODE_ERROR_TRUNCATED from '@salesforce/label/c.Accept_Code_Error_Truncated';
import CODE_ERROR_CHECKSUM from '@salesforce/label/c.Accept_Code_Error_Checksum';
import CODE_ERROR_NEWER_VERSION from '@salesforce/label/c.Accept_Code_Error_Newer_Version';
import CODE_ERROR_MALFORMED from '@salesforce/label/c.Accept_Code_Error_Malformed';
import CODE_ERROR_EXPIRED from '@salesforce/label/c.Accept_Code_Error_Expired';
import CODE_ERROR_USED from '@salesforce/label/c.Accept_Code_Error_Used';
import CODE_ERROR_OWN from '@salesforce/label/c.Accept_Code_Error_Own';
import { formatDateTime, formatLabel } from 'c/exalateFormat';
function nowSeconds() {
    return Math.floor(Date.now() / 1000);
}
/** An expiry in seconds as the user reads dates: in their locale and time zone. */
function localDateTime(epochSeconds) {
    return formatDateTime(new Date(epochSeconds * 1000));
}
/** The messages of the kinds of bad code whose message carries no value. */
const PLAIN_CODE_ERRORS = {
    empty: CODE_ERROR_EMPTY,
    'not-an-invitation': CODE_ERROR_NOT_INVITATION,
    truncated: CODE_ERROR_TRUNCATED,
    checksum: CODE_ERROR_CHECKSUM
};
/** The problem of a code that cannot be accepted, in the words of this org's labels. */
function codeErrorMessage(result) {
    switch (result.error) {
        case 'unsupported-version':
            return formatLabel(CODE_ERROR_NEWER_VERSION, String(result.detail.version), String(INVITATION_PROTOCOL_VERSION));
        case 'malformed':
            return formatLabel(CODE_ERROR_MALFORMED, result.detail.reason);
        case 'expired':
            return formatLabel(CODE_ERROR_EXPIRED, localDateTime(result.detail.expiresAt), result.detail.initiatorInstance);
        default:
            return PLAIN_CODE_ERRORS[result.error];
    }
}
/**
 * Why a code that reads well cannot be accepted here, known without asking the org: this org already
 * holds a connection with its invitation id, because it accepted the code before or because the code
 * was created here. Apex refuses both again on Confirm.
 */
function usedCodeMessage(invitation, connections) {
    const known = connections.find((connection) => connection.invitationId === invitation.invitationId);
    if (!known) {
        return undefined;
    }
    return known.role === 'Initiator'
        ? formatLabel(CODE_ERROR_OWN, known.name, invitation.destinationInstance)
        : formatLabel(CODE_ERROR_USED, known.name, invitation.initiatorInstance);
}
/** 2026-01-01T00:00:00.000Z for an expiry in seconds: the Datetime Apex reads. */
function isoDateTime(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString();
}
/**
 * The "Accept invitation" wizard of the Exalate console: the admin pastes the code sent by the
 * other side; it is read in the browser at once (every problem explained under the field, nothing
 * saved), its details are shown, and Confirm creates this side of the connection. Then the wizard
 * waits for the inviting side to confirm, and offers to sync a first Case.
 * Fires `done` ({connectionId}) and `cancel`.
 */
export default class ExalateAcceptWizard extends LightningElement {
    labels = {
        title: TITLE,
        intro: INTRO,
        codeLabel: CODE_LABEL,
        codePlaceholder: CODE_PLACEHOLDER,
        check: CHECK,
        confirm: CONFIRM,
        cancel: CANCEL,
        done: DONE,
        codeValid: CODE_VALID,
        detailsHeading: DETAILS_HEADING,
        connectionName: CONNECTION_NAME,
        initiator: INITIATOR,
        initiatorPlatform: INITIATOR_PLATFORM,
        nodeUrl: NODE_URL,
        type: TYPE,
        mode: MODE,
        description: DESCRIPTION,
        expires: EXPIRES,
        thisSideHeading: THIS_SIDE_HEADING,
        localName: LOCAL_NAME,
        remoteName: REMOTE_NAME,
        namesNote: NAMES_NOTE,
        saving: SAVING,
        established: ESTABLISHED,
        checkAgain: CHECK_AGAIN
    };
    step = 'code';
    code = '';
    codeError;
    invitation;
    saving = false;
    saveError;
    connection;
    pollError;
    /** Still Pending after the refresh budget: the wizard stopped reading until Check again. */
    waitPaused = false;
    knownConnections = [];
    refreshTimer;
    refreshDelay;
    /** The sum of the delays waited since the wait (re)started, against REFRESH_BUDGET_MS. */
    waitedMs = 0;
    connected = false;
    renderedStep;
    // Bumped whenever polling stops: answers of reads started before are dropped.
    generation = 0;
    /** A code to start with, e.g. from the console's c__invitation page parameter. */
    @api
    get initialCode() {
        return this.code;
    }
    set initialCode(value) {
        if (this.step !== 'code' || value === undefined || value === null) {
            return;
        }
        this.code = value;
        this.readCode(false);
    }
    /**
     * The connections this org already has (the console's list), so that a code this org accepted
     * before, or created itself, is explained before Confirm.
     */
    @api
    get existingConnections() {
        return this.knownConnections;
    }
    set existingConnections(value) {
        this.knownConnections = value ?? [];
        // The list may arrive after the code (a code from the URL opens the wizard at once).
        if (this.step === 'code' && this.code !== '') {
            this.readCode(false);
        }
    }
    connectedCallback() {
        this.connected = true;
        if (this.step === 'waiting' && !this.pollError) {
            // Coming back to the page starts the wait over, with the whole refresh budget.
            this.restartWaiting();
        }
    }
    renderedCallback() {
        // After Confirm the buttons change: the focus goes to what the wizard says now.
        if (this.renderedStep !== undefined && this.renderedStep !== this.step) {
            this.template?.querySelector('.step-heading')?.focus();
        }
        this.renderedStep = this.step;
    }
    disconnectedCallback() {
        this.connected = false;
        this.stopRefreshing();
    }
    /* ---------- steps ---------- */
    get isCodeStep() {
        return this.step === 'code';
    }
    get isWaiting() {
        return this.step === 'waiting';
    }
    get isEstablished() {
        return this.step === 'established';
    }
    get isFailed() {
        return this.step === 'failed';
    }
    get showCancel() {
        return this.step === 'code';
    }
    get showDone() {
        return this.step !== 'code';
    }
    get confirmDisabled() {
        return !this.invitation || this.saving;
    }
    get codeFieldClass() {
        return this.codeError ? 'slds-form-element slds-has-error' : 'slds-form-element';
    }
    /* ---------- the invitation ---------- */
    get typeText() {
        return this.invitation?.connectionType === 'Private' ? TYPE_PRIVATE : TYPE_PUBLIC;
    }
    get expiryText() {
        if (!this.invitation) {
            return '';
        }
        return localDateTime(this.invitation.expiresAt);
    }
    get hasDescription() {
        return Boolean(this.invitation?.description);
    }
    /* ---------- after accepting ---------- */
    get waitPausedText() {
        return formatLabel(WAITING_PAUSED, this.connection?.remoteInstanceName ?? this.invitation?.initiatorInstance ?? '');
    }
    get showCheckAgain() {
        return Boolean(this.pollError) || this.waitPaused;
    }
    get waitingText() {
        return formatLabel(WAITING, this.connection?.remoteInstanceName ?? this.invitation?.initiatorInstance ?? '');
    }
    get failureText() {
        if (this.connection?.status === 'Deactivated') {
            return DEACTIVATED;
        }
        return this.connection?.statusDetail || FAILED;
    }
    get connectionId() {
        return this.connection?.id;
    }
    /* ---------- handlers ---------- */
    handleCodeChange(event) {
        this.code = event.detail.value ?? '';
        this.saveError = undefined;
        // Typing into an empty field and clearing it again is not worth a message; Check says it.
        this.readCode(false);
    }
    handleCheck() {
        this.saveError = undefined;
        this.readCode(true);
    }
    async handleConfirm() {
        // Read again: the code may have expired while the page was open.
        if (!this.readCode(true) || !this.invitation) {
            return;
        }
        const invitation = this.invitation;
        const input = {
            invitationId: invitation.invitationId,
            connectionName: invitation.connectionName,
            localInstanceName: invitation.destinationInstance,
            remoteInstanceName: invitation.initiatorInstance,
            description: invitation.description ?? null,
            type: invitation.connectionType,
            remotePlatform: invitation.initiatorPlatform,
            remoteNodeUrl: invitation.initiatorNodeUrl || null,
            expiresAt: isoDateTime(invitation.expiresAt),
            secret: invitation.secret
        };
        this.saving = true;
        this.saveError = undefined;
        try {
            const connection = (await acceptInvitation({ input }));
            this.connection = connection;
            // The secret is stored on this side now; the page keeps no copy.
            this.code = '';
            this.invitation = { ...invitation, secret: '' };
            this.follow(connection);
        }
        catch (error) {
            this.saveError = errorMessage(error);
        }
        finally {
            this.saving = false;
        }
    }
    handleCheckAgain() {
        this.pollError = undefined;
        this.restartWaiting();
    }
    handleCancel() {
        this.stopRefreshing();
        this.dispatchEvent(new CustomEvent('cancel'));
    }
    handleDone() {
        this.stopRefreshing();
        this.dispatchEvent(new CustomEvent('done', { detail: { connectionId: this.connection?.id } }));
    }
    /* ---------- helpers ---------- */
    /** Decodes the code; shows its problem under the field. True when the invitation is good. */
    readCode(reportEmpty) {
        const result = decodeInvitation(this.code, nowSeconds());
        if (result.ok) {
            const used = usedCodeMessage(result.invitation, this.knownConnections);
            this.invitation = used ? undefined : result.invitation;
            this.codeError = used;
            return !used;
        }
        this.invitation = undefined;
        this.codeError = result.error === 'empty' && !reportEmpty ? undefined : codeErrorMessage(result);
        return false;
    }
    /** Moves on according to the connection's status: wait while Pending, stop on Active, Error or Deactivated. */
    follow(connection) {
        this.connection = connection;
        if (connection.status === 'Active') {
            this.stopRefreshing();
            this.step = 'established';
        }
        else if (connection.status === 'Error' || connection.status === 'Deactivated') {
            this.stopRefreshing();
            this.step = 'failed';
        }
        else {
            this.step = 'waiting';
            this.scheduleRefresh();
        }
    }
    restartWaiting() {
        this.waitPaused = false;
        this.waitedMs = 0;
        this.refreshDelay = undefined;
        this.scheduleRefresh();
    }
    scheduleRefresh() {
        this.stopRefreshing();
        if (!this.connected || !this.connection) {
            return;
        }
        const delay = nextRefreshDelay(this.refreshDelay);
        if (!withinRefreshBudget(this.waitedMs, delay)) {
            // Two minutes without an answer: the other side's connector may not run yet. Stop reading.
            this.waitPaused = true;
            return;
        }
        this.refreshDelay = delay;
        this.waitedMs += delay;
        const generation = this.generation;
        // A backing-off refresh that ends when the connection is Active or in Error (no busy polling).
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.refreshTimer = setTimeout(() => void this.refresh(generation), this.refreshDelay);
    }
    async refresh(generation) {
        this.refreshTimer = undefined;
        try {
            const connection = (await getConnection({ connectionId: this.connection?.id }));
            if (generation !== this.generation) {
                return;
            }
            this.follow(connection);
        }
        catch (error) {
            if (generation === this.generation) {
                this.pollError = errorMessage(error);
            }
        }
    }
    stopRefreshing() {
        this.generation++;
        if (this.refreshTimer !== undefined) {
            clearTimeout(this.refreshTimer);
            this.refreshTimer = undefined;
        }
    }
}
