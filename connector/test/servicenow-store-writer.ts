// A process that writes to a ServiceNow store as fast as it can, for the crash test: each round
// writes, in ONE transaction, a twin, its event, a signal and the watermark, and prints the round's
// number only after the commit returned. Whatever it printed was acknowledged and must survive a
// kill -9; whatever it did not print must be either wholly there or wholly absent.
import { writeSync } from 'node:fs';
import { ServiceNowStore } from '../src/servicenow/store/servicenow-store.ts';

const [path, firstArg] = process.argv.slice(2);
const store = ServiceNowStore.open(path);
const connectionId =
    store.readConnections()[0]?.id ??
    store.insertConnection(
        {
            name: 'crash',
            localInstanceName: 'ServiceNow',
            remoteInstanceName: 'Salesforce',
            description: null,
            type: 'Public',
            status: 'Active',
            role: 'Initiator',
            remotePlatform: 'Salesforce',
            remoteNodeUrl: 'http://127.0.0.1:1',
            invitationId: '00000000-0000-4000-8000-000000000001',
            invitationExpires: null,
            acceptedBy: null,
            acceptedAt: null
        },
        'c2VjcmV0'
    );
writeSync(1, 'ready\n');
for (let round = Number(firstArg); ; round += 1) {
    store.transaction(() => {
        const twin = store.upsertTwin(`crash:${round}`, connectionId, {
            caseId: `sys${round}`,
            syncStatus: 'Sending',
            lastOutgoingSeq: 1,
            syncState: { summary: `round ${round}`, big: 'x'.repeat(round % 7 === 0 ? 20_000 : 10) }
        });
        store.createEvent({
            connectionId,
            twinId: twin.id,
            caseId: `sys${round}`,
            direction: 'Outgoing',
            stage: 'Sending',
            messageId: `message-${round}`,
            sequence: 1,
            payload: JSON.stringify({ round })
        });
        store.insertSignal({ caseId: `sys${round}`, kind: 'Case', recordId: null, underSync: true });
        store.writeWatermark('incidents', { value: String(round).padStart(10, '0'), seenAtValue: [`sys${round}`] });
    });
    writeSync(1, `${round}\n`);
}
