// Records through the sObject resources of the Salesforce emulator, driven by jsforce: Case
// CRUD, field validation as Salesforce reports it, files, and the package's custom objects.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { API_VERSION, connectionAs, idOf, putUnderSync, rejection } from './salesforce-fixture.ts';

const SALESFORCE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

interface CaseRecord {
    Id: string;
    CaseNumber: string;
    Subject: string | null;
    Description: string | null;
    Status: string;
    Priority: string;
    IsClosed: boolean;
    OwnerId: string;
    CreatedById: string;
    CreatedDate: string;
    LastModifiedDate: string;
    SystemModstamp: string;
}

void describe('Salesforce emulator: sObject resources', () => {
    let emulator: SalesforceEmulator;
    let conn: Connection;

    before(async () => {
        emulator = await startSalesforceEmulator();
        conn = connectionAs(emulator);
    });
    after(async () => {
        await emulator.close();
    });

    void it('creates, reads, updates and deletes a Case, with its CaseNumber and system fields', async () => {
        const created = await conn
            .sobject('Case')
            .create({ Subject: 'Printer on fire', Description: 'Smoke everywhere' });
        const id = idOf(created);
        assert.match(id, /^500[A-Za-z0-9]{15}$/);
        assert.deepEqual(created.errors, []);

        const record = (await conn.sobject('Case').retrieve(id)) as unknown as CaseRecord;
        assert.match(record.CaseNumber, /^\d{8}$/);
        assert.ok(Number(record.CaseNumber) >= 1000);
        assert.equal(record.Status, 'New', 'Status defaults to New');
        assert.equal(record.Priority, 'Medium', 'Priority defaults to Medium');
        assert.equal(record.IsClosed, false);
        assert.equal(record.OwnerId, emulator.connectorUser.id);
        assert.equal(record.CreatedById, emulator.connectorUser.id);
        assert.match(record.CreatedDate, SALESFORCE_DATETIME);
        assert.equal(record.SystemModstamp, record.CreatedDate);

        const second = idOf(await conn.sobject('Case').create({ Subject: 'second' }));
        const secondRecord = (await conn.sobject('Case').retrieve(second)) as unknown as CaseRecord;
        assert.equal(Number(secondRecord.CaseNumber), Number(record.CaseNumber) + 1, 'case numbers are consecutive');

        const update = await conn.sobject('Case').update({ Id: id, Subject: 'Printer fixed', Status: 'Closed' });
        assert.equal(update.success, true);
        const updated = (await conn.sobject('Case').retrieve(id)) as unknown as CaseRecord;
        assert.equal(updated.Subject, 'Printer fixed');
        assert.equal(updated.IsClosed, true);
        assert.ok(updated.SystemModstamp > record.SystemModstamp, 'SystemModstamp moves forward on every write');
        assert.equal(updated.CreatedDate, record.CreatedDate);

        const fields = (await conn
            .sobject('Case')
            .retrieve(id, { fields: ['Subject', 'Status'] })) as unknown as Record<string, unknown>;
        assert.deepEqual(Object.keys(fields), ['attributes', 'Subject', 'Status']);

        const destroyed = await conn.sobject('Case').destroy(id);
        assert.equal(destroyed.success, true);
        const gone = await rejection(conn.sobject('Case').retrieve(id));
        assert.equal(gone.errorCode, 'ENTITY_IS_DELETED');
        const unknown = await rejection(conn.sobject('Case').retrieve('500Hp00000ZZZZZAAA'));
        assert.equal(unknown.errorCode, 'NOT_FOUND');
    });

    void it('answers 404 NOT_FOUND as Salesforce does', async () => {
        const response = await fetch(
            `${emulator.instanceUrl}/services/data/v${API_VERSION}/sobjects/Case/500Hp0000000zzz`,
            {
                headers: { Authorization: `Bearer ${emulator.connectorUser.accessToken}` }
            }
        );
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), [
            { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }
        ]);
        const noType = await rejection(conn.sobject('Nope__c').create({ Name: 'x' }));
        assert.equal(noType.errorCode, 'NOT_FOUND');
    });

    void it('reports field validation errors with the errorCode Salesforce uses', async () => {
        const tooLong = await rejection(conn.sobject('Case').create({ Subject: 'x'.repeat(256) }));
        assert.equal(tooLong.errorCode, 'STRING_TOO_LONG');
        assert.deepEqual((tooLong.data as { fields: string[] }).fields, ['Subject']);

        const unknownField = await rejection(conn.sobject('Case').create({ Subjekt: 'typo' }));
        assert.equal(unknownField.errorCode, 'INVALID_FIELD');
        assert.equal(unknownField.message, "No such column 'Subjekt' on sobject of type Case");

        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'with comments' }));
        const missing = await rejection(conn.sobject('CaseComment').create({ ParentId: caseId }));
        assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
        assert.deepEqual((missing.data as { fields: string[] }).fields, ['CommentBody']);

        const tooLongComment = await rejection(
            conn.sobject('CaseComment').create({ ParentId: caseId, CommentBody: 'é'.repeat(2001) })
        );
        assert.equal(tooLongComment.errorCode, 'STRING_TOO_LONG', 'CommentBody is limited to 4,000 bytes');

        const connection = await rejection(
            conn.sobject('Sync_Connection__c').create({
                Name: 'c',
                Local_Instance_Name__c: 'A',
                Remote_Instance_Name__c: 'B',
                Status__c: 'Sleeping'
            })
        );
        assert.equal(connection.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');

        const malformed = await rejection(
            conn.sobject('CaseComment').create({ ParentId: 'not-an-id', CommentBody: 'x' })
        );
        assert.equal(malformed.errorCode, 'MALFORMED_ID');

        const readOnly = await rejection(conn.sobject('Case').create({ CaseNumber: '123' }));
        assert.equal(readOnly.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');

        const badType = await rejection(
            conn.sobject('CaseComment').create({ ParentId: caseId, CommentBody: 'x', IsPublished: 'yes' })
        );
        assert.equal(badType.errorCode, 'JSON_PARSER_ERROR');
    });

    void it('describes objects with fields, relationships and child relationships', async () => {
        const caseDescribe = await conn.sobject('Case').describe();
        const subject = caseDescribe.fields.find((field) => field.name === 'Subject');
        assert.equal(subject?.type, 'string');
        assert.equal(subject?.length, 255);
        assert.equal(caseDescribe.fields.find((field) => field.name === 'Description')?.length, 32000);
        const relationships = caseDescribe.childRelationships.map((relationship) => relationship.relationshipName);
        assert.ok(relationships.includes('CaseComments'));
        assert.ok(relationships.includes('ContentDocumentLinks'));
        assert.ok(relationships.includes('Sync_Twins__r'));

        const twin = await conn.sobject('Sync_Twin__c').describe();
        const connectionField = twin.fields.find((field) => field.name === 'Connection__c');
        assert.deepEqual(connectionField?.referenceTo, ['Sync_Connection__c']);
        assert.equal(connectionField?.relationshipName, 'Connection__r');
        assert.equal(connectionField?.nillable, false);
        assert.equal(connectionField?.updateable, false, 'the master-detail is not reparentable');
        const key = twin.fields.find((field) => field.name === 'Twin_Key__c');
        assert.equal(key?.unique, true);
        assert.equal(key?.externalId, true);
        const status = twin.fields.find((field) => field.name === 'Sync_Status__c');
        assert.equal(status?.restrictedPicklist, true);
        const picklist = (status?.picklistValues ?? []) as { value: string; defaultValue: boolean }[];
        assert.equal(picklist.find((value) => value.defaultValue)?.value, 'Preparing');

        const global = await conn.describeGlobal();
        const names = global.sobjects.map((object) => object.name);
        assert.ok(names.includes('Sync_Twin__c'));
        assert.ok(
            !names.includes('Connection_Secret__c'),
            'a protected custom setting is invisible from outside the package'
        );
    });

    void it('keeps the protected Connection_Secret__c out of reach of the API', async () => {
        const write = await rejection(conn.sobject('Connection_Secret__c').create({ Name: 'x', Secret__c: 'y' }));
        assert.equal(write.errorCode, 'NOT_FOUND');
        const read = await rejection(conn.query('SELECT Secret__c FROM Connection_Secret__c'));
        assert.equal(read.errorCode, 'INVALID_TYPE');
    });

    void it('uploads a file as a ContentVersion, downloads VersionData and links it to the Case', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'with a file' }));
        const data = Buffer.from('%PDF-1.4 emulated file content\n');
        const versionId = idOf(
            await conn.sobject('ContentVersion').create({
                Title: 'Invoice',
                PathOnClient: 'invoice.pdf',
                VersionData: data.toString('base64'),
                FirstPublishLocationId: caseId
            })
        );
        assert.match(versionId, /^068/);
        const version = (await conn.sobject('ContentVersion').retrieve(versionId)) as unknown as Record<
            string,
            unknown
        >;
        assert.equal(version.ContentSize, data.length);
        assert.equal(version.FileExtension, 'pdf');
        assert.equal(version.Checksum, createHash('md5').update(data).digest('hex'));
        assert.equal(
            version.VersionData,
            `/services/data/v${API_VERSION}/sobjects/ContentVersion/${versionId}/VersionData`
        );
        const documentId = String(version.ContentDocumentId);
        assert.match(documentId, /^069/);

        const chunks: Buffer[] = [];
        for await (const chunk of conn.sobject('ContentVersion').record(versionId).blob('VersionData')) {
            chunks.push(Buffer.from(chunk as Buffer));
        }
        assert.deepEqual(Buffer.concat(chunks), data);

        const links = await conn.query<{
            ContentDocumentId: string;
            ShareType: string;
            ContentDocument: { Title: string; LatestPublishedVersionId: string };
        }>(
            `SELECT ContentDocumentId, ShareType, ContentDocument.Title, ContentDocument.LatestPublishedVersionId FROM ContentDocumentLink WHERE LinkedEntityId = '${caseId}'`
        );
        assert.equal(links.totalSize, 1);
        assert.equal(links.records[0].ContentDocumentId, documentId);
        assert.equal(links.records[0].ContentDocument.Title, 'Invoice');
        assert.equal(links.records[0].ContentDocument.LatestPublishedVersionId, versionId);

        const unfiltered = await rejection(conn.query('SELECT Id FROM ContentDocumentLink'));
        assert.equal(unfiltered.errorCode, 'MALFORMED_QUERY', 'ContentDocumentLink needs an Id filter, as in an org');
    });

    void it('refuses a second twin with the same Twin_Key__c (unique external id)', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'twinned' }));
        const { connectionId, twinId } = await putUnderSync(conn, caseId, 'duplicate-test');
        const duplicate = await rejection(
            conn.sobject('Sync_Twin__c').create({
                Connection__c: connectionId,
                Case__c: caseId,
                Twin_Key__c: `${connectionId}:${caseId}`.toUpperCase()
            })
        );
        assert.equal(duplicate.errorCode, 'DUPLICATE_VALUE');
        assert.match(duplicate.message, new RegExp(`duplicates value on record with id: ${twinId}`));
    });

    void it('names twins by auto number, counts them on the connection and deletes them with it', async () => {
        const caseA = idOf(await conn.sobject('Case').create({ Subject: 'A' }));
        const caseB = idOf(await conn.sobject('Case').create({ Subject: 'B' }));
        const { connectionId, twinId } = await putUnderSync(conn, caseA, 'rollup-test');
        const twinB = idOf(
            await conn
                .sobject('Sync_Twin__c')
                .create({ Connection__c: connectionId, Case__c: caseB, Twin_Key__c: `${connectionId}:${caseB}` })
        );
        const twin = (await conn.sobject('Sync_Twin__c').retrieve(twinId)) as unknown as Record<string, unknown>;
        assert.match(String(twin.Name), /^TW-\d{6}$/);
        assert.equal(twin.Sync_Status__c, 'Preparing', 'picklist default');

        const connection = await conn.query<{
            Synced_Case_Count__c: number;
            Status__c: string;
            Twins__r: { totalSize: number };
        }>(
            `SELECT Synced_Case_Count__c, Status__c, (SELECT Id, Case__r.Subject FROM Twins__r ORDER BY Name) FROM Sync_Connection__c WHERE Id = '${connectionId}'`
        );
        assert.equal(connection.records[0].Synced_Case_Count__c, 2);
        assert.equal(connection.records[0].Status__c, 'Pending');
        assert.equal(connection.records[0].Twins__r.totalSize, 2);

        await conn.sobject('Sync_Twin__c').destroy(twinB);
        const after = (await conn.sobject('Sync_Connection__c').retrieve(connectionId)) as unknown as Record<
            string,
            unknown
        >;
        assert.equal(after.Synced_Case_Count__c, 1);

        await conn.sobject('Sync_Connection__c').destroy(connectionId);
        const remaining = await conn.query(`SELECT Id FROM Sync_Twin__c WHERE Id = '${twinId}'`);
        assert.equal(remaining.totalSize, 0, 'master-detail children are deleted with the master');
        const recycled = await conn.query(`SELECT Id, IsDeleted FROM Sync_Twin__c WHERE Id = '${twinId}'`, {
            scanAll: true
        });
        assert.equal(recycled.totalSize, 1, 'queryAll still sees it in the recycle bin');
    });

    void it('clears a lookup when its target is deleted (SetNull)', async () => {
        const caseId = idOf(await conn.sobject('Case').create({ Subject: 'to delete' }));
        const { twinId } = await putUnderSync(conn, caseId, 'setnull-test');
        await conn.sobject('Case').destroy(caseId);
        const twin = (await conn.sobject('Sync_Twin__c').retrieve(twinId)) as unknown as Record<string, unknown>;
        assert.equal(twin.Case__c, null);
    });

    void it('publishes a platform event with POST /sobjects/Sync_Wake__e and stores nothing', async () => {
        const result = await conn.sobject('Sync_Wake__e').create({ Reason__c: 'retry' });
        assert.equal(result.success, true);
        assert.match(String(result.id), /^e00/);
        const query = await rejection(conn.query('SELECT Id FROM Sync_Wake__e'));
        assert.equal(query.errorCode, 'INVALID_TYPE');
        const events = emulator.publishedEvents('/event/Sync_Wake__e');
        const last = events.at(-1) as { data: { payload: Record<string, unknown> } };
        assert.equal(last.data.payload.Reason__c, 'retry');
    });

    void it('upserts by external id (201 created, 200 updated)', async () => {
        const connectionId = idOf(
            await conn
                .sobject('Sync_Connection__c')
                .create({ Name: 'upsert-test', Local_Instance_Name__c: 'A', Remote_Instance_Name__c: 'B' })
        );
        const first = await conn
            .sobject('Sync_Event__c')
            .upsert({ Message_Id__c: 'msg-1', Connection__c: connectionId, Sequence__c: 1 }, 'Message_Id__c');
        assert.equal((first as { created?: boolean }).created, true);
        const second = await conn
            .sobject('Sync_Event__c')
            .upsert({ Message_Id__c: 'msg-1', Sequence__c: 2 }, 'Message_Id__c');
        assert.equal((second as { created?: boolean }).created, false);
        const events = await conn.query<{ Sequence__c: number; Attempts__c: number; Name: string }>(
            "SELECT Sequence__c, Attempts__c, Name FROM Sync_Event__c WHERE Message_Id__c = 'msg-1'"
        );
        assert.equal(events.totalSize, 1);
        assert.equal(events.records[0].Sequence__c, 2);
        assert.equal(events.records[0].Attempts__c, 0, 'number default');
        assert.match(events.records[0].Name, /^EV-\d{8}$/);
    });
});
