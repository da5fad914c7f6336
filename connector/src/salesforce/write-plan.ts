// Writes packed into as few API calls as Salesforce allows.
//
// One Composite request (1 call) carries up to 5 sObject Collections subrequests of up to 200
// records each: up to 1,000 records per call. A write plan is cut into such subrequests and the
// subrequests are packed five to a Composite request.
//
// Collections create (POST) and update (PATCH) take records of different types in one list. The
// REST API guide (sObject Collections, "Create Records" and "Update Records") says: "The list can
// contain objects of different types, including custom objects", "If the request body includes
// objects of more than one type, they are processed as chunks" (consecutive records of one type)
// and "A single request can process up to 10 chunks"; results come back in the order of the list.
// So every create of a phase shares subrequests (Cases, comments, new twins, events), and so does
// every update (Cases, twins, events, connections, triggers): a pass that writes 1,000 twin updates
// and 1,000 event updates needs 10 subrequests, not 5 + 5 half-filled ones when the counts are not
// multiples of 200. Records are sorted by type inside a subrequest, so it has at most one chunk per
// type (5 at most). The guide also forbids mixing types when one of them is a Setup object (User,
// Group...): a plan writes none. Upserts name their type and external id in the URL and take one
// type only; deletes take ids of any type.
//
// Records that refer to records created by the same plan (a comment on a Case created by it) need
// that Case's id. Composite references into a Collections answer (`@{cases[3].id}`) would give it,
// but a reference to a record that failed halts the whole subrequest that uses it: one bad Case
// would stop the comments of 199 others. So the plan runs in phases instead: phase 0 sends what
// refers to nothing of the plan, phase 1 what refers to phase 0 (by then the ids are known), and
// so on. A record whose reference failed is not sent and reports DEPENDENCY_FAILED; everything else
// is applied (`allOrNone: false` everywhere: one failure never stops another record). Records that
// refer to nothing and that nothing refers to (signal deletes, updates of existing records) fill
// the spare room of whichever phase makes the fewest calls.
//
// Twins are upserted by Twin_Key__c, but their Connection__c is a master-detail without
// reparenting, which Salesforce refuses in any update, even with the same value. A twin upsert is
// therefore two subrequests, in this order, of the same Composite request: an upsert by key without
// the connection (updates existing twins; a new key fails with REQUIRED_FIELD_MISSING and creates
// nothing), then a create with the connection (creates the new twins; an existing key fails with
// DUPLICATE_VALUE). Each twin succeeds in exactly one of them; the outcome reported is that one,
// or the error that explains the failure.
import type { ApiNames } from './names.ts';
import { recordErrorOf, recordErrorsOf, SalesforceApiError } from './errors.ts';
import type { RecordError } from './errors.ts';
import { SalesforceInputError, toId18 } from './ids.ts';
import type { OrgRest, SubRequest, SubResponse } from './rest.ts';
import { COLLECTION_MAX_RECORDS, COMPOSITE_MAX_HEAVY_SUBREQUESTS } from './rest.ts';
import type { IdRef, WriteOutcome, WritePlan, WriteResult } from './types.ts';
import {
    caseCreateRecord,
    caseUpdateRecord,
    commentCreateRecord,
    connectionUpdateRecord,
    eventRecord,
    refsOf,
    triggerUpdateRecord,
    twinUpdateRecord,
    twinUpsertRecords
} from './write-records.ts';
import type { ApiRecord, ResolveRef } from './write-records.ts';

/** Tuning of the packing. */
export interface WriteOptions {
    /**
     * Largest request body to build, in bytes (default 10 MB). Salesforce documents 50 MB of JSON
     * for a single record; long Sync_State__c or Description values of 1,000 records could pass
     * any limit, so a Composite request is closed before it grows past this.
     */
    readonly maxRequestBytes?: number;
}

const DEFAULT_MAX_REQUEST_BYTES = 10_000_000;

/** The operations of a plan; new twins (`isNew`) are written apart and reported among upsertTwins. */
type Operation = keyof WriteResult | 'createTwins';

/** Execution order of the operations inside a phase: parents before children, deletes last. */
const OPERATIONS: readonly Operation[] = [
    'createCases',
    'updateCases',
    'createComments',
    'upsertTwins',
    'createTwins',
    'updateTwins',
    'createEvents',
    'updateEvents',
    'updateConnections',
    'updateTriggers',
    'deleteSignals'
];

type Built =
    | { readonly kind: 'record'; readonly record: ApiRecord }
    | { readonly kind: 'twin'; readonly update: ApiRecord; readonly create: ApiRecord }
    | { readonly kind: 'delete'; readonly id: string };

interface Entry {
    readonly op: Operation;
    readonly index: number;
    /** The name other entries use to refer to this one. */
    readonly ownRef?: string;
    /** Refs this entry uses. */
    readonly refs: readonly string[];
    /** A Case created with a link key (upserted on it). */
    readonly linked?: boolean;
    readonly build: (resolve: ResolveRef) => Built;
}

interface BuiltEntry {
    readonly entry: Entry;
    readonly built: Built;
    readonly bytes: number;
}

/**
 * How records travel: `create` (POST) and `update` (PATCH) subrequests take records of any of the
 * plan's types; an upsert names one type in its URL; deletes take any ids.
 */
type Kind = 'upsertCases' | 'create' | 'update' | 'twinUpsert' | 'delete';

/** Order of the kinds inside a Composite request: deletes last, after the writes they led to. */
const KINDS: readonly Kind[] = ['upsertCases', 'create', 'update', 'twinUpsert', 'delete'];

/** One Collections subrequest (two for twin upserts) of one kind. */
interface Unit {
    readonly kind: Kind;
    readonly items: BuiltEntry[];
    readonly subrequests: SubRequest[];
    readonly bytes: number;
}

/** The kind of an operation; a Case created with a link key is upserted on it. */
function kindOfOperation(op: Operation, linked: boolean): Kind {
    switch (op) {
        case 'createCases':
            return linked ? 'upsertCases' : 'create';
        case 'createComments':
        case 'createTwins':
        case 'createEvents':
            return 'create';
        case 'upsertTwins':
            return 'twinUpsert';
        case 'deleteSignals':
            return 'delete';
        default:
            return 'update';
    }
}

function failure(code: string, message: string): WriteOutcome {
    return { ok: false, errors: [{ code, message, fields: [] }] };
}

/** The plan's entries in execution order, each knowing its refs and how to build its body. */
function entriesOf(plan: WritePlan, n: ApiNames): Entry[] {
    const entries: Entry[] = [];
    const add = (entry: Entry): void => {
        entries.push(entry);
    };
    (plan.createCases ?? []).forEach((item, index) =>
        add({
            op: 'createCases',
            index,
            ownRef: item.ref,
            refs: [],
            linked: item.linkKey !== undefined,
            build: () => ({ kind: 'record', record: caseCreateRecord(item, n) })
        })
    );
    (plan.updateCases ?? []).forEach((item, index) =>
        add({
            op: 'updateCases',
            index,
            refs: refsOf([item.id]),
            build: (resolve) => ({ kind: 'record', record: caseUpdateRecord(item, resolve) })
        })
    );
    (plan.createComments ?? []).forEach((item, index) =>
        add({
            op: 'createComments',
            index,
            refs: refsOf([item.caseId]),
            build: (resolve) => ({ kind: 'record', record: commentCreateRecord(item, resolve) })
        })
    );
    (plan.upsertTwins ?? []).forEach((item, index) =>
        add({
            op: item.isNew === true ? 'createTwins' : 'upsertTwins',
            index,
            ownRef: item.ref,
            refs: refsOf([item.connectionId, item.caseId]),
            build: (resolve) =>
                item.isNew === true
                    ? { kind: 'record', record: twinUpsertRecords(item, n, resolve).create }
                    : { kind: 'twin', ...twinUpsertRecords(item, n, resolve) }
        })
    );
    (plan.updateTwins ?? []).forEach((item, index) =>
        add({
            op: 'updateTwins',
            index,
            refs: refsOf([item.id, item.caseId]),
            build: (resolve) => ({ kind: 'record', record: twinUpdateRecord(item, n, resolve) })
        })
    );
    (plan.createEvents ?? []).forEach((item, index) =>
        add({
            op: 'createEvents',
            index,
            ownRef: item.ref,
            refs: refsOf([item.connectionId, item.twinId, item.caseId]),
            build: (resolve) => ({ kind: 'record', record: eventRecord(item, n, resolve) })
        })
    );
    (plan.updateEvents ?? []).forEach((item, index) =>
        add({
            op: 'updateEvents',
            index,
            refs: refsOf([item.id, item.connectionId, item.twinId, item.caseId]),
            build: (resolve) => ({ kind: 'record', record: eventRecord(item, n, resolve) })
        })
    );
    (plan.updateConnections ?? []).forEach((item, index) =>
        add({
            op: 'updateConnections',
            index,
            refs: [],
            build: () => ({ kind: 'record', record: connectionUpdateRecord(item, n) })
        })
    );
    (plan.updateTriggers ?? []).forEach((item, index) =>
        add({
            op: 'updateTriggers',
            index,
            refs: [],
            build: () => ({ kind: 'record', record: triggerUpdateRecord(item, n) })
        })
    );
    (plan.deleteSignalIds ?? []).forEach((id, index) =>
        add({
            op: 'deleteSignals',
            index,
            refs: [],
            build: () => {
                // Ids go into the URL (`?ids=`): only well-formed ids may get there.
                const valid = toId18(id);
                if (valid === undefined) {
                    throw new SalesforceInputError(`${JSON.stringify(id)} is not a Salesforce record id.`);
                }
                return { kind: 'delete', id: valid };
            }
        })
    );
    return entries;
}

/** The subrequests of one unit. */
function subrequestsOf(kind: Kind, items: readonly BuiltEntry[], n: ApiNames): SubRequest[] {
    const records = (pick: (built: Built) => ApiRecord | undefined): ApiRecord[] =>
        items.map((item) => pick(item.built)).filter((record): record is ApiRecord => record !== undefined);
    const plain = (built: Built): ApiRecord | undefined => (built.kind === 'record' ? built.record : undefined);
    switch (kind) {
        case 'delete': {
            const ids = items.map((item) => (item.built.kind === 'delete' ? item.built.id : ''));
            return [{ method: 'DELETE', path: `/composite/sobjects?ids=${ids.join(',')}&allOrNone=false` }];
        }
        case 'twinUpsert':
            return [
                {
                    method: 'PATCH',
                    path: `/composite/sobjects/${n.objects.twin}/${n.twin.key}`,
                    body: {
                        allOrNone: false,
                        records: records((built) => (built.kind === 'twin' ? built.update : undefined))
                    }
                },
                {
                    method: 'POST',
                    path: '/composite/sobjects',
                    body: {
                        allOrNone: false,
                        records: records((built) => (built.kind === 'twin' ? built.create : undefined))
                    }
                }
            ];
        case 'upsertCases':
            // Upsert on the link key: a Case sent twice is found, not created again.
            return [
                {
                    method: 'PATCH',
                    path: `/composite/sobjects/Case/${n.caseLinkKey}`,
                    body: { allOrNone: false, records: records(plain) }
                }
            ];
        case 'create':
            return [
                { method: 'POST', path: '/composite/sobjects', body: { allOrNone: false, records: records(plain) } }
            ];
        case 'update':
            return [
                { method: 'PATCH', path: '/composite/sobjects', body: { allOrNone: false, records: records(plain) } }
            ];
    }
}

function bytesOf(built: Built): number {
    switch (built.kind) {
        case 'delete':
            return built.id.length + 1;
        case 'twin':
            return Buffer.byteLength(JSON.stringify(built.update)) + Buffer.byteLength(JSON.stringify(built.create));
        default:
            return Buffer.byteLength(JSON.stringify(built.record));
    }
}

/**
 * Cuts built entries into units: one kind each, at most 200 records and maxBytes. Inside a kind the
 * records go in the order of OPERATIONS (one type after another, so one chunk per type), each
 * operation's in the plan's order.
 */
function unitsOf(items: readonly BuiltEntry[], n: ApiNames, maxBytes: number): Unit[] {
    const kindOf = (item: BuiltEntry): Kind => kindOfOperation(item.entry.op, item.entry.linked === true);
    const units: Unit[] = [];
    for (const kind of KINDS) {
        let current: BuiltEntry[] = [];
        let bytes = 0;
        const close = (): void => {
            if (current.length > 0) {
                units.push({ kind, items: current, subrequests: subrequestsOf(kind, current, n), bytes });
            }
            current = [];
            bytes = 0;
        };
        for (const op of OPERATIONS) {
            for (const item of items.filter((candidate) => candidate.entry.op === op && kindOf(candidate) === kind)) {
                if (current.length >= COLLECTION_MAX_RECORDS || (current.length > 0 && bytes + item.bytes > maxBytes)) {
                    close();
                }
                current.push(item);
                bytes += item.bytes;
            }
        }
        close();
    }
    return units;
}

/** Packs units into Composite requests: at most 5 Collections subrequests and maxBytes each. */
function pack(units: readonly Unit[], maxBytes: number): Unit[][] {
    const requests: Unit[][] = [];
    let current: Unit[] = [];
    let slots = 0;
    let bytes = 0;
    for (const unit of units) {
        const needed = unit.subrequests.length;
        if (current.length > 0 && (slots + needed > COMPOSITE_MAX_HEAVY_SUBREQUESTS || bytes + unit.bytes > maxBytes)) {
            requests.push(current);
            current = [];
            slots = 0;
            bytes = 0;
        }
        current.push(unit);
        slots += needed;
        bytes += unit.bytes;
    }
    if (current.length > 0) {
        requests.push(current);
    }
    return requests;
}

/** A Collections answer item as a WriteOutcome. */
function outcomeOf(item: unknown): WriteOutcome {
    if (typeof item !== 'object' || item === null) {
        return failure('INVALID_RESPONSE', 'Salesforce answered no result for this record.');
    }
    const result = item as { id?: unknown; success?: unknown; errors?: unknown; created?: unknown };
    if (result.success === true && typeof result.id === 'string') {
        return typeof result.created === 'boolean'
            ? { ok: true, id: result.id, created: result.created }
            : { ok: true, id: result.id };
    }
    const errors = Array.isArray(result.errors)
        ? result.errors.map(recordErrorOf).filter((error): error is RecordError => error !== undefined)
        : [];
    return {
        ok: false,
        errors:
            errors.length > 0 ? errors : [{ code: 'UNKNOWN_ERROR', message: 'The record was not saved.', fields: [] }]
    };
}

/** Per-record outcomes of one Collections subrequest (every record fails when the request did). */
function outcomesOf(answer: SubResponse, count: number): WriteOutcome[] {
    if (answer.status >= 400 || !Array.isArray(answer.body)) {
        const errors = recordErrorsOf(answer.body, `ERROR_HTTP_${answer.status}`);
        return Array.from({ length: count }, (): WriteOutcome => ({ ok: false, errors }));
    }
    const body = answer.body as unknown[];
    return Array.from({ length: count }, (_, index) => outcomeOf(body[index]));
}

/** Merges the two halves of a twin upsert (see the header comment). */
function twinOutcome(update: WriteOutcome, create: WriteOutcome): WriteOutcome {
    if (update.ok) {
        return { ok: true, id: update.id, created: false };
    }
    if (create.ok) {
        return { ok: true, id: create.id, created: true };
    }
    // A duplicate key on create means the twin exists: the update's error is the real one.
    return create.errors.some((error) => error.code === 'DUPLICATE_VALUE') ? update : create;
}

/** Phase of each entry: 0 without refs, else one more than the entries it refers to. */
function phasesOf(entries: readonly Entry[], producers: ReadonlyMap<string, Entry>): Map<Entry, number | WriteOutcome> {
    const phases = new Map<Entry, number | WriteOutcome>();
    const visiting = new Set<Entry>();
    const phaseOf = (entry: Entry): number | WriteOutcome => {
        const known = phases.get(entry);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(entry)) {
            return failure('CIRCULAR_REFERENCE', 'The plan refers to this record from itself.');
        }
        visiting.add(entry);
        let phase: number | WriteOutcome = 0;
        for (const ref of entry.refs) {
            const producer = producers.get(ref);
            if (!producer) {
                phase = failure('UNKNOWN_REFERENCE', `No entry of the write plan has ref ${JSON.stringify(ref)}.`);
                break;
            }
            const producerPhase = phaseOf(producer);
            if (typeof producerPhase !== 'number') {
                phase = producerPhase;
                break;
            }
            phase = Math.max(phase, producerPhase + 1);
        }
        visiting.delete(entry);
        phases.set(entry, phase);
        return phase;
    };
    entries.forEach(phaseOf);
    return phases;
}

/** Composite requests needed for `counts` records per kind in one phase (ignoring bytes). */
function requestsFor(counts: ReadonlyMap<Kind, number>): number {
    let slots = 0;
    for (const [kind, count] of counts) {
        slots += Math.ceil(count / COLLECTION_MAX_RECORDS) * (kind === 'twinUpsert' ? 2 : 1);
    }
    return Math.ceil(slots / COMPOSITE_MAX_HEAVY_SUBREQUESTS);
}

/**
 * The phase for the free entries (no refs, not referred to) that makes the fewest Composite
 * requests; on a tie the latest, so that signal deletes come after the writes they led to.
 */
function phaseForFreeEntries(byPhase: readonly Entry[][], free: readonly Entry[]): number {
    const countsOf = (entries: readonly Entry[]): Map<Kind, number> => {
        const counts = new Map<Kind, number>();
        for (const entry of entries) {
            const kind = kindOfOperation(entry.op, entry.linked === true);
            counts.set(kind, (counts.get(kind) ?? 0) + 1);
        }
        return counts;
    };
    let best = 0;
    let bestTotal = Number.POSITIVE_INFINITY;
    for (let target = 0; target < Math.max(1, byPhase.length); target++) {
        let total = 0;
        for (let phase = 0; phase < Math.max(1, byPhase.length); phase++) {
            total += requestsFor(countsOf([...(byPhase[phase] ?? []), ...(phase === target ? free : [])]));
        }
        if (total <= bestTotal) {
            best = target;
            bestTotal = total;
        }
    }
    return best;
}

/**
 * Applies a write plan with as few Composite requests as the dependencies allow; answers every
 * record's outcome in the plan's order.
 */
export async function executeWritePlan(
    rest: OrgRest,
    names: ApiNames,
    plan: WritePlan,
    options: WriteOptions = {}
): Promise<WriteResult> {
    const maxBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const entries = entriesOf(plan, names);
    const results: Record<Operation, (WriteOutcome | undefined)[]> = {
        createCases: [],
        updateCases: [],
        createComments: [],
        upsertTwins: [],
        createTwins: [],
        updateTwins: [],
        createEvents: [],
        updateEvents: [],
        updateConnections: [],
        updateTriggers: [],
        deleteSignals: []
    };
    for (const entry of entries) {
        results[entry.op][entry.index] = undefined;
    }
    const settle = (entry: Entry, outcome: WriteOutcome): void => {
        results[entry.op][entry.index] = outcome;
    };

    const producers = new Map<string, Entry>();
    for (const entry of entries) {
        if (entry.ownRef !== undefined) {
            if (producers.has(entry.ownRef)) {
                throw new SalesforceInputError(`The write plan uses ref ${JSON.stringify(entry.ownRef)} twice.`);
            }
            producers.set(entry.ownRef, entry);
        }
    }
    const referenced = new Set(entries.flatMap((entry) => entry.refs));
    const phases = phasesOf(entries, producers);
    const byPhase: Entry[][] = [];
    const free: Entry[] = [];
    for (const entry of entries) {
        const phase = phases.get(entry);
        if (phase === undefined) {
            continue;
        }
        if (typeof phase !== 'number') {
            settle(entry, phase);
        } else if (phase === 0 && (entry.ownRef === undefined || !referenced.has(entry.ownRef))) {
            free.push(entry);
        } else {
            (byPhase[phase] ??= []).push(entry);
        }
    }
    if (free.length > 0) {
        const target = phaseForFreeEntries(byPhase, free);
        // Free entries join in plan order among the phase's own entries (units group by operation anyway).
        (byPhase[target] ??= []).push(...free);
    }

    const ids = new Map<string, string>();
    const resolve: ResolveRef = (value: IdRef): string => {
        if (typeof value === 'string') {
            return value;
        }
        const id = ids.get(value.ref);
        if (id === undefined) {
            throw new SalesforceInputError(`ref ${JSON.stringify(value.ref)} has no id.`);
        }
        return id;
    };

    let halted: SalesforceApiError | undefined;
    for (const phaseEntries of byPhase) {
        if (!phaseEntries || halted) {
            continue;
        }
        const built: BuiltEntry[] = [];
        for (const entry of phaseEntries) {
            const failedRef = entry.refs.find((ref) => !ids.has(ref));
            if (failedRef !== undefined) {
                const producer = producers.get(failedRef);
                const cause = producer ? results[producer.op][producer.index] : undefined;
                const why =
                    cause && !cause.ok
                        ? `: ${cause.errors.map((error) => `${error.code} ${error.message}`).join('; ')}`
                        : '';
                settle(
                    entry,
                    failure(
                        'DEPENDENCY_FAILED',
                        `Not sent: the record with ref ${JSON.stringify(failedRef)} was not saved${why}`
                    )
                );
                continue;
            }
            try {
                const body = entry.build(resolve);
                built.push({ entry, built: body, bytes: bytesOf(body) });
            } catch (error) {
                if (!(error instanceof SalesforceInputError)) {
                    throw error;
                }
                settle(entry, failure('INVALID_INPUT', error.message));
            }
        }
        for (const request of pack(unitsOf(built, names, maxBytes), maxBytes)) {
            if (halted) {
                break;
            }
            let answers: SubResponse[];
            try {
                answers = await rest.composite(
                    'write',
                    request.flatMap((unit) => unit.subrequests)
                );
            } catch (error) {
                if (!(error instanceof SalesforceApiError)) {
                    throw error;
                }
                // The request failed as a whole (limit exhausted, session gone, network): its
                // records may or may not be applied; nothing more is sent, what was is reported.
                halted = error;
                for (const unit of request) {
                    unit.items.forEach((item) => settle(item.entry, { ok: false, errors: error.errors }));
                }
                break;
            }
            let position = 0;
            for (const unit of request) {
                const count = unit.items.length;
                if (unit.kind === 'twinUpsert') {
                    const updates = outcomesOf(answers[position], count);
                    const creates = outcomesOf(answers[position + 1], count);
                    unit.items.forEach((item, index) =>
                        settle(item.entry, twinOutcome(updates[index], creates[index]))
                    );
                } else {
                    const outcomes = outcomesOf(answers[position], count);
                    unit.items.forEach((item, index) => settle(item.entry, outcomes[index]));
                }
                position += unit.subrequests.length;
            }
        }
        for (const { entry } of built) {
            const outcome = results[entry.op][entry.index];
            if (entry.ownRef !== undefined && outcome?.ok) {
                ids.set(entry.ownRef, outcome.id);
            }
        }
    }

    const notSent = halted
        ? `Not sent: an earlier request of this write failed (${halted.code}: ${halted.message}).`
        : 'The record was not sent.';
    const complete = (outcomes: (WriteOutcome | undefined)[]): WriteOutcome[] =>
        Array.from(outcomes, (outcome) => outcome ?? failure('NOT_SENT', notSent));
    return {
        createCases: complete(results.createCases),
        updateCases: complete(results.updateCases),
        createComments: complete(results.createComments),
        upsertTwins: complete(
            Array.from(
                { length: plan.upsertTwins?.length ?? 0 },
                (_, i) => results.upsertTwins[i] ?? results.createTwins[i]
            )
        ),
        updateTwins: complete(results.updateTwins),
        createEvents: complete(results.createEvents),
        updateEvents: complete(results.updateEvents),
        updateConnections: complete(results.updateConnections),
        updateTriggers: complete(results.updateTriggers),
        deleteSignals: complete(results.deleteSignals)
    };
}
