import { LightningElement } from 'lwc';
import listConnections from '@salesforce/apex/ConnectionController.listConnections';
import { errorMessage } from 'c/exalateErrors';
import CONSOLE_TITLE from '@salesforce/label/c.Console_Title';
import CONSOLE_REFRESH from '@salesforce/label/c.Console_Refresh';
import CONSOLE_LOADING from '@salesforce/label/c.Console_Loading';
import CONSOLE_EMPTY_TITLE from '@salesforce/label/c.Console_Empty_Title';
import CONSOLE_EMPTY_BODY from '@salesforce/label/c.Console_Empty_Body';
import COLUMN_CONNECTION from '@salesforce/label/c.Console_Column_Connection';
import COLUMN_REMOTE from '@salesforce/label/c.Console_Column_Remote';
import COLUMN_TYPE from '@salesforce/label/c.Console_Column_Type';
import COLUMN_MODE from '@salesforce/label/c.Console_Column_Mode';
import COLUMN_STATUS from '@salesforce/label/c.Console_Column_Status';
import COLUMN_CASES from '@salesforce/label/c.Console_Column_Cases';
import type { ConnectionDto } from '../../types/exalate-dto';

interface ConnectionRow extends ConnectionDto {
    remote: string;
    cases: number;
}

const COLUMNS = [
    { label: COLUMN_CONNECTION, fieldName: 'name', type: 'text' },
    { label: COLUMN_REMOTE, fieldName: 'remote', type: 'text' },
    { label: COLUMN_TYPE, fieldName: 'type', type: 'text' },
    { label: COLUMN_MODE, fieldName: 'mode', type: 'text' },
    { label: COLUMN_STATUS, fieldName: 'status', type: 'text' },
    { label: COLUMN_CASES, fieldName: 'cases', type: 'number' }
];

/**
 * The Exalate console (app tab): the connections of this org with their status.
 */
export default class ExalateConsole extends LightningElement {
    labels = {
        title: CONSOLE_TITLE,
        refresh: CONSOLE_REFRESH,
        loading: CONSOLE_LOADING,
        emptyTitle: CONSOLE_EMPTY_TITLE,
        emptyBody: CONSOLE_EMPTY_BODY
    };
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
