// Part of gate 3 (Apex compiles): the object and field names inside inline SOQL. apex-ls does not
// resolve them, so `[SELECT Remote_Platfrom__c FROM Sync_Connection__c]` passes its check and an
// org refuses it on deploy. This check finds every inline SOQL literal (`[SELECT ...]`) in the
// package's classes and triggers with @apexdevtools/apex-parser, parses the query with
// @jetstreamapp/soql-parser-js and resolves every name it uses (FROM, SELECT, WHERE, GROUP BY,
// HAVING, ORDER BY, relationship paths, child subqueries, semi-join subqueries, functions) against:
//   - the package's own objects and fields, read from force-app (custom fields, lookups and
//     master-details with their parent relationship `X__r` and their child relationship
//     `<relationshipName>__r` on the parent), and custom fields that force-app adds to standard objects;
//   - the small table of standard objects in soql-standard-objects.mjs.
// Names are compared case-insensitively, as SOQL does; bind expressions (`:name`) are values, not fields.
// Dynamic SOQL (Database.query strings), SOSL and field references outside SOQL are not checked here.
//
//   node scripts/gates/soql-fields.mjs [projectDir=.]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    ApexErrorListener,
    ApexParser,
    ApexParserBaseListener,
    ApexParserFactory,
    ApexParseTreeWalker
} from '@apexdevtools/apex-parser';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import sax from 'sax';
import { closestName } from './metadata-content.mjs';
import { POLYMORPHIC, STANDARD_OBJECTS } from './soql-standard-objects.mjs';

export const CATEGORY = 'SOQL';
const STANDARD_TABLE = 'scripts/gates/soql-standard-objects.mjs';
const lower = (name) => name.toLowerCase();

// ---------------------------------------------------------------------------------------------
// The schema: objects with fields, parent relationships and child relationships.

function newObject(name, kind) {
    return { name, kind, fields: new Map(), parents: new Map(), children: new Map() };
}

function addFields(object, names) {
    for (const name of names) {
        object.fields.set(lower(name), name);
    }
}

function addParent(object, relationship, target) {
    object.parents.set(lower(relationship), { name: relationship, target });
}

function addChild(object, relationship, child) {
    object.children.set(lower(relationship), { name: relationship, object: child });
}

/** Top-level elements of a metadata file, as { element: [text, ...] }. */
function topLevelElements(file) {
    const values = {};
    const parser = sax.parser(true, { trim: true });
    let depth = 0;
    let current;
    parser.onopentag = (node) => {
        depth++;
        if (depth === 2) {
            current = node.name;
            (values[current] ??= []).push('');
        }
    };
    parser.ontext = (text) => {
        if (depth === 2 && current) {
            const list = values[current];
            list[list.length - 1] += text;
        }
    };
    parser.onclosetag = () => {
        if (depth === 2) {
            current = undefined;
        }
        depth--;
    };
    parser.write(readFileSync(file, 'utf8')).close();
    return values;
}

function objectDirectories(packageDir) {
    if (!existsSync(packageDir)) {
        return [];
    }
    return readdirSync(packageDir, { withFileTypes: true, recursive: true })
        .filter(
            (entry) =>
                entry.isDirectory() &&
                basename(entry.parentPath) === 'objects' &&
                !entry.parentPath.includes('node_modules')
        )
        .map((entry) => join(entry.parentPath, entry.name));
}

function kindOf(name, meta) {
    if (/__e$/i.test(name)) return 'event';
    if (/__mdt$/i.test(name)) return 'metadata';
    if (/__c$/i.test(name)) return meta.customSettingsType ? 'setting' : 'custom';
    return 'standard';
}

/** The standard fields that the platform adds to each kind of custom object. */
function addPlatformFields(object, meta, isDetail) {
    const audit = ['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById'];
    switch (object.kind) {
        case 'custom':
            addFields(object, [...audit, 'SystemModstamp', 'Name', 'LastViewedDate', 'LastReferencedDate']);
            addParent(object, 'CreatedBy', 'User');
            addParent(object, 'LastModifiedBy', 'User');
            if (!isDetail) {
                // A detail of a master-detail has no owner of its own.
                addFields(object, ['OwnerId']);
                addParent(object, 'Owner', POLYMORPHIC);
            }
            if (meta.enableActivities?.[0] === 'true') {
                addFields(object, ['LastActivityDate']);
            }
            break;
        case 'setting':
            addFields(object, [...audit, 'SystemModstamp', 'Name']);
            addParent(object, 'CreatedBy', 'User');
            addParent(object, 'LastModifiedBy', 'User');
            if (meta.customSettingsType?.[0] === 'Hierarchy') {
                addFields(object, ['SetupOwnerId']);
                addParent(object, 'SetupOwner', POLYMORPHIC);
            }
            break;
        case 'metadata':
            addFields(object, [
                'Id',
                'DeveloperName',
                'MasterLabel',
                'Label',
                'Language',
                'NamespacePrefix',
                'QualifiedApiName',
                'SystemModstamp'
            ]);
            break;
        case 'event':
            addFields(object, ['ReplayId', 'EventUuid', 'CreatedDate', 'CreatedById']);
            break;
        default:
            break;
    }
}

/**
 * Reads the package's objects and fields under packageDir and merges them with the standard-object
 * table. Returns Map<lowercase object name, object>.
 */
export function loadSchema(packageDir) {
    const schema = new Map();
    for (const [name, entry] of Object.entries(STANDARD_OBJECTS)) {
        const object = newObject(name, 'standard');
        addFields(object, entry.fields);
        for (const [relationship, target] of Object.entries(entry.parents)) addParent(object, relationship, target);
        for (const [relationship, child] of Object.entries(entry.children)) addChild(object, relationship, child);
        schema.set(lower(name), object);
    }
    const lookups = [];
    for (const dir of objectDirectories(packageDir)) {
        const name = basename(dir);
        const metaFile = join(dir, `${name}.object-meta.xml`);
        const meta = existsSync(metaFile) ? topLevelElements(metaFile) : {};
        const kind = kindOf(name, meta);
        let object = schema.get(lower(name));
        if (!object) {
            // A standard object that force-app extends but the table does not list: queries on it
            // fail until its standard fields are added to the table.
            object = newObject(name, kind === 'standard' ? 'unlisted' : kind);
            schema.set(lower(name), object);
        }
        const fieldsDir = join(dir, 'fields');
        let isDetail = false;
        const fieldFiles = existsSync(fieldsDir)
            ? readdirSync(fieldsDir).filter((file) => file.endsWith('.field-meta.xml'))
            : [];
        for (const file of fieldFiles) {
            const fieldName = file.slice(0, -'.field-meta.xml'.length);
            const field = topLevelElements(join(fieldsDir, file));
            addFields(object, [fieldName]);
            const type = field.type?.[0];
            if ((type === 'Lookup' || type === 'MasterDetail') && field.referenceTo?.[0]) {
                isDetail ||= type === 'MasterDetail';
                const relationship = fieldName.replace(/__c$/i, '__r');
                addParent(object, relationship, field.referenceTo[0]);
                if (field.relationshipName?.[0]) {
                    lookups.push({
                        parent: field.referenceTo[0],
                        child: name,
                        relationship: `${field.relationshipName[0]}__r`
                    });
                }
            }
        }
        addPlatformFields(object, meta, isDetail);
    }
    for (const { parent, child, relationship } of lookups) {
        let object = schema.get(lower(parent));
        if (!object) {
            object = newObject(parent, 'unlisted');
            schema.set(lower(parent), object);
        }
        addChild(object, relationship, child);
    }
    return schema;
}

// ---------------------------------------------------------------------------------------------
// Checking one parsed query.

const IDENTIFIER_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** A problem found in a query: message, and the path (as written) and segment to point at. */
function problem(message, parts, segment = 0) {
    return { message, parts, segment };
}

function unqueryable(object) {
    if (object.kind === 'event') {
        return `${object.name} is a platform event: platform events cannot be queried with SOQL`;
    }
    if (object.kind === 'unlisted') {
        return `standard object ${object.name} is not in ${STANDARD_TABLE}: add it with its standard fields`;
    }
    return undefined;
}

function suggestion(name, candidates) {
    const closest = closestName(
        name,
        [...candidates.values()].map((entry) => entry.name ?? entry)
    );
    return closest ? ` (did you mean ${closest}?)` : '';
}

/**
 * Resolves a field path (`Name`, `Connection__r.Name`, `c.Subject` with an alias) on an object;
 * returns the problems.
 */
function checkPath(schema, object, raw, scope) {
    const parts = raw.split('.');
    let start = 0;
    // A leading alias or object name (`c.Subject`, `Case.Subject`) names the queried object itself.
    if (
        parts.length > 1 &&
        !object.parents.has(lower(parts[0])) &&
        (lower(parts[0]) === lower(object.name) || (scope.alias && lower(parts[0]) === lower(scope.alias)))
    ) {
        start = 1;
    }
    let current = object;
    for (let i = start; i < parts.length - 1; i++) {
        const relationship = current.parents.get(lower(parts[i]));
        if (!relationship) {
            return [
                problem(
                    `unknown relationship ${parts[i]} on ${current.name} in ${raw}${suggestion(parts[i], current.parents)}`,
                    parts,
                    i
                )
            ];
        }
        const target = schema.get(lower(relationship.target));
        const refused = target
            ? unqueryable(target)
            : `unknown object ${relationship.target}: not in ${STANDARD_TABLE}`;
        if (refused) {
            return [problem(`${refused} (reached through ${raw})`, parts, i)];
        }
        current = target;
    }
    const last = parts[parts.length - 1];
    if (!current.fields.has(lower(last))) {
        const via = parts.length - start > 1 ? ` in ${raw}` : '';
        return [
            problem(
                `unknown field ${last} on ${current.name}${via}${suggestion(last, current.fields)}`,
                parts,
                parts.length - 1
            )
        ];
    }
    return [];
}

function checkFunction(schema, object, fn, scope) {
    const problems = [];
    for (const parameter of fn.parameters ?? []) {
        if (typeof parameter === 'string') {
            if (IDENTIFIER_PATH.test(parameter) && !/^(true|false|null)$/i.test(parameter)) {
                problems.push(...checkPath(schema, object, parameter, scope));
            }
        } else {
            problems.push(...checkFunction(schema, object, parameter, scope));
        }
    }
    return problems;
}

function checkConditions(schema, object, clause, scope) {
    const problems = [];
    for (let node = clause; node; node = node.right) {
        const left = node.left;
        if (!left) continue;
        if (left.field) problems.push(...checkPath(schema, object, left.field, scope));
        if (left.fn) problems.push(...checkFunction(schema, object, left.fn, scope));
        if (left.valueQuery) problems.push(...checkQuery(schema, left.valueQuery));
    }
    return problems;
}

function asList(value) {
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
}

/** Checks the clauses of a query or subquery against `object`. */
function checkClauses(schema, object, query) {
    const scope = { alias: query.sObjectAlias };
    const problems = [];
    for (const field of query.fields ?? []) {
        switch (field.type) {
            case 'Field':
                problems.push(...checkPath(schema, object, field.field, scope));
                break;
            case 'FieldRelationship': {
                const prefix = field.objectPrefix ? [field.objectPrefix] : [];
                problems.push(
                    ...checkPath(schema, object, [...prefix, ...field.relationships, field.field].join('.'), scope)
                );
                break;
            }
            case 'FieldFunctionExpression':
                problems.push(...checkFunction(schema, object, field, scope));
                break;
            case 'FieldSubquery':
                problems.push(...checkSubquery(schema, object, field.subquery));
                break;
            case 'FieldTypeof':
                problems.push(...checkTypeof(schema, object, field));
                break;
            default:
                problems.push(problem(`the SOQL check does not know the select item ${JSON.stringify(field)}`, []));
        }
    }
    problems.push(...checkConditions(schema, object, query.where, scope));
    problems.push(...checkConditions(schema, object, query.having, scope));
    for (const item of [...asList(query.groupBy), ...asList(query.orderBy)]) {
        if (item.field) problems.push(...checkPath(schema, object, item.field, scope));
        if (item.fn) problems.push(...checkFunction(schema, object, item.fn, scope));
    }
    return problems;
}

function checkTypeof(schema, object, field) {
    const relationship = object.parents.get(lower(field.field));
    if (!relationship) {
        return [problem(`unknown relationship ${field.field} on ${object.name} in TYPEOF`, [field.field])];
    }
    const problems = [];
    for (const condition of field.conditions) {
        const target = schema.get(lower(condition.objectType ?? POLYMORPHIC));
        const refused = target ? unqueryable(target) : `unknown object ${condition.objectType}`;
        if (refused) {
            problems.push(problem(refused, [condition.objectType]));
            continue;
        }
        for (const name of condition.fieldList) problems.push(...checkPath(schema, target, name, {}));
    }
    return problems;
}

function checkSubquery(schema, parent, subquery) {
    const relationship = parent.children.get(lower(subquery.relationshipName));
    if (!relationship) {
        return [
            problem(
                `unknown child relationship ${subquery.relationshipName} on ${parent.name}${suggestion(subquery.relationshipName, parent.children)}`,
                [subquery.relationshipName]
            )
        ];
    }
    const child = schema.get(lower(relationship.object));
    const refused = child ? unqueryable(child) : `unknown object ${relationship.object}: not in ${STANDARD_TABLE}`;
    if (refused) {
        return [problem(refused, [subquery.relationshipName])];
    }
    return checkClauses(schema, child, subquery);
}

/** Checks a parsed top-level (or semi-join) query; returns the problems. */
export function checkQuery(schema, query) {
    const object = schema.get(lower(query.sObject ?? ''));
    if (!object) {
        const known = new Map([...schema.values()].map((entry) => [lower(entry.name), entry]));
        return [
            problem(
                `unknown object ${query.sObject}: neither in force-app nor in ${STANDARD_TABLE}${suggestion(query.sObject ?? '', known)}`,
                [query.sObject]
            )
        ];
    }
    const refused = unqueryable(object);
    if (refused) {
        return [problem(refused, [query.sObject])];
    }
    return checkClauses(schema, object, query);
}

// ---------------------------------------------------------------------------------------------
// Finding inline SOQL in Apex source.

class SilentErrors extends ApexErrorListener {
    // Syntax errors are apex-ls's to report; this check looks at whatever parsed.
    apexSyntaxError() {}
}

/**
 * Every inline SOQL literal of one Apex source: { text, line, column, tokens }. `text` is the query
 * as soql-parser-js can read it: each bind expression replaced by a plain bind (a number in LIMIT
 * and OFFSET) and the Apex-only ALL ROWS clause removed. `tokens` are the literal's own tokens,
 * to point at a name.
 */
export function inlineQueries(source, isTrigger) {
    const { parser } = ApexParserFactory.createLexerAndParser(source, new SilentErrors());
    const tree = isTrigger ? parser.triggerUnit() : parser.compilationUnit();
    const tokenStream = parser.getTokenStream();
    const found = [];
    const open = [];
    const listener = new ApexParserBaseListener();
    listener.enterSoqlLiteral = (ctx) => open.push({ ctx, edits: [] });
    listener.enterBoundExpression = (ctx) => {
        const parentRule = ctx.parentCtx?.ruleIndex;
        const numeric = parentRule === ApexParser.RULE_limitClause || parentRule === ApexParser.RULE_offsetClause;
        open.at(-1)?.edits.push({ start: ctx.start.start, stop: ctx.stop.stop, text: numeric ? '1' : null });
    };
    listener.enterAllRowsClause = (ctx) => {
        open.at(-1)?.edits.push({ start: ctx.start.start, stop: ctx.stop.stop, text: '' });
    };
    listener.exitSoqlLiteral = () => {
        const { ctx, edits } = open.pop();
        const query = ctx.query();
        if (!query?.start || !query.stop) return;
        const chars = query.start.getInputStream();
        let text = '';
        let at = query.start.start;
        let binds = 0;
        for (const edit of edits.sort((a, b) => a.start - b.start)) {
            if (edit.start < at) continue; // inside an edit already made (a bind within a bind)
            text += chars.getText(at, edit.start - 1) + (edit.text ?? `:bind${binds++}`);
            at = edit.stop + 1;
        }
        text += chars.getText(at, query.stop.stop);
        const tokens = tokenStream.tokens
            .slice(query.start.tokenIndex, query.stop.tokenIndex + 1)
            .filter((token) => token.channel === 0);
        found.push({ text, line: query.start.line, column: query.start.column + 1, tokens });
    };
    ApexParseTreeWalker.DEFAULT.walk(listener, tree);
    return found;
}

/** Where a path (as written) occurs among a literal's tokens: the n-th occurrence's segment token. */
function locate(literal, parts, segment, used) {
    if (parts.length === 0 || !parts[0]) {
        return { line: literal.line, column: literal.column };
    }
    const wanted = parts.map(lower);
    const matches = [];
    const { tokens } = literal;
    for (let i = 0; i + 2 * (wanted.length - 1) < tokens.length; i++) {
        let ok = true;
        for (let k = 0; k < wanted.length && ok; k++) {
            ok = lower(tokens[i + 2 * k].text) === wanted[k] && (k === 0 || tokens[i + 2 * k - 1].text === '.');
        }
        if (ok) matches.push(tokens[i + 2 * segment]);
    }
    const key = wanted.join('.');
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const token = matches[Math.min(n, matches.length - 1)];
    return token ? { line: token.line, column: token.column + 1 } : { line: literal.line, column: literal.column };
}

/** Checks the inline SOQL of one Apex source; returns { queries, issues: [{line, column, message}] }. */
export function checkApexSource(source, schema, isTrigger = false) {
    const issues = [];
    const literals = inlineQueries(source, isTrigger);
    for (const literal of literals) {
        let parsed;
        try {
            parsed = parseQuery(literal.text, { allowApexBindVariables: true });
        } catch (error) {
            const reason = String(error.message).split('\n')[0];
            issues.push({
                line: literal.line,
                column: literal.column,
                message: `the SOQL check cannot parse this query, so cannot check its fields: ${reason}`
            });
            continue;
        }
        const used = new Map();
        for (const found of checkQuery(schema, parsed)) {
            issues.push({ ...locate(literal, found.parts, found.segment, used), message: found.message });
        }
    }
    return { queries: literals.length, issues };
}

function apexFiles(dir) {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(
            (entry) =>
                entry.isFile() && /\.(cls|trigger)$/.test(entry.name) && !entry.parentPath.includes('node_modules')
        )
        .map((entry) => join(entry.parentPath, entry.name))
        .sort();
}

/**
 * Checks every inline SOQL under <projectDir>/force-app. Returns { files, queries, issues:
 * [{file, line, column, category, message}], failure }.
 */
export function checkSoqlFields(projectDir) {
    const workspace = resolve(projectDir);
    const packageDir = join(workspace, 'force-app');
    const files = apexFiles(packageDir);
    if (files.length === 0) {
        return { files: 0, queries: 0, issues: [], failure: 'no Apex classes or triggers found under force-app' };
    }
    const schema = loadSchema(packageDir);
    const issues = [];
    let queries = 0;
    for (const file of files) {
        const result = checkApexSource(readFileSync(file, 'utf8'), schema, file.endsWith('.trigger'));
        queries += result.queries;
        for (const issue of result.issues) {
            issues.push({ file: relative(workspace, file), category: CATEGORY, ...issue });
        }
    }
    return { files: files.length, queries, issues, failure: undefined };
}

function main() {
    const { files, queries, issues, failure } = checkSoqlFields(process.argv[2] ?? '.');
    for (const issue of issues) {
        console.error(`${issue.file}:${issue.line}:${issue.column} ${issue.category}: ${issue.message}`);
    }
    if (failure) {
        console.error(`soql fields: ${failure}`);
        process.exitCode = 1;
    } else if (issues.length > 0) {
        console.error(`soql fields: ${issues.length} issue(s) in ${queries} inline queries of ${files} Apex files`);
        process.exitCode = 1;
    } else {
        console.log(`soql fields: ${queries} inline queries in ${files} Apex files, 0 issues`);
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    main();
}
