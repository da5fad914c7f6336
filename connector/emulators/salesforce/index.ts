// Salesforce API emulator (test infrastructure): see docs/emulators.md.
export { startSalesforceEmulator } from './emulator.ts';
export type { EmulatorUser, SalesforceEmulator, SalesforceEmulatorOptions } from './emulator.ts';
export type { FaultMatch, FaultResponse } from './server.ts';
export type { Json, JsonObject } from './json.ts';
export { DmlFailure } from './org.ts';
