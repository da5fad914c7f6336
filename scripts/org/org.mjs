// Scratch-org commands for whoever has a Dev Hub. They use the Salesforce CLI pinned in
// devDependencies (node_modules/.bin/sf), so no global install is needed.
//
//   npm run org:create [-- alias]   scratch org from config/project-scratch-def.json (default alias exalate)
//   npm run org:deploy [-- alias]   build the components, deploy force-app, assign the permission sets
//   npm run org:test   [-- alias]   run every Apex test in the org with code coverage
//   npm run org:open   [-- alias]   open the Exalate console
//   npm run org:delete [-- alias]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sf = join(root, 'node_modules', '.bin', 'sf');
const [command, alias = 'exalate'] = process.argv.slice(2);

function run(executable, args) {
    console.log(`> ${[executable === sf ? 'sf' : executable, ...args].join(' ')}`);
    const result = spawnSync(executable, args, {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_SKIP_NEW_VERSION_CHECK: 'true' }
    });
    if (result.status !== 0) {
        process.exit(result.status ?? 1);
    }
}

const commands = {
    create: () =>
        run(sf, [
            'org',
            'create',
            'scratch',
            '--definition-file',
            'config/project-scratch-def.json',
            '--alias',
            alias,
            '--set-default',
            '--duration-days',
            '7',
            '--wait',
            '15'
        ]),
    deploy: () => {
        run(process.execPath, ['scripts/build/build-lwc.mjs']);
        run(sf, ['project', 'deploy', 'start', '--source-dir', 'force-app', '--target-org', alias, '--wait', '30']);
        run(sf, [
            'org',
            'assign',
            'permset',
            '--name',
            'Exalate_Admin',
            '--name',
            'Exalate_User',
            '--target-org',
            alias
        ]);
    },
    test: () =>
        run(sf, [
            'apex',
            'run',
            'test',
            '--target-org',
            alias,
            '--code-coverage',
            '--result-format',
            'human',
            '--wait',
            '30',
            '--test-level',
            'RunLocalTests'
        ]),
    open: () => run(sf, ['org', 'open', '--target-org', alias, '--path', '/lightning/n/Exalate_Console']),
    delete: () => run(sf, ['org', 'delete', 'scratch', '--target-org', alias, '--no-prompt'])
};

if (!commands[command]) {
    console.error(`usage: node scripts/org/org.mjs <${Object.keys(commands).join('|')}> [alias]`);
    process.exit(2);
}
commands[command]();
