import { LightningElement, api } from 'lwc';
import getSyncProgress from '@salesforce/apex/CaseSyncController.getSyncProgress';
import getCaseSyncStatus from '@salesforce/apex/CaseSyncController.getCaseSyncStatus';
import { errorMessage } from 'c/exalateErrors';
import { SYNC_STEPS, isFinalStage, nextRefreshDelay, stageLabel, withinRefreshBudget } from 'c/exalateStages';
import PROGRESS_STAGE from '@salesforce/label/c.Progress_Stage';
import PROGRESS_CHECKING from '@salesforce/label/c.Progress_Checking';
import PROGRESS_FAILED from '@salesforce/label/c.Progress_Failed';
import PROGRESS_PAUSED from '@salesforce/label/c.Progress_Paused';
import PROGRESS_CHECK_AGAIN from '@salesforce/label/c.Progress_Check_Again';
import { formatLabel } from 'c/exalateFormat';
/**
 * The stages of one sync event (Preparing, Sending, Waiting for remote, Finalizing, Synchronized),
 * refreshed until the sync ends; then it fires `syncend` (not bubbling) with the outcome and the
 * remote key and URL of the Case's twin, so that the caller can link to the other side.
 *
 * Why a timer and not lightning/empApi: the stages are written by the connector over the REST API,
 * and the only platform event of the package, /event/Sync_Wake__e, carries no record data (only a
 * reason) and is published when a sync is requested, not when a stage moves. Subscribing to it
 * would tell nothing about this event's stage, so the component reads the event instead: quickly
 * at first (500 ms), backing off by 1.5 up to 5 s, and never after the sync ended or after the
 * component left the page. A sync still running after two minutes of this (REFRESH_BUDGET_MS: a
 * remote side that is down, a retry due later) is not read any more until the user clicks Check again.
 */
export default class ExalateSyncProgress extends LightningElement {
    labels = { paused: PROGRESS_PAUSED, checkAgain: PROGRESS_CHECK_AGAIN };
    steps = SYNC_STEPS;
    stage;
    errorText;
    /** The sync is still running, but its refresh budget is spent: the user decides when to read again. */
    paused = false;
    currentEventId;
    lastStep;
    lastEvent;
    refreshTimer;
    refreshDelay;
    /** The sum of the delays waited since this watch (re)started, against REFRESH_BUDGET_MS. */
    waitedMs = 0;
    connected = false;
    ended = false;
    // Bumped whenever the watched event changes or watching stops: answers of older reads are dropped.
    generation = 0;
    /** The Sync_Event__c to watch; setting another id starts watching that one from its start. */
    @api
    get eventId() {
        return this.currentEventId;
    }
    set eventId(value) {
        if (value === this.currentEventId) {
            return;
        }
        this.stopRefreshing();
        this.currentEventId = value;
        this.stage = undefined;
        this.lastStep = undefined;
        this.lastEvent = undefined;
        this.errorText = undefined;
        this.paused = false;
        this.ended = false;
        if (this.connected) {
            this.startRefreshing();
        }
    }
    connectedCallback() {
        this.connected = true;
        this.startRefreshing();
    }
    disconnectedCallback() {
        this.connected = false;
        this.stopRefreshing();
    }
    get currentStep() {
        return this.lastStep ?? '';
    }
    get hasFailed() {
        return this.stage === 'Failed';
    }
    /** Reads the event again, with a fresh refresh budget, after the refresh stopped on its budget. */
    handleCheckAgain() {
        this.startRefreshing();
    }
    get stageText() {
        return this.stage === undefined ? PROGRESS_CHECKING : formatLabel(PROGRESS_STAGE, stageLabel(this.stage));
    }
    startRefreshing() {
        if (!this.currentEventId || this.ended || this.refreshTimer !== undefined) {
            return;
        }
        // Every start (a new event, coming back to the page, Check again) gets the whole budget.
        this.paused = false;
        this.waitedMs = 0;
        this.refreshDelay = undefined;
        this.generation++;
        void this.refresh(this.generation);
    }
    scheduleRefresh(generation) {
        this.clearTimer();
        const delay = nextRefreshDelay(this.refreshDelay);
        if (!withinRefreshBudget(this.waitedMs, delay)) {
            this.paused = true;
            return;
        }
        this.refreshDelay = delay;
        this.waitedMs += delay;
        // A short, backing-off refresh that ends with the sync (see the class comment for why not empApi).
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.refreshTimer = setTimeout(() => {
            this.refreshTimer = undefined;
            void this.refresh(generation);
        }, this.refreshDelay);
    }
    async refresh(generation) {
        let progress;
        try {
            progress = (await getSyncProgress({ eventId: this.currentEventId }));
            if (!progress?.stage) {
                // Apex always answers with an event or an error; anything else is reported as an error.
                throw new Error(errorMessage(undefined));
            }
        }
        catch (error) {
            if (generation === this.generation) {
                const message = errorMessage(error);
                this.errorText = message;
                this.stage = 'Failed';
                await this.finish('Failed', message, generation);
            }
            return;
        }
        if (generation !== this.generation) {
            return;
        }
        this.lastEvent = progress;
        this.stage = progress.stage;
        if (progress.stage !== 'Failed') {
            // On Failed the indicator keeps the last stage reached and marks it as the one in error.
            this.lastStep = progress.stage;
        }
        if (progress.stage === 'Failed') {
            this.errorText = progress.error || PROGRESS_FAILED;
        }
        if (isFinalStage(progress.stage)) {
            await this.finish(progress.stage === 'Failed' ? 'Failed' : 'Synchronized', this.errorText, generation);
        }
        else {
            this.scheduleRefresh(generation);
        }
    }
    /** Ends the watch: reads the twin once, for the link to the other side, then fires syncend. */
    async finish(stage, error, generation) {
        this.ended = true;
        this.clearTimer();
        const detail = { stage };
        if (error !== undefined) {
            detail.error = error;
        }
        const twin = await this.readTwin();
        if (generation !== this.generation) {
            // Another event is watched now, or the component left the page: if it comes back, it reads the event again.
            this.ended = false;
            return;
        }
        if (twin?.remoteKey) {
            detail.remoteKey = twin.remoteKey;
        }
        if (twin?.remoteUrl) {
            detail.remoteUrl = twin.remoteUrl;
        }
        this.dispatchEvent(new CustomEvent('syncend', { detail, bubbles: false }));
    }
    /** The twin of the watched event; undefined when it is not known or cannot be read (the sync's outcome stands). */
    async readTwin() {
        const event = this.lastEvent;
        if (!event?.caseId) {
            return undefined;
        }
        try {
            const twins = (await getCaseSyncStatus({ caseId: event.caseId }));
            return (twins.find((twin) => event.twinId !== undefined && twin.twinId === event.twinId) ??
                twins.find((twin) => event.connectionId !== undefined && twin.connectionId === event.connectionId));
        }
        catch {
            return undefined;
        }
    }
    stopRefreshing() {
        this.generation++;
        this.clearTimer();
    }
    clearTimer() {
        if (this.refreshTimer !== undefined) {
            clearTimeout(this.refreshTimer);
            this.refreshTimer = undefined;
        }
    }
}
