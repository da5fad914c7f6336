// Each offline deploy gate must fail on what an org would refuse, and pass on what it accepts.
// These tests feed every gate a small project of its own, broken on purpose.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApexCompiles } from '../gates/apex-compile.mjs';
import { checkApexSecurity, unexplainedSuppressions } from '../gates/apex-security.mjs';
import { checkMetadataStructure } from '../gates/metadata-structure.mjs';
import { compileBundle } from '../build/platform-compile.mjs';
import { compareTrees } from '../build/compare-trees.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gate-tests-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function writeFiles(base, files) {
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(base, path)), { recursive: true });
        writeFileSync(join(base, path), text);
    }
    return base;
}

const CLASS_META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>65.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;

function apexProject(name, classes) {
    const files = {
        'sfdx-project.json': JSON.stringify({
            packageDirectories: [{ path: 'force-app', default: true }],
            sourceApiVersion: '65.0'
        })
    };
    for (const [className, body] of Object.entries(classes)) {
        files[`force-app/main/default/classes/${className}.cls`] = body;
        files[`force-app/main/default/classes/${className}.cls-meta.xml`] = CLASS_META;
    }
    return writeFiles(join(scratch, name), files);
}

describe('gate: apex compiles (apex-ls)', () => {
    test('passes a class that compiles', () => {
        const project = apexProject('apex-good', {
            Greeter:
                "public with sharing class Greeter {\n    public static String greet(String name) {\n        return 'Hello ' + name;\n    }\n}\n"
        });
        const result = checkApexCompiles(project);
        assert.equal(result.failure, undefined);
        assert.deepEqual(result.issues, []);
    });

    test('reports a wrong type, an unknown field and a syntax error with file and line', () => {
        const project = apexProject('apex-bad', {
            Broken: [
                'public with sharing class Broken {',
                '    public static void run() {',
                "        Integer count = 'three';",
                '        Case c = new Case(No_Such_Field__c = 1);',
                '    }',
                '    public static void typo() { return 1 }',
                '}',
                ''
            ].join('\n')
        });
        const result = checkApexCompiles(project);
        assert.equal(result.failure, undefined);
        const lines = result.issues.map((issue) => `${issue.file}:${issue.line}`);
        assert.ok(lines.includes('force-app/main/default/classes/Broken.cls:3'), lines.join('\n'));
        assert.ok(lines.includes('force-app/main/default/classes/Broken.cls:6'), lines.join('\n'));
    });

    test('reports a misspelt field inside inline SOQL, which apex-ls alone lets through', () => {
        const project = apexProject('apex-soql', {
            Finder: [
                'public with sharing class Finder {',
                '    public static List<Case> find(Id caseId) {',
                '        return [SELECT Id, Subjcet FROM Case WHERE Id = :caseId WITH USER_MODE];',
                '    }',
                '    public static List<Case> findValid(Id caseId) {',
                '        return [SELECT Id, Subject, (SELECT CommentBody FROM CaseComments) FROM Case WHERE Id = :caseId WITH USER_MODE];',
                '    }',
                '}',
                ''
            ].join('\n')
        });
        const result = checkApexCompiles(project);
        assert.equal(result.failure, undefined);
        assert.equal(result.queries, 2);
        assert.deepEqual(
            result.issues.map(
                (issue) => `${issue.file}:${issue.line}:${issue.column} ${issue.category}: ${issue.message}`
            ),
            [
                'force-app/main/default/classes/Finder.cls:3:28 SOQL: unknown field Subjcet on Case (did you mean Subject?)'
            ]
        );
    });

    test('fails when there is no Apex to check instead of passing on nothing', () => {
        const project = writeFiles(join(scratch, 'apex-empty'), {
            'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}]}',
            'force-app/main/default/.keep': ''
        });
        assert.match(checkApexCompiles(project).failure, /no Apex/);
    });
});

describe('gate: apex security (PMD through Code Analyzer)', () => {
    test('reports missing sharing, SOQL injection and CRUD violations', async () => {
        const project = apexProject('pmd-bad', {
            UnsafeCaseService: [
                'public class UnsafeCaseService {',
                '    public static List<Case> find(String subject) {',
                "        return Database.query('SELECT Id FROM Case WHERE Subject = \\'' + subject + '\\'');",
                '    }',
                '    public static void close(List<Case> cases) {',
                '        update cases;',
                '    }',
                '}',
                ''
            ].join('\n')
        });
        const result = await checkApexSecurity(join(project, 'force-app'));
        const rules = result.violations.map((violation) => violation.split(' ')[1]);
        assert.ok(rules.includes('ApexSharingViolations:'), result.violations.join('\n'));
        assert.ok(rules.includes('ApexSOQLInjection:'), result.violations.join('\n'));
        assert.ok(rules.includes('ApexCRUDViolation:'), result.violations.join('\n'));
        assert.deepEqual(result.problems, []);
    });

    test('accepts user-mode queries and DML in a class that declares sharing', async () => {
        const project = apexProject('pmd-good', {
            SafeCaseService: [
                'public with sharing class SafeCaseService {',
                '    public static List<Case> find(String subject) {',
                '        return [SELECT Id FROM Case WHERE Subject = :subject WITH USER_MODE];',
                '    }',
                '    public static void close(List<Case> cases) {',
                '        Database.update(cases, AccessLevel.USER_MODE);',
                '    }',
                '}',
                ''
            ].join('\n')
        });
        const result = await checkApexSecurity(join(project, 'force-app'));
        assert.deepEqual(result.violations, []);
        assert.deepEqual(result.problems, []);
    });

    test('refuses a suppression that gives no reason', () => {
        const bare =
            "public with sharing class A {\n    @SuppressWarnings('PMD.ApexCRUDViolation')\n    void run() {}\n    void other() { update x; } // NOPMD\n}\n";
        assert.equal(unexplainedSuppressions('A.cls', bare).length, 2);
        const explained =
            "public with sharing class A {\n    // The package's own queue object: documented system-mode exception.\n    @SuppressWarnings('PMD.ApexCRUDViolation')\n    void run() {}\n    void other() { update x; } // NOPMD queue object written in system mode by design\n}\n";
        assert.deepEqual(unexplainedSuppressions('A.cls', explained), []);
    });
});

describe('gate: metadata structure (source-deploy-retrieve)', () => {
    test('converts the package', async () => {
        const result = await checkMetadataStructure(join(root, 'force-app'));
        assert.deepEqual(result.problems, []);
        assert.ok(result.components.get('CustomObject') >= 5);
        assert.ok(result.components.get('ApexClass') >= 1);
    });

    test('fails on a metadata file of no known type', async () => {
        const dir = writeFiles(join(scratch, 'structure-unknown'), {
            'force-app/main/default/classes/Good.cls': 'public with sharing class Good {}\n',
            'force-app/main/default/classes/Good.cls-meta.xml': CLASS_META,
            'force-app/main/default/classes/Report.nosuchtype-meta.xml': '<x/>'
        });
        const result = await checkMetadataStructure(join(dir, 'force-app'));
        assert.equal(result.problems.length, 1);
        assert.match(result.problems[0], /Report\.nosuchtype-meta\.xml: Could not infer a metadata type/);
    });

    test('fails on an Apex class that a deploy would leave out (no -meta.xml)', async () => {
        const dir = writeFiles(join(scratch, 'structure-orphan'), {
            'force-app/main/default/classes/Good.cls': 'public with sharing class Good {}\n',
            'force-app/main/default/classes/Good.cls-meta.xml': CLASS_META,
            'force-app/main/default/classes/Orphan.cls': 'public with sharing class Orphan {}\n'
        });
        const result = await checkMetadataStructure(join(dir, 'force-app'));
        assert.equal(result.problems.length, 1);
        assert.match(result.problems[0], /Orphan\.cls: belongs to no metadata component/);
    });

    test('fails on an empty package directory', async () => {
        const dir = writeFiles(join(scratch, 'structure-empty'), { 'force-app/main/default/.keep': '' });
        const result = await checkMetadataStructure(join(dir, 'force-app'));
        assert.match(result.problems[0], /no metadata components/);
    });
});

describe('gate: lwc platform compiler', () => {
    const meta = readFileSync(join(root, 'lwc-src/exalateConsole/exalateConsole.js-meta.xml'), 'utf8');

    test('accepts a bundle with untransformed decorators', async () => {
        const bundle = writeFiles(join(scratch, 'lwc-good/hello'), {
            'hello.js':
                "import { LightningElement, api } from 'lwc';\nexport default class Hello extends LightningElement {\n    @api name = 'World';\n}\n",
            'hello.html': '<template><p>Hello {name}</p></template>\n',
            'hello.js-meta.xml': meta
        });
        assert.deepEqual(await compileBundle(bundle, 'hello'), []);
    });

    test('rejects a template expression the platform does not allow', async () => {
        const bundle = writeFiles(join(scratch, 'lwc-bad-template/hello'), {
            'hello.js':
                "import { LightningElement } from 'lwc';\nexport default class Hello extends LightningElement {\n    name = 'x';\n}\n",
            'hello.html': '<template><p>{name.toUpperCase()}</p></template>\n',
            'hello.js-meta.xml': meta
        });
        const problems = await compileBundle(bundle, 'hello');
        assert.ok(problems.length > 0);
        assert.match(problems.join('\n'), /hello/);
    });

    test('rejects decorators that a compiler already lowered', async () => {
        const bundle = writeFiles(join(scratch, 'lwc-bad-decorator/hello'), {
            'hello.js':
                "import { LightningElement, api } from 'lwc';\nexport default class Hello extends LightningElement {\n    name = api('x');\n    #secret() { return 1; }\n}\n",
            'hello.html': '<template><p>{name}</p></template>\n',
            'hello.js-meta.xml': meta
        });
        assert.ok((await compileBundle(bundle, 'hello')).length > 0);
    });

    test('notices committed bundles that no longer match their sources', () => {
        const built = writeFiles(join(scratch, 'tree-built'), { 'a/a.js': 'one', 'b/b.js': 'same' });
        const committed = join(scratch, 'tree-committed');
        cpSync(built, committed, { recursive: true });
        writeFileSync(join(committed, 'a/a.js'), 'edited by hand');
        writeFileSync(join(committed, 'b/stale.js'), 'left over');
        assert.deepEqual(
            compareTrees(built, committed).map((difference) => difference.path),
            ['a/a.js', 'b/stale.js']
        );
    });
});
