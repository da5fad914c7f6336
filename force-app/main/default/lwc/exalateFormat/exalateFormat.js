import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
/**
 * Fills the `{0}`, `{1}`... placeholders of a custom label with values, as Salesforce labels are
 * written. A placeholder without a value stays as it is, so a missing value shows instead of vanishing.
 */
export function formatLabel(label, ...values) {
    return label.replace(/\{(\d+)\}/g, (placeholder, index) => {
        const value = values[Number(index)];
        return value === undefined ? placeholder : String(value);
    });
}
/**
 * A date and time as the user reads them: medium date and short time, in their locale and time zone
 * (ISO 8601 in UTC when the browser cannot format for that locale or zone; '' for an invalid date).
 */
export function formatDateTime(when, locale = LOCALE, timeZone = TIME_ZONE) {
    if (Number.isNaN(when.getTime())) {
        return '';
    }
    try {
        return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(when);
    }
    catch {
        return when.toISOString();
    }
}
