#!/usr/bin/env node
// Offline "metadata content" gate: every element of every *-meta.xml file must be an
// element the Metadata API schema allows for that metadata type.
//
// Why: a misspelt or invented element (<lenght>, <enableHistory> inside a CustomField)
// is accepted by every local tool (prettier, source-deploy-retrieve's conversion) and only
// fails at deploy time against an org, or worse, is silently dropped. This gate catches it
// with file:line:column and no org.
//
// How: the root element names the metadata type (source format decomposes CustomObject
// into CustomField, ListView, ... files whose roots name their own types, so that works
// unchanged). Each child element is looked up in the schema (metadata-schema.mjs) under
// the type of its parent, recursively. Attributes (xmlns, xsi:type, targets=...), the XML
// declaration and comments are ignored; the root must declare the metadata namespace.
//
// Usage: node scripts/gates/metadata-content.mjs [dir=force-app]

import { readdirSync, readFileSync, statSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sax from 'sax';
import { getSchema, METADATA_NAMESPACE, UNSCHEMATIZED_METADATA_TYPES } from './metadata-schema.mjs';

/** Directories never scanned: LWC Jest tests and installed packages are not metadata. */
const SKIPPED_DIRECTORIES = new Set(['__tests__', 'node_modules']);

const METADATA_FILE_SUFFIX = '-meta.xml';

/** Optimal string alignment distance (Levenshtein plus adjacent transposition: lenght → length = 1). */
function editDistance(a, b) {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d = Array.from({ length: rows }, (_, i) => {
        const row = new Array(cols).fill(0);
        row[0] = i;
        return row;
    });
    for (let j = 0; j < cols; j += 1) d[0][j] = j;
    for (let i = 1; i < rows; i += 1) {
        for (let j = 1; j < cols; j += 1) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}

/** Closest candidate to a misspelt name, or null if nothing is close enough to be a typo. */
export function closestName(name, candidates) {
    const wanted = name.toLowerCase();
    // Allow roughly one typo per four characters, at least one and at most three.
    const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 4)));
    let best = null;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        // Case-only differences (<Label> for <label>) count as the closest possible match.
        const distance = candidate.toLowerCase() === wanted ? 0 : editDistance(wanted, candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return bestDistance <= limit ? best : null;
}

/** Describes a primitive type for messages: "a string", "a number", ... */
function describePrimitive(type) {
    return type === 'any' ? 'a plain value' : `a ${type}`;
}

/** "(it is an element of CustomObject, ...)" hint for an element that belongs elsewhere. */
function ownerHint(schema, element) {
    const owners = schema.typesWithElement(element);
    if (owners.length === 0) return '';
    const shown = owners.slice(0, 3).join(', ');
    const more = owners.length > 3 ? ` and ${owners.length - 3} other types` : '';
    return ` (it is an element of ${shown}${more})`;
}

/** Maps a string offset to a 1-based line and column (\n, \r\n and lone \r all end a line). */
function makeLocator(text) {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i += 1) {
        const ch = text[i];
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) lineStarts.push(i + 1);
    }
    return (offset) => {
        let low = 0;
        let high = lineStarts.length - 1;
        while (low < high) {
            const mid = (low + high + 1) >> 1;
            if (lineStarts[mid] <= offset) low = mid;
            else high = mid - 1;
        }
        return { line: low + 1, column: offset - lineStarts[low] + 1 };
    };
}

/**
 * Checks one metadata XML document.
 * @param {string} file  path used in the reported problems
 * @param {string} text  file content
 * @returns {{file: string, line: number, column: number, message: string}[]}
 */
export function checkMetadataFile(file, text, schema = getSchema()) {
    /** @type {{file: string, line: number, column: number, message: string}[]} */
    const problems = [];
    const locate = makeLocator(text);
    const report = (position, message) => problems.push({ file, ...position, message });

    // One frame per open element. `type` is the schema type of the element's content:
    // a complex type name, a primitive name, or null when the subtree is not checked
    // (unknown element already reported, or an allow-listed unschematized root type).
    /** @type {{name: string, type: string|null, position: {line: number, column: number}, textReported: boolean}[]} */
    const stack = [];
    let parseFailed = false;
    let sawRoot = false;

    const parser = sax.parser(true, { position: true });

    parser.onerror = (error) => {
        if (parseFailed) return;
        parseFailed = true;
        // sax appends "\nLine: ..\nColumn: ..\nChar: .." to the message; keep the first line.
        report(
            { line: parser.line + 1, column: Math.max(1, parser.column) },
            `is not well-formed XML: ${String(error.message).split('\n')[0]}`
        );
    };

    parser.onopentag = (node) => {
        if (parseFailed) return;
        const position = locate(parser.startTagPosition - 1);
        const name = node.name;

        if (stack.length === 0 && sawRoot) {
            // sax (even in strict mode) accepts a second root element; XML does not.
            parseFailed = true;
            report(position, `is not well-formed XML: second root element <${name}> (a document has exactly one)`);
            return;
        }
        if (stack.length === 0) {
            sawRoot = true;
            stack.push({ name, type: checkRoot(node, position), position, textReported: false });
            return;
        }

        const parent = stack[stack.length - 1];
        const ancestry = stack.map((frame) => frame.name);
        let type = null;
        if (parent.type === null) {
            // Inside a subtree that is not checked: stay quiet, the cause was reported once.
        } else if (schema.isPrimitiveType(parent.type)) {
            const owner = stack.length >= 2 ? stack[stack.length - 2].type : null;
            report(
                position,
                `<${name}> is not allowed inside <${parent.name}>: <${parent.name}> is ${describePrimitive(parent.type)}` +
                    `${owner ? ` in ${owner}` : ''} and cannot contain child elements`
            );
        } else {
            type = schema.childType(parent.type, name);
            if (type === null) {
                const where = ancestry.length > 1 ? `, inside ${ancestry.join(' > ')}` : '';
                const suggestion = closestName(name, schema.allowedChildren(parent.type) ?? []);
                const hint = suggestion ? ` (did you mean <${suggestion}>?)` : ownerHint(schema, name);
                report(position, `<${name}> is not an element of ${parent.type}${where}${hint}`);
            }
        }
        stack.push({ name, type, position, textReported: false });
    };

    function checkRoot(node, position) {
        const name = node.name;
        const xmlns = node.attributes.xmlns;
        if (xmlns === undefined) {
            report(position, `<${name}> must declare xmlns="${METADATA_NAMESPACE}"`);
        } else if (xmlns !== METADATA_NAMESPACE) {
            report(position, `<${name}> declares xmlns="${xmlns}"; metadata files need xmlns="${METADATA_NAMESPACE}"`);
        }

        if (schema.isMetadataType(name)) return name;
        if (UNSCHEMATIZED_METADATA_TYPES.has(name)) return null; // allowed, content not checkable
        if (schema.isComplexType(name)) {
            report(
                position,
                `<${name}> is not a metadata type: it is only used inside other metadata, so it cannot be the root element`
            );
            return null;
        }
        const suggestion = closestName(name, schema.metadataTypeNames());
        report(
            position,
            `<${name}> is not a known metadata type${suggestion ? ` (did you mean <${suggestion}>?)` : ''}` +
                ' (if it is a real type newer than the schema, add it to UNSCHEMATIZED_METADATA_TYPES in scripts/gates/metadata-schema.mjs with a reason)'
        );
        return null;
    }

    // Text inside an element whose type is complex is meaningless to the Metadata API (it
    // expects child elements there), e.g. <valueSet>Red</valueSet>. Report once per element.
    const onText = (value) => {
        if (parseFailed || stack.length === 0 || value.trim() === '') return;
        const frame = stack[stack.length - 1];
        if (frame.textReported || frame.type === null || !schema.isComplexType(frame.type)) return;
        frame.textReported = true;
        report(frame.position, `<${frame.name}> is a ${frame.type} and holds child elements, not text`);
    };
    parser.ontext = onText;
    parser.oncdata = onText;

    parser.onclosetag = () => {
        if (!parseFailed) stack.pop();
    };

    try {
        parser.write(text).close();
    } catch {
        // sax throws after an error it already reported through onerror; nothing to add.
    }
    if (!parseFailed && !sawRoot) {
        report({ line: 1, column: 1 }, 'has no root element');
    }
    return problems;
}

/** All *-meta.xml files under rootDir, sorted, skipping __tests__ and node_modules. */
export function findMetadataFiles(rootDir) {
    const found = [];
    const walk = (dir) => {
        const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
        for (const entry of entries) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
            } else if (entry.name.endsWith(METADATA_FILE_SUFFIX)) {
                // Follow symlinked files, but never symlinked directories (no cycles).
                if (entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile())) found.push(full);
            }
        }
    };
    walk(rootDir);
    return found;
}

/**
 * Checks every *-meta.xml file under rootDir.
 * @returns {{files: string[], problems: {file: string, line: number, column: number, message: string}[]}}
 */
export function checkMetadataTree(rootDir, { displayPath = (file) => file } = {}) {
    const files = findMetadataFiles(rootDir);
    const problems = [];
    for (const file of files) {
        const shown = displayPath(file);
        let text;
        try {
            text = readFileSync(file, 'utf8');
        } catch (error) {
            problems.push({ file: shown, line: 1, column: 1, message: `cannot be read: ${error.message}` });
            continue;
        }
        problems.push(...checkMetadataFile(shown, text));
    }
    return { files, problems };
}

/** Path relative to the working directory when inside it, with forward slashes. */
function displayRelative(file) {
    const relative = path.relative(process.cwd(), file);
    const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
    return shown.split(path.sep).join('/');
}

function main(argv) {
    const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    // An explicit directory is relative to where the command runs; the default is the
    // project's force-app wherever the command runs from.
    const rootDir = argv[0] ? path.resolve(argv[0]) : path.join(projectRoot, 'force-app');

    let isDirectory = false;
    try {
        isDirectory = statSync(rootDir).isDirectory();
    } catch {
        isDirectory = false;
    }
    if (!isDirectory) {
        console.error(`metadata content: ${displayRelative(rootDir)} is not a directory`);
        console.log('metadata content: 0 files checked, 0 problems');
        return 1;
    }

    const { files, problems } = checkMetadataTree(rootDir, { displayPath: displayRelative });
    for (const problem of problems) {
        console.log(`${problem.file}:${problem.line}:${problem.column} ${problem.message}`);
    }
    console.log(`metadata content: ${files.length} files checked, ${problems.length} problems`);
    if (files.length === 0) {
        // A gate that checks nothing must fail, not pass (wrong directory, moved sources...).
        console.error(`metadata content: no *${METADATA_FILE_SUFFIX} files found under ${displayRelative(rootDir)}`);
        return 1;
    }
    return problems.length > 0 ? 1 : 0;
}

const invokedDirectly = (() => {
    if (!process.argv[1]) return false;
    try {
        return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
    } catch {
        return false;
    }
})();

if (invokedDirectly) {
    process.exitCode = main(process.argv.slice(2));
}
