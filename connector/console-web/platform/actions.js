// lightning/actions outside Salesforce: the event that closes a quick action's screen; the Case
// page stand-in in main.js closes its action panel on it.
export class CloseActionScreenEvent extends CustomEvent {
    constructor() {
        super('lightning__closeactionscreen', { bubbles: true, composed: true, detail: null });
    }
}
