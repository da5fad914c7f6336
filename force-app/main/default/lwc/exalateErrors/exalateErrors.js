import ERROR_GENERIC from '@salesforce/label/c.Error_Generic';
/**
 * Turns whatever an Apex call or a component threw into one sentence for the user.
 * AuraHandledException messages arrive as `body.message`; record errors as `body.pageErrors`.
 */
export function errorMessage(error) {
    if (typeof error === 'string') {
        return error;
    }
    if (error && typeof error === 'object') {
        const body = error.body;
        if (body && typeof body === 'object') {
            const message = body.message;
            if (typeof message === 'string' && message) {
                return message;
            }
            const pageErrors = body.pageErrors;
            if (Array.isArray(pageErrors) && pageErrors.length > 0 && pageErrors[0].message) {
                return pageErrors.map((pageError) => pageError.message).join(' ');
            }
        }
        const message = error.message;
        if (typeof message === 'string' && message) {
            return message;
        }
    }
    return ERROR_GENERIC;
}
