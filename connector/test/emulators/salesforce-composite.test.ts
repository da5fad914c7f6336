// sObject Collections and Composite through the Salesforce emulator, driven by jsforce.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, idOf, rejection } from './salesforce-fixture.ts';
import type { SaveResultLike } from './salesforce-fixture.ts';

interface CompositeAnswer {
    compositeResponse: {
        body: unknown;
        httpHeaders: Record<string, string>;
        httpStatusCode: number;
        referenceId: string;
    }[];
}

const BASE = `/services/data/v${API_VERSION}`;

void describe('Salesforce emulator: sObject Collections and Composite', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
    });
    after(async () => {
        await emulator.close();
    });

    void it('creates 200 records in one call', async () => {
        emulator.resetApiCalls();
        const records = Array.from({ length: 200 }, (_, index) => ({ Subject: `collection ${index}` }));
        const results = (await conn.sobject('Case').create(records)) as SaveResultLike[];
        assert.equal(results.length, 200);
        assert.ok(results.every((result) => result.success && result.id?.startsWith('500')));
        assert.equal(emulator.apiCalls(), 1);
    });

    void it('refuses more than 200 records with EXCEEDED_ID_LIMIT', async () => {
        const records = Array.from({ length: 201 }, (_, index) => ({ Subject: `too many ${index}` }));
        const error = await rejection(conn.sobject('Case').create(records));
        assert.equal(error.errorCode, 'EXCEEDED_ID_LIMIT');
        const count = await conn.query("SELECT COUNT() FROM Case WHERE Subject LIKE 'too many%'");
        assert.equal(count.totalSize, 0);

        const chunked = (await conn.sobject('Case').create(records, { allowRecursive: true })) as SaveResultLike[];
        assert.equal(chunked.filter((result) => result.success).length, 201);
    });

    void it('keeps the valid records when allOrNone is false', async () => {
        const results = (await conn
            .sobject('Case')
            .create([
                { Subject: 'partial ok 1' },
                { Subject: 'x'.repeat(300) },
                { Subject: 'partial ok 2' }
            ])) as SaveResultLike[];
        assert.deepEqual(
            results.map((result) => result.success),
            [true, false, true]
        );
        assert.equal(results[1].errors[0].statusCode, 'STRING_TOO_LONG');
        assert.deepEqual(results[1].errors[0].fields, ['Subject']);
        const saved = await conn.query("SELECT COUNT() FROM Case WHERE Subject LIKE 'partial ok%'");
        assert.equal(saved.totalSize, 2);
    });

    void it('rolls every record back when one fails and allOrNone is true', async () => {
        const results = (await conn
            .sobject('Case')
            .create([{ Subject: 'all or none 1' }, { Subject: 'x'.repeat(300) }, { Subject: 'all or none 2' }], {
                allOrNone: true
            })) as SaveResultLike[];
        assert.deepEqual(
            results.map((result) => result.success),
            [false, false, false]
        );
        assert.equal(results[0].errors[0].statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
        assert.equal(results[1].errors[0].statusCode, 'STRING_TOO_LONG');
        const saved = await conn.query("SELECT COUNT() FROM Case WHERE Subject LIKE 'all or none%'");
        assert.equal(saved.totalSize, 0);
    });

    void it('updates (jsforce sends lower-case id), retrieves and deletes collections', async () => {
        const created = (await conn.sobject('Case').create([{ Subject: 'u1' }, { Subject: 'u2' }])) as SaveResultLike[];
        const ids = created.map(idOf);
        const updated = (await conn
            .sobject('Case')
            .update(ids.map((Id) => ({ Id, Priority: 'High' })))) as SaveResultLike[];
        assert.ok(updated.every((result) => result.success));
        const retrieved = (await conn
            .sobject('Case')
            .retrieve(ids, { fields: ['Priority', 'Subject'] })) as unknown as { Priority: string }[];
        assert.deepEqual(
            retrieved.map((record) => record.Priority),
            ['High', 'High']
        );
        const getResponse = await fetch(
            `${emulator.instanceUrl}${BASE}/composite/sobjects/Case?ids=${ids.join(',')},500Hp00000ZZZZZ&fields=Subject`,
            {
                headers: { Authorization: `Bearer ${emulator.connectorUser.accessToken}` }
            }
        );
        const got = (await getResponse.json()) as ({ Subject: string } | null)[];
        assert.deepEqual(
            got.map((record) => record?.Subject ?? null),
            ['u1', 'u2', null]
        );
        const deleted = (await conn.sobject('Case').destroy([...ids, '500Hp00000ZZZZZ'])) as SaveResultLike[];
        assert.deepEqual(
            deleted.map((result) => result.success),
            [true, true, false]
        );
    });

    void it('runs a Composite request with references as ONE API call', async () => {
        emulator.resetApiCalls();
        const answer = await conn.requestPost<CompositeAnswer>(`${BASE}/composite`, {
            allOrNone: true,
            compositeRequest: [
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/Case`,
                    referenceId: 'newCase',
                    body: { Subject: 'composite case' }
                },
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/CaseComment`,
                    referenceId: 'comment',
                    body: { ParentId: '@{newCase.id}', CommentBody: 'composite comment', IsPublished: true }
                },
                {
                    method: 'GET',
                    url: `${BASE}/query?q=SELECT+Id,CaseNumber+FROM+Case+WHERE+Id='@{newCase.id}'`,
                    referenceId: 'read'
                },
                {
                    method: 'PATCH',
                    url: `${BASE}/sobjects/Case/@{read.records[0].Id}`,
                    referenceId: 'touch',
                    body: { Priority: 'Low' }
                },
                {
                    method: 'GET',
                    url: `${BASE}/sobjects/Case/@{newCase.id}?fields=Priority,Subject`,
                    referenceId: 'check'
                }
            ]
        });
        assert.equal(emulator.apiCalls(), 1, 'a composite of 5 subrequests counts 1');
        const [create, comment, read, touch, check] = answer.compositeResponse;
        assert.equal(create.httpStatusCode, 201);
        assert.match(create.httpHeaders.Location, /^\/services\/data\/v65\.0\/sobjects\/Case\/500/);
        assert.equal(comment.httpStatusCode, 201);
        assert.equal((read.body as { totalSize: number }).totalSize, 1);
        assert.equal(touch.httpStatusCode, 204);
        assert.equal(touch.body, null);
        assert.equal((check.body as { Priority: string }).Priority, 'Low');
        assert.deepEqual(
            answer.compositeResponse.map((sub) => sub.referenceId),
            ['newCase', 'comment', 'read', 'touch', 'check']
        );
    });

    void it('rolls a Composite back with allOrNone, halting the other subrequests', async () => {
        const answer = await conn.requestPost<CompositeAnswer>(`${BASE}/composite`, {
            allOrNone: true,
            compositeRequest: [
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/Case`,
                    referenceId: 'good',
                    body: { Subject: 'composite rollback' }
                },
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/CaseComment`,
                    referenceId: 'bad',
                    body: { ParentId: '@{good.id}' }
                },
                { method: 'POST', url: `${BASE}/sobjects/Case`, referenceId: 'later', body: { Subject: 'never' } }
            ]
        });
        const [good, bad, later] = answer.compositeResponse;
        assert.equal(bad.httpStatusCode, 400);
        assert.equal((bad.body as { errorCode: string }[])[0].errorCode, 'REQUIRED_FIELD_MISSING');
        for (const halted of [good, later]) {
            assert.equal(halted.httpStatusCode, 400);
            assert.deepEqual(halted.body, [
                {
                    errorCode: 'PROCESSING_HALTED',
                    message: 'The transaction was rolled back since another operation in the same transaction failed.'
                }
            ]);
        }
        const saved = await conn.query("SELECT COUNT() FROM Case WHERE Subject IN ('composite rollback', 'never')");
        assert.equal(saved.totalSize, 0);
    });

    void it('with allOrNone, a collection with a failed record rolls the whole composite back', async () => {
        const answer = await conn.requestPost<CompositeAnswer>(`${BASE}/composite`, {
            allOrNone: true,
            compositeRequest: [
                {
                    method: 'POST',
                    url: `${BASE}/composite/sobjects`,
                    referenceId: 'collection',
                    body: {
                        allOrNone: false,
                        records: [
                            { attributes: { type: 'Case' }, Subject: 'inner ok' },
                            { attributes: { type: 'Case' }, Subject: 'x'.repeat(300) }
                        ]
                    }
                },
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/Case`,
                    referenceId: 'after',
                    body: { Subject: 'after collection' }
                }
            ]
        });
        const [collection, later] = answer.compositeResponse;
        assert.equal(collection.httpStatusCode, 200);
        const results = collection.body as SaveResultLike[];
        assert.equal(
            results[0].errors[0].statusCode,
            'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            "the composite's allOrNone overrides the collection's"
        );
        assert.equal(later.httpStatusCode, 400);
        const saved = await conn.query("SELECT COUNT() FROM Case WHERE Subject IN ('inner ok', 'after collection')");
        assert.equal(saved.totalSize, 0);
    });

    void it('without allOrNone commits what succeeded and halts only dependent subrequests', async () => {
        const answer = await conn.requestPost<CompositeAnswer>(`${BASE}/composite`, {
            allOrNone: false,
            compositeRequest: [
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/Case`,
                    referenceId: 'bad',
                    body: { Subject: 'x'.repeat(300) }
                },
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/CaseComment`,
                    referenceId: 'dependent',
                    body: { ParentId: '@{bad.id}', CommentBody: 'x' }
                },
                {
                    method: 'POST',
                    url: `${BASE}/sobjects/Case`,
                    referenceId: 'independent',
                    body: { Subject: 'independent' }
                }
            ]
        });
        const [bad, dependent, independent] = answer.compositeResponse;
        assert.equal(bad.httpStatusCode, 400);
        assert.equal(dependent.httpStatusCode, 400);
        assert.equal((dependent.body as { errorCode: string }[])[0].errorCode, 'PROCESSING_HALTED');
        assert.equal(independent.httpStatusCode, 201);
    });

    void it('refuses more than 25 subrequests', async () => {
        const error = await rejection(
            conn.requestPost(`${BASE}/composite`, {
                compositeRequest: Array.from({ length: 26 }, (_, index) => ({
                    method: 'GET',
                    url: `${BASE}/limits`,
                    referenceId: `r${index}`
                }))
            })
        );
        assert.ok(error.errorCode);
    });

    void it('counts each Composite Batch subrequest as an API call', async () => {
        emulator.resetApiCalls();
        const answer = await conn.requestPost<{ hasErrors: boolean; results: { statusCode: number }[] }>(
            `${BASE}/composite/batch`,
            {
                batchRequests: [
                    { method: 'GET', url: `v${API_VERSION}/limits` },
                    { method: 'GET', url: `v${API_VERSION}/sobjects/Case/describe` },
                    { method: 'GET', url: `v${API_VERSION}/query?q=SELECT+Id+FROM+Case+LIMIT+1` }
                ]
            }
        );
        assert.equal(answer.hasErrors, false);
        assert.equal(emulator.apiCalls(), 3);
    });

    void it('upserts a collection by external id', async () => {
        const connectionId = idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: 'collection upsert', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
        const first = (await conn.sobject('Sync_Event__c').upsert(
            [
                { Message_Id__c: 'm-1', Connection__c: connectionId },
                { Message_Id__c: 'm-2', Connection__c: connectionId }
            ],
            'Message_Id__c'
        )) as (SaveResultLike & { created: boolean })[];
        assert.deepEqual(
            first.map((result) => result.created),
            [true, true]
        );
        const second = (await conn
            .sobject('Sync_Event__c')
            .upsert([{ Message_Id__c: 'M-1', Sequence__c: 5 }], 'Message_Id__c')) as (SaveResultLike & {
            created: boolean;
        })[];
        assert.equal(second[0].created, false);
        assert.equal(second[0].id, first[0].id);
    });

    // The REST API guide on sObject Collections create and update: the list "can contain objects of
    // different types", they "are processed as chunks" of consecutive records of one type, results
    // come back in the order of the list, and "a single request can process up to 10 chunks".
    void it('creates records of different types in one list, each result in the order of the list', async () => {
        emulator.resetApiCalls();
        const results = await conn.requestPost<SaveResultLike[]>(`${BASE}/composite/sobjects`, {
            allOrNone: false,
            records: [
                { attributes: { type: 'Case' }, Subject: 'mixed first' },
                {
                    attributes: { type: 'Sync_Connection__c' },
                    Name: 'mixed connection',
                    Local_Instance_Name__c: 'A',
                    Remote_Instance_Name__c: 'B'
                },
                { attributes: { type: 'Case' }, Subject: 'x'.repeat(300) },
                { attributes: { type: 'Case' }, Subject: 'mixed last' }
            ]
        });
        assert.equal(emulator.apiCalls(), 1);
        assert.deepEqual(
            results.map((result) => result.success),
            [true, true, false, true]
        );
        assert.equal(results[2].errors[0].statusCode, 'STRING_TOO_LONG');
        const byId = (type: string, id: string | undefined): Record<string, unknown> | undefined =>
            emulator.records(type).find((record) => record.Id === id);
        assert.equal(byId('Case', results[0].id)?.Subject, 'mixed first');
        assert.equal(byId('Sync_Connection__c', results[1].id)?.Name, 'mixed connection');
        assert.equal(byId('Case', results[3].id)?.Subject, 'mixed last');
    });

    void it('updates records of different types in one list; allOrNone rolls every chunk back', async () => {
        const [caseId, connectionId] = (
            await conn.requestPost<SaveResultLike[]>(`${BASE}/composite/sobjects`, {
                records: [
                    { attributes: { type: 'Case' }, Subject: 'to update' },
                    {
                        attributes: { type: 'Sync_Connection__c' },
                        Name: 'to update',
                        Local_Instance_Name__c: 'A',
                        Remote_Instance_Name__c: 'B'
                    }
                ]
            })
        ).map(idOf);
        const update = (allOrNone: boolean, detail: string): Promise<SaveResultLike[]> =>
            conn.request<SaveResultLike[]>({
                method: 'PATCH',
                url: `${BASE}/composite/sobjects`,
                body: JSON.stringify({
                    allOrNone,
                    records: [
                        { attributes: { type: 'Case' }, id: caseId, Priority: 'High' },
                        { attributes: { type: 'Sync_Connection__c' }, id: connectionId, Status_Detail__c: detail }
                    ]
                }),
                headers: { 'Content-Type': 'application/json' }
            });
        const fields = (): [unknown, unknown] => [
            emulator.records('Case').find((record) => record.Id === caseId)?.Priority,
            emulator.records('Sync_Connection__c').find((record) => record.Id === connectionId)?.Status_Detail__c
        ];
        const rolledBack = await update(true, 'x'.repeat(32_769));
        assert.deepEqual(
            rolledBack.map((result) => result.errors[0]?.statusCode),
            ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'STRING_TOO_LONG']
        );
        assert.notEqual(fields()[0], 'High', 'the first chunk is rolled back with the second');
        const saved = await update(false, 'both types saved');
        assert.ok(saved.every((result) => result.success));
        assert.deepEqual(fields(), ['High', 'both types saved']);
    });

    void it('takes up to 10 chunks of consecutive types in one request and refuses 11', async () => {
        const alternating = (count: number, tag: string): Record<string, unknown>[] =>
            Array.from({ length: count }, (_, index) =>
                index % 2 === 0
                    ? { attributes: { type: 'Case' }, Subject: `${tag} ${index}` }
                    : {
                          attributes: { type: 'Sync_Connection__c' },
                          Name: `${tag} ${index}`,
                          Local_Instance_Name__c: 'A',
                          Remote_Instance_Name__c: 'B'
                      }
            );
        const ten = await conn.requestPost<SaveResultLike[]>(`${BASE}/composite/sobjects`, {
            records: alternating(10, 'ten chunks')
        });
        assert.equal(ten.filter((result) => result.success).length, 10);
        const error = await rejection(
            conn.requestPost(`${BASE}/composite/sobjects`, { records: alternating(11, 'eleven chunks') })
        );
        assert.equal(error.errorCode, 'INVALID_BATCH_REQUEST');
        const saved = await conn.query("SELECT COUNT() FROM Case WHERE Subject LIKE 'eleven chunks%'");
        assert.equal(saved.totalSize, 0);
    });
});
