// The org's daily API request allocation, counted as Salesforce counts it: every request under
// /services/data/vXX.X/** and /services/apexrest/** is one call, however many records or
// subrequests it carries (a Composite or an sObject Collections request is one call; a Composite
// Batch request is one per subrequest). OAuth token requests, the versions list
// (/services/data) and streaming (CometD) traffic are not counted. Every counted response
// carries `Sforce-Limit-Info: api-usage=<used>/<limit>`; past the limit requests are refused
// with 403 REQUEST_LIMIT_EXCEEDED.

import type { JsonObject } from './json.ts';

export class ApiUsage {
    private used = 0;
    private readonly limit: number;

    constructor(limit: number) {
        this.limit = limit;
    }

    /** Counts `calls` calls if the allocation allows it; false when the limit is exhausted. */
    tryConsume(calls = 1): boolean {
        if (this.used + calls > this.limit) {
            return false;
        }
        this.used += calls;
        return true;
    }

    count(): number {
        return this.used;
    }

    max(): number {
        return this.limit;
    }

    reset(): void {
        this.used = 0;
    }

    header(): string {
        return `api-usage=${this.used}/${this.limit}`;
    }
}

export interface LimitsSnapshot {
    apiUsage: ApiUsage;
    deliveredEvents: number;
    publishedEventsLastHour: number;
    streamingClients: number;
    dataStorageMb: number;
    fileStorageMb: number;
}

function limit(max: number, used: number): JsonObject {
    return { Max: max, Remaining: Math.max(0, max - used) };
}

/**
 * The Limits resource (`GET /services/data/vXX.X/limits`): `{Max, Remaining}` per limit. The
 * allocations other than DailyApiRequests are those of a Developer Edition org.
 */
export function limitsResource(snapshot: LimitsSnapshot): JsonObject {
    const { apiUsage } = snapshot;
    return {
        ActiveScratchOrgs: limit(3, 0),
        ConcurrentAsyncGetReportInstances: limit(200, 0),
        ConcurrentSyncReportRuns: limit(20, 0),
        DailyAnalyticsDataflowJobExecutions: limit(60, 0),
        DailyApiRequests: limit(apiUsage.max(), apiUsage.count()),
        DailyAsyncApexExecutions: limit(250000, 0),
        DailyBulkApiBatches: limit(15000, 0),
        DailyBulkV2QueryFileStorageMB: limit(976562, 0),
        DailyBulkV2QueryJobs: limit(10000, 0),
        DailyDeliveredPlatformEvents: limit(10000, snapshot.deliveredEvents),
        DailyDurableGenericStreamingApiEvents: limit(10000, 0),
        DailyDurableStreamingApiEvents: limit(10000, 0),
        DailyGenericStreamingApiEvents: limit(10000, 0),
        DailyScratchOrgs: limit(6, 0),
        DailyStandardVolumePlatformEvents: limit(10000, 0),
        DailyStreamingApiEvents: limit(10000, 0),
        DailyWorkflowEmails: limit(405, 0),
        DataStorageMB: limit(5, snapshot.dataStorageMb),
        DurableStreamingApiConcurrentClients: limit(20, snapshot.streamingClients),
        FileStorageMB: limit(20, snapshot.fileStorageMb),
        HourlyAsyncReportRuns: limit(1200, 0),
        HourlyDashboardRefreshes: limit(200, 0),
        HourlyDashboardResults: limit(5000, 0),
        HourlyDashboardStatuses: limit(999999999, 0),
        HourlyODataCallout: limit(10000, 0),
        HourlyPublishedPlatformEvents: limit(50000, snapshot.publishedEventsLastHour),
        HourlyPublishedStandardVolumePlatformEvents: limit(1000, 0),
        HourlySyncReportRuns: limit(500, 0),
        HourlyTimeBasedWorkflow: limit(50, 0),
        MassEmail: limit(10, 0),
        MonthlyPlatformEventsUsageEntitlement: limit(0, 0),
        PermissionSets: limit(1500, 0),
        SingleEmail: limit(15, 0),
        StreamingApiConcurrentClients: limit(20, snapshot.streamingClients)
    };
}
