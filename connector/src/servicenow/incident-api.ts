// The ServiceNow instance, as the ServiceNow side of the connector reads and writes it: incidents,
// their additional comments (the journal, element `comments`; work notes are never read nor
// written) and their attachments. The REST adapter (`rest/`) implements it over the Table API and
// the Attachment API; the side's OrgPort (`servicenow-side.ts`) is written against it only.
//
// Datetimes are ISO 8601 strings in UTC (`2026-11-21T13:45:12.000Z`); the adapter converts
// ServiceNow's `YYYY-MM-DD HH:MM:SS` (UTC, with sysparm_display_value=false) to and from them.
import type { Buffer } from 'node:buffer';

export type IsoDateTime = string;

/** The fields of an incident that Basic mode syncs or needs. */
export interface Incident {
    readonly sysId: string;
    /** `INC0010001`. */
    readonly number: string;
    readonly shortDescription: string | null;
    readonly description: string | null;
    /** Holds the link key of an incident the connector created (exactly-once creation). */
    readonly correlationId: string | null;
    readonly updatedOn: IsoDateTime;
    /** User name of the last writer (`sys_updated_by`). */
    readonly updatedBy: string | null;
}

/** One additional comment (a sys_journal_field row with element `comments`). */
export interface JournalComment {
    readonly sysId: string;
    readonly incidentSysId: string;
    readonly value: string;
    /** User name (`sys_created_by`). */
    readonly createdBy: string | null;
    readonly createdOn: IsoDateTime;
}

/** One attachment of an incident (sys_attachment). */
export interface IncidentAttachment {
    readonly sysId: string;
    readonly incidentSysId: string;
    readonly fileName: string;
    readonly contentType: string | null;
    readonly sizeBytes: number;
    /** SHA-256 of the content, hex, lower case. */
    readonly sha256: string;
    readonly createdOn: IsoDateTime;
    /** User name of the uploader (`sys_created_by`). */
    readonly createdBy: string | null;
}

/** What createIncident and updateIncident write; omitted properties are left alone. */
export interface IncidentFields {
    readonly shortDescription?: string | null;
    readonly description?: string | null;
    readonly correlationId?: string | null;
}

/** Options of a query over incidents. */
export interface IncidentQuery {
    /** An encoded query, e.g. `urgency=1^sys_updated_on>2026-11-21 13:45:12`; `''` for all. */
    readonly query: string;
    readonly limit?: number;
    readonly offset?: number;
}

/** The ServiceNow instance. Every method is one or more REST calls, counted in `apiCalls`. */
export interface IncidentApi {
    /** REST calls made so far by this client. */
    readonly apiCalls: number;
    /** The service account's user name: what it writes carries it in sys_updated_by / sys_created_by. */
    readonly userName: string;
    /** Incidents matching an encoded query, ordered by sys_updated_on then sys_id. */
    queryIncidents(query: IncidentQuery): Promise<Incident[]>;
    /** Incidents by sys_id (chunked `sys_idIN...` queries); unknown ids are left out. */
    getIncidents(sysIds: readonly string[]): Promise<Incident[]>;
    /** Incidents by number (`INC0010001`); unknown numbers are left out. */
    getIncidentsByNumber(numbers: readonly string[]): Promise<Incident[]>;
    /** Incidents whose correlation_id is one of these. */
    getIncidentsByCorrelationId(correlationIds: readonly string[]): Promise<Incident[]>;
    createIncident(fields: IncidentFields): Promise<Incident>;
    updateIncident(sysId: string, fields: IncidentFields): Promise<Incident>;
    /**
     * Adds an additional comment (writes the incident's `comments` field: one journal row); answers
     * the incident as the write left it (its new sys_updated_on).
     */
    addComment(incidentSysId: string, text: string): Promise<Incident>;
    /** Additional comments of these incidents, oldest first (never work notes). */
    readComments(incidentSysIds: readonly string[]): Promise<JournalComment[]>;
    listAttachments(incidentSysIds: readonly string[]): Promise<IncidentAttachment[]>;
    /**
     * Attachments of incidents created at or after `since` (whole seconds), oldest first, at most
     * `limit` from `offset`: adding a file does not change the incident's sys_updated_on, so files
     * are found here.
     */
    attachmentsCreatedSince(since: IsoDateTime, limit: number, offset?: number): Promise<IncidentAttachment[]>;
    uploadAttachment(input: {
        readonly incidentSysId: string;
        readonly fileName: string;
        readonly contentType: string;
        readonly bytes: Uint8Array;
    }): Promise<IncidentAttachment>;
    downloadAttachment(attachmentSysId: string): Promise<Buffer>;
    /** Display names (`name` of sys_user) by user name; unknown users are left out. */
    userDisplayNames(userNames: readonly string[]): Promise<Map<string, string>>;
}
