// Jest stand-in for lightning/actions (sfdx-lwc-jest has no stub for it): the event a screen
// action dispatches to close itself.
export const CLOSE_ACTION_EVENT = 'lightning__actionsclosescreen';

export class CloseActionScreenEvent extends CustomEvent {
    constructor() {
        super(CLOSE_ACTION_EVENT, { bubbles: true, composed: true });
    }
}
