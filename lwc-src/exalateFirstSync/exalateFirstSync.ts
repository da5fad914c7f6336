import { LightningElement, api } from 'lwc';
import requestSync from '@salesforce/apex/CaseSyncController.requestSync';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import { errorMessage } from 'c/exalateErrors';
import HEADING from '@salesforce/label/c.FirstSync_Heading';
import INTRO from '@salesforce/label/c.FirstSync_Intro';
import CASE_LABEL from '@salesforce/label/c.FirstSync_Case_Label';
import CASE_PLACEHOLDER from '@salesforce/label/c.FirstSync_Case_Placeholder';
import EXALATE from '@salesforce/label/c.FirstSync_Exalate';
import STARTING from '@salesforce/label/c.FirstSync_Starting';
import CASE_REQUIRED from '@salesforce/label/c.FirstSync_Case_Required';
import NO_CONNECTION from '@salesforce/label/c.FirstSync_No_Connection';
import SYNCHRONIZED from '@salesforce/label/c.FirstSync_Synchronized';
import FAILED from '@salesforce/label/c.FirstSync_Failed';
import LINKS_HEADING from '@salesforce/label/c.FirstSync_Links_Heading';
import LOCAL_SIDE from '@salesforce/label/c.FirstSync_Local_Side';
import REMOTE_SIDE from '@salesforce/label/c.FirstSync_Remote_Side';
import CASE_LINK from '@salesforce/label/c.FirstSync_Case_Link';
import REMOTE_PENDING from '@salesforce/label/c.FirstSync_Remote_Pending';
import type { TwinStatusDto } from '../../types/exalate-dto';
import { formatLabel } from 'c/exalateFormat';

/** The detail of c-exalate-sync-progress's `syncend` event. */
interface SyncEndDetail {
    stage: 'Synchronized' | 'Failed';
    error?: string;
    remoteKey?: string;
    remoteUrl?: string;
}

/**
 * "Sync your first case", shown once a connection is established: the admin enters a Case
 * number, clicks Exalate, watches the stages (Preparing, Sending, Waiting for remote,
 * Finalizing, Synchronized) and gets links to the Case on both sides.
 */
export default class ExalateFirstSync extends LightningElement {
    @api connectionId: string | undefined;

    labels = {
        heading: HEADING,
        intro: INTRO,
        caseLabel: CASE_LABEL,
        casePlaceholder: CASE_PLACEHOLDER,
        exalate: EXALATE,
        starting: STARTING,
        linksHeading: LINKS_HEADING,
        localSide: LOCAL_SIDE,
        remoteSide: REMOTE_SIDE,
        remotePending: REMOTE_PENDING
    };

    caseRef = '';
    caseError: string | undefined;
    starting = false;
    twin: TwinStatusDto | undefined;
    eventId: string | undefined;
    outcome: SyncEndDetail | undefined;

    get syncing(): boolean {
        return this.starting || (this.eventId !== undefined && this.outcome === undefined);
    }

    get exalateDisabled(): boolean {
        return this.syncing;
    }

    get caseFieldClass(): string {
        return this.caseError ? 'slds-form-element slds-has-error' : 'slds-form-element';
    }

    get showProgress(): boolean {
        return this.eventId !== undefined;
    }

    get isSynchronized(): boolean {
        return this.outcome?.stage === 'Synchronized';
    }

    get failure(): string | undefined {
        if (this.outcome?.stage !== 'Failed') {
            return undefined;
        }
        return this.outcome.error || FAILED;
    }

    get synchronizedText(): string {
        return SYNCHRONIZED;
    }

    get caseUrl(): string | undefined {
        return this.twin?.caseId ? `/lightning/r/Case/${this.twin.caseId}/view` : undefined;
    }

    get caseLinkText(): string {
        return formatLabel(CASE_LINK, this.twin?.caseNumber ?? this.caseRef.trim());
    }

    get remoteKey(): string | undefined {
        return this.outcome?.remoteKey || this.twin?.remoteKey || undefined;
    }

    get remoteUrl(): string | undefined {
        return this.outcome?.remoteUrl || this.twin?.remoteUrl || undefined;
    }

    get remoteText(): string {
        return this.remoteKey ?? this.remoteUrl ?? REMOTE_PENDING;
    }

    handleCaseChange(event: CustomEvent<{ value: string }>): void {
        this.caseRef = event.detail.value ?? '';
        this.caseError = undefined;
    }

    handleKeyUp(event: KeyboardEvent): void {
        if (event.key === 'Enter' && !this.exalateDisabled) {
            void this.handleExalate();
        }
    }

    async handleExalate(): Promise<void> {
        const caseRef = this.caseRef.trim();
        if (caseRef === '') {
            this.caseError = CASE_REQUIRED;
            return;
        }
        if (!this.connectionId) {
            this.caseError = NO_CONNECTION;
            return;
        }
        this.starting = true;
        this.caseError = undefined;
        try {
            const twin = (await requestSync({ connectionId: this.connectionId, caseRef })) as TwinStatusDto;
            this.twin = twin;
            this.outcome = undefined;
            this.eventId = twin.latestEventId;
        } catch (error) {
            this.caseError = errorMessage(error);
        } finally {
            this.starting = false;
        }
    }

    async handleSyncEnd(event: CustomEvent<SyncEndDetail>): Promise<void> {
        this.outcome = { ...event.detail };
        if (event.detail.stage === 'Synchronized' && !this.remoteKey && !this.remoteUrl && this.twin?.caseId) {
            await this.loadRemoteSide(this.twin.caseId);
        }
    }

    /** The remote key and URL when the progress did not carry them: from the Case's twin on this connection. */
    private async loadRemoteSide(caseId: string): Promise<void> {
        try {
            const twins = (await getCaseSyncStatus({ caseId })) as TwinStatusDto[];
            const twin = twins.find((candidate) => candidate.connectionId === this.connectionId);
            if (twin) {
                this.twin = { ...this.twin, ...twin };
            }
        } catch {
            // The links are a convenience: the Case is in sync either way, and the remote side shows "not known yet".
        }
    }
}
