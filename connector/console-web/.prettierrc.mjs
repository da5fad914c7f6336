// The project's Prettier settings, plus: the templates here are LWC templates (as in lwc-src), whose
// `attr={value}` bindings the plain HTML parser would quote.
import { readFileSync } from 'node:fs';

const project = JSON.parse(readFileSync(new URL('../../.prettierrc', import.meta.url), 'utf8'));

export default {
    ...project,
    overrides: [...(project.overrides ?? []), { files: '*.html', options: { parser: 'lwc' } }]
};
