/** The stages a sync goes through, in order, as the console and the Case action show them. */
export const SYNC_STAGES = [
    'Preparing',
    'Sending',
    'Waiting for remote',
    'Finalizing',
    'Synchronized'
];
/** A sync has ended when it is Synchronized or Failed: watching it any longer costs API calls for nothing. */
export function isFinalStage(stage) {
    return stage === 'Synchronized' || stage === 'Failed';
}
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;
/**
 * Delay before the next status refresh while a sync runs: quick at first, when the stages move
 * within a second, then backing off so that a slow remote side does not hammer the org.
 */
export function nextRefreshDelay(previousDelayMs) {
    if (previousDelayMs === undefined) {
        return FIRST_DELAY_MS;
    }
    return Math.min(Math.round(previousDelayMs * 1.5), MAX_DELAY_MS);
}
