// Entry point of `npm run servicenow -- <command>`: see commands.ts.
import { main } from './commands.ts';

const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
});
const code = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stopRequested
});
process.exit(code);
