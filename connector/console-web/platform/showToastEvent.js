// lightning/platformShowToastEvent outside Salesforce: the same event Lightning Experience listens
// for (`lightning__showtoast`, bubbling and composed); main.js shows it with the base toast.
export class ShowToastEvent extends CustomEvent {
    constructor(detail) {
        super('lightning__showtoast', { bubbles: true, composed: true, cancelable: true, detail });
    }
}
