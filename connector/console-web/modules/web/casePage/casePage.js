// Stand-in of a Case record page outside Salesforce (`?c__recordId=<Case id>`): the Exalate quick
// action, opened by its button and closed by the action's own close event, beside the Exalate sync
// status panel.
import { LightningElement } from 'lwc';

export default class CasePage extends LightningElement {
    recordId = new URLSearchParams(window.location.search).get('c__recordId');
    actionOpen = false;

    connectedCallback() {
        // The platform's quick-action close event: its name cannot be bound in a template.
        this.template.addEventListener('lightning__closeactionscreen', () => {
            this.actionOpen = false;
        });
    }

    handleOpenAction() {
        this.actionOpen = true;
    }
}
