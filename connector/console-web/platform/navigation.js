// lightning/navigation outside Salesforce. The console reads only `CurrentPageReference` (its
// `c__invitation` state); the page's `c__*` query parameters play that part here, as the URL's
// `?c__invitation=` does on the Lightning tab. NavigationMixin opens plain URLs.

function currentPageReference() {
    const state = {};
    for (const [name, value] of new URLSearchParams(window.location.search)) {
        if (name.startsWith('c__')) {
            state[name] = value;
        }
    }
    return { type: 'standard__navItemPage', attributes: { apiName: 'Exalate_Console' }, state };
}

/** Wire adapter: the page reference now, and again when the history moves. */
export class CurrentPageReference {
    constructor(dataCallback) {
        this.dataCallback = dataCallback;
        this.onPopState = () => this.dataCallback(currentPageReference());
    }
    connect() {
        window.addEventListener('popstate', this.onPopState);
        this.dataCallback(currentPageReference());
    }
    update() {}
    disconnect() {
        window.removeEventListener('popstate', this.onPopState);
    }
}

function urlOf(pageReference) {
    const url = pageReference?.attributes?.url;
    if (typeof url === 'string') {
        return url;
    }
    const query = new URLSearchParams(pageReference?.state ?? {}).toString();
    return `${window.location.pathname}${query === '' ? '' : `?${query}`}`;
}

const NAVIGATE = Symbol('Navigate');
const GENERATE_URL = Symbol('GenerateUrl');

/** The mixin's two methods; only `standard__webPage` URLs and this page's state have a meaning here. */
export function NavigationMixin(Base) {
    return class extends Base {
        [NAVIGATE](pageReference, replace) {
            const url = urlOf(pageReference);
            if (replace) {
                window.location.replace(url);
            } else {
                window.location.assign(url);
            }
        }
        [GENERATE_URL](pageReference) {
            return Promise.resolve(urlOf(pageReference));
        }
    };
}
NavigationMixin.Navigate = NAVIGATE;
NavigationMixin.GenerateUrl = GENERATE_URL;
