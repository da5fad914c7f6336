// Gate 4's rule for suppressions (scripts/gates/apex-security.mjs, unexplainedSuppressions): a
// suppression is accepted only with its own reason right beside it, never on the strength of the
// method's ApexDoc or of some other comment further up.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unexplainedSuppressions } from '../gates/apex-security.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const REASON = "the filter is the admin's own SOQL by design, screened and run in user mode";

/** A class with one suppressed method; `before` are the lines above the annotation. */
function suppressed(before, annotation = "    @SuppressWarnings('PMD.ApexSOQLInjection')") {
    return [
        'public with sharing class A {',
        ...before,
        annotation,
        '    static Integer run(String filter) {',
        "        return Database.countQuery('SELECT COUNT() FROM Case WHERE ' + filter);",
        '    }',
        '}',
        ''
    ].join('\n');
}

describe('gate: apex security suppressions', () => {
    test('an ApexDoc above the suppression is not a reason for it', () => {
        const text = suppressed([
            '    /**',
            '     * @description Counts the Cases that match the filter, which admins write themselves.',
            '     * @param filter the filter',
            '     */'
        ]);
        const problems = unexplainedSuppressions('A.cls', text);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^A\.cls:6 @SuppressWarnings\('PMD\.ApexSOQLInjection'\) without a reason beside it/);
    });

    test('a // comment on the line right above, after the ApexDoc, is a reason', () => {
        const text = suppressed([
            '    /**',
            '     * @description Counts the Cases that match the filter.',
            '     */',
            `    // ApexSOQLInjection does not apply: ${REASON}.`
        ]);
        assert.deepEqual(unexplainedSuppressions('A.cls', text), []);
    });

    test('a reason over several // lines right above is a reason', () => {
        const text = suppressed([
            "    // ApexSOQLInjection does not apply: the filter is the admin's",
            '    // own SOQL, screened and run in user mode.'
        ]);
        assert.deepEqual(unexplainedSuppressions('A.cls', text), []);
    });

    test('a // comment on the same line is a reason', () => {
        const text = suppressed([], `    @SuppressWarnings('PMD.ApexSOQLInjection') // ${REASON}`);
        assert.deepEqual(unexplainedSuppressions('A.cls', text), []);
    });

    test('a comment separated by a blank line or by another annotation is not beside it', () => {
        const blank = suppressed([`    // ${REASON}`, '']);
        const annotation = suppressed([`    // ${REASON}`, '    @TestVisible']);
        assert.equal(unexplainedSuppressions('A.cls', blank).length, 1);
        assert.equal(unexplainedSuppressions('A.cls', annotation).length, 1);
    });

    test('a block comment right above is not a reason, nor a comment that only names the rule', () => {
        const block = suppressed([`    /* ${REASON} */`]);
        const ruleOnly = suppressed(['    // PMD.ApexSOQLInjection']);
        const tooShort = suppressed(['    // by design']);
        assert.equal(unexplainedSuppressions('A.cls', block).length, 1);
        assert.equal(unexplainedSuppressions('A.cls', ruleOnly).length, 1);
        assert.equal(unexplainedSuppressions('A.cls', tooShort).length, 1);
    });

    test('NOPMD still needs its reason on the same line', () => {
        const bare = 'public with sharing class A {\n    void run() { update x; } // NOPMD\n}\n';
        const explained =
            'public with sharing class A {\n    void run() { update x; } // NOPMD queue object written in system mode by design\n}\n';
        assert.equal(unexplainedSuppressions('A.cls', bare).length, 1);
        assert.deepEqual(unexplainedSuppressions('A.cls', explained), []);
    });

    test('every suppression in force-app carries its own reason', () => {
        const dir = join(root, 'force-app');
        const files = readdirSync(dir, { withFileTypes: true, recursive: true })
            .filter((entry) => entry.isFile() && /\.(cls|trigger)$/.test(entry.name))
            .map((entry) => join(entry.parentPath, entry.name));
        const texts = files.map((file) => readFileSync(file, 'utf8'));
        assert.ok(
            texts.some((text) => text.includes("@SuppressWarnings('PMD.")),
            'the package has a suppression to check'
        );
        assert.deepEqual(
            files.flatMap((file, i) => unexplainedSuppressions(file, texts[i])),
            []
        );
    });
});
