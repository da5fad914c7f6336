// Builds the Lightning Web Components: TypeScript in lwc-src/ becomes the plain-JS bundles in
// force-app/main/default/lwc/ that Salesforce deploys, then Salesforce's platform compiler checks
// every bundle.
//
//   node scripts/build/build-lwc.mjs           build into force-app (what `npm run build` does)
//   node scripts/build/build-lwc.mjs --check   build into a temporary folder and fail if the
//                                              committed bundles differ from the sources
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundles } from './platform-compile.mjs';
import { compareTrees } from './compare-trees.mjs';
import { collectLabels, renderCustomLabels } from './labels.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sourceDir = join(root, 'lwc-src');
const deployedDir = join(root, 'force-app/main/default/lwc');
const deployedLabels = join(root, 'force-app/main/default/labels/CustomLabels.labels-meta.xml');

/** Compiles lwc-src into outDir: tsc for the TypeScript, a copy for templates, styles and metadata. */
export function buildInto(outDir) {
    rmSync(outDir, { recursive: true, force: true });
    // Decorators must survive as decorators: tsconfig.build.json targets ESNext with
    // experimentalDecorators off, which leaves @api and @wire untouched for the LWC compiler.
    execFileSync(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
        {
            cwd: root,
            stdio: 'inherit'
        }
    );
    cpSync(sourceDir, outDir, {
        recursive: true,
        filter: (source) => !source.includes('__tests__') && !source.endsWith('.ts') && !source.endsWith('labels.json')
    });
    // A bundle always has its own folder; tsc also emits an empty folder for nothing else.
    for (const entry of readdirSync(outDir, { withFileTypes: true })) {
        if (!entry.isDirectory()) {
            throw new Error(`lwc-src/${entry.name} is not inside a component folder`);
        }
    }
}

async function main() {
    const check = process.argv.includes('--check');
    const outDir = check ? mkdtempSync(join(tmpdir(), 'lwc-build-')) : deployedDir;
    try {
        buildInto(outDir);
        const compileProblems = await compileBundles(outDir);
        for (const problem of compileProblems) {
            console.error(problem);
        }
        if (compileProblems.length > 0) {
            console.error(`lwc build: the platform compiler rejected ${compileProblems.length} problem(s)`);
            process.exitCode = 1;
            return;
        }
        const bundles = readdirSync(outDir).length;
        const labels = collectLabels(sourceDir);
        const labelsXml = labels.size > 0 ? renderCustomLabels(labels) : undefined;
        if (check) {
            const committedLabels = existsSync(deployedLabels) ? readFileSync(deployedLabels, 'utf8') : undefined;
            if (committedLabels !== labelsXml) {
                console.error(
                    `lwc build: ${relative(root, deployedLabels)} does not match the labels.json files of lwc-src; run \`npm run build\` and commit the result`
                );
                process.exitCode = 1;
                return;
            }
            if (!existsSync(deployedDir)) {
                console.error('lwc build: force-app/main/default/lwc is missing; run `npm run build`');
                process.exitCode = 1;
                return;
            }
            const differences = compareTrees(outDir, deployedDir);
            for (const difference of differences) {
                console.error(`  ${relative(root, join(deployedDir, difference.path))}: ${difference.reason}`);
            }
            if (differences.length > 0) {
                console.error(
                    'lwc build: the committed bundles do not match lwc-src; run `npm run build` and commit the result'
                );
                process.exitCode = 1;
                return;
            }
            console.log(
                `lwc build: ${bundles} bundles and ${labels.size} custom labels compile on the platform compiler and match lwc-src`
            );
        } else {
            if (labelsXml) {
                mkdirSync(dirname(deployedLabels), { recursive: true });
                writeFileSync(deployedLabels, labelsXml);
            } else {
                rmSync(deployedLabels, { force: true });
            }
            console.log(
                `lwc build: ${bundles} bundles written to ${relative(root, outDir)} and accepted by the platform compiler`
            );
            console.log(`lwc build: ${labels.size} custom labels written to ${relative(root, deployedLabels)}`);
        }
    } finally {
        if (check) {
            rmSync(outDir, { recursive: true, force: true });
        }
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    main().catch((error) => {
        console.error(error);
        process.exitCode = 1;
    });
}
