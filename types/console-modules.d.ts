// Platform modules used by the console (exalateConsole, exalateConnectionPage) that
// @salesforce/lightning-types does not declare. A script file (no top-level import or export), like
// platform-modules.d.ts, so that the `declare module` blocks declare modules rather than augment them.

declare module 'lightning/navigation' {
    import type { WireAdapterConstructor } from 'lwc';

    /** A page reference as the platform hands it out: state values arrive as strings. */
    export interface PageReference {
        type: string;
        attributes?: Record<string, unknown>;
        state?: Record<string, string | undefined>;
    }

    /** Wire adapter that provisions the current page reference (and every change to it). */
    export const CurrentPageReference: WireAdapterConstructor<Record<string, never>, PageReference | undefined>;
}
