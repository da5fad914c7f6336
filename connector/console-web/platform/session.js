// The admin token of the console outside Salesforce. The connector hands it over once in the URL
// fragment (`#token=...`), which browsers never send to a server; it is kept in sessionStorage so a
// reload keeps working while closing the tab forgets it, and it is removed from the address bar so
// it does not end up in the history, a bookmark or a screenshot.
const STORAGE_KEY = 'exalate.adminToken';

/** Moves a `#token=` of the current URL into sessionStorage; call once, before anything renders. */
export function adoptTokenFromUrl() {
    const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const token = fragment.get('token');
    if (token === null) {
        return;
    }
    if (token !== '') {
        window.sessionStorage.setItem(STORAGE_KEY, token);
    }
    fragment.delete('token');
    const rest = fragment.toString();
    const url = `${window.location.pathname}${window.location.search}${rest === '' ? '' : `#${rest}`}`;
    window.history.replaceState(window.history.state, '', url);
}

/** The token for the admin API, or undefined when the page was opened without one. */
export function adminToken() {
    return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}
