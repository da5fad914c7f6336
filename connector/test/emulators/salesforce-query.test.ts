// SOQL through the Query resource of the Salesforce emulator, driven by jsforce.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, idOf, rejection } from './salesforce-fixture.ts';

interface CommentRow {
    Id: string;
    CommentBody: string;
}

interface CaseRow {
    Id: string;
    Subject: string;
    Priority: string;
    CaseComments: { totalSize: number; done: boolean; records: CommentRow[] } | null;
}

void describe('Salesforce emulator: SOQL queries', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;
    const caseIds: string[] = [];

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
        const subjects: [string, string, string | null][] = [
            ['Alpha', 'High', 'Web'],
            ['Bravo', 'Low', 'Email'],
            ['Charlie', 'Medium', null],
            ["Delta's", 'High', 'Phone']
        ];
        for (const [Subject, Priority, Origin] of subjects) {
            caseIds.push(idOf(await conn.sobject('Case').create({ Subject, Priority, Origin })));
        }
        await conn.sobject('CaseComment').create([
            { ParentId: caseIds[0], CommentBody: 'first public', IsPublished: true },
            { ParentId: caseIds[0], CommentBody: 'private note', IsPublished: false },
            { ParentId: caseIds[0], CommentBody: 'second public', IsPublished: true },
            { ParentId: caseIds[1], CommentBody: 'other case', IsPublished: true }
        ]);
    });
    after(async () => {
        await emulator.close();
    });

    void it('answers child subqueries as {totalSize, done, records}, or null when empty', async () => {
        const result = await conn.query<CaseRow>(
            'SELECT Id, Subject, (SELECT Id, CommentBody FROM CaseComments WHERE IsPublished = true ORDER BY CreatedDate) FROM Case ORDER BY Subject'
        );
        assert.equal(result.totalSize, 4);
        const [alpha, bravo, charlie] = result.records;
        assert.equal(alpha.Subject, 'Alpha');
        assert.equal(alpha.CaseComments?.totalSize, 2);
        assert.equal(alpha.CaseComments?.done, true);
        assert.deepEqual(
            alpha.CaseComments?.records.map((comment) => comment.CommentBody),
            ['first public', 'second public']
        );
        assert.equal(bravo.CaseComments?.records.length, 1);
        assert.equal(charlie.CaseComments, null);
    });

    void it('follows parent relationships (Parent.CaseNumber, Connection__r.Name, Case__r.Subject)', async () => {
        const comments = await conn.query<{
            CommentBody: string;
            Parent: { CaseNumber: string; Subject: string; attributes: { type: string } };
        }>(`SELECT CommentBody, Parent.CaseNumber, Parent.Subject FROM CaseComment WHERE Parent.Subject = 'Bravo'`);
        assert.equal(comments.totalSize, 1);
        assert.equal(comments.records[0].Parent.Subject, 'Bravo');
        assert.equal(comments.records[0].Parent.attributes.type, 'Case');
        assert.match(comments.records[0].Parent.CaseNumber, /^\d{8}$/);

        const connectionId = idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: 'QueryConn', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
        await conn
            .sobject('Sync_Twin__c')
            .create({ Connection__c: connectionId, Case__c: caseIds[2], Twin_Key__c: `${connectionId}:${caseIds[2]}` });
        const twins = await conn.query<{ Connection__r: { Name: string }; Case__r: { Subject: string } }>(
            'SELECT Connection__r.Name, Case__r.Subject FROM Sync_Twin__c'
        );
        assert.deepEqual(
            twins.records.map((twin) => [twin.Connection__r.Name, twin.Case__r.Subject]),
            [['QueryConn', 'Charlie']]
        );
        const underSync = await conn.query<{ Subject: string }>(
            'SELECT Subject FROM Case WHERE Id IN (SELECT Case__c FROM Sync_Twin__c)'
        );
        assert.deepEqual(
            underSync.records.map((row) => row.Subject),
            ['Charlie']
        );
    });

    void it('filters, orders, limits and offsets as SOQL does', async () => {
        const subjects = async (soql: string): Promise<string[]> =>
            (await conn.query<{ Subject: string }>(soql)).records.map((row) => row.Subject);
        assert.deepEqual(await subjects("SELECT Subject FROM Case WHERE Priority = 'high' ORDER BY Subject DESC"), [
            "Delta's",
            'Alpha'
        ]);
        assert.deepEqual(
            await subjects(
                "SELECT Subject FROM Case WHERE Priority != 'High' AND (Origin = 'Email' OR Origin = null) ORDER BY Subject"
            ),
            ['Bravo', 'Charlie']
        );
        assert.deepEqual(await subjects("SELECT Subject FROM Case WHERE NOT Subject LIKE '%a' ORDER BY Subject"), [
            'Bravo',
            'Charlie',
            "Delta's"
        ]);
        assert.deepEqual(await subjects("SELECT Subject FROM Case WHERE Subject LIKE 'delta\\'%'"), ["Delta's"]);
        assert.deepEqual(
            await subjects("SELECT Subject FROM Case WHERE Priority IN ('Low', 'Medium') ORDER BY Priority, Subject"),
            ['Bravo', 'Charlie']
        );
        assert.deepEqual(
            await subjects("SELECT Subject FROM Case WHERE Priority NOT IN ('Low', 'Medium') ORDER BY Subject LIMIT 1"),
            ['Alpha']
        );
        assert.deepEqual(await subjects('SELECT Subject FROM Case ORDER BY Origin NULLS FIRST, Subject LIMIT 2'), [
            'Charlie',
            'Bravo'
        ]);
        assert.deepEqual(await subjects('SELECT Subject FROM Case ORDER BY Origin DESC NULLS LAST, Subject'), [
            'Alpha',
            "Delta's",
            'Bravo',
            'Charlie'
        ]);
        assert.deepEqual(await subjects('SELECT Subject FROM Case ORDER BY Subject LIMIT 2 OFFSET 1'), [
            'Bravo',
            'Charlie'
        ]);
        assert.deepEqual(
            await subjects(
                'SELECT Subject FROM Case WHERE CreatedDate = TODAY AND IsClosed = false WITH USER_MODE ORDER BY Subject LIMIT 1'
            ),
            ['Alpha']
        );
        assert.deepEqual(
            await subjects(
                'SELECT Subject FROM Case WHERE CreatedDate > 2020-01-01T00:00:00Z AND CreatedDate < TOMORROW WITH SECURITY_ENFORCED ORDER BY Subject LIMIT 1'
            ),
            ['Alpha']
        );
        assert.deepEqual(
            await subjects('SELECT Subject FROM Case WHERE CreatedDate = LAST_N_DAYS:2 ORDER BY Subject LIMIT 1'),
            ['Alpha']
        );
        assert.deepEqual(await subjects('SELECT Subject FROM Case WHERE CreatedDate < YESTERDAY'), []);
        assert.deepEqual(await subjects(`SELECT Subject FROM Case WHERE Id = '${caseIds[1].slice(0, 15)}'`), ['Bravo']);
    });

    void it('watermarks on SystemModstamp with a datetime literal', async () => {
        const all = await conn.query<{ Id: string; SystemModstamp: string }>(
            'SELECT Id, SystemModstamp FROM Case ORDER BY SystemModstamp'
        );
        const cursor = all.records[1].SystemModstamp.replace('+0000', 'Z');
        const newer = await conn.query<{ Id: string }>(
            `SELECT Id FROM Case WHERE SystemModstamp > ${cursor} ORDER BY SystemModstamp`
        );
        assert.deepEqual(
            newer.records.map((row) => row.Id),
            all.records.slice(2).map((row) => row.Id)
        );
    });

    void it('counts with COUNT() (totalSize only)', async () => {
        const response = await fetch(
            `${emulator.instanceUrl}/services/data/v${API_VERSION}/query?q=${encodeURIComponent("SELECT COUNT() FROM Case WHERE Priority = 'High'")}`,
            { headers: { Authorization: `Bearer ${emulator.connectorUser.accessToken}` } }
        );
        assert.deepEqual(await response.json(), { totalSize: 2, done: true, records: [] });
    });

    void it('reports malformed queries and unknown fields as Salesforce does', async () => {
        const malformed = await rejection(conn.query('SELECT Id FROM Case WHERE'));
        assert.equal(malformed.errorCode, 'MALFORMED_QUERY');
        const unknownField = await rejection(conn.query('SELECT Id, Subjekt FROM Case'));
        assert.equal(unknownField.errorCode, 'INVALID_FIELD');
        assert.match(unknownField.message, /ERROR at Row:1:Column:12\nNo such column 'Subjekt' on entity 'Case'/);
        const unknownRelationship = await rejection(conn.query('SELECT Id, (SELECT Id FROM Comments) FROM Case'));
        assert.equal(unknownRelationship.errorCode, 'INVALID_TYPE');
        const unknownType = await rejection(conn.query('SELECT Id FROM Casse'));
        assert.equal(unknownType.errorCode, 'INVALID_TYPE');
        assert.match(unknownType.message, /sObject type 'Casse' is not supported/);
        const customWithoutSuffix = await rejection(conn.query('SELECT Id, (SELECT Id FROM Sync_Twins) FROM Case'));
        assert.equal(customWithoutSuffix.errorCode, 'INVALID_TYPE', 'custom child relationships need __r');
        const quoted = await rejection(conn.query("SELECT Id FROM Case WHERE IsClosed = 'false'"));
        assert.equal(quoted.errorCode, 'INVALID_FIELD');
    });

    void it('pages 2,500 records in batches of 2,000 (2 API calls with autoFetch)', async () => {
        const ids = emulator.insertAs(
            emulator.connectorUser.id,
            'Case',
            Array.from({ length: 2500 }, (_, index) => ({ Subject: `bulk ${index}`, Origin: 'Web' }))
        );
        assert.equal(ids.length, 2500);
        emulator.resetApiCalls();

        const first = await conn.query<{ Id: string }>("SELECT Id FROM Case WHERE Subject LIKE 'bulk %'");
        assert.equal(first.totalSize, 2500);
        assert.equal(first.done, false);
        assert.equal(first.records.length, 2000);
        assert.match(String(first.nextRecordsUrl), /\/services\/data\/v65\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
        const rest = await conn.queryMore<{ Id: string }>(String(first.nextRecordsUrl));
        assert.equal(rest.done, true);
        assert.equal(rest.records.length, 500);
        assert.equal(emulator.apiCalls(), 2);

        emulator.resetApiCalls();
        const all = await conn.query<{ Id: string }>("SELECT Id FROM Case WHERE Subject LIKE 'bulk %'", {
            autoFetch: true,
            maxFetch: 10000
        });
        assert.equal(all.records.length, 2500);
        assert.equal(new Set(all.records.map((row) => row.Id)).size, 2500);
        assert.equal(emulator.apiCalls(), 2, 'a 2,500-record autoFetch query costs 2 API calls');
    });

    void it('honours Sforce-Query-Options: batchSize and counts child rows toward it', async () => {
        const query = conn.query<{ Id: string }>("SELECT Id FROM Case WHERE Subject LIKE 'bulk 1%'", {
            headers: { 'Sforce-Query-Options': 'batchSize=200' }
        });
        const result = await query;
        assert.equal(result.records.length, 200);
        assert.equal(result.done, false);

        const withChildren = await fetch(
            `${emulator.instanceUrl}/services/data/v${API_VERSION}/query?q=${encodeURIComponent('SELECT Id, (SELECT Id FROM CaseComments) FROM Case')}`,
            {
                headers: {
                    Authorization: `Bearer ${emulator.connectorUser.accessToken}`,
                    'Sforce-Query-Options': 'batchSize=200'
                }
            }
        );
        const body = (await withChildren.json()) as { records: unknown[]; done: boolean };
        assert.ok(body.records.length < 200, 'child rows count toward the batch size');
    });

    void it('sees deleted records with queryAll only', async () => {
        const id = idOf(await conn.sobject('Case').create({ Subject: 'soon deleted' }));
        await conn.sobject('Case').destroy(id);
        const live = await conn.query(`SELECT Id FROM Case WHERE Id = '${id}'`);
        assert.equal(live.totalSize, 0);
        const all = await conn.query<{ IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Case WHERE Id = '${id}'`, {
            scanAll: true
        });
        assert.equal(all.totalSize, 1);
        assert.equal(all.records[0].IsDeleted, true);
    });
});
