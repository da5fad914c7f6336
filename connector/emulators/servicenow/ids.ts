// Record identities: 32-hex sys_ids and the numbers of Number Maintenance (prefix plus zero-padded
// digits, incidents starting at INC0010001 as on a base instance).
import { randomBytes } from 'node:crypto';

export function newSysId(): string {
    return randomBytes(16).toString('hex');
}

export class NumberMaintenance {
    private next: number;
    private readonly prefix: string;
    private readonly digits: number;

    constructor(prefix: string, start = 10001, digits = 7) {
        this.prefix = prefix;
        this.next = start;
        this.digits = digits;
    }

    take(): string {
        return `${this.prefix}${String(this.next++).padStart(this.digits, '0')}`;
    }
}
