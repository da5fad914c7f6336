import ERROR_GENERIC from '@salesforce/label/c.Error_Generic';

/**
 * Turns whatever an Apex call or a component threw into one sentence for the user.
 * AuraHandledException messages arrive as `body.message`; record errors as `body.pageErrors`.
 */
export function errorMessage(error: unknown): string {
    if (typeof error === 'string') {
        return error;
    }
    if (error && typeof error === 'object') {
        const body = (error as { body?: unknown }).body;
        if (body && typeof body === 'object') {
            const message = (body as { message?: unknown }).message;
            if (typeof message === 'string' && message) {
                return message;
            }
            const pageErrors = (body as { pageErrors?: { message?: string }[] }).pageErrors;
            if (Array.isArray(pageErrors) && pageErrors.length > 0 && pageErrors[0].message) {
                return pageErrors.map((pageError) => pageError.message).join(' ');
            }
        }
        const message = (error as { message?: unknown }).message;
        if (typeof message === 'string' && message) {
            return message;
        }
    }
    return ERROR_GENERIC;
}
