import { errorMessage } from 'c/exalateErrors';

describe('c/exalateErrors', () => {
    it('uses the message of an AuraHandledException', () => {
        expect(errorMessage({ body: { message: 'This connection no longer exists.' } })).toBe(
            'This connection no longer exists.'
        );
    });

    it('joins the page errors of a record error', () => {
        expect(errorMessage({ body: { pageErrors: [{ message: 'First.' }, { message: 'Second.' }] } })).toBe(
            'First. Second.'
        );
    });

    it('uses the message of a JavaScript error and a plain string as they are', () => {
        expect(errorMessage(new Error('Network is down'))).toBe('Network is down');
        expect(errorMessage('Plain text')).toBe('Plain text');
    });

    it('falls back to a sentence the user can act on', () => {
        expect(errorMessage(undefined)).toMatch(/Try again/);
        expect(errorMessage({ body: {} })).toMatch(/Try again/);
    });
});
