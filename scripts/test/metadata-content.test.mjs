// Tests for the offline metadata content gate (scripts/gates/metadata-content.mjs).
// Run with: node --test scripts/test/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkMetadataFile, checkMetadataTree } from '../gates/metadata-content.mjs';
import { allowedChildren, childType, createSchema } from '../gates/metadata-schema.mjs';

const CLI = fileURLToPath(new URL('../gates/metadata-content.mjs', import.meta.url));
const NS = 'http://soap.sforce.com/2006/04/metadata';

/** A picklist field exercising nesting: CustomField > valueSet > valueSetDefinition > value > fullName. */
const VALID_FIELD = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="${NS}">
    <fullName>Status__c</fullName>
    <description>Stage of the latest sync.</description>
    <label>Status</label>
    <required>false</required>
    <trackHistory>false</trackHistory>
    <type>Picklist</type>
    <valueSet>
        <restricted>true</restricted>
        <valueSetDefinition>
            <sorted>false</sorted>
            <value>
                <fullName>Pending</fullName>
                <default>true</default>
                <label>Pending</label>
            </value>
        </valueSetDefinition>
    </valueSet>
</CustomField>
`;

/** Line and column of the first occurrence of `needle` in `text` (1-based). */
function positionOf(text, needle) {
    const offset = text.indexOf(needle);
    assert.notEqual(offset, -1, `test setup: ${needle} not found`);
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1 };
}

function makeTempDir() {
    return mkdtempSync(path.join(tmpdir(), 'metadata-content-'));
}

function runCli(dir) {
    return spawnSync(process.execPath, [CLI, dir], { encoding: 'utf8' });
}

describe('checkMetadataFile', () => {
    test('a valid CustomField passes', () => {
        assert.deepEqual(checkMetadataFile('Status__c.field-meta.xml', VALID_FIELD), []);
    });

    test('a misspelt element fails with its line, column and a suggestion', () => {
        const text = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="${NS}">
    <fullName>Case__c</fullName>
    <label>Case</label>
    <lenght>18</lenght>
    <type>Text</type>
</CustomField>
`;
        const problems = checkMetadataFile('objects/Sync_Twin__c/fields/Case__c.field-meta.xml', text);
        assert.deepEqual(problems, [
            {
                file: 'objects/Sync_Twin__c/fields/Case__c.field-meta.xml',
                line: 5,
                column: 5,
                message: '<lenght> is not an element of CustomField (did you mean <length>?)'
            }
        ]);
    });

    test('an element valid for another metadata type but not this one fails', () => {
        // enableHistory is a CustomObject element; on a CustomField the element is trackHistory.
        const text = `<CustomField xmlns="${NS}">
    <label>Case</label>
    <enableHistory>true</enableHistory>
</CustomField>`;
        const problems = checkMetadataFile('f.field-meta.xml', text);
        assert.equal(problems.length, 1);
        assert.equal(problems[0].line, 3);
        assert.match(problems[0].message, /^<enableHistory> is not an element of CustomField/);
        assert.match(problems[0].message, /CustomObject/);
    });

    test('a nested invalid element inside valueSet fails with its own line', () => {
        const text = VALID_FIELD.replace(
            '<sorted>false</sorted>',
            '<sorted>false</sorted>\n            <colour>red</colour>'
        );
        const problems = checkMetadataFile('f.field-meta.xml', text);
        assert.equal(problems.length, 1);
        assert.deepEqual({ line: problems[0].line, column: problems[0].column }, positionOf(text, '<colour>'));
        assert.match(problems[0].message, /^<colour> is not an element of ValueSetValuesDefinition/);
        assert.match(problems[0].message, /CustomField > valueSet > valueSetDefinition/);

        // Deeper still: a misspelt CustomValue element inside <value>.
        const deeper = VALID_FIELD.replace('<default>true</default>', '<defualt>true</defualt>');
        const [problem] = checkMetadataFile('f.field-meta.xml', deeper);
        assert.deepEqual({ line: problem.line, column: problem.column }, positionOf(deeper, '<defualt>'));
        assert.match(
            problem.message,
            /^<defualt> is not an element of CustomValue, inside CustomField > valueSet > valueSetDefinition > value \(did you mean <default>\?\)$/
        );
    });

    test('only the first bad element of a subtree is reported (no cascade)', () => {
        const text = `<CustomField xmlns="${NS}"><valueSett><valueSetDefinition><value/></valueSetDefinition></valueSett></CustomField>`;
        const problems = checkMetadataFile('f', text);
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /did you mean <valueSet>/);
    });

    test('an unknown root type fails', () => {
        const text = `<?xml version="1.0" encoding="UTF-8"?>\n<CustomFeild xmlns="${NS}">\n    <label>x</label>\n</CustomFeild>`;
        const problems = checkMetadataFile('f', text);
        assert.equal(problems.length, 1);
        assert.deepEqual({ line: problems[0].line, column: problems[0].column }, { line: 2, column: 1 });
        assert.match(
            problems[0].message,
            /^<CustomFeild> is not a known metadata type \(did you mean <CustomField>\?\)/
        );
    });

    test('a complex type that is not a metadata type cannot be a root', () => {
        const problems = checkMetadataFile('f', `<ValueSet xmlns="${NS}"><restricted>true</restricted></ValueSet>`);
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /<ValueSet> is not a metadata type/);
    });

    test('a missing xmlns on the root fails', () => {
        const problems = checkMetadataFile('f', '<CustomField>\n    <label>x</label>\n</CustomField>');
        assert.deepEqual(problems, [
            { file: 'f', line: 1, column: 1, message: `<CustomField> must declare xmlns="${NS}"` }
        ]);
    });

    test('a wrong xmlns on the root fails', () => {
        const problems = checkMetadataFile('f', '<CustomField xmlns="urn:other"><label>x</label></CustomField>');
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /declares xmlns="urn:other"/);
    });

    test('a primitive element with children fails', () => {
        const text = `<CustomField xmlns="${NS}">
    <label>
        <value>Case</value>
    </label>
</CustomField>`;
        const problems = checkMetadataFile('f', text);
        assert.equal(problems.length, 1);
        assert.deepEqual({ line: problems[0].line, column: problems[0].column }, { line: 3, column: 9 });
        assert.match(
            problems[0].message,
            /^<value> is not allowed inside <label>: <label> is a string in CustomField and cannot contain child elements$/
        );
    });

    test('text inside a complex element fails', () => {
        const problems = checkMetadataFile(
            'f',
            `<CustomField xmlns="${NS}"><valueSet>Red, Green</valueSet></CustomField>`
        );
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /^<valueSet> is a ValueSet and holds child elements, not text$/);
    });

    test('XML declaration, comments, attributes (xsi:type) and CDATA are ignored', () => {
        const text = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<CustomMetadata xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>Default</label>
    <protected>false</protected>
    <values>
        <field>Endpoint__c</field>
        <value xsi:type="xsd:string"><![CDATA[https://example.com]]></value>
    </values>
</CustomMetadata>`;
        assert.deepEqual(checkMetadataFile('f', text), []);
    });

    test('malformed XML is reported once with a position', () => {
        const problems = checkMetadataFile('f', `<CustomField xmlns="${NS}">\n    <label>x</labl>\n</CustomField>`);
        assert.equal(problems.length, 1);
        assert.equal(problems[0].line, 2);
        assert.match(problems[0].message, /^is not well-formed XML: /);
    });

    test('an empty document is reported', () => {
        const problems = checkMetadataFile('f', '<?xml version="1.0"?>\n');
        assert.deepEqual(
            problems.map((p) => p.message),
            ['has no root element']
        );
    });

    test('line and column survive a BOM and CRLF line endings', () => {
        const text = `\uFEFF<?xml version="1.0"?>\r\n<CustomField xmlns="${NS}">\r\n  <lenght>1</lenght>\r\n</CustomField>\r\n`;
        const [problem] = checkMetadataFile('f', text);
        assert.deepEqual({ line: problem.line, column: problem.column }, { line: 3, column: 3 });
    });

    test('decomposed source-format types are checked under their own root type', () => {
        const listView = `<ListView xmlns="${NS}">
    <fullName>All</fullName>
    <columns>NAME</columns>
    <filterScope>Everything</filterScope>
    <label>All</label>
</ListView>`;
        assert.deepEqual(checkMetadataFile('All.listView-meta.xml', listView), []);
        const bad = listView.replace('<filterScope>', '<filterScop>').replace('</filterScope>', '</filterScop>');
        assert.match(
            checkMetadataFile('f', bad)[0].message,
            /not an element of ListView \(did you mean <filterScope>\?\)/
        );
    });

    test('LWC targetConfigs (a WSDL blob written as XML) is checked through the additions file', () => {
        const bundle = `<LightningComponentBundle xmlns="${NS}">
    <apiVersion>65.0</apiVersion>
    <isExposed>true</isExposed>
    <targets><target>lightning__RecordAction</target></targets>
    <targetConfigs>
        <targetConfig targets="lightning__RecordAction">
            <actionType>ScreenAction</actionType>
            <objects><object>Case</object></objects>
        </targetConfig>
    </targetConfigs>
</LightningComponentBundle>`;
        assert.deepEqual(checkMetadataFile('c.js-meta.xml', bundle), []);
        const bad = bundle.replace('<objects><object>Case</object></objects>', '<object>Case</object>');
        assert.match(
            checkMetadataFile('c.js-meta.xml', bad)[0].message,
            /^<object> is not an element of LwcTargetConfig.*did you mean <objects>/
        );
    });
});

describe('metadata schema', () => {
    test('allowedChildren includes inherited elements and is [] for primitives, null for unknown types', () => {
        const children = allowedChildren('CustomField');
        assert.ok(children.includes('fullName'), 'fullName is inherited from Metadata');
        assert.ok(children.includes('valueSet'));
        assert.deepEqual(allowedChildren('string'), []);
        assert.equal(allowedChildren('NoSuchType'), null);
    });

    test('childType resolves complex, repeated, primitive and optional-array specs', () => {
        assert.equal(childType('CustomField', 'valueSet'), 'ValueSet'); // '?ValueSet'
        assert.equal(childType('ValueSetValuesDefinition', 'value'), 'CustomValue'); // ['CustomValue']
        assert.equal(childType('CustomField', 'length'), 'number'); // '?number'
        assert.equal(childType('ListView', 'columns'), 'string'); // ['string']
        assert.equal(childType('DuplicateRule', 'duplicateRuleMatchRules'), 'DuplicateRuleMatchRule'); // ['?', X]
        assert.equal(childType('CustomMetadataValue', 'value'), 'any'); // '?any'
        assert.equal(childType('CustomField', 'lenght'), null);
    });

    test('createSchema merges additions, ignores _notes and rejects dangling type names', () => {
        const base = {
            Metadata: { type: 'Metadata', props: { fullName: '?string' } },
            Thing: { type: 'Thing', extends: 'Metadata', props: { name: 'string', blob: '?string' } }
        };
        const schema = createSchema(base, {
            _comment: ['notes'],
            Thing: { _source: 'https://example.invalid/doc', extra: ['Part'], blob: '?Part' },
            Part: { _why: 'new type', label: 'string' }
        });
        assert.deepEqual(schema.allowedChildren('Thing'), ['blob', 'extra', 'fullName', 'name']);
        assert.equal(schema.childType('Thing', 'blob'), 'Part');
        assert.deepEqual(schema.allowedChildren('Part'), ['label']);
        assert.ok(schema.isMetadataType('Thing'));
        assert.ok(!schema.isMetadataType('Part'));
        assert.throws(() => createSchema(base, { Thing: { other: 'Missing' } }), /unknown type Missing/);
        assert.throws(
            () => createSchema({ X: { type: 'X', props: { a: [1, 2] } } }),
            /unexpected shape|unsupported spec/
        );
    });
});

describe('checkMetadataTree and the CLI', () => {
    test('checkMetadataTree finds *-meta.xml files recursively and skips __tests__ and node_modules', () => {
        const dir = makeTempDir();
        try {
            mkdirSync(path.join(dir, 'objects', 'A__c', 'fields'), { recursive: true });
            mkdirSync(path.join(dir, 'lwc', 'c', '__tests__'), { recursive: true });
            mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
            writeFileSync(path.join(dir, 'objects', 'A__c', 'fields', 'B__c.field-meta.xml'), VALID_FIELD);
            writeFileSync(path.join(dir, 'lwc', 'c', '__tests__', 'bad.js-meta.xml'), '<Nope/>');
            writeFileSync(path.join(dir, 'node_modules', 'x', 'bad.field-meta.xml'), '<Nope/>');
            writeFileSync(path.join(dir, 'objects', 'A__c', 'notes.xml'), '<Nope/>');
            const { files, problems } = checkMetadataTree(dir);
            assert.deepEqual(files, [path.join(dir, 'objects', 'A__c', 'fields', 'B__c.field-meta.xml')]);
            assert.deepEqual(problems, []);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('the CLI exits 1 on a directory with a bad file and prints file:line:column', () => {
        const dir = makeTempDir();
        try {
            const bad = VALID_FIELD.replace('<label>Status</label>', '<lable>Status</lable>');
            writeFileSync(path.join(dir, 'Good__c.field-meta.xml'), VALID_FIELD);
            writeFileSync(path.join(dir, 'Bad__c.field-meta.xml'), bad);
            const result = runCli(dir);
            assert.equal(result.status, 1, result.stdout + result.stderr);
            const lines = result.stdout.trim().split('\n');
            assert.match(
                lines[0],
                /Bad__c\.field-meta\.xml:5:5 <lable> is not an element of CustomField \(did you mean <label>\?\)$/
            );
            assert.equal(lines.at(-1), 'metadata content: 2 files checked, 1 problems');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('the CLI exits 0 on a directory of good files', () => {
        const dir = makeTempDir();
        try {
            writeFileSync(path.join(dir, 'Good__c.field-meta.xml'), VALID_FIELD);
            const result = runCli(dir);
            assert.equal(result.status, 0, result.stdout + result.stderr);
            assert.equal(result.stdout.trim(), 'metadata content: 1 files checked, 0 problems');
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('the CLI exits 1 on an empty directory (a gate that checks nothing fails)', () => {
        const dir = makeTempDir();
        try {
            const result = runCli(dir);
            assert.equal(result.status, 1);
            assert.match(result.stdout, /metadata content: 0 files checked, 0 problems/);
            assert.match(result.stderr, /no \*-meta\.xml files found/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('the CLI exits 1 when the directory does not exist', () => {
        const result = runCli(path.join(tmpdir(), 'metadata-content-does-not-exist-' + process.pid));
        assert.equal(result.status, 1);
        assert.match(result.stderr, /is not a directory/);
    });
});
