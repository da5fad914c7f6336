// Metadata API schema for the offline metadata content gate.
//
// Why jsforce: it ships the Metadata API WSDL already converted to data
// (jsforce/lib/api/metadata/schema.js, "generated from WSDL file by wsdl2schema.ts"),
// so the gate needs no org, no network and no WSDL download. The WSDL it was generated
// from is old (the jsforce repository's src/api/metadata/wsdl.xml says "Salesforce.com
// Metadata API version 47.0"), while this project builds with sourceApiVersion 65.0.
// Elements that are real in newer API versions are therefore added by hand in
// metadata-schema-additions.json, each entry with the documentation page that justifies it.
//
// Shapes of a property in jsforce's data (all of them are handled, anything else throws
// at load time so that a jsforce upgrade with a new shape breaks the gate loudly instead
// of silently letting everything pass):
//   'string' | 'number' | 'boolean' | 'any'  primitive value (enums are already 'string')
//   '?string', '?ValueSet'                    leading '?' = optional (minOccurs=0)
//   'ValueSet'                                a complex type, i.e. another ApiSchemas entry
//   ['FilterItem'], ['string']                repeated element (maxOccurs=unbounded)
//   ['?', 'DuplicateRuleMatchRule']           optional repeated element (jsforce's optional-array form)
//   { '?': spec }                             optional wrapper (jsforce's soap schema form)
//   { prop: spec, ... }                       inline anonymous complex type (not used by the
//                                             metadata schema today, supported for safety)
// Optional/required is recorded but not enforced: source-format files legitimately omit
// many elements the WSDL marks as required (e.g. CustomValue.default), and the gate's job
// is to catch invented or misplaced elements, not missing ones.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Namespace every metadata XML root element must declare. */
export const METADATA_NAMESPACE = 'http://soap.sforce.com/2006/04/metadata';

/**
 * Primitive type names that occur in jsforce's metadata schema. A primitive element holds
 * text only; it must not contain child elements. ('any' is xsd:anyType, used by
 * CustomMetadataValue.value and FieldValue.value with an xsi:type attribute; its value is
 * still text in metadata files.)
 */
export const PRIMITIVE_TYPES = new Set(['string', 'number', 'boolean', 'any']);

/**
 * Root metadata types that jsforce's (API 47.0) schema lacks but the project is allowed to
 * contain. Their content cannot be validated, so each one must say why it is here.
 * Empty on purpose: every type this project uses (CustomObject, CustomField, ListView,
 * PermissionSet, CustomPermission, CustomTab, CustomApplication, FlexiPage, QuickAction,
 * ApexClass, ApexTrigger, LightningComponentBundle, ...) is in the schema. Add an entry only
 * with a reason, e.g. ['ExternalCredential', 'API 56.0 type, newer than jsforce's WSDL'].
 * @type {Map<string, string>}
 */
export const UNSCHEMATIZED_METADATA_TYPES = new Map([]);

/** Default location of the hand-maintained additions (next to this file). */
export const DEFAULT_ADDITIONS_PATH = fileURLToPath(new URL('./metadata-schema-additions.json', import.meta.url));

/**
 * Turns one jsforce property spec into { type, isArray, optional }.
 * `defineInline(spec)` registers an inline anonymous complex type and returns its name.
 */
function parseSpec(spec, where, defineInline) {
    if (typeof spec === 'string') {
        const optional = spec.startsWith('?');
        const type = optional ? spec.slice(1) : spec;
        if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(type)) {
            throw new Error(`metadata schema: ${where} has an unreadable type ${JSON.stringify(spec)}`);
        }
        return { type, isArray: false, optional };
    }
    if (Array.isArray(spec)) {
        // jsforce writes an optional array as ['?', X]; a plain array as [X].
        const optional = spec.includes('?');
        const items = spec.filter((item) => item !== '?');
        if (items.length !== 1) {
            throw new Error(`metadata schema: ${where} has an array spec of unexpected shape ${JSON.stringify(spec)}`);
        }
        const inner = parseSpec(items[0], where, defineInline);
        if (inner.isArray) {
            throw new Error(`metadata schema: ${where} is an array of arrays, which XML cannot express`);
        }
        return { type: inner.type, isArray: true, optional: optional || inner.optional };
    }
    if (spec !== null && typeof spec === 'object') {
        const keys = Object.keys(spec);
        if (keys.length === 1 && keys[0] === '?') {
            return { ...parseSpec(spec['?'], where, defineInline), optional: true };
        }
        return { type: defineInline(spec), isArray: false, optional: false };
    }
    throw new Error(`metadata schema: ${where} has an unsupported spec ${JSON.stringify(spec)}`);
}

/** Keys starting with '_' in the additions file are notes (_source, _why, _comment), except _extends. */
function isNoteKey(key) {
    return key.startsWith('_');
}

/**
 * Builds a schema from jsforce-shaped entries plus additions.
 * @param {Record<string, {type?: string, extends?: string, props: Record<string, unknown>}>} apiSchemas
 * @param {Record<string, Record<string, unknown>>} additions  { Type: { element: spec, _source, _extends? } }
 */
export function createSchema(apiSchemas, additions = {}) {
    /** @type {Map<string, {name: string, extends: string|null, props: Map<string, {type: string, isArray: boolean, optional: boolean}>, origin: string}>} */
    const types = new Map();

    const defineType = (name, parent, rawProps, origin) => {
        const entry = types.get(name) ?? { name, extends: null, props: new Map(), origin };
        if (parent) entry.extends = parent;
        types.set(name, entry);
        for (const [prop, spec] of Object.entries(rawProps)) {
            if (origin === 'additions' && isNoteKey(prop)) continue;
            const where = `${name}.${prop}`;
            const defineInline = (inlineProps) => {
                const inlineName = `${name}.${prop}`;
                defineType(inlineName, null, inlineProps, origin);
                return inlineName;
            };
            // An additions entry for an element jsforce already has replaces its type. This is
            // used only where the WSDL declares an opaque value (base64Binary) that source
            // format writes as XML, e.g. LightningComponentBundle.targetConfigs.
            entry.props.set(prop, parseSpec(spec, where, defineInline));
        }
    };

    for (const [name, entry] of Object.entries(apiSchemas)) {
        if (!entry || typeof entry !== 'object' || typeof entry.props !== 'object') {
            throw new Error(`metadata schema: entry ${name} is not { type, props }`);
        }
        defineType(name, entry.extends ?? null, entry.props, 'jsforce');
    }
    for (const [name, entry] of Object.entries(additions)) {
        if (isNoteKey(name)) continue; // top-level _comment
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
            throw new Error(`metadata schema additions: ${name} must be an object of { element: type }`);
        }
        if (entry._extends !== undefined && typeof entry._extends !== 'string') {
            throw new Error(`metadata schema additions: ${name}._extends must be a type name`);
        }
        defineType(name, entry._extends ?? null, entry, 'additions');
    }

    // Check every reference now: a dangling type name would otherwise make the gate skip
    // (or wrongly reject) whole subtrees at check time.
    for (const entry of types.values()) {
        if (entry.extends && !types.has(entry.extends)) {
            throw new Error(`metadata schema: ${entry.name} extends unknown type ${entry.extends}`);
        }
        for (const [prop, info] of entry.props) {
            if (!PRIMITIVE_TYPES.has(info.type) && !types.has(info.type)) {
                throw new Error(`metadata schema: ${entry.name}.${prop} refers to unknown type ${info.type}`);
            }
        }
    }

    /** All elements of a type, inherited ones first (e.g. fullName from Metadata). */
    const elementCache = new Map();
    const elementsOf = (name) => {
        if (elementCache.has(name)) return elementCache.get(name);
        const chain = [];
        const seen = new Set();
        for (
            let current = types.get(name);
            current;
            current = current.extends ? types.get(current.extends) : undefined
        ) {
            if (seen.has(current.name)) throw new Error(`metadata schema: ${name} has a cyclic extends chain`);
            seen.add(current.name);
            chain.unshift(current);
        }
        const merged = new Map();
        for (const level of chain) for (const [prop, info] of level.props) merged.set(prop, info);
        elementCache.set(name, merged);
        return merged;
    };

    const extendsType = (name, ancestor) => {
        for (
            let current = types.get(name);
            current;
            current = current.extends ? types.get(current.extends) : undefined
        ) {
            if (current.name === ancestor) return true;
        }
        return false;
    };

    const schema = {
        /** True for a complex type known to the schema (jsforce or additions). */
        isComplexType: (name) => types.has(name),
        /** True for string, number, boolean, any. */
        isPrimitiveType: (name) => PRIMITIVE_TYPES.has(name),
        /** True for a type that can be the root of a metadata file: it extends Metadata. */
        isMetadataType: (name) => types.has(name) && name !== 'Metadata' && extendsType(name, 'Metadata'),
        /** Names of all metadata (root-capable) types, sorted. */
        metadataTypeNames: () => [...types.keys()].filter((name) => schema.isMetadataType(name)).sort(),
        /**
         * Element names allowed directly inside an element of `typeName`, sorted; [] for a
         * primitive type (no children allowed); null for an unknown type name.
         */
        allowedChildren(typeName) {
            if (PRIMITIVE_TYPES.has(typeName)) return [];
            if (!types.has(typeName)) return null;
            return [...elementsOf(typeName).keys()].sort();
        },
        /**
         * Type of child `element` inside `typeName` ('ValueSet', 'string', ...), or null when
         * the element is not allowed there (or typeName is unknown or primitive). For a
         * repeated element this is the type of one occurrence.
         */
        childType(typeName, element) {
            return schema.childInfo(typeName, element)?.type ?? null;
        },
        /** Like childType but returns { type, isArray, optional } or null. */
        childInfo(typeName, element) {
            if (!types.has(typeName)) return null;
            return elementsOf(typeName).get(element) ?? null;
        },
        /** Complex types that declare `element` (directly or inherited), sorted, metadata types first. */
        typesWithElement(element) {
            const owners = [...types.keys()].filter((name) => name !== 'Metadata' && elementsOf(name).has(element));
            return owners.sort(
                (a, b) => Number(schema.isMetadataType(b)) - Number(schema.isMetadataType(a)) || a.localeCompare(b)
            );
        },
        /** Where a type came from: 'jsforce' or 'additions' (null if unknown). */
        originOf: (name) => types.get(name)?.origin ?? null
    };
    return schema;
}

/** Reads and parses the additions file; a missing file means "no additions". */
export function readAdditions(path = DEFAULT_ADDITIONS_PATH) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    } catch (error) {
        if (error.code === 'ENOENT') return {};
        throw error;
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new Error(`metadata schema additions: ${path} is not valid JSON: ${error.message}`);
    }
}

/** Loads jsforce's schema plus the additions file. */
export function loadSchema({ additionsPath = DEFAULT_ADDITIONS_PATH } = {}) {
    const { ApiSchemas } = require('jsforce/lib/api/metadata/schema');
    return createSchema(ApiSchemas, readAdditions(additionsPath));
}

let defaultSchema;
/** The schema the gate uses (jsforce + scripts/gates/metadata-schema-additions.json), built once. */
export function getSchema() {
    defaultSchema ??= loadSchema();
    return defaultSchema;
}

/** Element names allowed directly inside `typeName` ([] for primitives, null if unknown). */
export function allowedChildren(typeName) {
    return getSchema().allowedChildren(typeName);
}

/** Type of `element` inside `typeName`, or null when the schema does not allow it there. */
export function childType(typeName, element) {
    return getSchema().childType(typeName, element);
}
