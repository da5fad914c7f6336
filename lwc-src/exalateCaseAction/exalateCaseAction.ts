import { LightningElement, api } from 'lwc';
import { CloseActionScreenEvent } from 'lightning/actions';
import listActiveConnections from '@salesforce/apex/CaseSyncController.listActiveConnections';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import { errorMessage } from 'c/exalateErrors';
import { stageLabel } from 'c/exalateStages';
import CASE_ACTION_TITLE from '@salesforce/label/c.CaseAction_Title';
import CASE_ACTION_LOADING from '@salesforce/label/c.CaseAction_Loading';
import CASE_ACTION_NO_CONNECTION from '@salesforce/label/c.CaseAction_No_Connection';
import CASE_ACTION_CONNECTION from '@salesforce/label/c.CaseAction_Connection';
import CASE_ACTION_CONNECTION_OPTION from '@salesforce/label/c.CaseAction_Connection_Option';
import CASE_ACTION_ALREADY_SYNCED from '@salesforce/label/c.CaseAction_Already_Synced';
import CASE_ACTION_ALREADY_SYNCED_NO_KEY from '@salesforce/label/c.CaseAction_Already_Synced_No_Key';
import CASE_ACTION_EXALATE from '@salesforce/label/c.CaseAction_Exalate';
import CASE_ACTION_SYNC_NOW from '@salesforce/label/c.CaseAction_Sync_Now';
import CASE_ACTION_CLOSE from '@salesforce/label/c.CaseAction_Close';
import CASE_ACTION_SYNCHRONIZED from '@salesforce/label/c.CaseAction_Synchronized';
import CASE_ACTION_REMOTE_RECORD from '@salesforce/label/c.CaseAction_Remote_Record';
import type { SyncEndDetail } from 'c/exalateSyncProgress';
import type { ConnectionDto, TwinStatusDto } from '../../types/exalate-dto';
import { formatLabel } from 'c/exalateFormat';

/**
 * The "Exalate" quick action on a Case: pick a connection (skipped when there is only one),
 * start the sync and watch its stages (c-exalate-sync-progress) until it is Synchronized or Failed.
 */
export default class ExalateCaseAction extends LightningElement {
    labels = {
        title: CASE_ACTION_TITLE,
        loading: CASE_ACTION_LOADING,
        noConnection: CASE_ACTION_NO_CONNECTION,
        connection: CASE_ACTION_CONNECTION,
        close: CASE_ACTION_CLOSE,
        synchronized: CASE_ACTION_SYNCHRONIZED,
        remoteRecord: CASE_ACTION_REMOTE_RECORD
    };
    connections: ConnectionDto[] = [];
    twins: TwinStatusDto[] = [];
    selectedConnectionId: string | undefined;
    /** The event whose stages are shown; set once a sync was requested. */
    eventId: string | undefined;
    syncEnd: SyncEndDetail | undefined;
    syncError: string | undefined;
    loadError: string | undefined;
    loading = true;
    syncing = false;

    private caseId: string | undefined;

    // A screen action receives recordId after it is created, so loading starts here, not in connectedCallback.
    @api
    get recordId(): string | undefined {
        return this.caseId;
    }
    set recordId(value: string | undefined) {
        const changed = value !== this.caseId;
        this.caseId = value;
        if (value && changed) {
            void this.load();
        }
    }

    get hasNoConnection(): boolean {
        return !this.loading && !this.loadError && this.connections.length === 0;
    }

    get showChooser(): boolean {
        return !this.loading && !this.loadError && this.connections.length > 1 && !this.syncStarted;
    }

    get showStart(): boolean {
        return !this.loading && !this.loadError && this.connections.length > 0 && !this.syncing;
    }

    get connectionOptions(): { label: string; value: string }[] {
        return this.connections.map((connection) => ({
            label: formatLabel(CASE_ACTION_CONNECTION_OPTION, connection.name, connection.remoteInstanceName),
            value: connection.id
        }));
    }

    get selectedTwin(): TwinStatusDto | undefined {
        return this.twins.find((twin) => twin.connectionId === this.selectedConnectionId);
    }

    get alreadyUnderSync(): boolean {
        return this.selectedTwin !== undefined && !this.syncStarted;
    }

    get alreadyUnderSyncMessage(): string {
        const twin = this.selectedTwin;
        if (!twin) {
            return '';
        }
        const status = stageLabel(twin.status ?? 'Preparing');
        return twin.remoteKey
            ? formatLabel(CASE_ACTION_ALREADY_SYNCED, twin.connectionName, twin.remoteKey, status)
            : formatLabel(CASE_ACTION_ALREADY_SYNCED_NO_KEY, twin.connectionName, status);
    }

    get startLabel(): string {
        return this.selectedTwin ? CASE_ACTION_SYNC_NOW : CASE_ACTION_EXALATE;
    }

    get startDisabled(): boolean {
        return !this.selectedConnectionId || this.syncing;
    }

    get syncStarted(): boolean {
        return this.eventId !== undefined;
    }

    get isSynchronized(): boolean {
        return this.syncEnd?.stage === 'Synchronized';
    }

    get remoteKey(): string | undefined {
        return this.syncEnd?.remoteKey;
    }

    get remoteUrl(): string | undefined {
        return this.syncEnd?.remoteUrl;
    }

    handleConnectionChange(event: CustomEvent<{ value: string }>): void {
        this.selectedConnectionId = event.detail.value;
    }

    async handleStart(): Promise<void> {
        if (!this.selectedConnectionId || !this.caseId || this.syncing) {
            return;
        }
        this.syncing = true;
        this.syncError = undefined;
        this.syncEnd = undefined;
        try {
            const status = (await requestSync({
                connectionId: this.selectedConnectionId,
                caseRef: this.caseId
            })) as TwinStatusDto;
            // From now on the Case is under sync on this connection, whatever happens to this event.
            this.twins = [...this.twins.filter((twin) => twin.connectionId !== status.connectionId), status];
            // c-exalate-sync-progress watches the event from here and ends with syncend.
            this.eventId = status.latestEventId;
            this.syncing = this.eventId !== undefined;
        } catch (error) {
            this.syncError = errorMessage(error);
            this.syncing = false;
        }
    }

    handleSyncEnd(event: CustomEvent<SyncEndDetail>): void {
        this.syncEnd = event.detail;
        this.syncing = false;
    }

    handleClose(): void {
        // Removing the progress stops its refresh timer at once, even before the platform closes the screen.
        this.eventId = undefined;
        this.syncing = false;
        this.dispatchEvent(new CloseActionScreenEvent());
    }

    private async load(): Promise<void> {
        this.loading = true;
        this.loadError = undefined;
        try {
            const [connections, twins] = await Promise.all([
                listActiveConnections() as Promise<ConnectionDto[]>,
                getCaseSyncStatus({ caseId: this.caseId }) as Promise<TwinStatusDto[]>
            ]);
            this.connections = connections;
            this.twins = twins;
            if (connections.length === 1) {
                this.selectedConnectionId = connections[0].id;
            }
        } catch (error) {
            this.loadError = errorMessage(error);
        } finally {
            this.loading = false;
        }
    }
}
