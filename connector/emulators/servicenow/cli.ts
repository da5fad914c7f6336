// Starts the ServiceNow Table API emulator from a shell and serves until Ctrl-C:
//   node --import tsx connector/emulators/servicenow/cli.ts [--port 0] [--rate-limit 1000]
//        [--token-ttl 1799]
// Prints the instance URL, the integration user, the agent user and the OAuth client.
import { startServiceNowEmulator } from './emulator.ts';

function option(name: string): string | undefined {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? undefined : process.argv[index + 1];
}

const rateLimit = option('rate-limit');
const tokenTtl = option('token-ttl');
const emulator = await startServiceNowEmulator({
    port: Number(option('port') ?? '0'),
    rateLimit: rateLimit === undefined ? undefined : { limit: Number(rateLimit) },
    accessTokenTtlSeconds: tokenTtl === undefined ? undefined : Number(tokenTtl)
});

process.stdout.write(
    [
        'ServiceNow Table API emulator (test infrastructure)',
        `instance URL:    ${emulator.url}`,
        `service account: ${emulator.serviceAccount.userName} / ${emulator.serviceAccount.password}`,
        `agent user:      ${emulator.agent.userName} / ${emulator.agent.password}`,
        `OAuth client:    ${emulator.oauthClient.clientId} / ${emulator.oauthClient.clientSecret}  (POST ${emulator.url}/oauth_token.do)`,
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
