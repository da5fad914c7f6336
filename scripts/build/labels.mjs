// Custom labels: every string a user reads comes from a Salesforce custom label, so that a
// subscriber org can translate it. Each component keeps its labels beside its code in
// lwc-src/<component>/labels.json ({ "Name": { "value": "...", "description": "..." } }); the
// build merges them into the one CustomLabels file that Salesforce deploys, and the Jest set-up
// serves the same values to the tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/;
const MAX_NAME_LENGTH = 80;
const MAX_VALUE_LENGTH = 1000;
const MAX_DESCRIPTION_LENGTH = 80;

/** Reads every lwc-src/<component>/labels.json; throws on a bad or duplicate label. */
export function collectLabels(sourceDir) {
    const labels = new Map();
    for (const component of readdirSync(sourceDir, { withFileTypes: true })) {
        const file = join(sourceDir, component.name, 'labels.json');
        if (!component.isDirectory() || !existsSync(file)) {
            continue;
        }
        const entries = JSON.parse(readFileSync(file, 'utf8'));
        for (const [name, label] of Object.entries(entries)) {
            const where = `lwc-src/${component.name}/labels.json: ${name}`;
            if (!NAME.test(name) || name.length > MAX_NAME_LENGTH) {
                throw new Error(
                    `${where}: a label name has letters, digits and single underscores, at most ${MAX_NAME_LENGTH} characters`
                );
            }
            if (labels.has(name)) {
                throw new Error(`${where}: also defined in lwc-src/${labels.get(name).component}/labels.json`);
            }
            if (
                typeof label?.value !== 'string' ||
                label.value.trim() === '' ||
                label.value.length > MAX_VALUE_LENGTH
            ) {
                throw new Error(`${where}: "value" must be text of 1 to ${MAX_VALUE_LENGTH} characters`);
            }
            const description = label.description ?? label.value;
            labels.set(name, {
                value: label.value,
                description:
                    description.length > MAX_DESCRIPTION_LENGTH
                        ? `${description.slice(0, MAX_DESCRIPTION_LENGTH - 3)}...`
                        : description,
                component: component.name
            });
        }
    }
    return labels;
}

function escapeXml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The CustomLabels metadata file for all labels, sorted by name so the output is stable. */
export function renderCustomLabels(labels) {
    const entries = [...labels.entries()].sort(([a], [b]) => a.localeCompare(b));
    const body = entries
        .map(
            ([name, label]) => `    <labels>
        <fullName>${name}</fullName>
        <categories>Exalate,${label.component}</categories>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>${escapeXml(label.description)}</shortDescription>
        <value>${escapeXml(label.value)}</value>
    </labels>`
        )
        .join('\n');
    return `<?xml version="1.0" encoding="UTF-8" ?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
${body}
</CustomLabels>
`;
}
