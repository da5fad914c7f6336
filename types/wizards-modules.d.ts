// Platform modules used by the connection wizards that neither @salesforce/lightning-types nor
// platform-modules.d.ts declares. A script file (no top-level import or export), like
// platform-modules.d.ts, so that these stay ambient module declarations.

declare module '@salesforce/i18n/locale' {
    /** The user's locale, such as en-US. */
    const locale: string;
    export default locale;
}

declare module '@salesforce/i18n/timeZone' {
    /** The user's time zone, such as America/Los_Angeles. */
    const timeZone: string;
    export default timeZone;
}
