// Ids of the store's records: a short prefix that names the kind of record, then 16 random bytes in
// hex. They only need to be unique and stable; the prefix makes a pasted id readable for an admin.
import { randomBytes } from 'node:crypto';

export type RecordKind = 'connection' | 'trigger' | 'twin' | 'event' | 'signal';

const PREFIXES: Readonly<Record<RecordKind, string>> = {
    connection: 'con_',
    trigger: 'trg_',
    twin: 'twn_',
    event: 'evt_',
    signal: 'sig_'
};

export function newRecordId(kind: RecordKind): string {
    return `${PREFIXES[kind]}${randomBytes(16).toString('hex')}`;
}

/** `EV-00000042` and `TW-000042`, as the Salesforce package's auto numbers. */
export function autoName(kind: 'event' | 'twin', number: number): string {
    return kind === 'event' ? `EV-${String(number).padStart(8, '0')}` : `TW-${String(number).padStart(6, '0')}`;
}
