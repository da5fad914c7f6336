// Starts the Salesforce API emulator from a shell and serves until Ctrl-C:
//   node --import tsx connector/emulators/salesforce/cli.ts --port 0 [--namespace ns]
//        [--daily-api-limit 15000] [--streaming-hold-ms 25000]
// Prints the instance URL, the connector user's username and access token, and an agent user
// (no Exalate permission set) whose writes the package's triggers signal.

import { startSalesforceEmulator } from './emulator.ts';

function option(name: string): string | undefined {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? undefined : process.argv[index + 1];
}

const emulator = await startSalesforceEmulator({
    port: Number(option('port') ?? '0'),
    namespace: option('namespace') ?? '',
    dailyApiLimit: option('daily-api-limit') === undefined ? undefined : Number(option('daily-api-limit')),
    streamingConnectTimeoutMs:
        option('streaming-hold-ms') === undefined ? undefined : Number(option('streaming-hold-ms'))
});
const agent = emulator.createUser({ name: 'Support Agent', username: 'agent@exalate.emulator' });

process.stdout.write(
    [
        'Salesforce API emulator (test infrastructure)',
        `instance URL:  ${emulator.instanceUrl}`,
        `login URL:     ${emulator.loginUrl}`,
        `API version:   ${emulator.apiVersion}`,
        `username:      ${emulator.connectorUser.username}   (Exalate_Connector permission set)`,
        `access token:  ${emulator.connectorUser.accessToken}`,
        `agent user:    ${agent.username}`,
        `agent token:   ${agent.accessToken}`,
        'Serving until Ctrl-C.',
        ''
    ].join('\n')
);

let stopping = false;
const stop = (): void => {
    if (stopping) {
        return;
    }
    stopping = true;
    void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
