import { formatLabel } from 'c/exalateFormat';

describe('c/exalateFormat', () => {
    it('fills each placeholder with its value, numbers included', () => {
        expect(formatLabel('Delete {0}? {1} Cases stay in both systems.', 'SF_to_SN', 12)).toBe(
            'Delete SF_to_SN? 12 Cases stay in both systems.'
        );
    });

    it('fills a placeholder used twice and leaves one without a value visible', () => {
        expect(formatLabel('{0} and {0}, then {1}', 'A')).toBe('A and A, then {1}');
    });
});
