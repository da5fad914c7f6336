// The ServiceNow REST adapter: IncidentApi over the Table API and the Attachment API.
export { RestIncidentApi } from './rest-incident-api.ts';
export type { RestIncidentApiOptions } from './rest-incident-api.ts';
export type { HttpClientOptions, ServiceNowAuth } from './http-client.ts';
export { ServiceNowApiError } from './errors.ts';
export type { ServiceNowErrorKind } from './errors.ts';
export { fromGlideDateTime, toGlideDateTime } from './dates.ts';

import type { IncidentApi } from '../incident-api.ts';
import type { RestIncidentApiOptions } from './rest-incident-api.ts';
import { RestIncidentApi } from './rest-incident-api.ts';

export function createServiceNowRestApi(options: RestIncidentApiOptions): IncidentApi {
    return new RestIncidentApi(options);
}
