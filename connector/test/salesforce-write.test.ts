// SalesforceOrgClient.write against the emulator: packing (1,000 records per call), phases for
// records that refer to records of the same plan, per-record outcomes, and twin upserts.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, JsonObject, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';
import type { WriteOutcome, WritePlan, WriteResult } from '../src/salesforce/types.ts';

function okId(outcome: WriteOutcome | undefined): string {
    assert.ok(outcome?.ok, JSON.stringify(outcome));
    return outcome.id;
}

function errorCodes(outcome: WriteOutcome | undefined): string[] {
    assert.ok(outcome && !outcome.ok, JSON.stringify(outcome));
    return outcome.errors.map((error) => error.code);
}

void describe('Salesforce adapter: writes', () => {
    let emulator: SalesforceEmulator;
    let client: SalesforceOrgClient;
    let agent: EmulatorUser;
    let connectorId: string;
    let connectionId: string;
    let caseId: string;

    const insert = (type: string, records: JsonObject[], userId = connectorId): string[] =>
        emulator.insertAs(userId, type, records);

    async function write(plan: WritePlan): Promise<{ result: WriteResult; calls: number }> {
        const orgBefore = emulator.apiCalls();
        const before = client.apiCalls;
        const result = await client.write(plan);
        const calls = client.apiCalls - before;
        assert.equal(emulator.apiCalls() - orgBefore, calls, "the client's count is the org's");
        return { result, calls };
    }

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0 });
        client = new SalesforceOrgClient({
            connection: new Connection({
                instanceUrl: emulator.instanceUrl,
                accessToken: emulator.connectorUser.accessToken,
                version: '65.0'
            }),
            namespace: ''
        });
        connectorId = emulator.connectorUser.id;
        agent = emulator.createUser({ name: 'Ada Agent', username: 'ada@acme.example' });
        [connectionId] = insert('Sync_Connection__c', [
            { Name: 'A_to_B', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B', Status__c: 'Pending' }
        ]);
        [caseId] = insert('Case', [{ Subject: 'target' }]);
    });
    after(async () => {
        await emulator.close();
    });

    void it('writes 1,000 new comments in 1 call and 1,200 in 2', async () => {
        const comments = (count: number, tag: string): WritePlan => ({
            createComments: Array.from({ length: count }, (_, index) => ({ caseId, body: `${tag} ${index}` }))
        });
        const thousand = await write(comments(1000, 'k'));
        assert.equal(thousand.calls, 1);
        assert.equal(thousand.result.createComments.length, 1000);
        assert.ok(thousand.result.createComments.every((outcome) => outcome.ok));
        const bodies = new Map(emulator.records('CaseComment').map((record) => [record.Id, record]));
        const tenth = bodies.get(okId(thousand.result.createComments[10]));
        assert.equal(tenth?.CommentBody, 'k 10', 'outcomes in the order of the plan');
        assert.equal(tenth?.IsPublished, true, 'public by default');

        const twelveHundred = await write(comments(1200, 'm'));
        assert.equal(twelveHundred.calls, 2);
        assert.ok(twelveHundred.result.createComments.every((outcome) => outcome.ok));
    });

    void it('reports the error of the record that fails and applies the others', async () => {
        const { result, calls } = await write({
            createComments: [
                { caseId, body: 'fine 1' },
                { caseId, body: 'x'.repeat(4001) },
                { caseId, body: 'fine 2', isPublished: false }
            ],
            updateCases: [
                { id: caseId, description: 'updated' },
                { id: '500Hp0000009999IAA', subject: 'gone' }
            ]
        });
        assert.equal(calls, 1);
        okId(result.createComments[0]);
        okId(result.createComments[2]);
        const failed = result.createComments[1];
        assert.ok(!failed.ok);
        assert.deepEqual(failed.errors[0].code, 'STRING_TOO_LONG');
        assert.deepEqual(failed.errors[0].fields, ['CommentBody']);
        assert.match(failed.errors[0].message, /max length=4000/);
        assert.equal(okId(result.updateCases[0]), caseId);
        assert.ok(errorCodes(result.updateCases[1]).length > 0);
        const target = emulator.records('Case').find((record) => record.Id === caseId);
        assert.equal(target?.Description, 'updated');
    });

    void it('creates Cases first, then the comments, twins and events that refer to them', async () => {
        const { result, calls } = await write({
            createCases: [
                { ref: 'c1', subject: 'from remote 1', description: 'd1', extraFields: { Origin: 'Web' } },
                { ref: 'c2', subject: 'x'.repeat(256) },
                { ref: 'c3', subject: 'from remote 3' }
            ],
            createComments: [
                { caseId: { ref: 'c1' }, body: 'on c1' },
                { caseId: { ref: 'c2' }, body: 'on c2' },
                { caseId: { ref: 'c3' }, body: 'on c3' }
            ],
            upsertTwins: [
                {
                    ref: 't1',
                    connectionId,
                    caseId: { ref: 'c1' },
                    remoteKey: 'INC1',
                    syncStatus: 'Synchronized',
                    syncState: { comments: {} }
                },
                { ref: 't3', connectionId, caseId: { ref: 'c3' }, remoteKey: 'INC3' }
            ],
            createEvents: [
                {
                    connectionId,
                    twinId: { ref: 't1' },
                    caseId: { ref: 'c1' },
                    direction: 'Incoming',
                    stage: 'Synchronized',
                    messageId: 'msg-1'
                },
                {
                    connectionId,
                    twinId: { ref: 't3' },
                    caseId: { ref: 'c3' },
                    direction: 'Incoming',
                    stage: 'Finalizing',
                    messageId: 'msg-3'
                }
            ],
            updateConnections: [{ id: connectionId, status: 'Active', statusDetail: null }]
        });
        assert.equal(calls, 3, 'Cases; then comments and twins; then events (the connection update fills a phase)');
        const c1 = okId(result.createCases[0]);
        const c3 = okId(result.createCases[2]);
        assert.deepEqual(errorCodes(result.createCases[1]), ['STRING_TOO_LONG']);
        const commentOnC1 = okId(result.createComments[0]);
        okId(result.createComments[2]);
        assert.deepEqual(errorCodes(result.createComments[1]), ['DEPENDENCY_FAILED']);
        assert.ok(
            !result.createComments[1].ok &&
                /ref "c2" was not saved: STRING_TOO_LONG/.test(result.createComments[1].errors[0].message)
        );
        const t1 = result.upsertTwins[0];
        assert.ok(t1.ok && t1.created === true);
        okId(result.upsertTwins[1]);
        okId(result.createEvents[0]);
        okId(result.createEvents[1]);
        okId(result.updateConnections[0]);

        const created = emulator.records('Case').find((record) => record.Id === c1);
        assert.equal(created?.Origin, 'Web');
        assert.equal(emulator.records('CaseComment').find((record) => record.Id === commentOnC1)?.ParentId, c1);
        const twin = emulator.records('Sync_Twin__c').find((record) => record.Id === t1.id);
        assert.equal(twin?.Twin_Key__c, `${connectionId}:${c1}`, 'the key is made from the new Case id');
        assert.equal(twin?.Connection__c, connectionId);
        assert.equal(twin?.Sync_State__c, '{"comments":{}}');
        const events = emulator.records('Sync_Event__c');
        assert.equal(events.find((record) => record.Message_Id__c === 'msg-3')?.Twin__c, okId(result.upsertTwins[1]));
        assert.equal(events.find((record) => record.Message_Id__c === 'msg-3')?.Case__c, c3);
        assert.equal(
            emulator.records('Sync_Connection__c').find((record) => record.Id === connectionId)?.Status__c,
            'Active'
        );
    });

    void it('upserts twins by key: creates a new one, updates an existing one without touching its connection', async () => {
        const [caseA, caseB] = insert('Case', [{ Subject: 'twin A' }, { Subject: 'twin B' }]);
        const first = await write({
            upsertTwins: [{ connectionId, caseId: caseA, remoteKey: 'R-A', syncStatus: 'Preparing' }]
        });
        assert.equal(first.calls, 1);
        const created = first.result.upsertTwins[0];
        assert.ok(created.ok && created.created === true);

        const second = await write({
            upsertTwins: [
                {
                    connectionId,
                    caseId: caseA,
                    syncStatus: 'Synchronized',
                    lastOutgoingSeq: 3,
                    echoModstamp: '2026-11-21T13:45:12.000Z',
                    syncState: null
                },
                { connectionId, caseId: caseB, remoteKey: 'R-B' },
                { connectionId, caseId: '500Hp0000009999IAA' }
            ]
        });
        assert.equal(second.calls, 1, 'the upsert and the create of the same twins travel together');
        const updated = second.result.upsertTwins[0];
        assert.ok(updated.ok && updated.created === false && updated.id === created.id);
        const createdB = second.result.upsertTwins[1];
        assert.ok(createdB.ok && createdB.created === true);
        const missingCase = errorCodes(second.result.upsertTwins[2]);
        assert.ok(
            !missingCase.includes('REQUIRED_FIELD_MISSING') && !missingCase.includes('DUPLICATE_VALUE'),
            `the error of the create explains a new twin's failure: ${missingCase.join()}`
        );
        const twin = emulator.records('Sync_Twin__c').find((record) => record.Id === created.id);
        assert.equal(twin?.Sync_Status__c, 'Synchronized');
        assert.equal(twin?.Remote_Key__c, 'R-A', 'omitted fields are left alone');
        assert.equal(twin?.Last_Outgoing_Seq__c, 3);

        const byId = await write({ updateTwins: [{ id: created.id, lastError: 'remote down', syncStatus: 'Failed' }] });
        assert.equal(byId.calls, 1);
        okId(byId.result.updateTwins[0]);
        assert.equal(
            emulator.records('Sync_Twin__c').find((record) => record.Id === created.id)?.Last_Error__c,
            'remote down'
        );
    });

    void it('deletes processed signals in the same Composite request as the other writes', async () => {
        const [watched] = insert('Case', [{ Subject: 'watched' }]);
        insert('Sync_Twin__c', [
            { Connection__c: connectionId, Case__c: watched, Twin_Key__c: `${connectionId}:${watched}` }
        ]);
        emulator.insertAs(agent.id, 'CaseComment', [
            { ParentId: watched, CommentBody: 'one', IsPublished: true },
            { ParentId: watched, CommentBody: 'two', IsPublished: true }
        ]);
        const signalIds = emulator.records('Sync_Signal__c').map((record) => record.Id as string);
        assert.equal(signalIds.length, 2);
        const [eventId] = insert('Sync_Event__c', [
            { Connection__c: connectionId, Case__c: watched, Direction__c: 'Outgoing', Stage__c: 'Preparing' }
        ]);

        const { result, calls } = await write({
            updateEvents: [{ id: eventId, stage: 'Synchronized', completed: '2026-11-21T14:00:00.000Z', attempts: 1 }],
            createComments: [{ caseId: watched, body: 'mirrored' }],
            deleteSignalIds: [...signalIds, 'not an id']
        });
        assert.equal(calls, 1);
        assert.deepEqual(
            result.deleteSignals.map((outcome) => outcome.ok),
            [true, true, false]
        );
        assert.deepEqual(errorCodes(result.deleteSignals[2]), ['INVALID_INPUT']);
        assert.equal(emulator.records('Sync_Signal__c').length, 0);
        okId(result.updateEvents[0]);
        const event = emulator.records('Sync_Event__c').find((record) => record.Id === eventId);
        assert.equal(event?.Stage__c, 'Synchronized');
        assert.equal(event?.Attempts__c, 1);
    });

    void it('a subrequest the org refuses as a whole fails its records only', async () => {
        const [eventId] = insert('Sync_Event__c', [
            { Connection__c: connectionId, Direction__c: 'Outgoing', Stage__c: 'Preparing' }
        ]);
        const { result, calls } = await write({
            updateEvents: [{ id: eventId, attempts: 'many' as unknown as number }],
            createComments: [{ caseId, body: 'still written' }]
        });
        assert.equal(calls, 1);
        assert.deepEqual(errorCodes(result.updateEvents[0]), ['JSON_PARSER_ERROR']);
        okId(result.createComments[0]);
    });

    void it('a Composite request refused as a whole stops the write and says what was not sent', async () => {
        emulator.failNext(
            { method: 'POST', pathIncludes: '/composite' },
            { status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] }
        );
        const before = client.apiCalls;
        const result = await client.write({
            createCases: [{ ref: 'n', subject: 'never' }],
            createComments: [{ caseId: { ref: 'n' }, body: 'never either' }]
        });
        assert.equal(client.apiCalls, before, 'a refused request is not a call');
        assert.deepEqual(errorCodes(result.createCases[0]), ['REQUEST_LIMIT_EXCEEDED']);
        assert.deepEqual(errorCodes(result.createComments[0]), ['NOT_SENT']);
        assert.ok(
            !result.createComments[0].ok && /REQUEST_LIMIT_EXCEEDED/.test(result.createComments[0].errors[0].message)
        );
    });

    void it('refuses unknown and circular references per record, without a call', async () => {
        const { result, calls } = await write({
            createComments: [{ caseId: { ref: 'nowhere' }, body: 'x' }],
            createEvents: [{ ref: 'self', twinId: { ref: 'self' }, direction: 'Outgoing', stage: 'Preparing' }]
        });
        assert.equal(calls, 0);
        assert.deepEqual(errorCodes(result.createComments[0]), ['UNKNOWN_REFERENCE']);
        assert.deepEqual(errorCodes(result.createEvents[0]), ['CIRCULAR_REFERENCE']);
        await assert.rejects(client.write({ createCases: [{ ref: 'dup' }, { ref: 'dup' }] }), /uses ref "dup" twice/);
        const empty = await write({});
        assert.equal(empty.calls, 0);
        assert.deepEqual(empty.result.createCases, []);
    });

    void it('packs 1,000 mixed records of five kinds into 1 call', async () => {
        const [connection2] = insert('Sync_Connection__c', [
            { Name: 'A_to_C', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'C' }
        ]);
        const caseIds = insert(
            'Case',
            Array.from({ length: 200 }, (_, index) => ({ Subject: `mixed ${index}` }))
        );
        const twinIds = insert(
            'Sync_Twin__c',
            caseIds.map((id) => ({ Connection__c: connection2, Case__c: id, Twin_Key__c: `${connection2}:${id}` }))
        );
        const eventIds = insert(
            'Sync_Event__c',
            caseIds.map((id) => ({
                Connection__c: connection2,
                Case__c: id,
                Direction__c: 'Outgoing',
                Stage__c: 'Sending'
            }))
        );
        const { result, calls } = await write({
            updateCases: caseIds.map((id) => ({ id, description: 'synced' })),
            createComments: caseIds.map((id) => ({ caseId: id, body: 'mirrored' })),
            updateTwins: twinIds.map((id) => ({ id, syncStatus: 'Synchronized' as const })),
            createEvents: caseIds.map((id, index) => ({
                connectionId: connection2,
                twinId: twinIds[index],
                caseId: id,
                direction: 'Incoming' as const,
                stage: 'Synchronized' as const
            })),
            updateEvents: eventIds.map((id) => ({ id, stage: 'Synchronized' as const }))
        });
        assert.equal(calls, 1);
        for (const outcomes of [
            result.updateCases,
            result.createComments,
            result.updateTwins,
            result.createEvents,
            result.updateEvents
        ]) {
            assert.equal(outcomes.length, 200);
            assert.ok(outcomes.every((outcome) => outcome.ok));
        }
    });

    void it('creates records of different types in shared subrequests: 1,000 records of three types in 1 call', async () => {
        const [connection3] = insert('Sync_Connection__c', [
            { Name: 'A_to_D', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'D' }
        ]);
        const caseIds = insert(
            'Case',
            Array.from({ length: 250 }, (_, index) => ({ Subject: `shared ${index}` }))
        );
        const { result, calls } = await write({
            createComments: caseIds.flatMap((id, index) => [
                { caseId: id, body: `first ${index}` },
                { caseId: id, body: `second ${index}` }
            ]),
            upsertTwins: caseIds.map((id, index) => ({
                connectionId: connection3,
                caseId: id,
                remoteKey: `R-${index}`,
                isNew: true
            })),
            createEvents: caseIds.map((id, index) => ({
                connectionId: connection3,
                caseId: id,
                direction: 'Incoming' as const,
                stage: 'Synchronized' as const,
                messageId: `shared-${index}`
            }))
        });
        // One type per subrequest would need 3 + 2 + 2 subrequests: two calls.
        assert.equal(calls, 1);
        const comments = new Map(emulator.records('CaseComment').map((record) => [record.Id, record]));
        result.createComments.forEach((outcome, index) => {
            const comment = comments.get(okId(outcome));
            assert.equal(comment?.ParentId, caseIds[Math.floor(index / 2)]);
            assert.equal(comment?.CommentBody, `${index % 2 === 0 ? 'first' : 'second'} ${Math.floor(index / 2)}`);
        });
        const twins = new Map(emulator.records('Sync_Twin__c').map((record) => [record.Id, record]));
        result.upsertTwins.forEach((outcome, index) => {
            assert.equal(twins.get(okId(outcome))?.Remote_Key__c, `R-${index}`);
        });
        const events = new Map(emulator.records('Sync_Event__c').map((record) => [record.Id, record]));
        result.createEvents.forEach((outcome, index) => {
            assert.equal(events.get(okId(outcome))?.Message_Id__c, `shared-${index}`);
        });
    });

    void it('updates records of different types in shared subrequests: 500 twins and 500 events in 1 call', async () => {
        const [connection4] = insert('Sync_Connection__c', [
            { Name: 'A_to_E', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'E' }
        ]);
        const caseIds = insert(
            'Case',
            Array.from({ length: 500 }, (_, index) => ({ Subject: `acked ${index}` }))
        );
        const twinIds = insert(
            'Sync_Twin__c',
            caseIds.map((id) => ({ Connection__c: connection4, Case__c: id, Twin_Key__c: `${connection4}:${id}` }))
        );
        const eventIds = insert(
            'Sync_Event__c',
            caseIds.map((id) => ({
                Connection__c: connection4,
                Case__c: id,
                Direction__c: 'Outgoing',
                Stage__c: 'Sending'
            }))
        );
        const { result, calls } = await write({
            updateTwins: twinIds.map((id, index) => ({
                id,
                syncStatus: 'Synchronized' as const,
                remoteKey: `K-${index}`
            })),
            updateEvents: eventIds.map((id, index) => ({ id, stage: 'Synchronized' as const, sequence: index }))
        });
        // One type per subrequest would need 3 + 3 subrequests: two calls.
        assert.equal(calls, 1);
        const twins = new Map(emulator.records('Sync_Twin__c').map((record) => [record.Id, record]));
        result.updateTwins.forEach((outcome, index) => {
            assert.equal(okId(outcome), twinIds[index]);
            assert.equal(twins.get(twinIds[index])?.Remote_Key__c, `K-${index}`);
        });
        const events = new Map(emulator.records('Sync_Event__c').map((record) => [record.Id, record]));
        result.updateEvents.forEach((outcome, index) => {
            assert.equal(okId(outcome), eventIds[index]);
            assert.equal(events.get(eventIds[index])?.Sequence__c, index);
        });
    });

    void it('a record that fails in a subrequest shared by several types fails alone', async () => {
        const [target] = insert('Case', [{ Subject: 'shared failure' }]);
        const { result, calls } = await write({
            createCases: [{ subject: 'fine 1' }, { subject: 'x'.repeat(256) }, { subject: 'fine 2' }],
            createComments: [
                { caseId: target, body: 'kept 1' },
                { caseId: target, body: 'kept 2' }
            ]
        });
        assert.equal(calls, 1);
        assert.deepEqual(errorCodes(result.createCases[1]), ['STRING_TOO_LONG']);
        const cases = new Map(emulator.records('Case').map((record) => [record.Id, record]));
        assert.equal(cases.get(okId(result.createCases[0]))?.Subject, 'fine 1');
        assert.equal(cases.get(okId(result.createCases[2]))?.Subject, 'fine 2');
        const comments = new Map(emulator.records('CaseComment').map((record) => [record.Id, record]));
        assert.equal(comments.get(okId(result.createComments[0]))?.CommentBody, 'kept 1');
        assert.equal(comments.get(okId(result.createComments[1]))?.CommentBody, 'kept 2');
    });
});
