// Entry of the console outside Salesforce. It takes the admin token out of the URL first, then
// mounts either the console (the Exalate app tab) or, with `?c__recordId=<Case id>`, a stand-in of
// a Case record page with the Exalate action and sync panel. Toasts that Lightning Experience would
// show are shown by the base toast.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import Toast from 'lightning/toast';
import ExalateConsole from 'c/exalateConsole';
import CasePage from 'web/casePage';
import { adoptTokenFromUrl } from './platform/session.js';

adoptTokenFromUrl();

document.addEventListener('lightning__showtoast', (event) => {
    const { title, message, variant, mode } = event.detail ?? {};
    // The base toast needs a label; a platform toast may have only a message.
    Toast.show({
        label: title || message,
        message: title ? message : undefined,
        variant: variant ?? 'info',
        mode: mode ?? 'dismissible'
    });
});

const app = document.getElementById('app');
if (new URLSearchParams(window.location.search).has('c__recordId')) {
    app.appendChild(createElement('web-case-page', { is: CasePage }));
} else {
    app.appendChild(createElement('c-exalate-console', { is: ExalateConsole }));
}
