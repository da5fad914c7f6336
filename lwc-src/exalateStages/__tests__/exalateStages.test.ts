import {
    REFRESH_BUDGET_MS,
    SYNC_STAGES,
    SYNC_STEPS,
    isFinalStage,
    nextRefreshDelay,
    stageLabel,
    withinRefreshBudget
} from 'c/exalateStages';

describe('c/exalateStages', () => {
    it('lists the stages in the order a sync goes through them', () => {
        expect(SYNC_STAGES).toEqual(['Preparing', 'Sending', 'Waiting for remote', 'Finalizing', 'Synchronized']);
    });

    it('treats Synchronized and Failed as the end of a sync', () => {
        expect(isFinalStage('Synchronized')).toBe(true);
        expect(isFinalStage('Failed')).toBe(true);
        expect(isFinalStage('Waiting for remote')).toBe(false);
        expect(isFinalStage(undefined)).toBe(false);
    });

    it('refreshes quickly at first and backs off to at most five seconds', () => {
        const delays: number[] = [];
        let delay: number | undefined;
        for (let i = 0; i < 8; i++) {
            delay = nextRefreshDelay(delay);
            delays.push(delay);
        }
        expect(delays[0]).toBe(500);
        expect(delays[1]).toBe(750);
        expect(delays.every((value, index) => index === 0 || value >= delays[index - 1])).toBe(true);
        expect(delays[delays.length - 1]).toBe(5000);
    });

    it('stops a wait after two minutes of delays: 27 reads after the first', () => {
        expect(REFRESH_BUDGET_MS).toBe(120000);
        let waited = 0;
        let delay: number | undefined;
        let reads = 0;
        for (;;) {
            const next = nextRefreshDelay(delay);
            if (!withinRefreshBudget(waited, next)) {
                break;
            }
            delay = next;
            waited += next;
            reads++;
        }
        expect(reads).toBe(27);
        expect(waited).toBeLessThanOrEqual(REFRESH_BUDGET_MS);
        expect(withinRefreshBudget(0, REFRESH_BUDGET_MS)).toBe(true);
        expect(withinRefreshBudget(1, REFRESH_BUDGET_MS)).toBe(false);
    });

    it('names every stage with its label, and the progress steps in order', () => {
        expect(SYNC_STEPS).toEqual([
            { label: 'Preparing', value: 'Preparing' },
            { label: 'Sending', value: 'Sending' },
            { label: 'Waiting for remote', value: 'Waiting for remote' },
            { label: 'Finalizing', value: 'Finalizing' },
            { label: 'Synchronized', value: 'Synchronized' }
        ]);
        expect(stageLabel('Failed')).toBe('Failed');
        expect(stageLabel(undefined)).toBe('');
    });

    it('shows an unknown stage value as it is', () => {
        expect(stageLabel('Archived' as never)).toBe('Archived');
    });
});
