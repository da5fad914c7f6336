// The naive baseline of the benchmark: the same engine, with the org adapter's batching switched
// off. Every read asks for one record and every write sends one record, as a connector that syncs
// record by record would (a query per Case, a request per comment). Results are identical; only
// the number of API calls differs.
import type { OrgPort } from '../src/engine/ports.ts';
import type {
    Snapshot,
    SnapshotRequest,
    TriggerMatches,
    WriteOutcome,
    WritePlan,
    WriteResult
} from '../src/salesforce/types.ts';

const EMPTY_RESULT: WriteResult = {
    createCases: [],
    updateCases: [],
    createComments: [],
    upsertTwins: [],
    updateTwins: [],
    createEvents: [],
    updateEvents: [],
    updateConnections: [],
    updateTriggers: [],
    deleteSignals: []
};

type PlanKey = keyof WritePlan;

const RESULT_OF: Record<PlanKey, keyof WriteResult> = {
    createCases: 'createCases',
    updateCases: 'updateCases',
    createComments: 'createComments',
    upsertTwins: 'upsertTwins',
    updateTwins: 'updateTwins',
    createEvents: 'createEvents',
    updateEvents: 'updateEvents',
    updateConnections: 'updateConnections',
    updateTriggers: 'updateTriggers',
    deleteSignalIds: 'deleteSignals'
};

/** Wraps an org so that each read and write carries one record. */
export function naiveOrg(org: OrgPort): OrgPort {
    return {
        get apiCalls() {
            return org.apiCalls;
        },
        readWork: (options) => org.readWork(options),
        readConnections: () => org.readConnections(),
        getConnectionSecret: (id) => org.getConnectionSecret(id),
        downloadFile: (id) => org.downloadFile(id),
        uploadFile: (input) => org.uploadFile(input),
        subscribeWake: (onWake, options) => org.subscribeWake(onWake, options),
        casesForBulk: org.casesForBulk?.bind(org),
        async readSnapshot(request: SnapshotRequest): Promise<Snapshot> {
            const result: Snapshot = { cases: [], twins: [], events: [] };
            const seenTwins = new Set<string>();
            const addTwins = (twins: Snapshot['twins']): void => {
                for (const twin of twins) {
                    if (!seenTwins.has(twin.id)) {
                        seenTwins.add(twin.id);
                        result.twins.push(twin);
                    }
                }
            };
            for (const caseId of request.caseIds ?? []) {
                result.cases.push(...(await org.readSnapshot({ caseIds: [caseId] })).cases);
            }
            const twins = request.twins;
            if (twins !== undefined) {
                for (const caseId of twins.caseIds ?? []) {
                    addTwins((await org.readSnapshot({ twins: { caseIds: [caseId] } })).twins);
                }
                for (const twinId of twins.twinIds ?? []) {
                    addTwins((await org.readSnapshot({ twins: { twinIds: [twinId] } })).twins);
                }
                for (const remoteKey of twins.remoteKeys ?? []) {
                    addTwins(
                        (
                            await org.readSnapshot({
                                twins: { connectionId: twins.connectionId, remoteKeys: [remoteKey] }
                            })
                        ).twins
                    );
                }
            }
            for (const messageId of request.messageIds ?? []) {
                result.events.push(...(await org.readSnapshot({ messageIds: [messageId] })).events);
            }
            return result;
        },
        async matchTriggerFilters(caseIds, triggers): Promise<TriggerMatches> {
            const byCase = new Map<string, string[]>();
            const failures: TriggerMatches['failures'] = [];
            for (const caseId of caseIds) {
                for (const trigger of triggers) {
                    const one = await org.matchTriggerFilters([caseId], [trigger]);
                    for (const [id, connections] of one.byCase) {
                        byCase.set(id, [...(byCase.get(id) ?? []), ...connections]);
                    }
                    failures.push(...one.failures);
                }
            }
            return { byCase, failures };
        },
        async write(plan: WritePlan): Promise<WriteResult> {
            const result: Record<keyof WriteResult, WriteOutcome[]> = { ...EMPTY_RESULT, updateTriggers: [] };
            for (const key of Object.keys(RESULT_OF) as PlanKey[]) {
                const entries = (plan[key] ?? []) as readonly unknown[];
                const outcomes = [];
                for (const entry of entries) {
                    const one = await org.write({ [key]: [entry] });
                    outcomes.push(...(one[RESULT_OF[key]] ?? []));
                }
                result[RESULT_OF[key]] = outcomes;
            }
            return result;
        }
    };
}
