// The org's daily API request allocation, as the connector sees it, and the throttling rule.
//
// Salesforce meters every REST request against a rolling 24-hour allocation shared by every
// integration of the org (15,000 a day in a Developer Edition org). Running it dry stops the
// org's other integrations too, so the connector backs off well before the end:
//
//   remaining >= 10 % of the allocation   full speed
//   2 % <= remaining < 10 %               non-urgent work slowed down, more the closer to 2 %
//   remaining < 2 %                       non-urgent work stopped
//
// Urgent work (a sync a user asked for with the Exalate action) is never slowed; it stops only when
// nothing is left. Usage comes for free: every counted response carries `Sforce-Limit-Info:
// api-usage=<used>/<limit>`, which jsforce parses into `conn.limitInfo`; the Limits resource
// (`GET /limits`, itself one call) is read once at start so the rule applies from the first call.
//
// This module is pure logic: it is fed numbers and answers with numbers. It also counts the calls
// this process made, per operation, which is what the tests of the adapter assert on.

/** One reading of the allocation: calls used in the last 24 h and the allocation. */
export interface ApiUsage {
    readonly used: number;
    readonly limit: number;
}

/** Tuning of the throttling rule. */
export interface ApiBudgetOptions {
    /** Below this fraction of the allocation left, non-urgent work slows down (default 0.10). */
    readonly slowBelow?: number;
    /** Below this fraction left, non-urgent work stops (default 0.02). */
    readonly stopBelow?: number;
    /** Delay before a non-urgent call right above the stop threshold, in ms (default 60 s). */
    readonly maxDelayMs?: number;
}

/** Whether a call serves a user who is waiting (a requested sync) or background work. */
export interface CallUrgency {
    readonly urgent?: boolean;
}

/** The Limits resource's entry for the daily allocation. */
export interface DailyApiRequestsLimit {
    readonly Max: number;
    readonly Remaining: number;
}

/** Where the allocation stands for non-urgent work. */
export type BudgetState = 'unknown' | 'normal' | 'slow' | 'stopped';

/** The org's API allocation as last reported, the throttling rule, and the calls this process made. */
export class ApiBudget {
    private usage: ApiUsage | undefined;
    private calls = 0;
    private readonly perOperation = new Map<string, number>();
    private readonly slowBelow: number;
    private readonly stopBelow: number;
    private readonly maxDelayMs: number;

    constructor(options: ApiBudgetOptions = {}) {
        this.slowBelow = options.slowBelow ?? 0.1;
        this.stopBelow = options.stopBelow ?? 0.02;
        this.maxDelayMs = options.maxDelayMs ?? 60_000;
        if (!(this.stopBelow >= 0 && this.stopBelow < this.slowBelow && this.slowBelow <= 1)) {
            throw new RangeError('ApiBudget needs 0 <= stopBelow < slowBelow <= 1.');
        }
    }

    /** Calls used in the org's last 24 h, as last reported (undefined before the first report). */
    get used(): number | undefined {
        return this.usage?.used;
    }

    /** The org's daily allocation (undefined before the first report). */
    get limit(): number | undefined {
        return this.usage?.limit;
    }

    /** Calls left in the allocation (never negative; undefined before the first report). */
    get remaining(): number | undefined {
        return this.usage ? Math.max(0, this.usage.limit - this.usage.used) : undefined;
    }

    /** API calls this process made through the adapter (every counted request, failed ones included). */
    get callsMade(): number {
        return this.calls;
    }

    /** Calls made per operation name (`readWork`, `write`...). */
    callsByOperation(): Readonly<Record<string, number>> {
        return Object.fromEntries(this.perOperation);
    }

    /** Takes a reading (from `Sforce-Limit-Info`); readings without numbers are ignored. */
    observe(usage: ApiUsage | undefined): void {
        if (
            usage &&
            Number.isFinite(usage.used) &&
            Number.isFinite(usage.limit) &&
            usage.limit > 0 &&
            usage.used >= 0
        ) {
            this.usage = { used: usage.used, limit: usage.limit };
        }
    }

    /** Takes the reading of the Limits resource (`DailyApiRequests: {Max, Remaining}`). */
    observeLimits(daily: DailyApiRequestsLimit): void {
        this.observe({ used: daily.Max - daily.Remaining, limit: daily.Max });
    }

    /** Counts one API call made for `operation`, with the reading its response carried. */
    recordCall(operation: string, usage?: ApiUsage): void {
        this.calls += 1;
        this.perOperation.set(operation, (this.perOperation.get(operation) ?? 0) + 1);
        this.observe(usage);
    }

    /** The fraction of the allocation left (undefined before the first report). */
    remainingFraction(): number | undefined {
        const remaining = this.remaining;
        const limit = this.limit;
        return remaining === undefined || limit === undefined ? undefined : remaining / limit;
    }

    /** Where the allocation stands for non-urgent work. */
    state(): BudgetState {
        const fraction = this.remainingFraction();
        if (fraction === undefined) {
            return 'unknown';
        }
        if (fraction >= this.slowBelow) {
            return 'normal';
        }
        return fraction >= this.stopBelow ? 'slow' : 'stopped';
    }

    /**
     * How long to wait before the next call, in ms. Non-urgent: 0 while at least 10 % is left, then
     * growing linearly to maxDelayMs as the remainder falls to 2 %, and Infinity below 2 % (do not
     * call; look again after urgent calls or a refreshed reading). Urgent: 0 until nothing is left.
     */
    delayBeforeNextCall(urgency: CallUrgency = {}): number {
        const fraction = this.remainingFraction();
        if (fraction === undefined) {
            return 0;
        }
        if (urgency.urgent) {
            return this.remaining === 0 ? Number.POSITIVE_INFINITY : 0;
        }
        if (fraction >= this.slowBelow) {
            return 0;
        }
        if (fraction < this.stopBelow) {
            return Number.POSITIVE_INFINITY;
        }
        const depth = (this.slowBelow - fraction) / (this.slowBelow - this.stopBelow);
        return Math.max(1, Math.round(depth * this.maxDelayMs));
    }

    /** True when the next call of this urgency should wait (or not happen at all). */
    shouldThrottle(urgency: CallUrgency = {}): boolean {
        return this.delayBeforeNextCall(urgency) > 0;
    }
}
