// The Salesforce <-> ServiceNow walk-through on the emulators runs to its end and says what it did.
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { runServiceNowDemo } from '../emulators/scenario/servicenow-demo.ts';

void it('the ServiceNow walk-through syncs a Case to an incident and an incident to a Case', async () => {
    const lines: string[] = [];
    const kept = await runServiceNowDemo({ out: (line) => lines.push(line) });
    assert.equal(kept, undefined, 'everything it started is closed');
    const text = lines.join('\n');
    assert.match(text, /Connections on ServiceNow: Salesforce_to_ServiceNow Active/);
    assert.match(text, /Case \d{8} -> INC\d{7} in \d+ ms/);
    assert.match(
        text,
        /Syncing INC\d{7} \(EV-\d{8}\)\n {2}Preparing\n[\s\S]* {2}Synchronized\nINC\d{7} is Synchronized as Case \d{8}\./
    );
    assert.match(text, /Case comments: 1 \(the work note stayed in ServiceNow\)/);
    assert.match(text, /Public CaseComment -> INC\d{7} in \d+ ms/);
});
