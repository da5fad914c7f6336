// The naive baseline of the ServiceNow node: the same node, with the REST adapter's batching switched
// off. Every read by sys_id, number, link key or user asks for one record, and a trigger query over
// a list of incidents asks about one incident at a time, as a node that syncs record by record would.
// Writes carry one record already (the Table API has no batch write). The change feed's query over
// `sys_updated_on` is left as it is: it is the node's queue read, as the naive org's readWork is.
// Results are identical; only the number of REST calls differs.
import type { Buffer } from 'node:buffer';
import type { Incident, IncidentApi, IncidentQuery, JournalComment } from '../src/servicenow/incident-api.ts';

async function oneByOne<T, R>(items: readonly T[], read: (one: readonly T[]) => Promise<R[]>): Promise<R[]> {
    const result: R[] = [];
    for (const item of items) {
        result.push(...(await read([item])));
    }
    return result;
}

/** `sys_idIN<a,b,c>^<filter>`: the trigger match of the side, split into one query per incident. */
const SYS_ID_LIST = /^sys_idIN([^^]*)\^(.*)$/s;

/** Wraps a ServiceNow REST adapter so that each read carries one record. */
export function naiveIncidentApi(api: IncidentApi): IncidentApi {
    return {
        get apiCalls() {
            return api.apiCalls;
        },
        get userName() {
            return api.userName;
        },
        async queryIncidents(query: IncidentQuery): Promise<Incident[]> {
            const list = SYS_ID_LIST.exec(query.query);
            if (list === null) {
                return api.queryIncidents(query);
            }
            const [, ids, filter] = list;
            return oneByOne(
                ids.split(',').filter((id) => id !== ''),
                (one) => api.queryIncidents({ ...query, query: `sys_idIN${one.join(',')}^${filter}` })
            );
        },
        getIncidents: (sysIds) => oneByOne(sysIds, (one) => api.getIncidents(one)),
        getIncidentsByNumber: (numbers) => oneByOne(numbers, (one) => api.getIncidentsByNumber(one)),
        getIncidentsByCorrelationId: (ids) => oneByOne(ids, (one) => api.getIncidentsByCorrelationId(one)),
        createIncident: (fields) => api.createIncident(fields),
        updateIncident: (sysId, fields) => api.updateIncident(sysId, fields),
        addComment: (incidentSysId, text) => api.addComment(incidentSysId, text),
        readComments: (sysIds): Promise<JournalComment[]> => oneByOne(sysIds, (one) => api.readComments(one)),
        listAttachments: (sysIds) => oneByOne(sysIds, (one) => api.listAttachments(one)),
        attachmentsCreatedSince: (since, limit, offset) => api.attachmentsCreatedSince(since, limit, offset),
        uploadAttachment: (input) => api.uploadAttachment(input),
        downloadAttachment: (sysId): Promise<Buffer> => api.downloadAttachment(sysId),
        async userDisplayNames(userNames): Promise<Map<string, string>> {
            const names = new Map<string, string>();
            for (const userName of userNames) {
                for (const [name, display] of await api.userDisplayNames([userName])) {
                    names.set(name, display);
                }
            }
            return names;
        }
    };
}
