// A Salesforce <-> ServiceNow walk-through on the emulators (test infrastructure): an emulated org
// with its connector, an emulated instance with its ServiceNow node, connected by an invitation
// code; a Case becomes an incident, an incident synced by number becomes a Case, comments cross
// both ways and work notes stay home. Run it with
//
//   node --import tsx connector/emulators/scenario/servicenow-demo.ts [--keep]
//
// `--keep` leaves everything running (URLs and users printed) until Ctrl-C.
import { fileURLToPath } from 'node:url';
import { addComments, createCase, eventually, exalate, publicComments, textOf } from './two-org-stack.ts';
import type { Side } from './two-org-stack.ts';
import { startServiceNowStack } from './servicenow-stack.ts';
import type { ServiceNowStack } from './servicenow-stack.ts';

export interface DemoOptions {
    readonly out: (line: string) => void;
    /** Leave the stack running and answer it (the caller closes it). */
    readonly keep?: boolean;
}

function salesforceSide(stack: ServiceNowStack): Side {
    return {
        name: 'Salesforce',
        org: stack.sf.org,
        agent: stack.sf.agent,
        connector: stack.sf.connector,
        connectionId: stack.sf.connectionId,
        log: stack.sf.log,
        restart: () => Promise.reject(new Error('not part of the demo'))
    };
}

/** Runs the walk-through; answers the stack when `keep`, after closing it otherwise. */
export async function runServiceNowDemo(options: DemoOptions): Promise<ServiceNowStack | undefined> {
    const { out } = options;
    const started = Date.now();
    const stack = await startServiceNowStack({ initiator: 'salesforce', feedIntervalMs: 1000 });
    try {
        const side = salesforceSide(stack);
        const { sn } = stack;
        const agent = sn.instance.agent.userName;
        out(`Salesforce org (emulated)      ${stack.sf.org.instanceUrl}, connector at ${stack.sf.connector.nodeUrl}`);
        out(`ServiceNow instance (emulated) ${sn.instance.url}, node at ${sn.connector.nodeUrl}`);
        out('Salesforce initiated the connection; the ServiceNow admin accepted its invitation code.');
        out(
            `Connections on ServiceNow: ${sn.console
                .connections()
                .map((c) => `${c.name} ${c.status}`)
                .join(', ')}`
        );
        out('');

        const caseId = createCase(side, {
            subject: 'Printer on fire',
            description: 'Third floor, the big one.',
            comments: ['Customer called twice.'],
            privateComments: ['Internal: the budget is gone.']
        });
        let t = Date.now();
        exalate(side, caseId);
        const caseNumber = textOf(
            stack.sf.org.records('Case').find((row) => row.Id === caseId),
            'CaseNumber'
        );
        const incident = await eventually('the incident', () => {
            const view = sn.instance.incidents().find((v) => v.record.short_description === 'Printer on fire');
            return view && view.comments.length === 1 ? view : undefined;
        });
        out(`Case ${caseNumber} -> ${incident.record.number} in ${Date.now() - t} ms`);
        out(`  short_description: ${incident.record.short_description}`);
        out(`  additional comment: ${incident.comments[0].value.split('\n')[0]} ...`);
        out('  (the private CaseComment stayed in Salesforce)');
        out('');

        const created = sn.instance.createIncidentAs(agent, {
            short_description: 'VPN drops every hour',
            description: 'Since Monday.',
            comments: 'First seen on the office Wi-Fi.'
        });
        sn.instance.addWorkNoteAs(agent, created.record.number, 'Internal: suspect the new firewall.');
        out(`$ npm run servicenow -- sync "${sn.console.connections()[0].name}" ${created.record.number}`);
        const requested = await sn.console.sync(sn.connectionId, created.record.number);
        out(`Syncing ${requested.incidentNumber} (${requested.eventName})`);
        const followed = await sn.console.follow(requested.eventId, (stage) => out(`  ${stage}`), {
            timeoutMs: 30_000
        });
        out(
            `${requested.incidentNumber} is ${followed.stage ?? 'queued'}${followed.twin?.remoteKey ? ` as Case ${followed.twin.remoteKey}` : ''}.`
        );
        const mirrorId = await eventually('the Case', () => {
            const twin = stack.sf.org
                .records('Sync_Twin__c')
                .find((row) => row.Remote_Key__c === created.record.number);
            return twin === undefined ? undefined : textOf(twin, 'Case__c');
        });
        out(`  Case comments: ${publicComments(side, mirrorId).length} (the work note stayed in ServiceNow)`);
        out('');

        t = Date.now();
        sn.instance.addCommentAs(agent, created.record.number, 'Only on the office Wi-Fi.');
        await eventually('the comment on the Case', () =>
            publicComments(side, mirrorId).some((body) => body.endsWith('Only on the office Wi-Fi.'))
        );
        out(
            `Additional comment on ${created.record.number} -> Case in ${Date.now() - t} ms (the node reads changes every second here)`
        );
        t = Date.now();
        addComments(side, mirrorId, ['Replaced the access point.']);
        await eventually('the comment on the incident', () =>
            sn.instance
                .incident(created.record.sys_id)
                ?.comments.some((c) => c.value.endsWith('Replaced the access point.'))
        );
        out(`Public CaseComment -> ${created.record.number} in ${Date.now() - t} ms`);
        out(`ServiceNow REST calls by the node so far: ${sn.instance.apiCalls(sn.instance.serviceAccount.userName)}`);
        out(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        if (options.keep === true) {
            out('');
            out(`Agent on ServiceNow: ${agent} / ${sn.instance.agent.password}; the node's store: ${sn.storePath}`);
            return stack;
        }
    } catch (error) {
        await stack.close();
        throw error;
    }
    await stack.close();
    return undefined;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
    const keep = process.argv.includes('--keep');
    const stack = await runServiceNowDemo({ out: (line) => process.stdout.write(`${line}\n`), keep });
    if (stack !== undefined) {
        process.stdout.write('Running until Ctrl-C.\n');
        const alive = setInterval(() => undefined, 60_000);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        clearInterval(alive);
        await stack.close();
    }
}
