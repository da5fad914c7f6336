// The reads of SalesforceOrgClient against the emulator: what each method answers and exactly how
// many API calls it spends (the client's own count, checked against the org's).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../emulators/salesforce/index.ts';
import type { EmulatorUser, JsonObject, SalesforceEmulator } from '../emulators/salesforce/index.ts';
import { SalesforceApiError } from '../src/salesforce/errors.ts';
import { SalesforceInputError } from '../src/salesforce/ids.ts';
import { SalesforceOrgClient } from '../src/salesforce/org-client.ts';

function connectionFor(emulator: SalesforceEmulator, user: EmulatorUser = emulator.connectorUser): Connection {
    return new Connection({ instanceUrl: emulator.instanceUrl, accessToken: user.accessToken, version: '65.0' });
}

function clientFor(emulator: SalesforceEmulator, user?: EmulatorUser): SalesforceOrgClient {
    return new SalesforceOrgClient({ connection: connectionFor(emulator, user), namespace: '' });
}

/** Runs `work` and answers its result with the calls it cost, as the client and as the org counted them. */
async function measured<T>(
    emulator: SalesforceEmulator,
    client: SalesforceOrgClient,
    work: () => Promise<T>
): Promise<{ result: T; calls: number }> {
    const orgBefore = emulator.apiCalls();
    const clientBefore = client.apiCalls;
    const result = await work();
    const calls = client.apiCalls - clientBefore;
    assert.equal(emulator.apiCalls() - orgBefore, calls, "the client's count is the org's");
    return { result, calls };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

void describe('Salesforce adapter: reads', () => {
    let emulator: SalesforceEmulator;
    let client: SalesforceOrgClient;
    let agent: EmulatorUser;
    let connectorId: string;
    let connectionId: string;

    const insert = (type: string, records: JsonObject[], userId = connectorId): string[] =>
        emulator.insertAs(userId, type, records);

    before(async () => {
        emulator = await startSalesforceEmulator({ port: 0 });
        client = clientFor(emulator);
        connectorId = emulator.connectorUser.id;
        agent = emulator.createUser({
            name: 'Ada Agent',
            username: 'ada@acme.example',
            permissionSets: ['Exalate_User']
        });
        [connectionId] = insert('Sync_Connection__c', [
            {
                Name: 'SalesforceA_to_ServiceNowB',
                Local_Instance_Name__c: 'SalesforceA',
                Remote_Instance_Name__c: 'ServiceNowB',
                Description__c: 'first connection',
                Type__c: 'Public',
                Status__c: 'Active',
                Role__c: 'Initiator',
                Remote_Platform__c: 'ServiceNow',
                Remote_Node_Url__c: 'https://node-b.example',
                Invitation_Id__c: '7b0c2c35-4a55-4a7e-9d55-0b9b5ac1f3a1',
                Invitation_Expires__c: '2026-11-24T10:00:00.000Z',
                Accepted_By__c: 'bob@b.example',
                Accepted_At__c: '2026-11-21T10:00:00.000Z'
            }
        ]);
    });
    after(async () => {
        await emulator.close();
    });
    beforeEach(() => {
        // Each test seeds its own records; signals and events of earlier tests are cleared.
        for (const type of ['Sync_Signal__c', 'Sync_Event__c']) {
            const ids = emulator.records(type).map((record) => record.Id as string);
            if (ids.length > 0) {
                emulator.deleteAs(connectorId, type, ids);
            }
        }
    });

    void it('readWork: signals oldest first and due events, in 1 call', async () => {
        const [caseId] = insert('Case', [{ Subject: 'under sync' }]);
        const [twinId] = insert('Sync_Twin__c', [
            { Connection__c: connectionId, Case__c: caseId, Twin_Key__c: `${connectionId}:${caseId}` }
        ]);
        const [firstComment] = emulator.insertAs(agent.id, 'CaseComment', [
            { ParentId: caseId, CommentBody: 'first', IsPublished: true }
        ]);
        emulator.updateAs(agent.id, 'Case', [{ Id: caseId, Subject: 'under sync, edited' }]);
        const past = new Date(Date.now() - 60_000).toISOString();
        const future = new Date(Date.now() + 3_600_000).toISOString();
        const events = insert('Sync_Event__c', [
            {
                Connection__c: connectionId,
                Twin__c: twinId,
                Case__c: caseId,
                Direction__c: 'Outgoing',
                Stage__c: 'Preparing',
                Next_Attempt__c: past,
                Requested_By__c: agent.id
            },
            {
                Connection__c: connectionId,
                Twin__c: twinId,
                Case__c: caseId,
                Direction__c: 'Incoming',
                Stage__c: 'Sending',
                Next_Attempt__c: future
            },
            {
                Connection__c: connectionId,
                Twin__c: twinId,
                Case__c: caseId,
                Direction__c: 'Outgoing',
                Stage__c: 'Synchronized',
                Next_Attempt__c: past
            },
            {
                Connection__c: connectionId,
                Twin__c: twinId,
                Case__c: caseId,
                Direction__c: 'Outgoing',
                Stage__c: 'Failed',
                Next_Attempt__c: past
            },
            {
                Connection__c: connectionId,
                Twin__c: twinId,
                Case__c: caseId,
                Direction__c: 'Incoming',
                Stage__c: 'Waiting for remote',
                Payload__c: '{"seq":4}',
                Message_Id__c: 'm-4',
                Sequence__c: 4,
                Attempts__c: 2
            }
        ]);

        const { result: work, calls } = await measured(emulator, client, () =>
            client.readWork({ signalLimit: 10, eventLimit: 10, now: new Date() })
        );
        assert.equal(calls, 1);
        assert.deepEqual(
            work.signals.map((signal) => [signal.kind, signal.caseId, signal.recordId, signal.underSync]),
            [
                ['Comment', caseId, firstComment, true],
                ['Case', caseId, caseId, true]
            ]
        );
        assert.match(work.signals[0].createdAt, ISO);
        assert.deepEqual(
            work.dueEvents.map((event) => event.id),
            [events[4], events[0]],
            'blank Next_Attempt__c first, then the earliest; not the future, Synchronized or Failed ones'
        );
        const [incoming, requested] = work.dueEvents;
        assert.equal(requested.requestedById, agent.id);
        assert.equal(requested.twinId, twinId);
        assert.equal(requested.connectionId, connectionId);
        assert.equal(requested.caseId, caseId);
        assert.equal(requested.stage, 'Preparing');
        assert.equal(requested.nextAttempt, new Date(past).toISOString());
        assert.match(requested.name, /^EV-\d{8}$/);
        assert.deepEqual(
            [
                incoming.direction,
                incoming.stage,
                incoming.payload,
                incoming.messageId,
                incoming.sequence,
                incoming.attempts,
                incoming.nextAttempt
            ],
            ['Incoming', 'Waiting for remote', '{"seq":4}', 'm-4', 4, 2, null]
        );

        const limited = await client.readWork({ signalLimit: 1, eventLimit: 0 });
        assert.equal(limited.signals.length, 1);
        assert.deepEqual(limited.dueEvents, []);
        await assert.rejects(client.readWork({ signalLimit: 2001 }), SalesforceInputError);
    });

    void it('readConnections: every field and the triggers, in 1 call', async () => {
        const [triggerId] = insert('Sync_Trigger__c', [
            { Connection__c: connectionId, Filter__c: "Priority = 'High'", Active__c: true, Notes__c: 'hot ones' }
        ]);
        const { result: connections, calls } = await measured(emulator, client, () => client.readConnections());
        assert.equal(calls, 1);
        const connection = connections.find((candidate) => candidate.id === connectionId);
        assert.ok(connection);
        assert.deepEqual(
            { ...connection, triggers: undefined, syncedCaseCount: undefined },
            {
                id: connectionId,
                name: 'SalesforceA_to_ServiceNowB',
                localInstanceName: 'SalesforceA',
                remoteInstanceName: 'ServiceNowB',
                description: 'first connection',
                type: 'Public',
                mode: 'Basic',
                status: 'Active',
                role: 'Initiator',
                remotePlatform: 'ServiceNow',
                remoteNodeUrl: 'https://node-b.example',
                invitationId: '7b0c2c35-4a55-4a7e-9d55-0b9b5ac1f3a1',
                invitationExpires: '2026-11-24T10:00:00.000Z',
                acceptedBy: 'bob@b.example',
                acceptedAt: '2026-11-21T10:00:00.000Z',
                statusDetail: null,
                triggers: undefined,
                syncedCaseCount: undefined
            }
        );
        assert.equal(typeof connection.syncedCaseCount, 'number');
        assert.deepEqual(connection.triggers, [
            {
                id: triggerId,
                connectionId,
                filter: "Priority = 'High'",
                active: true,
                notes: 'hot ones',
                bulkRequested: null,
                bulkCompleted: null
            }
        ]);
        emulator.updateAs(connectorId, 'Sync_Trigger__c', [{ Id: triggerId, Active__c: false }]);
    });

    void it('readTwins: by Case, by id or all, Sync_State__c parsed (blank and broken tolerated), 1 call', async () => {
        const caseIds = insert('Case', [{ Subject: 't1' }, { Subject: 't2' }, { Subject: 't3' }]);
        const twinIds = insert(
            'Sync_Twin__c',
            caseIds.map((caseId, index) => ({
                Connection__c: connectionId,
                Case__c: caseId,
                Twin_Key__c: `${connectionId}:${caseId}`,
                Remote_Key__c: `INC00${index}`,
                Sync_Status__c: 'Synchronized',
                Last_Outgoing_Seq__c: 7,
                Echo_Modstamp__c: '2026-11-21T13:45:12.000Z',
                Sync_State__c: [JSON.stringify({ comments: { a: 'b' }, replica: { subject: 't1' } }), '   ', '{broken'][
                    index
                ]
            }))
        );
        const { result: byCase, calls } = await measured(emulator, client, () => client.readTwins({ caseIds }));
        assert.equal(calls, 1);
        assert.deepEqual(
            byCase.map((twin) => twin.id),
            twinIds
        );
        const [first, blank, broken] = byCase;
        assert.deepEqual(first.syncState, { comments: { a: 'b' }, replica: { subject: 't1' } });
        assert.equal(first.key, `${connectionId}:${caseIds[0]}`);
        assert.equal(first.remoteKey, 'INC000');
        assert.equal(first.syncStatus, 'Synchronized');
        assert.equal(first.lastOutgoingSeq, 7);
        assert.equal(first.lastIncomingSeq, null);
        assert.equal(first.echoModstamp, '2026-11-21T13:45:12.000Z');
        assert.match(first.name, /^TW-\d{6}$/);
        assert.match(first.systemModstamp, ISO);
        assert.equal(blank.syncState, null);
        assert.equal(blank.syncStateError, undefined);
        assert.equal(broken.syncState, null);
        assert.match(broken.syncStateError ?? '', /not valid JSON/);

        const { result: byId, calls: byIdCalls } = await measured(emulator, client, () =>
            client.readTwins({ twinIds: [twinIds[1]], caseIds: [caseIds[1], caseIds[2]] })
        );
        assert.equal(byIdCalls, 1, 'two queries, one Composite request');
        assert.deepEqual(
            byId.map((twin) => twin.id),
            [twinIds[1], twinIds[2]],
            'no twin twice'
        );
        const { result: all } = await measured(emulator, client, () => client.readTwins());
        assert.ok(twinIds.every((id) => all.some((twin) => twin.id === id)));
        const { result: none, calls: noCalls } = await measured(emulator, client, () =>
            client.readTwins({ caseIds: [] })
        );
        assert.deepEqual(none, []);
        assert.equal(noCalls, 0);
    });

    void it('readCases: 300 Cases with 2 public comments and 1 file each, in 1 call', async () => {
        const caseIds = insert(
            'Case',
            Array.from({ length: 300 }, (_, index) => ({ Subject: `bulk ${index}`, Description: `about ${index}` }))
        );
        insert(
            'CaseComment',
            caseIds.flatMap((caseId, index) => [
                { ParentId: caseId, CommentBody: `first of ${index}`, IsPublished: true },
                { ParentId: caseId, CommentBody: `private of ${index}`, IsPublished: false },
                { ParentId: caseId, CommentBody: `second of ${index}`, IsPublished: true }
            ]),
            agent.id
        );
        insert(
            'ContentVersion',
            caseIds.map((caseId, index) => ({
                Title: `log-${index}`,
                PathOnClient: `log-${index}.txt`,
                VersionData: Buffer.from(`log of case ${index}`).toString('base64'),
                FirstPublishLocationId: caseId
            }))
        );

        const { result: cases, calls } = await measured(emulator, client, () => client.readCases(caseIds));
        assert.equal(calls, 1, '2 queries of 200 and 100 ids, one Composite request');
        assert.equal(cases.length, 300);
        assert.deepEqual(
            cases.map((snapshot) => snapshot.id),
            caseIds,
            'in the order asked'
        );
        const sample = cases[123];
        assert.equal(sample.subject, 'bulk 123');
        assert.equal(sample.description, 'about 123');
        assert.match(sample.caseNumber, /^\d{8}$/);
        assert.match(sample.systemModstamp, ISO);
        assert.equal(sample.lastModifiedById, connectorId);
        assert.deepEqual(
            sample.comments.map((comment) => [comment.body, comment.authorName, comment.authorId]),
            [
                ['first of 123', 'Ada Agent', agent.id],
                ['second of 123', 'Ada Agent', agent.id]
            ]
        );
        assert.match(sample.comments[0].createdAt, ISO);
        assert.equal(sample.files.length, 1);
        const [file] = sample.files;
        assert.match(file.contentDocumentId, /^069/);
        assert.match(file.contentVersionId ?? '', /^068/);
        assert.equal(file.title, 'log-123');
        assert.equal(file.fileExtension, 'txt');
        assert.equal(file.size, Buffer.byteLength('log of case 123'));
        assert.equal(file.checksum, createHash('md5').update('log of case 123').digest('hex'));
    });

    void it('readCases: follows nextRecordsUrl when comments fill a batch (2,000 rows)', async () => {
        const caseIds = insert(
            'Case',
            Array.from({ length: 200 }, (_, index) => ({ Subject: `chatty ${index}` }))
        );
        insert(
            'CaseComment',
            caseIds.flatMap((caseId) =>
                Array.from({ length: 10 }, (_, index) => ({
                    ParentId: caseId,
                    CommentBody: `c${index}`,
                    IsPublished: true
                }))
            )
        );
        const { result: cases, calls } = await measured(emulator, client, () => client.readCases(caseIds));
        assert.equal(calls, 2, '2,200 rows: one batch, then one more');
        assert.equal(cases.length, 200);
        assert.ok(cases.every((snapshot) => snapshot.comments.length === 10));
    });

    void it('readCases: follows a child subquery cursor before the parent cursor', async () => {
        const [caseId] = insert('Case', [{ Subject: 'very chatty' }]);
        insert(
            'CaseComment',
            Array.from({ length: 250 }, (_, index) => ({
                ParentId: caseId,
                CommentBody: `n${index}`,
                IsPublished: true
            }))
        );
        // The emulator never pages child rows; an org does. Answer the Composite request as an org
        // would: the Case with its first 200 comments and a cursor (a real one) for the other 50.
        const raw = connectionFor(emulator);
        const firstBatch = await raw.request<{ records: JsonObject[]; nextRecordsUrl: string }>({
            method: 'GET',
            url: `/services/data/v65.0/query?q=${encodeURIComponent(
                `SELECT Id, CommentBody, CreatedById, CreatedBy.Name, CreatedDate FROM CaseComment WHERE ParentId = '${caseId}' ORDER BY CreatedDate ASC, Id ASC`
            )}`,
            headers: { 'Sforce-Query-Options': 'batchSize=200' }
        });
        assert.equal(firstBatch.records.length, 200);
        const [caseRow] = emulator.records('Case').filter((record) => record.Id === caseId);
        emulator.failNext(
            { method: 'POST', pathIncludes: '/composite' },
            {
                status: 200,
                body: {
                    compositeResponse: [
                        {
                            referenceId: 'r0',
                            httpStatusCode: 200,
                            httpHeaders: {},
                            body: {
                                totalSize: 1,
                                done: true,
                                records: [
                                    {
                                        attributes: { type: 'Case' },
                                        Id: caseId,
                                        CaseNumber: caseRow.CaseNumber,
                                        Subject: 'very chatty',
                                        Description: null,
                                        SystemModstamp: caseRow.SystemModstamp,
                                        LastModifiedById: connectorId,
                                        CaseComments: {
                                            totalSize: 250,
                                            done: false,
                                            nextRecordsUrl: firstBatch.nextRecordsUrl,
                                            records: firstBatch.records
                                        },
                                        ContentDocumentLinks: null
                                    }
                                ]
                            }
                        }
                    ]
                }
            }
        );
        const before = client.apiCalls;
        const [snapshot] = await client.readCases([caseId]);
        assert.equal(client.apiCalls - before, 2, 'the Case query, then the comments cursor');
        assert.equal(snapshot.comments.length, 250);
        assert.deepEqual(
            snapshot.comments.slice(198, 202).map((comment) => comment.body),
            ['n198', 'n199', 'n200', 'n201']
        );
    });

    void it('readCases: no call for no ids, and bad ids refused before any call', async () => {
        const before = emulator.apiCalls();
        assert.deepEqual(await client.readCases([]), []);
        await assert.rejects(client.readCases(["500Hp000000001aIAA' OR Subject != '"]), SalesforceInputError);
        await assert.rejects(client.readCases(['a00Hp0000000001IAA']), /starting with 500/);
        assert.equal(emulator.apiCalls(), before);
    });

    void it('matchTriggerFilters: 3 triggers in 1 call, the Case ids each filter matches', async () => {
        const [otherConnection] = insert('Sync_Connection__c', [
            {
                Name: 'SalesforceA_to_SalesforceC',
                Local_Instance_Name__c: 'SalesforceA',
                Remote_Instance_Name__c: 'SalesforceC'
            }
        ]);
        const [high, web, low] = insert('Case', [
            { Subject: 'hot', Priority: 'High', Origin: 'Phone' },
            { Subject: 'web', Priority: 'Medium', Origin: 'Web' },
            { Subject: 'quiet', Priority: 'Low', Origin: 'Email' }
        ]);
        const triggers = [
            { id: 'a04Hp0000000001IAA', connectionId, filter: "Priority = 'High'" },
            { id: 'a04Hp0000000002IAA', connectionId: otherConnection, filter: "Origin = 'Web' OR Priority = 'High'" },
            { id: 'a04Hp0000000003IAA', connectionId, filter: "Subject LIKE 'nothing%'" }
        ];
        const { result, calls } = await measured(emulator, client, () =>
            client.matchTriggerFilters([high, web, low], triggers)
        );
        assert.equal(calls, 1);
        assert.deepEqual(result.failures, []);
        assert.deepEqual(
            [...result.byCase.entries()],
            [
                [high, [connectionId, otherConnection]],
                [web, [otherConnection]]
            ]
        );
    });

    void it('matchTriggerFilters: the OR of a filter stays inside its parentheses', async () => {
        const [high, low] = insert('Case', [
            { Subject: 'inside', Priority: 'High' },
            { Subject: 'outside', Priority: 'Low' }
        ]);
        // Without parentheses `Id IN (high) AND Priority = 'Low' OR Priority = 'High'` would match
        // every High Case of the org, not only the ones asked about.
        const { byCase } = await client.matchTriggerFilters(
            [low],
            [{ id: 'a04Hp0000000004IAA', connectionId, filter: "Priority = 'Low' OR Priority = 'High'" }]
        );
        assert.deepEqual([...byCase.keys()], [low]);
        assert.ok(!byCase.has(high));
    });

    void it('matchTriggerFilters: bad filters are reported per trigger, the others still match', async () => {
        const [caseId] = insert('Case', [{ Subject: 'x', Priority: 'High' }]);
        const { result, calls } = await measured(emulator, client, () =>
            client.matchTriggerFilters(
                [caseId],
                [
                    { id: 'a04Hp0000000005IAA', connectionId, filter: "No_Such_Field__c = 'x'" },
                    { id: 'a04Hp0000000006IAA', connectionId, filter: "Priority = 'High') OR (Id != null" },
                    { id: 'a04Hp0000000007IAA', connectionId, filter: "Priority = 'High'" }
                ]
            )
        );
        assert.equal(calls, 1, 'the locally refused filter is never sent');
        assert.deepEqual([...result.byCase.entries()], [[caseId, [connectionId]]]);
        assert.deepEqual(
            result.failures.map((failure) => [failure.triggerId, failure.code]),
            [
                ['a04Hp0000000006IAA', 'INVALID_FILTER'],
                ['a04Hp0000000005IAA', 'INVALID_FIELD']
            ]
        );
    });

    void it('matchTriggerFilters: an injection through an id is refused before any call', async () => {
        const before = emulator.apiCalls();
        const clientBefore = client.apiCalls;
        await assert.rejects(
            client.matchTriggerFilters(
                ["500Hp000000001aIAA') OR (Id != null"],
                [{ id: 't', connectionId, filter: "Priority = 'High'" }]
            ),
            (error: unknown) => error instanceof SalesforceInputError && /is not a Case id/.test(error.message)
        );
        assert.equal(emulator.apiCalls(), before);
        assert.equal(client.apiCalls, clientBefore);
    });

    void it('matchTriggerFilters: 6 triggers take 2 calls (5 queries per Composite request)', async () => {
        const [caseId] = insert('Case', [{ Subject: 'six', Priority: 'High' }]);
        const triggers = Array.from({ length: 6 }, (_, index) => ({
            id: `a04Hp00000001${index}0IAA`,
            connectionId,
            filter: "Priority = 'High'"
        }));
        const { result, calls } = await measured(emulator, client, () =>
            client.matchTriggerFilters([caseId], triggers)
        );
        assert.equal(calls, 2);
        assert.deepEqual(result.byCase.get(caseId), [connectionId]);
    });

    void it('getConnectionSecret: the secret for the connector, a 403 that names the permission set otherwise', async () => {
        const secret = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';
        emulator.setConnectionSecret(connectionId, secret);
        const { result, calls } = await measured(emulator, client, () => client.getConnectionSecret(connectionId));
        assert.equal(result, secret);
        assert.equal(calls, 1);

        const outsider = clientFor(emulator, agent);
        await assert.rejects(outsider.getConnectionSecret(connectionId), (error: unknown) => {
            assert.ok(error instanceof SalesforceApiError);
            assert.equal(error.code, 'FORBIDDEN');
            assert.match(error.message, /Exalate Connector permission set/);
            assert.match(error.message, /Exalate_Connector/);
            assert.ok(!error.message.includes(secret));
            return true;
        });
        assert.equal(outsider.apiCalls, 1, 'a refused request is still a call');

        const [orphan] = insert('Sync_Connection__c', [
            { Name: 'no secret', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' }
        ]);
        await assert.rejects(
            client.getConnectionSecret(orphan),
            (error: unknown) =>
                error instanceof SalesforceApiError && error.code === 'NOT_FOUND' && error.message.includes(orphan)
        );
        const before = emulator.apiCalls();
        await assert.rejects(client.getConnectionSecret('../../sobjects/Case'), SalesforceInputError);
        assert.equal(emulator.apiCalls(), before);
    });

    void it('sends no automatic retry: a 503 surfaces at once as one call', async () => {
        emulator.failNext(
            { method: 'GET', pathIncludes: '/limits' },
            { status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down for maintenance' }] }
        );
        const before = client.apiCalls;
        await assert.rejects(
            client.refreshApiUsage(),
            (error: unknown) => error instanceof SalesforceApiError && error.code === 'SERVER_UNAVAILABLE'
        );
        assert.equal(client.apiCalls - before, 1, 'jsforce would have retried (a second call) after 500 ms');
        const usage = await client.refreshApiUsage();
        assert.equal(usage.limit, 15_000);
    });

    void it('uploadFile and downloadFile: 1 call each, bytes unchanged', async () => {
        const [caseId] = insert('Case', [{ Subject: 'with a file' }]);
        const bytes = Buffer.from(Array.from({ length: 1024 }, (_, index) => (index * 37) % 256));
        const { result: uploaded, calls } = await measured(emulator, client, () =>
            client.uploadFile({ caseId, fileName: 'dump.bin', bytes })
        );
        assert.equal(calls, 1, 'the create and the read of its document in one Composite request');
        assert.match(uploaded.contentVersionId, /^068/);
        assert.match(uploaded.contentDocumentId, /^069/);

        const [snapshot] = await client.readCases([caseId]);
        assert.deepEqual(snapshot.files, [
            {
                contentDocumentId: uploaded.contentDocumentId,
                contentVersionId: uploaded.contentVersionId,
                title: 'dump',
                fileExtension: 'bin',
                size: 1024,
                checksum: createHash('md5').update(bytes).digest('hex')
            }
        ]);
        const { result: downloaded, calls: downloadCalls } = await measured(emulator, client, () =>
            client.downloadFile(uploaded.contentVersionId)
        );
        assert.equal(downloadCalls, 1);
        assert.deepEqual(downloaded, bytes);

        await assert.rejects(client.downloadFile(caseId), /starting with 068/);
        await assert.rejects(
            client.downloadFile('068Hp0000009999IAA'),
            (error: unknown) => error instanceof SalesforceApiError && error.code === 'NOT_FOUND'
        );
        await assert.rejects(
            client.uploadFile({ caseId: '500Hp0000009999IAA', fileName: 'x.txt', bytes: Buffer.from('x') }),
            (error: unknown) => error instanceof SalesforceApiError
        );
    });
});
