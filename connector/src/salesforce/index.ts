// The Salesforce adapter's public surface: what the sync engine imports. Everything here speaks
// plain TypeScript types; jsforce stays behind SalesforceOrgClient.
export { ApiBudget } from './api-budget.ts';
export type { ApiBudgetOptions, ApiUsage, BudgetState, CallUrgency } from './api-budget.ts';
export { connectOrg, reconnectOrg, SALESFORCE_API_VERSION } from './auth.ts';
export type { JwtAuthOptions, OrgAuthOptions, SfCliAuthOptions, TokenAuthOptions } from './auth.ts';
export { SalesforceApiError } from './errors.ts';
export { isSalesforceId, SalesforceInputError, toId18 } from './ids.ts';
export { apiNames, normalizeNamespace } from './names.ts';
export type { ApiNames } from './names.ts';
export { SalesforceOrgClient } from './org-client.ts';
export type { ReadTwinsOptions, ReadWorkOptions, SalesforceOrgClientOptions, UploadFileInput } from './org-client.ts';
export type * from './types.ts';
export type { WakeHandler, WakeSubscriptionOptions } from './wake-stream.ts';
export type { WriteOptions } from './write-plan.ts';
