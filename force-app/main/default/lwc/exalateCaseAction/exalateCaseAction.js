import { LightningElement, api } from 'lwc';
import { CloseActionScreenEvent } from 'lightning/actions';
import listActiveConnections from '@salesforce/apex/CaseSyncController.listActiveConnections';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';
import { errorMessage } from 'c/exalateErrors';
import { SYNC_STAGES, isFinalStage, nextRefreshDelay } from 'c/exalateStages';
/**
 * The "Exalate" quick action on a Case: pick a connection (skipped when there is only one),
 * start the sync and watch its stages until it is Synchronized or Failed.
 */
export default class ExalateCaseAction extends LightningElement {
    connections = [];
    twins = [];
    selectedConnectionId;
    stage;
    syncError;
    loadError;
    loading = true;
    syncing = false;
    stageSteps = SYNC_STAGES.map((stage) => ({ label: stage, value: stage }));
    caseId;
    eventId;
    refreshTimer;
    refreshDelay;
    // A screen action receives recordId after it is created, so loading starts here, not in connectedCallback.
    @api
    get recordId() {
        return this.caseId;
    }
    set recordId(value) {
        const changed = value !== this.caseId;
        this.caseId = value;
        if (value && changed) {
            void this.load();
        }
    }
    disconnectedCallback() {
        this.stopRefreshing();
    }
    get hasNoConnection() {
        return !this.loading && !this.loadError && this.connections.length === 0;
    }
    get showChooser() {
        return !this.loading && !this.loadError && this.connections.length > 1 && !this.syncStarted;
    }
    get showStart() {
        return !this.loading && !this.loadError && this.connections.length > 0 && !this.syncing;
    }
    get connectionOptions() {
        return this.connections.map((connection) => ({
            label: `${connection.name} (${connection.remoteInstanceName})`,
            value: connection.id
        }));
    }
    get selectedTwin() {
        return this.twins.find((twin) => twin.connectionId === this.selectedConnectionId);
    }
    get alreadyUnderSync() {
        return this.selectedTwin !== undefined && !this.syncStarted;
    }
    get alreadyUnderSyncMessage() {
        const twin = this.selectedTwin;
        if (!twin) {
            return '';
        }
        const remote = twin.remoteKey ? ` as ${twin.remoteKey}` : '';
        return `This Case is already under sync on ${twin.connectionName}${remote} (${twin.status ?? 'Preparing'}).`;
    }
    get startLabel() {
        return this.selectedTwin ? 'Sync now' : 'Exalate';
    }
    get startDisabled() {
        return !this.selectedConnectionId || this.syncing;
    }
    get syncStarted() {
        return this.stage !== undefined;
    }
    get isSynchronized() {
        return this.stage === 'Synchronized';
    }
    get progressStage() {
        return this.stage === 'Failed' ? '' : (this.stage ?? '');
    }
    handleConnectionChange(event) {
        this.selectedConnectionId = event.detail.value;
    }
    async handleStart() {
        if (!this.selectedConnectionId || !this.caseId) {
            return;
        }
        this.syncing = true;
        this.syncError = undefined;
        try {
            const status = (await requestSync({
                connectionId: this.selectedConnectionId,
                caseRef: this.caseId
            }));
            // From now on the Case is under sync on this connection, whatever happens to this event.
            this.twins = [...this.twins.filter((twin) => twin.connectionId !== status.connectionId), status];
            this.eventId = status.latestEventId;
            this.stage = status.latestEventStage ?? status.status ?? 'Preparing';
            this.scheduleRefresh();
        }
        catch (error) {
            this.syncError = errorMessage(error);
            this.syncing = false;
        }
    }
    handleClose() {
        this.stopRefreshing();
        this.dispatchEvent(new CloseActionScreenEvent());
    }
    async load() {
        this.loading = true;
        this.loadError = undefined;
        try {
            const [connections, twins] = await Promise.all([
                listActiveConnections(),
                getCaseSyncStatus({ caseId: this.caseId })
            ]);
            this.connections = connections;
            this.twins = twins;
            if (connections.length === 1) {
                this.selectedConnectionId = connections[0].id;
            }
        }
        catch (error) {
            this.loadError = errorMessage(error);
        }
        finally {
            this.loading = false;
        }
    }
    scheduleRefresh() {
        this.stopRefreshing();
        if (isFinalStage(this.stage) || !this.eventId) {
            this.syncing = false;
            return;
        }
        this.refreshDelay = nextRefreshDelay(this.refreshDelay);
        // A short, backing-off refresh that ends with the sync (no busy polling).
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.refreshTimer = setTimeout(() => void this.refresh(), this.refreshDelay);
    }
    async refresh() {
        try {
            const progress = (await getSyncProgress({ eventId: this.eventId }));
            this.stage = progress.stage;
            if (progress.stage === 'Failed') {
                this.syncError =
                    progress.error ?? 'The sync failed. Your Exalate admin can see the cause in the Errors tab.';
            }
            this.scheduleRefresh();
        }
        catch (error) {
            this.syncError = errorMessage(error);
            this.syncing = false;
        }
    }
    stopRefreshing() {
        if (this.refreshTimer !== undefined) {
            clearTimeout(this.refreshTimer);
            this.refreshTimer = undefined;
        }
    }
}
