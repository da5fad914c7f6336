// What may enter a query: validated ids, escaped strings, datetime literals and single-condition
// trigger filters.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isSalesforceId, requireIds, SalesforceInputError, toId18 } from '../src/salesforce/ids.ts';
import { checkTriggerFilter, soqlDateTime, soqlIdList, soqlString } from '../src/salesforce/soql.ts';

// Ids as the emulator (and an org) hand them out: 15 characters plus the case-checksum suffix.
const CASE_15 = '500Hp000000001a';
const CASE_18 = '500Hp000000001aIAA';

void describe('Salesforce adapter: ids and SOQL text', () => {
    void it('accepts 15- and 18-character ids and checks the 18-character suffix', () => {
        assert.equal(isSalesforceId(CASE_15), true);
        assert.equal(toId18(CASE_15), CASE_18, 'the suffix marks the upper-case H');
        assert.equal(isSalesforceId(CASE_18), true);
        assert.equal(isSalesforceId('500Hp000000001aZZZ'), false, 'a wrong checksum suffix');
        assert.equal(isSalesforceId('500Hp00000001'), false);
        assert.equal(isSalesforceId("500Hp000000001a' OR Id != '"), false);
        assert.equal(isSalesforceId(42), false);
    });

    void it('requireIds normalises, deduplicates and names the first bad value', () => {
        assert.deepEqual(requireIds([CASE_15, CASE_18], 'Case', '500'), [CASE_18]);
        assert.throws(
            () => requireIds([CASE_18, "x') OR (Name != '"], 'Case'),
            (error: unknown) =>
                error instanceof SalesforceInputError && /"x'\) OR \(Name != '" is not a Case id/.test(error.message)
        );
        assert.throws(() => requireIds(['001Hp000000001aIAA'], 'Case', '500'), /starting with 500/);
    });

    void it('quotes strings, ids and datetimes as SOQL literals', () => {
        assert.equal(soqlString("O'Brien \\ x"), "'O\\'Brien \\\\ x'");
        assert.equal(soqlString('a\nb'), "'a\\nb'");
        assert.equal(soqlDateTime(new Date('2026-11-21T13:45:12.345Z')), '2026-11-21T13:45:12Z');
        assert.equal(soqlIdList([CASE_15], 'Case'), `'${CASE_18}'`);
        assert.throws(() => soqlIdList([], 'Case'), SalesforceInputError);
        assert.throws(() => soqlDateTime(new Date('nonsense')), SalesforceInputError);
    });

    void it('accepts single conditions, semi-joins and quoted keywords in trigger filters', () => {
        assert.equal(
            checkTriggerFilter("  Priority = 'High' AND Origin = 'Web' "),
            "Priority = 'High' AND Origin = 'Web'"
        );
        assert.ok(checkTriggerFilter("Id IN (SELECT ParentId FROM CaseComment WHERE CommentBody LIKE '%x%')"));
        assert.ok(checkTriggerFilter("Subject = 'ORDER BY; LIMIT 1) OR (x'"));
        assert.ok(checkTriggerFilter("Subject = 'it\\'s (open'"));
        assert.ok(checkTriggerFilter("Priority = 'High' OR Status = 'New'"));
    });

    void it('refuses filters that could leave their parentheses or add a clause', () => {
        const refused: [string, RegExp][] = [
            ['', /empty/],
            ["Priority = 'High') OR (Id != null", /closes a parenthesis/],
            ["(Priority = 'High'", /leaves a parenthesis open/],
            ["Priority = 'High'; DELETE", /";"/],
            ["Priority = 'High' LIMIT 1", /contains LIMIT/],
            ["Priority = 'High' ORDER BY CreatedDate", /contains ORDER BY/],
            ["Priority = 'High' WITH SECURITY_ENFORCED", /contains WITH/],
            ["Subject = 'open", /not closed/],
            ['x'.repeat(4001), /too long/]
        ];
        for (const [filter, reason] of refused) {
            assert.throws(
                () => checkTriggerFilter(filter),
                (error: unknown) => error instanceof SalesforceInputError && reason.test(error.message),
                filter
            );
        }
    });
});
