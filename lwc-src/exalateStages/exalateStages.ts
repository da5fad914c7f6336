import STAGE_PREPARING from '@salesforce/label/c.Stage_Preparing';
import STAGE_SENDING from '@salesforce/label/c.Stage_Sending';
import STAGE_WAITING_FOR_REMOTE from '@salesforce/label/c.Stage_Waiting_For_Remote';
import STAGE_FINALIZING from '@salesforce/label/c.Stage_Finalizing';
import STAGE_SYNCHRONIZED from '@salesforce/label/c.Stage_Synchronized';
import STAGE_FAILED from '@salesforce/label/c.Stage_Failed';
import type { SyncStage } from '../../types/exalate-dto';

/** The stages a sync goes through, in order, as the console and the Case action show them. */
export const SYNC_STAGES: readonly SyncStage[] = [
    'Preparing',
    'Sending',
    'Waiting for remote',
    'Finalizing',
    'Synchronized'
];

const STAGE_LABELS: Record<SyncStage, string> = {
    Preparing: STAGE_PREPARING,
    Sending: STAGE_SENDING,
    'Waiting for remote': STAGE_WAITING_FOR_REMOTE,
    Finalizing: STAGE_FINALIZING,
    Synchronized: STAGE_SYNCHRONIZED,
    Failed: STAGE_FAILED
};

/**
 * The name of a stage as a user reads it (a custom label, so a subscriber org can translate it).
 * The stage values themselves stay the picklist values that Apex returns.
 */
export function stageLabel(stage: SyncStage | undefined): string {
    if (stage === undefined) {
        return '';
    }
    return STAGE_LABELS[stage] ?? stage;
}

/** The steps of a lightning-progress-indicator: one per stage, labelled, valued with the stage. */
export const SYNC_STEPS: readonly { label: string; value: SyncStage }[] = SYNC_STAGES.map((stage) => ({
    label: STAGE_LABELS[stage],
    value: stage
}));

/** A sync has ended when it is Synchronized or Failed: watching it any longer costs API calls for nothing. */
export function isFinalStage(stage: SyncStage | undefined): boolean {
    return stage === 'Synchronized' || stage === 'Failed';
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

/**
 * How long one wait is refreshed, counted as the sum of its delays (two minutes: 27 reads after the first),
 * before the component stops and offers "Check again". A sync that waits for a remote side which is
 * down, or an invitation the other side has not accepted yet, must not keep a page reading the org
 * every five seconds for hours.
 */
export const REFRESH_BUDGET_MS = 120000;

/**
 * Delay before the next status refresh while a sync runs: quick at first, when the stages move
 * within a second, then backing off so that a slow remote side does not hammer the org.
 */
export function nextRefreshDelay(previousDelayMs: number | undefined): number {
    if (previousDelayMs === undefined) {
        return FIRST_DELAY_MS;
    }
    return Math.min(Math.round(previousDelayMs * 1.5), MAX_DELAY_MS);
}

/**
 * Whether a wait that has already spent `waitedMs` on its delays may wait `nextDelayMs` more before
 * its next refresh (see REFRESH_BUDGET_MS).
 */
export function withinRefreshBudget(waitedMs: number, nextDelayMs: number): boolean {
    return waitedMs + nextDelayMs <= REFRESH_BUDGET_MS;
}
