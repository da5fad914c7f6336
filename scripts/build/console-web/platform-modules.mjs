// The rollup plugin that gives the console's Salesforce-only imports a browser meaning: every
// `@salesforce/apex/<Class>.<method>` becomes a call to the connector's admin API, custom labels
// become their values from lwc-src's labels.json, and the platform modules that only Lightning
// Experience provides (navigation, toast event, quick actions, the user's locale) come from
// connector/console-web/platform/. It runs before @lwc/rollup-plugin so these names never reach
// the base components' own stubs.
import { join } from 'node:path';

const PREFIX = '\0console-web:';

/**
 * @param {object} options
 * @param {string} options.platformDir folder of the browser stand-ins (apex.js, navigation.js, ...)
 * @param {Map<string, {value: string}>} options.labels custom labels by name (collectLabels)
 */
export function platformModules({ platformDir, labels }) {
    const files = {
        'lightning/navigation': join(platformDir, 'navigation.js'),
        'lightning/platformShowToastEvent': join(platformDir, 'showToastEvent.js'),
        'lightning/actions': join(platformDir, 'actions.js')
    };
    const apexRuntime = JSON.stringify(join(platformDir, 'apex.js'));
    const used = { apex: new Set(), labels: new Set() };

    /** Source of a virtual module, or undefined when the name is not one of ours. */
    function virtualSource(name) {
        let match = /^@salesforce\/apex\/([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(name);
        if (match) {
            used.apex.add(`${match[1]}.${match[2]}`);
            return `import { apexMethod } from ${apexRuntime};\nexport default apexMethod(${JSON.stringify(match[1])}, ${JSON.stringify(match[2])});\n`;
        }
        match = /^@salesforce\/label\/c\.(\w+)$/.exec(name);
        if (match) {
            const label = labels.get(match[1]);
            if (label === undefined) {
                throw new Error(`${name}: no lwc-src/*/labels.json defines the label ${match[1]}`);
            }
            used.labels.add(match[1]);
            return `export default ${JSON.stringify(label.value)};\n`;
        }
        if (name === '@salesforce/i18n/locale') {
            // The browser's language stands for the user's Salesforce locale.
            return "export default navigator.language || 'en-US';\n";
        }
        if (name === '@salesforce/i18n/timeZone') {
            return "export default Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';\n";
        }
        if (name === '@salesforce/i18n/lang') {
            return "export default (navigator.language || 'en-US').split('-')[0];\n";
        }
        // The admin API authorises each call itself; a permission check in the page only hides things.
        if (name.startsWith('@salesforce/customPermission/') || name.startsWith('@salesforce/userPermission/')) {
            return 'export default true;\n';
        }
        match = /^@salesforce\/schema\/(\w+)(?:\.(\w+(?:\.\w+)*))?$/.exec(name);
        if (match) {
            // The same shape Salesforce gives: an object or a field reference.
            const value = match[2] ? { objectApiName: match[1], fieldApiName: match[2] } : { objectApiName: match[1] };
            return `export default ${JSON.stringify(value)};\n`;
        }
        if (name === '@salesforce/user/Id') {
            return 'export default undefined;\n';
        }
        return undefined;
    }

    return {
        name: 'console-web-platform-modules',
        used,
        resolveId(importee) {
            if (Object.hasOwn(files, importee)) {
                return files[importee];
            }
            if (
                importee.startsWith('@salesforce/apex/') ||
                importee.startsWith('@salesforce/label/c.') ||
                importee.startsWith('@salesforce/customPermission/') ||
                importee.startsWith('@salesforce/userPermission/') ||
                importee.startsWith('@salesforce/schema/') ||
                importee === '@salesforce/user/Id' ||
                importee === '@salesforce/i18n/locale' ||
                importee === '@salesforce/i18n/timeZone' ||
                importee === '@salesforce/i18n/lang'
            ) {
                return `${PREFIX}${importee}`;
            }
            return null;
        },
        load(id) {
            if (!id.startsWith(PREFIX)) {
                return null;
            }
            const source = virtualSource(id.slice(PREFIX.length));
            if (source === undefined) {
                throw new Error(`console-web: no browser equivalent for ${id.slice(PREFIX.length)}`);
            }
            return source;
        }
    };
}
