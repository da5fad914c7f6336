import { LightningElement } from 'lwc';
import listConnections from '@salesforce/apex/ConnectionController.listConnections';
import { errorMessage } from 'c/exalateErrors';
import type { ConnectionDto } from '../../types/exalate-dto';

interface ConnectionRow extends ConnectionDto {
    remote: string;
    cases: number;
}

const COLUMNS = [
    { label: 'Connection', fieldName: 'name', type: 'text' },
    { label: 'Remote instance', fieldName: 'remote', type: 'text' },
    { label: 'Type', fieldName: 'type', type: 'text' },
    { label: 'Mode', fieldName: 'mode', type: 'text' },
    { label: 'Status', fieldName: 'status', type: 'text' },
    { label: 'Cases under sync', fieldName: 'cases', type: 'number' }
];

/**
 * The Exalate console (app tab): the connections of this org with their status.
 */
export default class ExalateConsole extends LightningElement {
    columns = COLUMNS;
    rows: ConnectionRow[] = [];
    loading = true;
    loadError: string | undefined;

    connectedCallback(): void {
        void this.loadConnections();
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

    private async loadConnections(): Promise<void> {
        this.loading = true;
        this.loadError = undefined;
        try {
            const connections = (await listConnections()) as ConnectionDto[];
            this.rows = connections.map((connection) => ({
                ...connection,
                remote: connection.remotePlatform
                    ? `${connection.remoteInstanceName} (${connection.remotePlatform})`
                    : connection.remoteInstanceName,
                cases: connection.syncedCaseCount ?? 0
            }));
        } catch (error) {
            this.rows = [];
            this.loadError = errorMessage(error);
        } finally {
            this.loading = false;
        }
    }
}
