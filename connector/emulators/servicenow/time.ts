// Glide date-times: `YYYY-MM-DD HH:MM:SS` in UTC, second precision, as the instance stores them and
// answers them with sysparm_display_value=false.

export type Clock = () => Date;

export function glideDateTime(date: Date): string {
    return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** A comparison value of an encoded query: a plain date-time or `javascript:gs.dateGenerate('d','t')`. */
export function queryDateValue(value: string): string {
    const generated = /^javascript:gs\.dateGenerate\('(\d{4}-\d{2}-\d{2})',\s*'(\d{2}:\d{2}:\d{2})'\)$/.exec(value);
    return generated ? `${generated[1]} ${generated[2]}` : value;
}
