// Inbound REST rate limiting: a rule of N requests per hour (or a shorter window) for each user, as
// an admin configures in sys_rate_limit_rules. Counted requests carry X-RateLimit-* headers; one
// over the limit is refused with 429, Retry-After (seconds) and ServiceNow's error body.
import { SnApiError } from './errors.ts';
import type { Clock } from './time.ts';

export interface RateLimitRule {
    /** Requests allowed per window and per user. */
    readonly limit: number;
    /** Window length; an instance counts per hour. */
    readonly windowSeconds?: number;
}

export class RateLimiter {
    private rule: RateLimitRule | undefined;
    private readonly windows = new Map<string, { start: number; count: number }>();
    private readonly clock: Clock;

    constructor(clock: Clock, rule: RateLimitRule | undefined) {
        this.clock = clock;
        this.rule = rule;
    }

    set(rule: RateLimitRule | undefined): void {
        this.rule = rule;
        this.windows.clear();
    }

    /** Counts a request of this user; throws the 429 when the rule refuses it. Returns headers to add. */
    admit(userName: string): Record<string, string> {
        const rule = this.rule;
        if (!rule) {
            return {};
        }
        const windowMs = (rule.windowSeconds ?? 3600) * 1000;
        const now = this.clock().getTime();
        let window = this.windows.get(userName);
        if (!window || now >= window.start + windowMs) {
            window = { start: now, count: 0 };
            this.windows.set(userName, window);
        }
        const reset = window.start + windowMs;
        const headers = {
            'X-RateLimit-Limit': String(rule.limit),
            'X-RateLimit-Reset': String(Math.ceil(reset / 1000)),
            'X-RateLimit-Rule': 'b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4'
        };
        if (window.count >= rule.limit) {
            throw new SnApiError(
                429,
                'Rate limit exceeded',
                `Too many requests for user ${userName}: the limit is ${rule.limit} per ${rule.windowSeconds ?? 3600} seconds`,
                { ...headers, 'Retry-After': String(Math.max(1, Math.ceil((reset - now) / 1000))) }
            );
        }
        window.count++;
        return headers;
    }
}
