// Date/time values in the shapes Salesforce uses: REST answers datetimes as
// `2026-11-21T13:45:12.000+0000` (UTC, milliseconds, `+0000`), platform event payloads as
// `2026-11-21T13:45:12.000Z`, and dates as `2026-11-21`.

const MS_PER_DAY = 86_400_000;

/** A wall clock whose every tick is strictly later than the previous one (SystemModstamp). */
export class Clock {
    private last = 0;

    /** A timestamp (ms since epoch) later than every timestamp handed out before. */
    tick(): number {
        const now = Date.now();
        this.last = now > this.last ? now : this.last + 1;
        return this.last;
    }

    now(): number {
        return Math.max(Date.now(), this.last);
    }
}

export function formatDateTime(ms: number): string {
    return new Date(ms).toISOString().replace('Z', '+0000');
}

export function formatEventDateTime(ms: number): string {
    return new Date(ms).toISOString();
}

export function formatDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses the datetime forms the REST API accepts; undefined when the text is not one. */
export function parseDateTime(text: string): number | undefined {
    const match = DATETIME_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const [, year, month, day, hour, minute, second = '0', fraction = '0', zone = 'Z'] = match;
    const millis = Math.round(Number(`0.${fraction}`) * 1000);
    let ms = Date.UTC(
        Number(year),
        Number(month) - 1,
        Number(day),
        Number(hour),
        Number(minute),
        Number(second),
        millis
    );
    if (zone !== 'Z') {
        const sign = zone.startsWith('-') ? -1 : 1;
        const digits = zone.slice(1).replace(':', '');
        ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
    return Number.isNaN(ms) ? undefined : ms;
}

/** Parses `YYYY-MM-DD`; undefined when the text is not a valid date. */
export function parseDate(text: string): string | undefined {
    const match = DATE_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    return Number.isNaN(ms) || formatDate(ms) !== text ? undefined : text;
}

export function startOfDay(ms: number): number {
    return Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

export function addDays(ms: number, days: number): number {
    return ms + days * MS_PER_DAY;
}

export function addMonths(ms: number, months: number): number {
    const date = new Date(ms);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate());
}

export function startOfMonth(ms: number): number {
    const date = new Date(ms);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

export function startOfYear(ms: number): number {
    return Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
}

export function startOfQuarter(ms: number): number {
    const date = new Date(ms);
    return Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3, 1);
}

/** Weeks start on Sunday, as in the default (en_US) locale. */
export function startOfWeek(ms: number): number {
    const day = startOfDay(ms);
    return addDays(day, -new Date(day).getUTCDay());
}
