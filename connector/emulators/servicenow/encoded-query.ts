// Encoded queries (sysparm_query): conditions joined by `^` (AND) and `^OR` (OR with the previous
// condition), `^NQ` (a new query ORed with the whole previous one) and ORDERBY / ORDERBYDESC.
// As on an instance, a condition on a field the table does not have is ignored (the property
// glide.invalid_query.returns_no_rows is false on a base instance) unless strict mode asks otherwise.
// Comparisons are case-insensitive for text, as the instance's database collation makes them.
import { queryDateValue } from './time.ts';

export type Row = Record<string, string>;

const OPERATORS = [
    'ISNOTEMPTY',
    'ISEMPTY',
    'STARTSWITH',
    'ENDSWITH',
    'NOT LIKE',
    'LIKE',
    'NOT IN',
    'IN',
    '!=',
    '>=',
    '<=',
    '=',
    '>',
    '<'
] as const;
type Operator = (typeof OPERATORS)[number];

interface Condition {
    field: string;
    operator: Operator;
    value: string;
}

/** OR of ANDs of ORs: `^NQ` blocks, each an AND of conditions that may carry `^OR` alternatives. */
export interface ParsedQuery {
    blocks: Condition[][][];
    orderBy: { field: string; descending: boolean }[];
}

export class InvalidQueryField extends Error {}

function parseCondition(term: string, fields: ReadonlySet<string>, strict: boolean): Condition | undefined {
    const match = /^([a-z0-9_.]+)(.*)$/s.exec(term);
    if (!match) {
        if (strict) {
            throw new InvalidQueryField(`Invalid query condition: ${term}`);
        }
        return undefined;
    }
    const [, field, rest] = match;
    const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (!operator || !fields.has(field)) {
        if (strict) {
            throw new InvalidQueryField(`Invalid query condition: ${term}`);
        }
        return undefined;
    }
    return { field, operator, value: rest.slice(operator.length) };
}

export function parseEncodedQuery(query: string, fields: ReadonlySet<string>, strict = false): ParsedQuery {
    const parsed: ParsedQuery = { blocks: [], orderBy: [] };
    for (const blockText of query.split('^NQ')) {
        const block: Condition[][] = [];
        for (const term of blockText.split('^')) {
            if (term === '' || term === 'EQ') {
                continue;
            }
            if (term.startsWith('ORDERBYDESC') || term.startsWith('ORDERBY')) {
                const descending = term.startsWith('ORDERBYDESC');
                const field = term.slice(descending ? 'ORDERBYDESC'.length : 'ORDERBY'.length);
                if (fields.has(field)) {
                    parsed.orderBy.push({ field, descending });
                }
                continue;
            }
            if (term.startsWith('OR') && block.length > 0) {
                const condition = parseCondition(term.slice(2), fields, strict);
                if (condition) {
                    block[block.length - 1].push(condition);
                }
                continue;
            }
            const condition = parseCondition(term, fields, strict);
            if (condition) {
                block.push([condition]);
            }
        }
        parsed.blocks.push(block);
    }
    return parsed;
}

function compare(left: string, right: string): number {
    if (/^-?\d+(\.\d+)?$/.test(left) && /^-?\d+(\.\d+)?$/.test(right)) {
        return Number(left) - Number(right);
    }
    const a = left.toLowerCase();
    const b = right.toLowerCase();
    return a < b ? -1 : a > b ? 1 : 0;
}

function holds(row: Row, condition: Condition): boolean {
    const actual = row[condition.field] ?? '';
    const value = queryDateValue(condition.value);
    const lower = actual.toLowerCase();
    switch (condition.operator) {
        case 'ISEMPTY':
            return actual === '';
        case 'ISNOTEMPTY':
            return actual !== '';
        case 'STARTSWITH':
            return lower.startsWith(value.toLowerCase());
        case 'ENDSWITH':
            return lower.endsWith(value.toLowerCase());
        case 'LIKE':
            return lower.includes(value.toLowerCase());
        case 'NOT LIKE':
            return !lower.includes(value.toLowerCase());
        case 'IN':
            return value.split(',').some((item) => item.toLowerCase() === lower);
        case 'NOT IN':
            return !value.split(',').some((item) => item.toLowerCase() === lower);
        case '=':
            return compare(actual, value) === 0;
        case '!=':
            return compare(actual, value) !== 0;
        // An empty value is NULL in the database: no ordering comparison holds for it.
        case '>':
            return actual !== '' && compare(actual, value) > 0;
        case '>=':
            return actual !== '' && compare(actual, value) >= 0;
        case '<':
            return actual !== '' && compare(actual, value) < 0;
        case '<=':
            return actual !== '' && compare(actual, value) <= 0;
    }
}

export function matches(row: Row, query: ParsedQuery): boolean {
    return query.blocks.some((block) => block.every((alternatives) => alternatives.some((c) => holds(row, c))));
}

/** Rows matching the query, in its order (a stable sort: ties keep insertion order). */
export function select(rows: Iterable<Row>, query: ParsedQuery): Row[] {
    const selected = [...rows].filter((row) => matches(row, query));
    if (query.orderBy.length > 0) {
        selected.sort((a, b) => {
            for (const { field, descending } of query.orderBy) {
                const order = compare(a[field] ?? '', b[field] ?? '');
                if (order !== 0) {
                    return descending ? -order : order;
                }
            }
            return 0;
        });
    }
    return selected;
}
