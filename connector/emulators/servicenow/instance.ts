// The instance's data: the incident, sys_journal_field, sys_attachment and sys_user tables, and the
// writes of the platform (numbering, sys_* fields, journal entries from `comments` / `work_notes`).
// The REST APIs and the UI helpers of the emulator both write through here.
import { createHash } from 'node:crypto';
import type { Row } from './encoded-query.ts';
import { SnApiError } from './errors.ts';
import { NumberMaintenance, newSysId } from './ids.ts';
import type { Clock } from './time.ts';
import { glideDateTime } from './time.ts';

export interface SnUser {
    readonly sysId: string;
    readonly userName: string;
    readonly password: string;
    readonly name: string;
}

const SYS_FIELDS = ['sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'];
export const JOURNAL_FIELDS = ['comments', 'work_notes'] as const;
export type JournalElement = (typeof JOURNAL_FIELDS)[number];

const INCIDENT_DEFAULTS: Row = {
    number: '',
    short_description: '',
    description: '',
    correlation_id: '',
    correlation_display: '',
    state: '1',
    impact: '3',
    urgency: '3',
    priority: '5',
    active: 'true',
    caller_id: '',
    assignment_group: '',
    assigned_to: '',
    category: 'inquiry',
    opened_at: '',
    opened_by: '',
    comments: '',
    work_notes: '',
    comments_and_work_notes: ''
};

export const TABLE_FIELDS: Record<string, ReadonlySet<string>> = {
    incident: new Set([...SYS_FIELDS, ...Object.keys(INCIDENT_DEFAULTS)]),
    sys_journal_field: new Set([...SYS_FIELDS, 'element', 'element_id', 'name', 'value']),
    sys_attachment: new Set([
        ...SYS_FIELDS,
        'file_name',
        'content_type',
        'size_bytes',
        'size_compressed',
        'compressed',
        'table_name',
        'table_sys_id',
        'hash',
        'state',
        'image_width',
        'image_height',
        'average_image_color',
        'chunk_size_bytes',
        'sys_tags'
    ]),
    sys_user: new Set([...SYS_FIELDS, 'user_name', 'name', 'active'])
};

/** Fields that read back the journal instead of a stored value. */
const JOURNAL_READ: Record<string, readonly JournalElement[]> = {
    comments: ['comments'],
    work_notes: ['work_notes'],
    comments_and_work_notes: ['comments', 'work_notes']
};

export class Instance {
    readonly tables: Record<string, Map<string, Row>> = {
        incident: new Map(),
        sys_journal_field: new Map(),
        sys_attachment: new Map(),
        sys_user: new Map()
    };
    private readonly content = new Map<string, Buffer>();
    private readonly incidentNumbers = new NumberMaintenance('INC');
    private readonly users = new Map<string, SnUser>();
    private readonly clock: Clock;

    constructor(clock: Clock) {
        this.clock = clock;
    }

    addUser(user: { userName: string; password: string; name: string }): SnUser {
        const sysId = newSysId();
        const created: SnUser = { ...user, sysId };
        this.users.set(user.userName, created);
        this.tables.sys_user.set(sysId, {
            ...this.sysFields(sysId, 'system'),
            user_name: user.userName,
            name: user.name,
            active: 'true'
        });
        return created;
    }

    user(userName: string): SnUser | undefined {
        return this.users.get(userName);
    }

    private sysFields(sysId: string, userName: string): Row {
        const now = glideDateTime(this.clock());
        return {
            sys_id: sysId,
            sys_created_on: now,
            sys_created_by: userName,
            sys_updated_on: now,
            sys_updated_by: userName,
            sys_mod_count: '0'
        };
    }

    /** Settable incident fields of a request body; sys_* and unknown fields are ignored, as on an instance. */
    private writable(fields: Record<string, unknown>): { values: Row; journal: [JournalElement, string][] } {
        const values: Row = {};
        const journal: [JournalElement, string][] = [];
        for (const [name, raw] of Object.entries(fields)) {
            if (name.startsWith('sys_') || name === 'number' || !(name in INCIDENT_DEFAULTS)) {
                continue;
            }
            const value = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw);
            if ((JOURNAL_FIELDS as readonly string[]).includes(name)) {
                // An empty or blank journal input adds no entry.
                if (value.trim() !== '') {
                    journal.push([name as JournalElement, value]);
                }
                continue;
            }
            if (name === 'comments_and_work_notes') {
                continue;
            }
            values[name] = value;
        }
        return { values, journal };
    }

    createIncident(userName: string, fields: Record<string, unknown>): Row {
        const { values, journal } = this.writable(fields);
        const sysId = newSysId();
        const row: Row = {
            ...INCIDENT_DEFAULTS,
            ...values,
            ...this.sysFields(sysId, userName),
            number: this.incidentNumbers.take()
        };
        row.opened_at = row.sys_created_on;
        row.opened_by = this.users.get(userName)?.sysId ?? '';
        this.tables.incident.set(sysId, row);
        for (const [element, value] of journal) {
            this.addJournal(row, element, value, userName);
        }
        return row;
    }

    updateIncident(userName: string, sysId: string, fields: Record<string, unknown>): Row | undefined {
        const row = this.tables.incident.get(sysId);
        if (!row) {
            return undefined;
        }
        const { values, journal } = this.writable(fields);
        const changed = Object.entries(values).filter(([name, value]) => row[name] !== value);
        if (changed.length === 0 && journal.length === 0) {
            // An update that changes nothing is not saved: sys_updated_on stays.
            return row;
        }
        for (const [name, value] of changed) {
            row[name] = value;
        }
        for (const [element, value] of journal) {
            this.addJournal(row, element, value, userName);
        }
        row.sys_updated_on = glideDateTime(this.clock());
        row.sys_updated_by = userName;
        row.sys_mod_count = String(Number(row.sys_mod_count) + 1);
        return row;
    }

    private addJournal(incident: Row, element: JournalElement, value: string, userName: string): void {
        const sysId = newSysId();
        this.tables.sys_journal_field.set(sysId, {
            ...this.sysFields(sysId, userName),
            element,
            element_id: incident.sys_id,
            name: 'incident',
            value
        });
    }

    journal(incidentSysId: string, elements: readonly JournalElement[]): Row[] {
        return [...this.tables.sys_journal_field.values()].filter(
            (row) => row.element_id === incidentSysId && (elements as readonly string[]).includes(row.element)
        );
    }

    /** A journal field as the form shows it: every entry, newest first, with its author and kind. */
    journalText(incidentSysId: string, field: string): string {
        const elements = JOURNAL_READ[field];
        return this.journal(incidentSysId, elements)
            .reverse()
            .map((entry) => {
                const author = this.users.get(entry.sys_created_by)?.name ?? entry.sys_created_by;
                const kind = entry.element === 'comments' ? 'Additional comments' : 'Work notes';
                return `${entry.sys_created_on} - ${author} (${kind})\n${entry.value}\n\n`;
            })
            .join('');
    }

    isJournalField(table: string, field: string): boolean {
        return table === 'incident' && field in JOURNAL_READ;
    }

    attach(
        userName: string,
        input: { tableName: string; tableSysId: string; fileName: string; contentType: string; bytes: Buffer }
    ): Row {
        const target = this.tables[input.tableName]?.get(input.tableSysId);
        if (input.tableName !== 'incident' || !target) {
            throw new SnApiError(
                400,
                'Invalid table or sys_id',
                `No ${input.tableName} record with sys_id ${input.tableSysId}`
            );
        }
        const sysId = newSysId();
        const row: Row = {
            ...this.sysFields(sysId, userName),
            file_name: input.fileName,
            content_type: input.contentType,
            size_bytes: String(input.bytes.length),
            size_compressed: String(input.bytes.length),
            compressed: 'false',
            table_name: input.tableName,
            table_sys_id: input.tableSysId,
            hash: createHash('sha256').update(input.bytes).digest('hex'),
            state: 'available',
            image_width: '',
            image_height: '',
            average_image_color: '',
            chunk_size_bytes: '700000',
            sys_tags: ''
        };
        this.tables.sys_attachment.set(sysId, row);
        this.content.set(sysId, Buffer.from(input.bytes));
        return row;
    }

    attachmentContent(sysId: string): Buffer | undefined {
        return this.content.get(sysId);
    }

    deleteAttachment(sysId: string): boolean {
        this.content.delete(sysId);
        return this.tables.sys_attachment.delete(sysId);
    }
}
