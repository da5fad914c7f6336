// Platform modules that @salesforce/lightning-types does not declare.
// This file must stay a script (no top-level import or export): a top-level import would turn the
// `declare module` blocks below into augmentations and the wildcard modules would stop resolving.

declare module '@salesforce/apex/*' {
    import type { WireAdapterConstructor } from 'lwc';
    // An Apex method is both callable imperatively and usable with @wire.
    type ApexMethod = ((params?: Record<string, unknown>) => Promise<any>) & WireAdapterConstructor<any, any, any>;
    const apexMethod: ApexMethod;
    export default apexMethod;
}

declare module 'lightning/platformShowToastEvent' {
    export interface ToastOptions {
        title?: string;
        message: string;
        variant?: 'info' | 'success' | 'warning' | 'error';
        mode?: 'dismissible' | 'pester' | 'sticky';
    }
    export class ShowToastEvent extends CustomEvent<ToastOptions> {
        constructor(options: ToastOptions);
    }
}

declare module 'lightning/actions' {
    export class CloseActionScreenEvent extends CustomEvent<null> {
        constructor();
    }
}

declare module '@salesforce/label/*' {
    const label: string;
    export default label;
}
