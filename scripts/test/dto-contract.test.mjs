// The DTO contract gate (scripts/gates/dto-contract.mjs): it passes on the project as it is, and
// fails on each kind of drift between an Apex DTO class and its TypeScript interface.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDtoContract, readApexDtos, readTsDtos, compareDtos } from '../gates/dto-contract.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

const APEX = `public with sharing class WidgetDto {
    @AuraEnabled
    public String id { get; set; }
    @AuraEnabled
    public Integer count;
    @AuraEnabled
    public List<PartDto> parts { get; set; }
    public String notSerialised;
}`;

/** The issues found for a TypeScript version of WidgetDto (and a PartDto on both sides). */
function issuesFor(tsBody) {
    const dir = mkdtempSync(join(tmpdir(), 'dto-contract-'));
    try {
        const file = join(dir, 'dto.d.ts');
        writeFileSync(file, `export interface PartDto { id: string }\nexport interface WidgetDto { ${tsBody} }\n`);
        const { classes, failures } = readApexDtos([
            { file: 'WidgetDto.cls', source: APEX },
            { file: 'PartDto.cls', source: 'public class PartDto { @AuraEnabled public Id id; }' }
        ]);
        assert.deepEqual(failures, []);
        return compareDtos(classes, readTsDtos([file])).map((issue) => issue.message);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe('gate: DTO contract', () => {
    test('the project passes: every Apex DTO has its interface, field for field', () => {
        const result = checkDtoContract(root);
        assert.equal(result.failure, null);
        assert.ok(result.classes >= 9, `only ${result.classes} classes read`);
        assert.deepEqual(result.issues, []);
    });

    test('matching types pass; fields that Aura does not serialise are ignored', () => {
        assert.deepEqual(issuesFor('id: string; count?: number | null; parts: PartDto[];'), []);
    });

    test('a field missing on the TypeScript side fails', () => {
        const messages = issuesFor('id: string; parts: PartDto[];');
        assert.equal(messages.length, 1);
        assert.match(messages[0], /^WidgetDto\.count: missing on the TypeScript side \(.*dto\.d\.ts\)$/);
    });

    test('a field named differently (case) fails with both names', () => {
        const [message] = issuesFor('Id: string; count: number; parts: PartDto[];');
        assert.match(message, /^WidgetDto\.id: named differently on the TypeScript side \(Id in .*\); Aura sends id$/);
    });

    test('a field only on the TypeScript side fails', () => {
        assert.deepEqual(
            issuesFor('id: string; count: number; parts: PartDto[]; extra?: string;').map((m) => m.split(' (')[0]),
            ['WidgetDto.extra: missing on the Apex side']
        );
    });

    test('a type that JSON carries differently fails', () => {
        const [message] = issuesFor('id: string; count: string; parts: PartDto[];');
        assert.equal(message, 'WidgetDto.count: Apex Integer is JSON number, TypeScript says string');
        assert.match(
            issuesFor('id: string; count: number; parts: PartDto;')[0],
            /parts: Apex List<PartDto> is JSON PartDto\[\]/
        );
    });

    test('an Apex class the parser cannot read is a failure, not a pass', () => {
        const { failures } = readApexDtos([
            { file: 'Broken.cls', source: 'public class BrokenDto { @AuraEnabled public String }' }
        ]);
        assert.equal(failures.length, 1);
        assert.match(failures[0], /^Broken\.cls:1:\d+: the Apex parser cannot read it/);
    });
});
