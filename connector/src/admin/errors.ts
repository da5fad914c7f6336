// A refusal of the admin API: the message is the one the package's Apex gives the console for the
// same mistake (an AuraHandledException), fit to show as it is.

export class AdminError extends Error {
    override readonly name = 'AdminError';

    constructor(
        message: string,
        /** The HTTP status the admin API answers with. */
        readonly status = 400
    ) {
        super(message);
    }
}

/** The refusals shared by several operations, worded as the Apex words them. */
export const MESSAGES = {
    connectionGone: 'This connection no longer exists.',
    eventGone: 'This sync event no longer exists, or you do not have access to its Case.',
    queueEventGone: 'This event no longer exists.',
    onlyFailed: 'Only failed events can be retried.',
    twinGone: 'This Case is no longer under sync on that connection.',
    triggerGone: 'This trigger no longer exists.',
    triggerNotActive: 'This trigger is not active. Activate it first: Bulk Exalate runs only active triggers.',
    caseRefRequired: 'Enter a Case number, such as 00001027, or a Case id.',
    invitationUsed: 'This invitation code was already used.'
} as const;
