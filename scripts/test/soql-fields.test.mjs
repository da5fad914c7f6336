// The SOQL field check of gate 3 (scripts/gates/soql-fields.mjs): every object, field, relationship
// path and child subquery of inline SOQL must exist, or the gate fails with file:line:column.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApexSource, checkSoqlFields, inlineQueries, loadSchema } from '../gates/soql-fields.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const schema = loadSchema(join(root, 'force-app'));
const scratch = mkdtempSync(join(tmpdir(), 'soql-fields-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const FIRST_BODY_LINE = 3;

/** A class whose method body is the given lines (from line 3), checked against the package's schema. */
function check(...body) {
    const source = ['public with sharing class Probe {', '    void run(Id caseId, Integer n) {', ...body, '    }', '}'];
    return checkApexSource(source.join('\n'), schema);
}

function messages(result) {
    return result.issues.map((issue) => `${issue.line}:${issue.column} ${issue.message}`);
}

/** "line:column" of the n-th occurrence (0-based) of `needle` in body line `index`, as check() numbers them. */
function at(body, index, needle, n = 0) {
    let column = -1;
    for (let i = 0; i <= n; i++) column = body[index].indexOf(needle, column + 1);
    assert.ok(column >= 0, `${needle} not in ${body[index]}`);
    return `${index + FIRST_BODY_LINE}:${column + 1}`;
}

describe('soql fields: the package as it is', () => {
    test('every inline query of force-app resolves', () => {
        const result = checkSoqlFields(root);
        assert.equal(result.failure, undefined);
        assert.deepEqual(result.issues, []);
        assert.ok(result.queries >= 60, `only ${result.queries} inline queries found`);
    });
});

describe('soql fields: valid queries pass', () => {
    test('own fields, standard fields, any case, and bind variables that are not fields', () => {
        const result = check(
            '        List<Sync_Connection__c> a = [SELECT id, NAME, remote_platform__c, CreatedDate FROM sync_connection__c',
            '            WHERE Remote_Platform__c = :Remote_Platfrom__c AND Id IN :new Map<Id, Case>().keySet()',
            '            WITH USER_MODE ORDER BY Name LIMIT :n OFFSET :n];'
        );
        assert.deepEqual(messages(result), []);
        assert.equal(result.queries, 1);
    });

    test('relationship paths, child subqueries, semi-joins, aggregates, aliases, ALL ROWS', () => {
        const result = check(
            '        List<Sync_Twin__c> a = [SELECT Case__r.CaseNumber, Connection__r.Name, Case__r.Owner.Name,',
            '            (SELECT Id, Stage__c FROM Sync_Events__r ORDER BY CreatedDate DESC LIMIT 1)',
            '            FROM Sync_Twin__c WHERE Connection__r.Status__c = :caseId ORDER BY Connection__r.Name];',
            '        List<Case> b = [SELECT Id, (SELECT CommentBody, IsPublished FROM CaseComments),',
            '            (SELECT ContentDocumentId, ContentDocument.Title FROM ContentDocumentLinks)',
            '            FROM Case WHERE Id IN (SELECT Case__c FROM Sync_Twin__c WHERE Twin_Key__c != null) ALL ROWS];',
            '        List<AggregateResult> c = [SELECT Stage__c, COUNT(Id) total FROM Sync_Event__c GROUP BY Stage__c];',
            "        Integer d = [SELECT COUNT() FROM Case c WHERE c.Subject = 'x' AND CALENDAR_YEAR(c.CreatedDate) = 2030];",
            '        List<PermissionSetAssignment> e = [SELECT Assignee.Name FROM PermissionSetAssignment',
            "            WHERE PermissionSet.Name LIKE 'Exalate%'];"
        );
        assert.deepEqual(messages(result), []);
        assert.equal(result.queries, 5);
    });

    test('bind expressions are replaced before parsing: LIMIT binds become a number', () => {
        const [query] = inlineQueries(
            'public with sharing class P { void r(List<Case> cs, Integer n) { List<Case> x = [SELECT Id FROM Case WHERE Id = :cs[0].Id LIMIT :n]; } }'
        );
        assert.equal(query.text, 'SELECT Id FROM Case WHERE Id = :bind0 LIMIT 1');
    });
});

describe('soql fields: misspelt names fail with line and column', () => {
    test('a misspelt field in SELECT', () => {
        const body = ['        List<Sync_Connection__c> a = [SELECT Id, Remote_Platfrom__c FROM Sync_Connection__c];'];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 0, 'Remote_Platfrom__c')} unknown field Remote_Platfrom__c on Sync_Connection__c (did you mean Remote_Platform__c?)`
        ]);
    });

    test('a misspelt field in WHERE', () => {
        const body = [
            '        List<Sync_Twin__c> a = [SELECT Id FROM Sync_Twin__c',
            '            WHERE Case__c = :caseId AND Sync_Stauts__c = :caseId];'
        ];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 1, 'Sync_Stauts__c')} unknown field Sync_Stauts__c on Sync_Twin__c (did you mean Sync_Status__c?)`
        ]);
    });

    test('a misspelt field at the end of a relationship path', () => {
        const body = ['        List<Sync_Twin__c> a = [SELECT Id, Connection__r.Nmae FROM Sync_Twin__c];'];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 0, 'Nmae')} unknown field Nmae on Sync_Connection__c in Connection__r.Nmae (did you mean Name?)`
        ]);
    });

    test('a misspelt relationship in a path, and misspelt paths in WHERE and ORDER BY', () => {
        const body = [
            '        List<Sync_Twin__c> a = [SELECT Id, Conection__r.Name FROM Sync_Twin__c',
            '            WHERE Case__r.Subjet = :caseId ORDER BY Case__r.CaseNumbr];'
        ];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 0, 'Conection__r')} unknown relationship Conection__r on Sync_Twin__c in Conection__r.Name (did you mean Connection__r?)`,
            `${at(body, 1, 'Subjet')} unknown field Subjet on Case in Case__r.Subjet (did you mean Subject?)`,
            `${at(body, 1, 'CaseNumbr')} unknown field CaseNumbr on Case in Case__r.CaseNumbr (did you mean CaseNumber?)`
        ]);
    });

    test('a misspelt field inside a child subquery, and a misspelt child relationship', () => {
        const body = [
            '        List<Sync_Twin__c> a = [SELECT Id, (SELECT Id, Stag__c FROM Sync_Events__r) FROM Sync_Twin__c];',
            '        List<Case> b = [SELECT Id, (SELECT CommentBody FROM CaseComment) FROM Case];'
        ];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 0, 'Stag__c')} unknown field Stag__c on Sync_Event__c (did you mean Stage__c?)`,
            `${at(body, 1, 'CaseComment)')} unknown child relationship CaseComment on Case (did you mean CaseComments?)`
        ]);
    });

    test('the same misspelt field twice is reported at each place', () => {
        const body = [
            '        List<Sync_Twin__c> a = [SELECT Id, Twin_Ky__c FROM Sync_Twin__c WHERE Twin_Ky__c = :caseId];'
        ];
        assert.deepEqual(
            check(...body).issues.map((issue) => `${issue.line}:${issue.column}`),
            [at(body, 0, 'Twin_Ky__c'), at(body, 0, 'Twin_Ky__c', 1)]
        );
    });

    test('a misspelt field in GROUP BY, in a function and in a semi-join', () => {
        const body = [
            '        List<AggregateResult> a = [SELECT MAX(CreatdDate) FROM Sync_Event__c GROUP BY Stagee__c];',
            '        List<Case> b = [SELECT Id FROM Case WHERE Id IN (SELECT Case__c FROM Sync_Twin__c WHERE Twin_Ky__c != null)];'
        ];
        assert.deepEqual(messages(check(...body)), [
            `${at(body, 0, 'CreatdDate')} unknown field CreatdDate on Sync_Event__c (did you mean CreatedDate?)`,
            `${at(body, 0, 'Stagee__c')} unknown field Stagee__c on Sync_Event__c (did you mean Stage__c?)`,
            `${at(body, 1, 'Twin_Ky__c')} unknown field Twin_Ky__c on Sync_Twin__c (did you mean Twin_Key__c?)`
        ]);
    });

    test('an unknown object, an object outside the standard table, and a platform event', () => {
        const body = [
            '        List<Sync_Twin__c> a = [SELECT Id FROM Sync_Twins__c];',
            '        List<Account> b = [SELECT Id FROM Account];',
            '        List<Sync_Wake__e> c = [SELECT Id FROM Sync_Wake__e];'
        ];
        const found = messages(check(...body));
        assert.equal(found.length, 3, found.join('\n'));
        assert.ok(found[0].startsWith(`${at(body, 0, 'Sync_Twins__c')} unknown object Sync_Twins__c`), found[0]);
        assert.match(found[0], /did you mean Sync_Twin__c\?/);
        assert.ok(
            found[1].startsWith(
                `${at(body, 1, 'Account]')} unknown object Account: neither in force-app nor in scripts/gates/soql-standard-objects.mjs`
            ),
            found[1]
        );
        assert.ok(found[2].startsWith(`${at(body, 2, 'Sync_Wake__e]')} Sync_Wake__e is a platform event`), found[2]);
    });

    test('a relationship used as a field, and a field a standard object lacks', () => {
        const result = check(
            '        List<Case> a = [SELECT Owner FROM Case];',
            '        List<CaseComment> b = [SELECT Name FROM CaseComment];'
        );
        assert.deepEqual(
            result.issues.map((issue) => issue.message.split(' (')[0]),
            ['unknown field Owner on Case', 'unknown field Name on CaseComment']
        );
    });
});

describe('soql fields: schema read from force-app', () => {
    function project(name, files) {
        const base = join(scratch, name);
        for (const [path, text] of Object.entries(files)) {
            mkdirSync(dirname(join(base, path)), { recursive: true });
            writeFileSync(join(base, path), text);
        }
        return base;
    }

    const field = (name, type, extra = '') =>
        `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>${name}</fullName>\n    <label>${name}</label>\n    <type>${type}</type>\n${extra}</CustomField>\n`;
    const objects = 'force-app/main/default/objects';
    const classes = 'force-app/main/default/classes';

    test('custom fields on standard objects, lookups with their child relationship, details without an owner', () => {
        const triggerLine =
            '    List<Widget__c> w = [SELECT Id, OwnerId FROM Widget__c WHERE Case__r.Severity = null];';
        const file = 'force-app/main/default/triggers/WidgetTrigger.trigger';
        const dir = project('schema', {
            [`${objects}/Case/fields/Severity__c.field-meta.xml`]: field('Severity__c', 'Text'),
            [`${objects}/Widget__c/Widget__c.object-meta.xml`]:
                '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Widget</label></CustomObject>\n',
            [`${objects}/Widget__c/fields/Case__c.field-meta.xml`]: field(
                'Case__c',
                'MasterDetail',
                '    <referenceTo>Case</referenceTo>\n    <relationshipName>Widgets</relationshipName>\n'
            ),
            [`${classes}/Good.cls`]: [
                'public with sharing class Good {',
                '    void run() {',
                '        List<Case> a = [SELECT Severity__c, (SELECT Id, Case__r.Severity__c FROM Widgets__r) FROM Case];',
                '    }',
                '}'
            ].join('\n'),
            [file]: ['trigger WidgetTrigger on Widget__c(after insert) {', triggerLine, '}'].join('\n')
        });
        const result = checkSoqlFields(dir);
        assert.equal(result.failure, undefined);
        assert.equal(result.queries, 2);
        assert.deepEqual(
            result.issues.map(
                (issue) => `${issue.file}:${issue.line}:${issue.column} ${issue.category}: ${issue.message}`
            ),
            [
                `${file}:2:${triggerLine.indexOf('OwnerId') + 1} SOQL: unknown field OwnerId on Widget__c`,
                `${file}:2:${triggerLine.indexOf('Severity') + 1} SOQL: unknown field Severity on Case in Case__r.Severity`
            ]
        );
    });

    test('fails when there is no Apex to check', () => {
        const dir = project('empty', { 'force-app/main/default/.keep': '' });
        assert.match(checkSoqlFields(dir).failure, /no Apex/);
    });
});
