// SOQL evaluation over the in-memory records. Queries are parsed by @jetstreamapp/soql-parser-js;
// this module resolves the parsed fields against the schema and evaluates: field lists with
// parent relationship paths (Parent.CaseNumber, Connection__r.Name), child subqueries (answered
// as {totalSize, done, records} or null when empty), WHERE with = != < > <= >= LIKE IN NOT IN,
// semi-joins, AND/OR/NOT and parentheses, null, booleans, numbers, date/datetime literals and
// date literals (TODAY, LAST_N_DAYS:n...), ORDER BY (ASC/DESC, NULLS FIRST/LAST, several
// fields), LIMIT, OFFSET, COUNT(), FIELDS(ALL|STANDARD|CUSTOM), WITH USER_MODE /
// SECURITY_ENFORCED (accepted). Errors are MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE with
// Salesforce's messages, including its `ERROR at Row:1:Column:N` prefix.

import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type {
    Condition,
    FieldType as ParsedField,
    LiteralType,
    OrderByClause,
    Query,
    Subquery,
    ValueQueryCondition,
    WhereClause
} from '@jetstreamapp/soql-parser-js';
import { ApiError } from './errors.ts';
import { normalizeId } from './ids.ts';
import type { Json, JsonObject } from './json.ts';
import type { FieldDef, ObjectDef, Schema, ScalarValue } from './schema.ts';
import type { StoredRecord } from './store.ts';
import {
    addDays,
    addMonths,
    parseDate,
    parseDateTime,
    startOfDay,
    startOfMonth,
    startOfQuarter,
    startOfWeek,
    startOfYear
} from './time.ts';

/** What the evaluator needs from the org. */
export interface QuerySource {
    schema: Schema;
    /** Records of a type in creation order; deleted ones only when includeDeleted. */
    records(type: string, includeDeleted: boolean): StoredRecord[];
    get(id: string): StoredRecord | undefined;
    /** A field's value as the API answers it (datetimes formatted, roll-ups computed, blob URLs). */
    valueJson(object: ObjectDef, record: StoredRecord, field: FieldDef, apiVersion: string): Json;
    /** A field's value for comparisons (roll-ups computed). */
    rawValue(object: ObjectDef, record: StoredRecord, field: FieldDef): ScalarValue;
    recordUrl(object: ObjectDef, id: string, apiVersion: string): string;
}

export interface QueryResultSet {
    /** Projected top-level records. */
    records: JsonObject[];
    /** Per record: 1 + its child records (child rows count toward the batch size). */
    weights: number[];
    totalSize: number;
}

interface Ctx {
    source: QuerySource;
    soql: string;
    includeDeleted: boolean;
    now: number;
    apiVersion: string;
    /** Child records by parent id, per subquery (built once per query). */
    children: Map<SelectItem, Map<string, StoredRecord[]>>;
}

/** A resolved field path: the reference fields walked, then the leaf. */
interface FieldPath {
    hops: { field: FieldDef; polymorphic: boolean }[];
    /** Leaf of a non-polymorphic path. */
    leaf: FieldDef | null;
    /** Leaf of a polymorphic relationship (`LinkedEntity.Name`): Id, Name or Type. */
    polymorphicLeaf: 'Id' | 'Name' | 'Type' | null;
    object: ObjectDef;
}

type SelectItem =
    | { kind: 'field'; path: FieldPath }
    | { kind: 'subquery'; relationshipName: string; childObject: ObjectDef; childField: string; plan: Plan }
    | { kind: 'aggregate'; alias: string; field: FieldPath | null };

interface OrderItem {
    path: FieldPath;
    descending: boolean;
    nullsFirst: boolean;
}

interface Plan {
    object: ObjectDef;
    select: SelectItem[];
    where: Predicate | null;
    orderBy: OrderItem[];
    limit: number | undefined;
    offset: number;
    countOnly: boolean;
}

type Predicate = (record: StoredRecord) => boolean;

const INVALID_FIELD_HINT =
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const INVALID_TYPE_HINT =
    "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const INVALID_RELATIONSHIP_HINT =
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Salesforce's query error: the query line, a caret under the culprit, its row and column, the message. */
function queryError(ctx: { soql: string }, errorCode: string, message: string, token?: string): ApiError {
    let row = 1;
    let column = 1;
    if (token) {
        const match = new RegExp(`(^|[^A-Za-z0-9_.])(${escapeRegExp(token)})(?![A-Za-z0-9_])`, 'i').exec(ctx.soql);
        if (match) {
            const offset = match.index + match[1].length;
            const before = ctx.soql.slice(0, offset).split('\n');
            row = before.length;
            column = before[before.length - 1].length + 1;
        }
    }
    const line = ctx.soql.split('\n')[row - 1] ?? ctx.soql;
    return new ApiError(
        400,
        errorCode,
        `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`
    );
}

function malformed(ctx: { soql: string }, message: string, token?: string): ApiError {
    return queryError(ctx, 'MALFORMED_QUERY', message, token);
}

function parse(soql: string): Query {
    try {
        return parseQuery(soql);
    } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const found = /but found:? --> '([^']*)' <--|but found: '([^']*)'/.exec(text);
        const token = found ? (found[1] ?? found[2] ?? '') : '';
        if (token === '') {
            throw malformed({ soql }, 'unexpected token: <EOF>', undefined);
        }
        throw malformed({ soql }, `unexpected token: '${token}'`, token);
    }
}

function apiObject(ctx: Ctx, name: string | undefined): ObjectDef {
    const object = name ? ctx.source.schema.apiObject(name) : undefined;
    if (!object || !object.queryable) {
        throw queryError(
            ctx,
            'INVALID_TYPE',
            `sObject type '${name ?? ''}' is not supported. ${INVALID_TYPE_HINT}`,
            name
        );
    }
    return object;
}

function splitPath(raw: string, alias: string | undefined): string[] {
    const parts = raw.split('.');
    if (alias && parts.length > 1 && parts[0].toLowerCase() === alias.toLowerCase()) {
        parts.shift();
    }
    return parts;
}

function resolvePath(ctx: Ctx, object: ObjectDef, raw: string, alias: string | undefined): FieldPath {
    const { schema } = ctx.source;
    const parts = splitPath(raw, alias);
    const hops: FieldPath['hops'] = [];
    let current = object;
    for (let index = 0; index < parts.length - 1; index++) {
        const relationship = schema.parentRelationship(current, parts[index]);
        if (!relationship) {
            throw queryError(
                ctx,
                'INVALID_FIELD',
                `Didn't understand relationship '${parts[index]}' in field path. ${INVALID_RELATIONSHIP_HINT}`,
                raw
            );
        }
        const polymorphic = relationship.referenceTo.length > 1;
        hops.push({ field: relationship, polymorphic });
        if (polymorphic) {
            const leafName = parts.slice(index + 1).join('.');
            const leaf = ['Id', 'Name', 'Type'].find((candidate) => candidate.toLowerCase() === leafName.toLowerCase());
            if (!leaf) {
                throw queryError(
                    ctx,
                    'INVALID_FIELD',
                    `No such column '${leafName}' on entity 'Name'. ${INVALID_FIELD_HINT}`,
                    raw
                );
            }
            return { hops, leaf: null, polymorphicLeaf: leaf as 'Id' | 'Name' | 'Type', object: current };
        }
        const next = schema.object(relationship.referenceTo[0] ?? '');
        if (!next) {
            throw queryError(
                ctx,
                'INVALID_FIELD',
                `Didn't understand relationship '${parts[index]}' in field path.`,
                raw
            );
        }
        current = next;
    }
    const leafName = parts[parts.length - 1];
    const leaf = schema.field(current, leafName);
    if (!leaf) {
        throw queryError(
            ctx,
            'INVALID_FIELD',
            `No such column '${leafName}' on entity '${current.name}'. ${INVALID_FIELD_HINT}`,
            leafName
        );
    }
    return { hops, leaf, polymorphicLeaf: null, object: current };
}

/** Walks a path's hops from a record; null when a relationship is empty. */
function walk(ctx: Ctx, record: StoredRecord, path: FieldPath): { object: ObjectDef; record: StoredRecord } | null {
    let current = record;
    let object: ObjectDef | undefined;
    for (const hop of path.hops) {
        const id = current[hop.field.name];
        if (typeof id !== 'string') {
            return null;
        }
        const parent = ctx.source.get(id);
        if (!parent || (parent.IsDeleted === true && !ctx.includeDeleted)) {
            return null;
        }
        object = ctx.source.schema.objectOfId(id);
        if (!object) {
            return null;
        }
        current = parent;
    }
    return { object: object ?? path.object, record: current };
}

function polymorphicValue(object: ObjectDef, record: StoredRecord, leaf: 'Id' | 'Name' | 'Type'): ScalarValue {
    if (leaf === 'Type') {
        return object.name;
    }
    if (leaf === 'Id') {
        return record.Id ?? null;
    }
    return object.nameFieldName ? (record[object.nameFieldName] ?? null) : null;
}

/** The comparable value of a path for a record (roll-ups computed, relationship walked). */
function pathValue(ctx: Ctx, record: StoredRecord, path: FieldPath): ScalarValue {
    const target = walk(ctx, record, path);
    if (!target) {
        return null;
    }
    if (path.polymorphicLeaf) {
        return polymorphicValue(target.object, target.record, path.polymorphicLeaf);
    }
    const leaf = path.leaf;
    return leaf ? ctx.source.rawValue(target.object, target.record, leaf) : null;
}

// ---------------------------------------------------------------------------------------------
// SELECT
// ---------------------------------------------------------------------------------------------

function expandFields(object: ObjectDef, which: string): FieldDef[] {
    const kind = which.toUpperCase();
    return object.fields.filter((field) =>
        kind === 'ALL' ? true : kind === 'CUSTOM' ? field.custom : kind === 'STANDARD' ? !field.custom : false
    );
}

function compileSelect(
    ctx: Ctx,
    object: ObjectDef,
    query: Query | Subquery,
    alias: string | undefined
): {
    select: SelectItem[];
    countOnly: boolean;
} {
    const select: SelectItem[] = [];
    let countOnly = false;
    let aggregateIndex = 0;
    const seen = new Set<string>();
    const addField = (path: FieldPath): void => {
        const key = [...path.hops.map((hop) => hop.field.name), path.leaf?.name ?? path.polymorphicLeaf].join('.');
        if (!seen.has(key)) {
            seen.add(key);
            select.push({ kind: 'field', path });
        }
    };
    for (const item of query.fields ?? []) {
        const parsed: ParsedField = item;
        switch (parsed.type) {
            case 'Field':
                addField(resolvePath(ctx, object, parsed.field, alias));
                break;
            case 'FieldRelationship':
                addField(resolvePath(ctx, object, [...parsed.relationships, parsed.field].join('.'), alias));
                break;
            case 'FieldSubquery':
                select.push(compileSubquery(ctx, object, parsed.subquery));
                break;
            case 'FieldFunctionExpression': {
                const name = parsed.functionName.toUpperCase();
                const parameters = parsed.parameters.filter(
                    (parameter): parameter is string => typeof parameter === 'string'
                );
                if (name === 'FIELDS') {
                    const which = parameters[0] ?? '';
                    if (which.toUpperCase() !== 'STANDARD' && (query.limit === undefined || query.limit > 200)) {
                        throw malformed(ctx, 'The SOQL FIELDS function must have a LIMIT of at most 200', 'FIELDS');
                    }
                    for (const field of expandFields(object, which)) {
                        addField({ hops: [], leaf: field, polymorphicLeaf: null, object });
                    }
                } else if (name === 'COUNT' && parameters.length === 0) {
                    countOnly = true;
                } else if (name === 'COUNT') {
                    select.push({
                        kind: 'aggregate',
                        alias: parsed.alias ?? `expr${aggregateIndex++}`,
                        field: resolvePath(ctx, object, parameters[0], alias)
                    });
                } else {
                    throw malformed(ctx, `The emulator does not evaluate ${name}()`, parsed.functionName);
                }
                break;
            }
            default:
                throw malformed(ctx, 'The emulator does not evaluate TYPEOF', 'TYPEOF');
        }
    }
    if (countOnly && select.length > 0) {
        throw malformed(ctx, 'COUNT() cannot be combined with other fields', 'COUNT');
    }
    return { select, countOnly };
}

function compileSubquery(ctx: Ctx, parent: ObjectDef, subquery: Subquery): SelectItem {
    const relationship = ctx.source.schema.childRelationship(parent, subquery.relationshipName);
    const childObject = relationship ? ctx.source.schema.apiObject(relationship.childSObject) : undefined;
    if (!relationship || !childObject || relationship.relationshipName === null) {
        throw queryError(
            ctx,
            'INVALID_TYPE',
            `Didn't understand relationship '${subquery.relationshipName}' in FROM part of query call. ${INVALID_RELATIONSHIP_HINT}`,
            subquery.relationshipName
        );
    }
    const plan = compilePlan(ctx, childObject, subquery, undefined);
    return {
        kind: 'subquery',
        relationshipName: relationship.relationshipName,
        childObject,
        childField: relationship.field,
        plan
    };
}

// ---------------------------------------------------------------------------------------------
// WHERE
// ---------------------------------------------------------------------------------------------

type Token =
    | { kind: '(' }
    | { kind: ')' }
    | { kind: 'NOT' }
    | { kind: 'AND' }
    | { kind: 'OR' }
    | { kind: 'condition'; condition: Condition | ValueQueryCondition };

function isConditionNode(left: unknown): left is Condition | ValueQueryCondition {
    return typeof left === 'object' && left !== null && ('field' in left || 'fn' in left);
}

function flattenWhere(where: WhereClause | undefined, tokens: Token[]): void {
    if (!where) {
        return;
    }
    const node = where as { left: unknown; operator?: string; right?: WhereClause };
    const left = node.left;
    if (left === null || !isConditionNode(left)) {
        const open = typeof left === 'object' && left !== null && 'openParen' in left ? Number(left.openParen) : 0;
        for (let index = 0; index < open; index++) {
            tokens.push({ kind: '(' });
        }
        tokens.push({ kind: 'NOT' });
        flattenWhere(node.right, tokens);
        return;
    }
    for (let index = 0; index < (left.openParen ?? 0); index++) {
        tokens.push({ kind: '(' });
    }
    tokens.push({ kind: 'condition', condition: left });
    const close = 'closeParen' in left ? (left.closeParen ?? 0) : 0;
    for (let index = 0; index < close; index++) {
        tokens.push({ kind: ')' });
    }
    if (node.operator === 'AND' || node.operator === 'OR') {
        tokens.push({ kind: node.operator });
        flattenWhere(node.right, tokens);
    } else if (node.operator === 'NOT') {
        tokens.push({ kind: 'NOT' });
        flattenWhere(node.right, tokens);
    }
}

/** Parses the flattened WHERE tokens: NOT binds tighter than AND, AND tighter than OR. */
class WhereParser {
    private position = 0;
    private readonly tokens: Token[];
    private readonly leaf: (condition: Condition | ValueQueryCondition) => Predicate;

    constructor(tokens: Token[], leaf: (condition: Condition | ValueQueryCondition) => Predicate) {
        this.tokens = tokens;
        this.leaf = leaf;
    }

    parse(): Predicate {
        const predicate = this.or();
        if (this.position !== this.tokens.length) {
            throw new Error('unbalanced WHERE clause');
        }
        return predicate;
    }

    private peek(): Token | undefined {
        return this.tokens[this.position];
    }

    private or(): Predicate {
        const terms = [this.and()];
        while (this.peek()?.kind === 'OR') {
            this.position++;
            terms.push(this.and());
        }
        return terms.length === 1 ? terms[0] : (record) => terms.some((term) => term(record));
    }

    private and(): Predicate {
        const terms = [this.not()];
        while (this.peek()?.kind === 'AND') {
            this.position++;
            terms.push(this.not());
        }
        return terms.length === 1 ? terms[0] : (record) => terms.every((term) => term(record));
    }

    private not(): Predicate {
        if (this.peek()?.kind === 'NOT') {
            this.position++;
            const inner = this.not();
            return (record) => !inner(record);
        }
        return this.primary();
    }

    private primary(): Predicate {
        const token = this.tokens[this.position++];
        if (token?.kind === '(') {
            const inner = this.or();
            if (this.tokens[this.position++]?.kind !== ')') {
                throw new Error('unbalanced parentheses');
            }
            return inner;
        }
        if (token?.kind === 'condition') {
            return this.leaf(token.condition);
        }
        throw new Error('unexpected token in WHERE clause');
    }
}

function unquote(raw: string): string {
    const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
    return inner.replace(/\\(.)/g, (_, char: string) => {
        switch (char) {
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            default:
                return char;
        }
    });
}

function likeRegExp(raw: string): RegExp {
    const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
    let pattern = '';
    for (let index = 0; index < inner.length; index++) {
        const char = inner.charAt(index);
        if (char === '\\' && index + 1 < inner.length) {
            pattern += escapeRegExp(inner.charAt(++index));
        } else if (char === '%') {
            pattern += '[\\s\\S]*';
        } else if (char === '_') {
            pattern += '[\\s\\S]';
        } else {
            pattern += escapeRegExp(char);
        }
    }
    return new RegExp(`^${pattern}$`, 'i');
}

type Comparable = string | number | boolean | null;

function dateLiteralRange(name: string, count: number, now: number): [number, number] | undefined {
    const today = startOfDay(now);
    const units: Record<string, { start: (ms: number) => number; add: (ms: number, n: number) => number }> = {
        DAY: { start: startOfDay, add: addDays },
        WEEK: { start: startOfWeek, add: (ms, n) => addDays(ms, 7 * n) },
        MONTH: { start: startOfMonth, add: addMonths },
        QUARTER: { start: startOfQuarter, add: (ms, n) => addMonths(ms, 3 * n) },
        YEAR: { start: startOfYear, add: (ms, n) => addMonths(ms, 12 * n) }
    };
    const fixed: Record<string, [string, number]> = {
        YESTERDAY: ['DAY', -1],
        TODAY: ['DAY', 0],
        TOMORROW: ['DAY', 1],
        LAST_WEEK: ['WEEK', -1],
        THIS_WEEK: ['WEEK', 0],
        NEXT_WEEK: ['WEEK', 1],
        LAST_MONTH: ['MONTH', -1],
        THIS_MONTH: ['MONTH', 0],
        NEXT_MONTH: ['MONTH', 1],
        LAST_QUARTER: ['QUARTER', -1],
        THIS_QUARTER: ['QUARTER', 0],
        NEXT_QUARTER: ['QUARTER', 1],
        LAST_YEAR: ['YEAR', -1],
        THIS_YEAR: ['YEAR', 0],
        NEXT_YEAR: ['YEAR', 1],
        LAST_FISCAL_QUARTER: ['QUARTER', -1],
        THIS_FISCAL_QUARTER: ['QUARTER', 0],
        NEXT_FISCAL_QUARTER: ['QUARTER', 1],
        LAST_FISCAL_YEAR: ['YEAR', -1],
        THIS_FISCAL_YEAR: ['YEAR', 0],
        NEXT_FISCAL_YEAR: ['YEAR', 1]
    };
    const literal = name.toUpperCase().split(':')[0];
    if (literal === 'LAST_90_DAYS') {
        return [addDays(today, -90), addDays(today, 1)];
    }
    if (literal === 'NEXT_90_DAYS') {
        return [addDays(today, 1), addDays(today, 91)];
    }
    const fixedEntry = fixed[literal];
    if (fixedEntry) {
        const unit = units[fixedEntry[0]];
        const start = unit.add(unit.start(now), fixedEntry[1]);
        return [start, unit.add(start, 1)];
    }
    const match = /^(LAST|NEXT|N)_N_(?:FISCAL_)?(DAY|WEEK|MONTH|QUARTER|YEAR)S(?:_AGO)?$/.exec(literal);
    const ago = /^N_(?:FISCAL_)?(DAY|WEEK|MONTH|QUARTER|YEAR)S_AGO$/.exec(literal);
    if (ago) {
        const unit = units[ago[1]];
        const start = unit.add(unit.start(now), -count);
        return [start, unit.add(start, 1)];
    }
    if (!match) {
        return undefined;
    }
    const unit = units[match[2]];
    const current = unit.start(now);
    if (match[1] === 'LAST') {
        return match[2] === 'DAY' ? [addDays(today, -count), addDays(today, 1)] : [unit.add(current, -count), current];
    }
    const next = unit.add(current, 1);
    return [next, unit.add(next, count)];
}

function typeName(field: FieldDef): string {
    switch (field.type) {
        case 'datetime':
            return 'dateTime';
        case 'double':
        case 'int':
            return 'double';
        case 'reference':
        case 'id':
            return 'id';
        default:
            return field.type;
    }
}

function isTextual(field: FieldDef): boolean {
    return ['string', 'textarea', 'picklist', 'url', 'email', 'id', 'reference'].includes(field.type);
}

/** Comparable form of a stored value: case-folded text, ids at 15 characters, dates as ms. */
function comparable(field: FieldDef | null, value: ScalarValue): Comparable {
    if (value === null || value === undefined) {
        return null;
    }
    if (!field) {
        return typeof value === 'string' ? value.toLowerCase() : value;
    }
    if (field.type === 'id' || field.type === 'reference') {
        return String(value).slice(0, 15);
    }
    if (field.type === 'date' && typeof value === 'string') {
        return parseDateTime(`${value}T00:00:00Z`) ?? null;
    }
    return typeof value === 'string' ? value.toLowerCase() : value;
}

function compileCondition(
    ctx: Ctx,
    object: ObjectDef,
    alias: string | undefined,
    condition: Condition | ValueQueryCondition
): Predicate {
    if (!('field' in condition)) {
        throw malformed(ctx, 'The emulator does not evaluate functions in WHERE', 'WHERE');
    }
    const path = resolvePath(ctx, object, condition.field, alias);
    const field = path.leaf;
    const fieldName = field?.name ?? condition.field;
    const operator = condition.operator.toUpperCase();
    const valueOf = (record: StoredRecord): Comparable => comparable(field, pathValue(ctx, record, path));

    if ('valueQuery' in condition) {
        const inner = compilePlan(
            ctx,
            apiObject(ctx, condition.valueQuery.sObject),
            condition.valueQuery,
            condition.valueQuery.sObjectAlias
        );
        const first = inner.select[0];
        if (!first || first.kind !== 'field' || inner.select.length !== 1) {
            throw malformed(ctx, 'A semi-join subquery must select exactly one Id field', condition.field);
        }
        let values: Set<Comparable> | undefined;
        const members = (): Set<Comparable> => {
            values ??= new Set(
                evaluatePlan(ctx, inner).map((record) =>
                    comparable(first.path.leaf, pathValue(ctx, record, first.path))
                )
            );
            return values;
        };
        const negate = operator === 'NOT IN';
        return (record) => members().has(valueOf(record)) !== negate;
    }

    const literalTypes: (LiteralType | undefined)[] = Array.isArray(condition.literalType)
        ? condition.literalType
        : [condition.literalType];
    const rawValues = Array.isArray(condition.value) ? condition.value : [condition.value];
    const dateVariables = 'dateLiteralVariable' in condition ? condition.dateLiteralVariable : undefined;

    const literal = (
        raw: string,
        literalType: LiteralType | undefined,
        index: number
    ): Comparable | [number, number] => {
        switch (literalType) {
            case 'NULL':
                return null;
            case 'BOOLEAN':
                if (field && field.type !== 'boolean') {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${typeName(field)}`,
                        condition.field
                    );
                }
                return raw.toUpperCase() === 'TRUE';
            case 'INTEGER':
            case 'DECIMAL':
            case 'INTEGER_WITH_CURRENCY_PREFIX':
            case 'DECIMAL_WITH_CURRENCY_PREFIX':
                if (field && field.type !== 'double' && field.type !== 'int') {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${typeName(field)} and should be enclosed in quotes`,
                        condition.field
                    );
                }
                return Number(raw.replace(/^[A-Z]{3}/, ''));
            case 'DATETIME': {
                const ms = parseDateTime(raw);
                if (ms === undefined || (field && field.type !== 'datetime' && field.type !== 'date')) {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${field ? typeName(field) : 'dateTime'}`,
                        condition.field
                    );
                }
                return ms;
            }
            case 'DATE': {
                const date = parseDate(raw);
                if (date === undefined || (field && field.type !== 'date' && field.type !== 'datetime')) {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${field ? typeName(field) : 'date'}`,
                        condition.field
                    );
                }
                return parseDateTime(`${date}T00:00:00Z`) ?? 0;
            }
            case 'DATE_LITERAL':
            case 'DATE_N_LITERAL': {
                if (field && field.type !== 'date' && field.type !== 'datetime') {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${typeName(field)}`,
                        condition.field
                    );
                }
                const count = Array.isArray(dateVariables) ? dateVariables[index] : dateVariables;
                const range = dateLiteralRange(raw, Number(count ?? 0), ctx.now);
                if (!range) {
                    throw malformed(ctx, `unexpected token: '${raw}'`, raw);
                }
                return range;
            }
            case 'STRING': {
                const text = unquote(raw);
                if (field && !isTextual(field)) {
                    throw queryError(
                        ctx,
                        'INVALID_FIELD',
                        `value of filter criterion for field '${fieldName}' must be of type ${typeName(field)} and should not be enclosed in quotes`,
                        condition.field
                    );
                }
                if (field && (field.type === 'id' || field.type === 'reference') && operator !== 'LIKE') {
                    const id = normalizeId(text);
                    if (!id) {
                        if (text === '') {
                            return null;
                        }
                        throw queryError(
                            ctx,
                            'INVALID_QUERY_FILTER_OPERATOR',
                            `invalid ID field: ${text}`,
                            condition.field
                        );
                    }
                    return id.slice(0, 15);
                }
                return text.toLowerCase();
            }
            default:
                throw malformed(ctx, `The emulator does not evaluate ${literalType ?? 'this'} values`, condition.field);
        }
    };

    const values = rawValues.map((raw, index) => literal(raw, literalTypes[index] ?? literalTypes[0], index));

    if (operator === 'LIKE') {
        if (field && !isTextual(field)) {
            throw queryError(
                ctx,
                'INVALID_FIELD',
                `invalid operator on ${typeName(field)} field: LIKE`,
                condition.field
            );
        }
        const pattern = likeRegExp(rawValues[0] ?? '');
        return (record) => {
            const value = pathValue(ctx, record, path);
            return value !== null && value !== undefined && pattern.test(String(value));
        };
    }
    if (operator === 'IN' || operator === 'NOT IN') {
        const set = new Set(values.map((value) => (Array.isArray(value) ? value[0] : value)));
        const negate = operator === 'NOT IN';
        return (record) => set.has(valueOf(record)) !== negate;
    }
    if (operator === 'INCLUDES' || operator === 'EXCLUDES') {
        throw malformed(ctx, `The emulator does not evaluate ${operator}`, operator);
    }
    const expected = values[0];
    if (Array.isArray(expected)) {
        const [start, end] = expected;
        return (record) => {
            const value = valueOf(record);
            if (typeof value !== 'number') {
                return operator === '!=' && value === null;
            }
            switch (operator) {
                case '=':
                    return value >= start && value < end;
                case '!=':
                    return value < start || value >= end;
                case '<':
                    return value < start;
                case '<=':
                    return value < end;
                case '>':
                    return value >= end;
                case '>=':
                    return value >= start;
                default:
                    return false;
            }
        };
    }
    return (record) => {
        const value = valueOf(record);
        switch (operator) {
            case '=':
                return value === expected;
            case '!=':
                return value !== expected;
            default: {
                if (value === null || expected === null) {
                    return false;
                }
                const order = compareValues(value, expected);
                return operator === '<'
                    ? order < 0
                    : operator === '<='
                      ? order <= 0
                      : operator === '>'
                        ? order > 0
                        : order >= 0;
            }
        }
    };
}

function compareValues(left: Comparable, right: Comparable): number {
    if (left === right) {
        return 0;
    }
    if (left === null) {
        return -1;
    }
    if (right === null) {
        return 1;
    }
    if (typeof left === 'number' && typeof right === 'number') {
        return left - right;
    }
    if (typeof left === 'boolean' && typeof right === 'boolean') {
        return left ? 1 : -1;
    }
    return String(left) < String(right) ? -1 : 1;
}

function compileWhere(
    ctx: Ctx,
    object: ObjectDef,
    where: WhereClause | undefined,
    alias: string | undefined
): Predicate | null {
    if (!where) {
        return null;
    }
    const tokens: Token[] = [];
    flattenWhere(where, tokens);
    try {
        return new WhereParser(tokens, (condition) => compileCondition(ctx, object, alias, condition)).parse();
    } catch (error) {
        if (error instanceof ApiError) {
            throw error;
        }
        throw malformed(ctx, error instanceof Error ? error.message : String(error), 'WHERE');
    }
}

/** The implementation restriction on ContentDocumentLink queries (needs an Id filter). */
function checkContentDocumentLinkFilter(ctx: Ctx, object: ObjectDef, where: WhereClause | undefined): void {
    if (object.name !== 'ContentDocumentLink') {
        return;
    }
    const tokens: Token[] = [];
    flattenWhere(where, tokens);
    const filtered = tokens.some(
        (token) =>
            token.kind === 'condition' &&
            'field' in token.condition &&
            ['id', 'linkedentityid', 'contentdocumentid'].includes(
                token.condition.field.split('.').pop()?.toLowerCase() ?? ''
            ) &&
            ['=', 'IN'].includes(token.condition.operator.toUpperCase())
    );
    if (!filtered) {
        throw malformed(
            ctx,
            "Implementation restriction: ContentDocumentLink requires a filter by a single Id on ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using the IN operator.",
            'ContentDocumentLink'
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------------------------

function compileOrder(
    ctx: Ctx,
    object: ObjectDef,
    orderBy: OrderByClause | OrderByClause[] | undefined,
    alias: string | undefined
): OrderItem[] {
    const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
    return clauses.map((clause) => {
        if (!('field' in clause)) {
            throw malformed(ctx, 'The emulator does not evaluate functions in ORDER BY', 'ORDER');
        }
        const descending = clause.order === 'DESC';
        return {
            path: resolvePath(ctx, object, clause.field, alias),
            descending,
            nullsFirst: clause.nulls ? clause.nulls === 'FIRST' : !descending
        };
    });
}

function compilePlan(ctx: Ctx, object: ObjectDef, query: Query | Subquery, alias: string | undefined): Plan {
    if (query.groupBy || query.having) {
        throw malformed(ctx, 'The emulator does not evaluate GROUP BY / HAVING', 'GROUP');
    }
    if (query.for === 'UPDATE') {
        throw malformed(ctx, 'FOR UPDATE is not allowed in this context', 'FOR');
    }
    const { select, countOnly } = compileSelect(ctx, object, query, alias);
    if (query.offset !== undefined && query.offset > 2000) {
        throw new ApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
    }
    return {
        object,
        select,
        where: compileWhere(ctx, object, query.where, alias),
        orderBy: compileOrder(ctx, object, query.orderBy, alias),
        limit: query.limit,
        offset: query.offset ?? 0,
        countOnly
    };
}

function sortRecords(ctx: Ctx, records: StoredRecord[], orderBy: OrderItem[]): StoredRecord[] {
    if (orderBy.length === 0) {
        return records;
    }
    const keyed = records.map((record, index) => ({
        record,
        index,
        keys: orderBy.map((item) => comparable(item.path.leaf, pathValue(ctx, record, item.path)))
    }));
    keyed.sort((left, right) => {
        for (let position = 0; position < orderBy.length; position++) {
            const item = orderBy[position];
            const a = left.keys[position];
            const b = right.keys[position];
            if (a === b) {
                continue;
            }
            if (a === null || b === null) {
                return (a === null) === item.nullsFirst ? -1 : 1;
            }
            const order = compareValues(a, b);
            return item.descending ? -order : order;
        }
        return left.index - right.index;
    });
    return keyed.map((entry) => entry.record);
}

function evaluatePlan(ctx: Ctx, plan: Plan, candidates?: StoredRecord[]): StoredRecord[] {
    const records = (candidates ?? ctx.source.records(plan.object.name, ctx.includeDeleted)).filter(
        (record) => !plan.where || plan.where(record)
    );
    const sorted = sortRecords(ctx, records, plan.orderBy);
    const end = plan.limit === undefined ? undefined : plan.offset + plan.limit;
    return sorted.slice(plan.offset, end);
}

function attributes(ctx: Ctx, object: ObjectDef, record: StoredRecord): JsonObject {
    return { type: object.name, url: ctx.source.recordUrl(object, String(record.Id), ctx.apiVersion) };
}

function project(
    ctx: Ctx,
    plan: Plan,
    object: ObjectDef,
    record: StoredRecord
): { json: JsonObject; children: number } {
    const json: JsonObject = { attributes: attributes(ctx, object, record) };
    let children = 0;
    for (const item of plan.select) {
        if (item.kind === 'subquery') {
            let index = ctx.children.get(item);
            if (!index) {
                index = new Map();
                for (const child of ctx.source.records(item.childObject.name, ctx.includeDeleted)) {
                    const parentId = child[item.childField];
                    const siblings = typeof parentId === 'string' ? index.get(parentId) : undefined;
                    if (siblings) {
                        siblings.push(child);
                    } else if (typeof parentId === 'string') {
                        index.set(parentId, [child]);
                    }
                }
                ctx.children.set(item, index);
            }
            const candidates = index.get(String(record.Id)) ?? [];
            const rows = evaluatePlan(ctx, item.plan, candidates);
            children += rows.length;
            json[item.relationshipName] =
                rows.length === 0
                    ? null
                    : {
                          totalSize: rows.length,
                          done: true,
                          records: rows.map((row) => project(ctx, item.plan, item.childObject, row).json)
                      };
            continue;
        }
        if (item.kind === 'aggregate') {
            continue;
        }
        const { path } = item;
        let target: JsonObject = json;
        let current = record;
        let currentObject = object;
        let missing = false;
        for (const hop of path.hops) {
            const key = hop.field.relationshipName ?? hop.field.name;
            const id = current[hop.field.name];
            const parent = typeof id === 'string' ? ctx.source.get(id) : undefined;
            const parentObject = typeof id === 'string' ? ctx.source.schema.objectOfId(id) : undefined;
            const live = parent && parentObject && (parent.IsDeleted !== true || ctx.includeDeleted);
            if (!(key in target)) {
                target[key] = live ? { attributes: attributes(ctx, parentObject, parent) } : null;
            }
            const next = target[key];
            if (!live || next === null || typeof next !== 'object' || Array.isArray(next)) {
                missing = true;
                break;
            }
            target = next;
            current = parent;
            currentObject = parentObject;
        }
        if (missing) {
            continue;
        }
        if (path.polymorphicLeaf) {
            target[path.polymorphicLeaf] = polymorphicValue(currentObject, current, path.polymorphicLeaf);
        } else if (path.leaf) {
            target[path.leaf.name] = ctx.source.valueJson(currentObject, current, path.leaf, ctx.apiVersion);
        }
    }
    return { json, children };
}

export interface QueryOptions {
    includeDeleted: boolean;
    now: number;
    apiVersion: string;
}

/** Runs a SOQL query: every matching record, projected; paging is the caller's business. */
export function runQuery(source: QuerySource, soql: string, options: QueryOptions): QueryResultSet {
    const query = parse(soql);
    const ctx: Ctx = {
        source,
        soql,
        includeDeleted: options.includeDeleted,
        now: options.now,
        apiVersion: options.apiVersion,
        children: new Map()
    };
    const object = apiObject(ctx, query.sObject);
    checkContentDocumentLinkFilter(ctx, object, query.where);
    const plan = compilePlan(ctx, object, query, query.sObjectAlias);
    const matched = evaluatePlan(ctx, plan);
    if (plan.countOnly) {
        return { records: [], weights: [], totalSize: matched.length };
    }
    const aggregates = plan.select.filter((item) => item.kind === 'aggregate');
    if (aggregates.length > 0) {
        if (aggregates.length !== plan.select.length) {
            throw malformed(ctx, 'Field must be grouped or aggregated', 'SELECT');
        }
        const row: JsonObject = { attributes: { type: 'AggregateResult' } };
        for (const aggregate of aggregates) {
            const path = aggregate.field;
            row[aggregate.alias] = path
                ? matched.filter((record) => pathValue(ctx, record, path) !== null).length
                : matched.length;
        }
        return { records: [row], weights: [1], totalSize: 1 };
    }
    const records: JsonObject[] = [];
    const weights: number[] = [];
    for (const record of matched) {
        const { json, children } = project(ctx, plan, object, record);
        records.push(json);
        weights.push(1 + children);
    }
    return { records, weights, totalSize: records.length };
}
