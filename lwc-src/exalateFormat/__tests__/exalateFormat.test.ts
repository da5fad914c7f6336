import { formatDateTime, formatLabel } from 'c/exalateFormat';

describe('c/exalateFormat', () => {
    it('fills each placeholder with its value, numbers included', () => {
        expect(formatLabel('Delete {0}? {1} Cases stay in both systems.', 'SF_to_SN', 12)).toBe(
            'Delete SF_to_SN? 12 Cases stay in both systems.'
        );
    });

    it('fills a placeholder used twice and leaves one without a value visible', () => {
        expect(formatLabel('{0} and {0}, then {1}', 'A')).toBe('A and A, then {1}');
    });

    it('writes a date and time in the user’s locale and time zone', () => {
        const when = new Date('2026-01-01T00:00:00Z');
        // The Jest defaults of @salesforce/i18n: en-US, America/Los_Angeles.
        expect(formatDateTime(when)).toBe('Dec 31, 2025, 4:00 PM');
        expect(formatDateTime(when, 'de-DE', 'Europe/Berlin')).toBe('01.01.2026, 01:00');
    });

    it('falls back to ISO 8601 for a time zone the browser does not know, and to nothing for an invalid date', () => {
        expect(formatDateTime(new Date('2026-01-01T00:00:00Z'), 'en-US', 'Mars/Olympus_Mons')).toBe(
            '2026-01-01T00:00:00.000Z'
        );
        expect(formatDateTime(new Date(Number.NaN))).toBe('');
    });
});
