// Glide date-times (`YYYY-MM-DD HH:MM:SS`, UTC with sysparm_display_value=false) to and from the
// ISO 8601 strings of the IncidentApi port.
import type { IsoDateTime } from '../incident-api.ts';

export function fromGlideDateTime(value: string): IsoDateTime {
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
    if (!match) {
        throw new RangeError(`Not a ServiceNow date-time: ${JSON.stringify(value)}`);
    }
    return `${match[1]}T${match[2]}.000Z`;
}

/** For encoded queries: `sys_updated_on>=${toGlideDateTime(iso)}`. Sub-second parts are dropped. */
export function toGlideDateTime(value: IsoDateTime | Date): string {
    const date = typeof value === 'string' ? new Date(value) : value;
    if (Number.isNaN(date.getTime())) {
        throw new RangeError(`Not a date-time: ${JSON.stringify(value)}`);
    }
    return date.toISOString().slice(0, 19).replace('T', ' ');
}
