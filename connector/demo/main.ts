// `npm run demo`: the product on this machine, on emulators (test infrastructure).
//
//   npm run demo                            two Salesforce orgs syncing Cases (connector/demo/two-orgs.ts)
//   npm run demo -- --private               the same, SalesforceB private
//   npm run demo -- --servicenow            Salesforce <-> ServiceNow (connector/demo/servicenow.ts)
//   npm run demo -- --servicenow --private  the same, the ServiceNow node private
//   npm run demo -- --consoles              a Salesforce and a ServiceNow console in the browser, to connect and sync by hand
//   npm run demo -- --consoles --two-orgs   the same with two Salesforce orgs
//   --keep                                  leave the first two running until Ctrl-C
import { parseArgs } from 'node:util';

const USAGE =
    'usage: npm run demo -- [--servicenow | --consoles] [--private] [--keep]\n' +
    '       --consoles --two-orgs: two Salesforce orgs instead of an org and a ServiceNow instance';

let flags: { servicenow?: boolean; consoles?: boolean; 'two-orgs'?: boolean; private?: boolean; keep?: boolean };
try {
    flags = parseArgs({
        options: {
            servicenow: { type: 'boolean', default: false },
            consoles: { type: 'boolean', default: false },
            'two-orgs': { type: 'boolean', default: false },
            private: { type: 'boolean', default: false },
            keep: { type: 'boolean', default: false }
        },
        strict: true
    }).values;
} catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
}

const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
};

try {
    if (flags.servicenow === true && flags.consoles === true) {
        process.stderr.write(
            `--servicenow and --consoles are two different demos: choose one (--consoles already has a ServiceNow console).\n${USAGE}\n`
        );
        process.exitCode = 2;
    } else if (flags['two-orgs'] === true && flags.consoles !== true) {
        process.stderr.write(`--two-orgs goes with --consoles.\n${USAGE}\n`);
        process.exitCode = 2;
    } else if (flags.servicenow === true) {
        const { runServiceNowDemo } = await import('./servicenow.ts');
        const { problems } = await runServiceNowDemo({
            out,
            privateServiceNow: flags.private === true,
            keep: flags.keep === true
        });
        process.exitCode = problems.length === 0 ? 0 : 1;
    } else if (flags.consoles === true) {
        const { runConsolesDemo } = await import('./consoles.ts');
        await runConsolesDemo({ out, privateB: flags.private === true, twoOrgs: flags['two-orgs'] === true });
    } else {
        // The two-org demo reads --private and --keep itself.
        await import('./two-orgs.ts');
    }
} catch (error) {
    process.stderr.write(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
}
