// Gate: Apex security rules. Runs PMD's Apex security rules through Salesforce Code Analyzer's
// core library (the engine behind `sf code-analyzer`, which cannot be installed offline) over
// force-app. Zero violations pass; a suppression (`// NOPMD` or `@SuppressWarnings('PMD...')`) is
// accepted only with a written reason beside it (see unexplainedSuppressions).
//
//   node scripts/gates/apex-security.mjs [packageDir=force-app]
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The rules the AppExchange security review cares most about, plus governor-limit safety. */
export const SECURITY_RULES = [
    'ApexCRUDViolation',
    'ApexSOQLInjection',
    'ApexSharingViolations',
    'ApexInsecureEndpoint',
    'ApexXSSFromURLParam',
    'ApexXSSFromEscapeFalse',
    'ApexSuggestUsingNamedCred',
    'ApexBadCrypto',
    'ApexDangerousMethods',
    'ApexOpenRedirect',
    'ApexCSRF',
    'OperationWithLimitsInLoop'
];

const MIN_REASON_LENGTH = 15;

function apexFiles(dir) {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && /\.(cls|trigger)$/.test(entry.name))
        .map((entry) => join(entry.parentPath, entry.name));
}

/** The `//` comment lines directly above line `index` (no blank line, no block comment between), as text. */
function lineCommentsAbove(lines, index) {
    const text = [];
    for (let i = index - 1; i >= 0 && /^\s*\/\//.test(lines[i]); i--) {
        text.unshift(lines[i].replace(/^\s*\/\/+/, '').trim());
    }
    return text.join(' ').trim();
}

/** A reason is what is left of a comment once rule names and suppression markers are taken out. */
function reasonLength(comment) {
    return comment
        .replace(/\bPMD\.\w+/gi, '')
        .replace(/\b(NOPMD|PMD|SuppressWarnings)\b/gi, '')
        .replace(/[\s:;,.'"()@-]/g, '').length;
}

const SUPPRESS_WARNINGS = /@SuppressWarnings\s*\(\s*'([^']*PMD[^']*)'\s*\)/i;

/**
 * Every suppression must say, beside it, why the rule does not apply. `// NOPMD <reason>` carries
 * its reason on the same line. `@SuppressWarnings('PMD.Rule')` carries it in a `//` comment on its
 * own line or on the line(s) immediately above it; an ApexDoc or other block comment does not count
 * (it describes the method, not the suppression), nor does a comment separated by a blank line or
 * another annotation, nor a comment that only repeats the rule name.
 */
export function unexplainedSuppressions(file, text) {
    const lines = text.split('\n');
    const problems = [];
    lines.forEach((line, index) => {
        const nopmd = line.match(/\/\/\s*NOPMD\b(.*)$/);
        if (nopmd && reasonLength(nopmd[1]) < MIN_REASON_LENGTH) {
            problems.push(`${file}:${index + 1} NOPMD without a reason: write why the rule does not apply`);
        }
        const suppression = line.match(SUPPRESS_WARNINGS);
        if (suppression) {
            const rest = line.slice(suppression.index + suppression[0].length);
            const sameLine = rest.includes('//') ? rest.slice(rest.indexOf('//') + 2) : '';
            const reason = `${lineCommentsAbove(lines, index)} ${sameLine}`;
            if (reasonLength(reason) < MIN_REASON_LENGTH) {
                problems.push(
                    `${file}:${index + 1} @SuppressWarnings('${suppression[1]}') without a reason beside it: ` +
                        'write why the rule does not apply in a // comment on its line or the line(s) right above it ' +
                        '(an ApexDoc block does not count)'
                );
            }
        }
    });
    return problems;
}

/** Runs the rules; returns { files, violations: string[], problems: string[] }. */
export async function checkApexSecurity(packageDir, rules = SECURITY_RULES) {
    const core = require('@salesforce/code-analyzer-core');
    const pmd = require('@salesforce/code-analyzer-pmd-engine');
    const root = resolve(packageDir);
    const files = apexFiles(root);
    const problems = [];
    if (files.length === 0) {
        return { files: 0, violations: [], problems: [`${packageDir}: no Apex classes or triggers found`] };
    }
    for (const file of files) {
        problems.push(...unexplainedSuppressions(relative(process.cwd(), file), readFileSync(file, 'utf8')));
    }
    const analyzer = new core.CodeAnalyzer(core.CodeAnalyzerConfig.withDefaults());
    await analyzer.addEnginePlugin(pmd.createEnginePlugin());
    const workspace = await analyzer.createWorkspace([root]);
    const selection = await analyzer.selectRules(rules, { workspace });
    const selected = new Set(
        selection.getEngineNames().flatMap((engine) => selection.getRulesFor(engine).map((rule) => rule.getName()))
    );
    for (const rule of rules) {
        if (!selected.has(rule)) {
            problems.push(`rule ${rule} is not available in this Code Analyzer version: the gate cannot run it`);
        }
    }
    const results = await analyzer.run(selection, { workspace });
    for (const engine of selection.getEngineNames()) {
        const engineResults = results.getEngineRunResults(engine);
        const error = engineResults.getEngineErrorMessage?.();
        if (error) {
            problems.push(`${engine} engine failed: ${error}`);
        }
    }
    const violations = results.getViolations().map((violation) => {
        const location = violation.getPrimaryLocation();
        const file = relative(process.cwd(), location.getFile() ?? '');
        return `${file}:${location.getStartLine()}:${location.getStartColumn()} ${violation.getRule().getName()}: ${violation.getMessage()}`;
    });
    return { files: files.length, violations, problems };
}

async function main() {
    const { files, violations, problems } = await checkApexSecurity(process.argv[2] ?? 'force-app');
    for (const line of [...violations, ...problems]) {
        console.error(line);
    }
    if (violations.length > 0 || problems.length > 0) {
        console.error(
            `apex security: ${violations.length} violation(s), ${problems.length} other problem(s) in ${files} Apex files`
        );
        process.exitCode = 1;
    } else {
        console.log(`apex security: ${files} Apex files, ${SECURITY_RULES.length} rules, 0 violations`);
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    await main();
}
