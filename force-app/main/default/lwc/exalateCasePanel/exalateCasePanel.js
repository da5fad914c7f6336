import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LightningConfirm from 'lightning/confirm';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import unexalate from '@salesforce/apex/CaseSyncController.unexalate';
import { errorMessage } from 'c/exalateErrors';
import { stageLabel } from 'c/exalateStages';
import CASE_PANEL_TITLE from '@salesforce/label/c.CasePanel_Title';
import CASE_PANEL_REFRESH from '@salesforce/label/c.CasePanel_Refresh';
import CASE_PANEL_LOADING from '@salesforce/label/c.CasePanel_Loading';
import CASE_PANEL_EMPTY from '@salesforce/label/c.CasePanel_Empty';
import CASE_PANEL_EMPTY_HINT from '@salesforce/label/c.CasePanel_Empty_Hint';
import CASE_PANEL_REMOTE_RECORD from '@salesforce/label/c.CasePanel_Remote_Record';
import CASE_PANEL_REMOTE_PENDING from '@salesforce/label/c.CasePanel_Remote_Pending';
import CASE_PANEL_STATUS from '@salesforce/label/c.CasePanel_Status';
import CASE_PANEL_STATUS_UNKNOWN from '@salesforce/label/c.CasePanel_Status_Unknown';
import CASE_PANEL_LAST_SYNCED from '@salesforce/label/c.CasePanel_Last_Synced';
import CASE_PANEL_NEVER from '@salesforce/label/c.CasePanel_Never';
import CASE_PANEL_LAST_ERROR from '@salesforce/label/c.CasePanel_Last_Error';
import CASE_PANEL_SYNC_NOW from '@salesforce/label/c.CasePanel_Sync_Now';
import CASE_PANEL_UNEXALATE from '@salesforce/label/c.CasePanel_Unexalate';
import CASE_PANEL_CONFIRM_TITLE from '@salesforce/label/c.CasePanel_Confirm_Title';
import CASE_PANEL_CONFIRM_MESSAGE from '@salesforce/label/c.CasePanel_Confirm_Message';
import CASE_PANEL_CONFIRM_MESSAGE_NO_KEY from '@salesforce/label/c.CasePanel_Confirm_Message_No_Key';
import CASE_PANEL_UNEXALATED_TITLE from '@salesforce/label/c.CasePanel_Unexalated_Title';
import CASE_PANEL_UNEXALATED from '@salesforce/label/c.CasePanel_Unexalated';
import CASE_PANEL_UNEXALATED_NO_KEY from '@salesforce/label/c.CasePanel_Unexalated_No_Key';
import { formatLabel } from 'c/exalateFormat';
/**
 * The sync status panel of the Case record page: per twin of the Case (usually one) the
 * connection, the remote record as a link, the status, the last sync and the last error, with
 * Sync now (watched by c-exalate-sync-progress) and Unexalate (stops syncing, keeps both records).
 */
export default class ExalateCasePanel extends LightningElement {
    labels = {
        title: CASE_PANEL_TITLE,
        refresh: CASE_PANEL_REFRESH,
        loading: CASE_PANEL_LOADING,
        empty: CASE_PANEL_EMPTY,
        emptyHint: CASE_PANEL_EMPTY_HINT,
        remoteRecord: CASE_PANEL_REMOTE_RECORD,
        status: CASE_PANEL_STATUS,
        lastSynced: CASE_PANEL_LAST_SYNCED,
        never: CASE_PANEL_NEVER,
        lastError: CASE_PANEL_LAST_ERROR,
        syncNow: CASE_PANEL_SYNC_NOW,
        unexalate: CASE_PANEL_UNEXALATE
    };
    twins = [];
    loading = false;
    loadError;
    /** twinId → the event whose stages are shown under the twin (kept after the sync ended, until a manual refresh). */
    progress = {};
    /** twinIds whose shown sync has not ended yet. */
    running = [];
    /** twinIds with a Sync now or Unexalate request on its way. */
    busy = [];
    /** twinId → why the last Sync now or Unexalate failed. */
    actionErrors = {};
    caseId;
    connected = false;
    // Bumped by every load: only the answer of the latest one is shown.
    loadGeneration = 0;
    @api
    get recordId() {
        return this.caseId;
    }
    set recordId(value) {
        if (value === this.caseId) {
            return;
        }
        this.caseId = value;
        this.twins = [];
        this.progress = {};
        this.running = [];
        this.busy = [];
        this.actionErrors = {};
        if (this.connected) {
            void this.load();
        }
    }
    connectedCallback() {
        this.connected = true;
        void this.load();
    }
    disconnectedCallback() {
        this.connected = false;
    }
    get isEmpty() {
        return !this.loading && !this.loadError && this.twins.length === 0;
    }
    get rows() {
        return this.twins.map((twin) => {
            const busy = this.busy.includes(twin.twinId);
            return {
                twinId: twin.twinId,
                connectionName: twin.connectionName,
                remoteKey: twin.remoteKey,
                remoteUrl: twin.remoteUrl,
                remoteText: twin.remoteKey ?? CASE_PANEL_REMOTE_PENDING,
                statusText: twin.status ? stageLabel(twin.status) : CASE_PANEL_STATUS_UNKNOWN,
                lastSynced: twin.lastSynced,
                lastError: twin.lastError,
                eventId: this.progress[twin.twinId],
                actionError: this.actionErrors[twin.twinId],
                busy,
                syncDisabled: busy || this.running.includes(twin.twinId)
            };
        });
    }
    handleRefresh() {
        // A manual refresh also clears the stages of syncs that have ended: the status now tells their outcome.
        this.progress = Object.fromEntries(Object.entries(this.progress).filter(([twinId]) => this.running.includes(twinId)));
        this.actionErrors = {};
        void this.load();
    }
    async handleSyncNow(event) {
        const twin = this.twinOf(event);
        if (!twin || !this.caseId || this.busy.includes(twin.twinId) || this.running.includes(twin.twinId)) {
            return;
        }
        this.startAction(twin.twinId);
        try {
            const status = (await requestSync({
                connectionId: twin.connectionId,
                caseRef: this.caseId
            }));
            this.twins = this.twins.map((each) => (each.twinId === twin.twinId ? { ...each, ...status } : each));
            if (status.latestEventId) {
                this.progress = { ...this.progress, [twin.twinId]: status.latestEventId };
                this.running = [...this.running, twin.twinId];
            }
        }
        catch (error) {
            this.actionErrors = { ...this.actionErrors, [twin.twinId]: errorMessage(error) };
        }
        finally {
            this.busy = this.busy.filter((twinId) => twinId !== twin.twinId);
        }
    }
    handleSyncEnd(event) {
        const twinId = event.currentTarget.dataset.twinId;
        this.running = this.running.filter((each) => each !== twinId);
        void this.load();
    }
    async handleUnexalate(event) {
        const twin = this.twinOf(event);
        if (!twin || this.busy.includes(twin.twinId)) {
            return;
        }
        const message = twin.remoteKey
            ? formatLabel(CASE_PANEL_CONFIRM_MESSAGE, twin.remoteKey, twin.connectionName)
            : formatLabel(CASE_PANEL_CONFIRM_MESSAGE_NO_KEY, twin.connectionName);
        const confirmed = await openConfirm({
            label: CASE_PANEL_CONFIRM_TITLE,
            message,
            variant: 'header',
            theme: 'warning'
        });
        if (!confirmed) {
            return;
        }
        this.startAction(twin.twinId);
        try {
            await unexalate({ twinId: twin.twinId });
            this.dispatchEvent(new ShowToastEvent({
                title: CASE_PANEL_UNEXALATED_TITLE,
                message: twin.remoteKey
                    ? formatLabel(CASE_PANEL_UNEXALATED, twin.remoteKey, twin.connectionName)
                    : formatLabel(CASE_PANEL_UNEXALATED_NO_KEY, twin.connectionName),
                variant: 'success'
            }));
            this.twins = this.twins.filter((each) => each.twinId !== twin.twinId);
            void this.load();
        }
        catch (error) {
            this.actionErrors = { ...this.actionErrors, [twin.twinId]: errorMessage(error) };
        }
        finally {
            this.busy = this.busy.filter((twinId) => twinId !== twin.twinId);
        }
    }
    twinOf(event) {
        const twinId = event.currentTarget.dataset.twinId;
        return this.twins.find((twin) => twin.twinId === twinId);
    }
    startAction(twinId) {
        this.busy = [...this.busy, twinId];
        const errors = { ...this.actionErrors };
        delete errors[twinId];
        this.actionErrors = errors;
    }
    async load() {
        const generation = ++this.loadGeneration;
        if (!this.caseId) {
            this.loading = false;
            return;
        }
        this.loading = true;
        this.loadError = undefined;
        try {
            const twins = (await getCaseSyncStatus({ caseId: this.caseId }));
            if (generation !== this.loadGeneration) {
                return;
            }
            this.twins = twins;
            // Stages of twins that are gone (unexalated, here or elsewhere) go with them.
            const present = new Set(twins.map((twin) => twin.twinId));
            this.progress = Object.fromEntries(Object.entries(this.progress).filter(([twinId]) => present.has(twinId)));
            this.running = this.running.filter((twinId) => present.has(twinId));
        }
        catch (error) {
            if (generation === this.loadGeneration) {
                this.loadError = errorMessage(error);
            }
        }
        finally {
            if (generation === this.loadGeneration) {
                this.loading = false;
            }
        }
    }
}
/** LightningConfirm.open, which @salesforce/lightning-types does not declare: resolves true on OK. */
function openConfirm(options) {
    return LightningConfirm.open(options);
}
