// Gate: the DTO contract between the Apex shim and the components. Every Apex DTO or input class
// (`*Dto.cls`, `*Input.cls` under force-app) must have a TypeScript interface of the same name in
// the components' DTO types (types/exalate-dto.d.ts), with the same properties, spelt the same
// (case-sensitive: Aura serialises the Apex name as written), and compatible types. The browser
// build of the console swaps the Apex calls for the connector's admin API, which answers these same
// DTOs, so a drift on either side breaks a host silently: this gate makes it loud.
//
// Types are compared loosely, as JSON carries them: String/Id/Datetime/Date/Time ↔ string,
// Integer/Long/Decimal/Double ↔ number, Boolean ↔ boolean, List<X>/Set<X>/X[] ↔ X[], another DTO
// class ↔ the interface of that name. String literal unions count as string; `| null` and `?` are
// ignored (Apex has no non-null types).
//
//   node scripts/gates/dto-contract.mjs [projectDir=.]
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import ts from 'typescript';

const APEX_SCALARS = new Map([
    ['string', 'string'],
    ['id', 'string'],
    ['datetime', 'string'],
    ['date', 'string'],
    ['time', 'string'],
    ['integer', 'number'],
    ['long', 'number'],
    ['decimal', 'number'],
    ['double', 'number'],
    ['boolean', 'boolean']
]);

class CollectErrors extends ApexErrorListener {
    constructor() {
        super();
        this.errors = [];
    }

    apexSyntaxError(line, column, message) {
        this.errors.push({ line, column, message });
    }
}

/** `List<ConnectionDto>` → { array: { name: 'ConnectionDto' } }; `String` → 'string'. */
export function apexTypeShape(typeText) {
    const text = typeText.replace(/\s+/g, '');
    const collection = /^(?:List|Set)<(.+)>$/i.exec(text) ?? /^(.+)\[\]$/.exec(text);
    if (collection) {
        return { array: apexTypeShape(collection[1]) };
    }
    const scalar = APEX_SCALARS.get(text.toLowerCase());
    return scalar ?? { name: text };
}

/**
 * The DTO classes of Apex sources: [{ name, file, fields: [{ name, type }] }], only the
 * `@AuraEnabled` properties and fields (what Aura serialises). Syntax errors are returned, not
 * thrown: a class the parser cannot read cannot be checked, so the gate fails on it.
 */
export function readApexDtos(files) {
    const classes = [];
    const failures = [];
    for (const { file, source } of files) {
        const listener = new CollectErrors();
        const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
        const unit = parser.compilationUnit();
        if (listener.errors.length > 0) {
            const first = listener.errors[0];
            failures.push(`${file}:${first.line}:${first.column}: the Apex parser cannot read it: ${first.message}`);
            continue;
        }
        const declaration = unit.typeDeclaration()?.classDeclaration();
        if (!declaration) {
            continue;
        }
        const fields = [];
        for (const member of declaration.classBody().classBodyDeclaration_list()) {
            const annotations = member.modifier_list().map((modifier) => modifier.getText().toLowerCase());
            if (!annotations.some((text) => text.startsWith('@auraenabled'))) {
                continue;
            }
            const body = member.memberDeclaration();
            const property = body?.propertyDeclaration();
            if (property) {
                fields.push({ name: property.id().getText(), type: property.typeRef().getText() });
                continue;
            }
            const field = body?.fieldDeclaration();
            if (field) {
                for (const variable of field.variableDeclarators().variableDeclarator_list()) {
                    fields.push({ name: variable.id().getText(), type: field.typeRef().getText() });
                }
            }
        }
        classes.push({ name: declaration.id().getText(), file, fields });
    }
    return { classes, failures };
}

/** The shape of a TypeScript type, as JSON carries it: 'string', { array }, { name }, or { other }. */
function tsTypeShape(checker, type) {
    if (type.isUnion()) {
        const parts = type.types.filter(
            (part) => !(part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void))
        );
        const shapes = parts.map((part) => tsTypeShape(checker, part));
        const keys = new Set(shapes.map((shape) => JSON.stringify(shape)));
        if (keys.size === 1) {
            return shapes[0];
        }
        // `true | false` is how the checker spells boolean.
        return { other: checker.typeToString(type) };
    }
    if (type.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) {
        return 'string';
    }
    if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) {
        return 'number';
    }
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) {
        return 'boolean';
    }
    if (checker.isArrayType(type)) {
        return { array: tsTypeShape(checker, checker.getTypeArguments(type)[0]) };
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol && (type.flags & ts.TypeFlags.Object) !== 0) {
        return { name: symbol.getName() };
    }
    return { other: checker.typeToString(type) };
}

/** The interfaces of TypeScript files: Map name → { file, fields: Map name → shape }. */
export function readTsDtos(tsFiles) {
    const program = ts.createProgram(tsFiles, {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ESNext,
        types: []
    });
    const checker = program.getTypeChecker();
    const interfaces = new Map();
    for (const file of tsFiles) {
        const sourceFile = program.getSourceFile(file);
        if (!sourceFile) {
            throw new Error(`${file}: TypeScript cannot read it`);
        }
        for (const statement of sourceFile.statements) {
            if (!ts.isInterfaceDeclaration(statement)) {
                continue;
            }
            const fields = new Map();
            const type = checker.getTypeAtLocation(statement.name);
            for (const property of checker.getPropertiesOfType(type)) {
                const declaration = property.valueDeclaration ?? property.declarations?.[0];
                const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration ?? statement);
                fields.set(property.getName(), tsTypeShape(checker, propertyType));
            }
            interfaces.set(statement.name.text, { file, fields });
        }
    }
    return interfaces;
}

function shapeText(shape) {
    if (typeof shape === 'string') {
        return shape;
    }
    if (shape.array) {
        return `${shapeText(shape.array)}[]`;
    }
    return shape.name ?? shape.other;
}

function sameShape(apex, typescript) {
    if (typeof apex === 'string' || typeof typescript === 'string') {
        return apex === typescript;
    }
    if (apex.array || typescript.array) {
        return Boolean(apex.array && typescript.array) && sameShape(apex.array, typescript.array);
    }
    return apex.name !== undefined && apex.name === typescript.name;
}

/**
 * Compares Apex DTO classes with TypeScript interfaces. Returns issues
 * [{ className, field, side, message }]: `side` is where something is missing or wrong
 * ('TypeScript', 'Apex', or 'both' for a type mismatch).
 */
export function compareDtos(apexClasses, tsInterfaces) {
    const issues = [];
    const apexNames = new Set(apexClasses.map((apexClass) => apexClass.name));
    for (const apexClass of apexClasses) {
        const tsInterface = tsInterfaces.get(apexClass.name);
        if (!tsInterface) {
            issues.push({
                className: apexClass.name,
                field: null,
                side: 'TypeScript',
                message: `${apexClass.name}: the Apex class (${apexClass.file}) has no TypeScript interface of that name`
            });
            continue;
        }
        const tsNames = [...tsInterface.fields.keys()];
        for (const field of apexClass.fields) {
            const tsShape = tsInterface.fields.get(field.name);
            if (tsShape === undefined) {
                const near = tsNames.find((name) => name.toLowerCase() === field.name.toLowerCase());
                issues.push({
                    className: apexClass.name,
                    field: field.name,
                    side: 'TypeScript',
                    message: near
                        ? `${apexClass.name}.${field.name}: named differently on the TypeScript side (${near} in ${tsInterface.file}); Aura sends ${field.name}`
                        : `${apexClass.name}.${field.name}: missing on the TypeScript side (${tsInterface.file})`
                });
                continue;
            }
            const apexShape = apexTypeShape(field.type);
            if (!sameShape(apexShape, tsShape)) {
                issues.push({
                    className: apexClass.name,
                    field: field.name,
                    side: 'both',
                    message: `${apexClass.name}.${field.name}: Apex ${field.type} is JSON ${shapeText(apexShape)}, TypeScript says ${shapeText(tsShape)}`
                });
            }
        }
        const apexFieldNames = new Set(apexClass.fields.map((field) => field.name));
        for (const name of tsNames) {
            if (apexFieldNames.has(name)) {
                continue;
            }
            const near = apexClass.fields.find((field) => field.name.toLowerCase() === name.toLowerCase());
            if (near) {
                continue; // already reported from the Apex side
            }
            issues.push({
                className: apexClass.name,
                field: name,
                side: 'Apex',
                message: `${apexClass.name}.${name}: missing on the Apex side (${apexClass.file} has no @AuraEnabled ${name})`
            });
        }
    }
    for (const [name, tsInterface] of tsInterfaces) {
        if (!apexNames.has(name)) {
            issues.push({
                className: name,
                field: null,
                side: 'Apex',
                message: `${name}: the TypeScript interface (${tsInterface.file}) has no Apex class of that name`
            });
        }
    }
    return issues;
}

function apexDtoFiles(classesDir) {
    return readdirSync(classesDir)
        .filter((name) => /(Dto|Input)\.cls$/.test(name))
        .sort()
        .map((name) => join(classesDir, name));
}

/**
 * Runs the check on a project: { classes, interfaces, issues, failure }. `failure` is set when
 * the check could not run (no classes, a class the parser cannot read), so it never passes on nothing.
 */
export function checkDtoContract(projectDir, options = {}) {
    const root = resolve(projectDir);
    const classesDir = options.classesDir ?? join(root, 'force-app', 'main', 'default', 'classes');
    const tsFiles = options.tsFiles ?? [join(root, 'types', 'exalate-dto.d.ts')];
    const files = apexDtoFiles(classesDir).map((file) => ({
        file: relative(root, file),
        source: readFileSync(file, 'utf8')
    }));
    if (files.length === 0) {
        return { classes: 0, interfaces: 0, issues: [], failure: `no *Dto.cls or *Input.cls under ${classesDir}` };
    }
    const { classes, failures } = readApexDtos(files);
    if (failures.length > 0) {
        return { classes: classes.length, interfaces: 0, issues: [], failure: failures.join('\n') };
    }
    let interfaces;
    try {
        interfaces = readTsDtos(tsFiles);
    } catch (error) {
        return { classes: classes.length, interfaces: 0, issues: [], failure: error.message };
    }
    const relativeInterfaces = new Map(
        [...interfaces].map(([name, value]) => [name, { ...value, file: relative(root, value.file) }])
    );
    return {
        classes: classes.length,
        interfaces: interfaces.size,
        issues: compareDtos(classes, relativeInterfaces),
        failure: null
    };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const projectDir = process.argv[2] ?? '.';
    const result = checkDtoContract(projectDir);
    if (result.failure) {
        console.error(`dto contract: cannot check: ${result.failure}`);
        process.exit(2);
    }
    for (const issue of result.issues) {
        console.error(`dto contract: ${issue.message}`);
    }
    const summary = `${result.classes} Apex DTO classes against ${result.interfaces} TypeScript interfaces (${basename(resolve(projectDir))})`;
    if (result.issues.length > 0) {
        console.error(`dto contract: ${result.issues.length} mismatch(es) in ${summary}`);
        process.exit(1);
    }
    console.log(`dto contract: ${summary}: all properties match`);
}
