// ServiceNow Table API emulator (test infrastructure): see docs/emulators.md.
export { startServiceNowEmulator } from './emulator.ts';
export type {
    AttachmentView,
    EmulatorUser,
    IncidentView,
    JournalEntry,
    ServiceNowEmulator,
    ServiceNowEmulatorOptions
} from './emulator.ts';
export type { OAuthClient } from './auth.ts';
export type { RateLimitRule } from './rate-limit.ts';
export type { FaultMatch, FaultResponse } from './server.ts';
