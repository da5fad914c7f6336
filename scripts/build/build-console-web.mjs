// Builds the Exalate console for a plain browser, outside Salesforce: the same lwc-src components,
// compiled from TypeScript exactly as for the package, bundled by rollup with the real base
// components (lightning-base-components) and SLDS, every Apex import swapped for a call to the
// connector's admin API. Output: connector/dist/console-web/ (index.html, app.js, SLDS assets),
// which the connector's admin server serves.
//
//   node scripts/build/build-console-web.mjs    (npm run build:console-web)
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import lwc from '@lwc/rollup-plugin';
import replace from '@rollup/plugin-replace';
import { buildInto } from './build-lwc.mjs';
import { collectLabels } from './labels.mjs';
import { platformModules } from './console-web/platform-modules.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const appDir = join(root, 'connector/console-web');
export const consoleWebOutDir = join(root, 'connector/dist/console-web');
// The compiled components stay inside the repository: @lwc/rollup-plugin resolves
// `lightning-base-components` from the node_modules above the importing file.
const modulesDir = join(root, 'connector/dist/console-web-modules');
const slds = join(root, 'node_modules/@salesforce-ux/design-system/assets');

/** Rollup warnings worth showing: the base components' own templates print dozens of harmless ones. */
function onwarn(warning, warn) {
    const where = `${warning.id ?? ''} ${warning.loc?.file ?? ''} ${warning.message}`;
    if (!where.includes('lightning-base-components')) {
        warn(warning);
    }
}

/** Copies what the page needs from SLDS: the stylesheet, its images, and the icon sprites. */
function copySlds(outDir) {
    const assets = join(outDir, 'assets');
    mkdirSync(join(assets, 'styles'), { recursive: true });
    cpSync(
        join(slds, 'styles/salesforce-lightning-design-system.min.css'),
        join(assets, 'styles/salesforce-lightning-design-system.min.css')
    );
    cpSync(join(slds, 'images'), join(assets, 'images'), { recursive: true });
    // lightning-icon draws most icons from inline templates and falls back to these sprites.
    for (const sprite of ['action', 'custom', 'doctype', 'standard', 'utility']) {
        cpSync(join(slds, `icons/${sprite}-sprite`), join(assets, `icons/${sprite}-sprite`), { recursive: true });
    }
}

/** Builds the console into outDir; answers what it swapped and how long it took. */
export async function buildConsoleWeb({ outDir = consoleWebOutDir, log = console.log } = {}) {
    const started = Date.now();
    buildInto(join(modulesDir, 'c'));
    const labels = collectLabels(join(root, 'lwc-src'));
    const platform = platformModules({ platformDir: join(appDir, 'platform'), labels });
    const bundle = await rollup({
        input: join(appDir, 'main.js'),
        onwarn,
        plugins: [
            replace({
                'process.env.NODE_ENV': JSON.stringify('production'),
                // The base components read this Vite convention; without it the page renders nothing.
                'import.meta.env.SSR': 'false',
                preventAssignment: true
            }),
            platform,
            lwc({
                rootDir: appDir,
                modules: [{ dir: modulesDir }, { dir: join(appDir, 'modules') }, { npm: 'lightning-base-components' }],
                // The base components' templates use lwc:dynamic components.
                enableDynamicComponents: true
            })
        ]
    });
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    // Several base components load parts of themselves dynamically: one file keeps serving simple.
    await bundle.write({ file: join(outDir, 'app.js'), format: 'esm', inlineDynamicImports: true });
    await bundle.close();
    cpSync(join(appDir, 'index.html'), join(outDir, 'index.html'));
    copySlds(outDir);
    const apex = [...platform.used.apex].sort();
    writeFileSync(join(outDir, 'apex-methods.json'), `${JSON.stringify(apex, null, 4)}\n`);
    const ms = Date.now() - started;
    log(
        `console-web: ${apex.length} Apex methods routed to the admin API, ${platform.used.labels.size} labels; ` +
            `written to ${relative(root, outDir)} in ${(ms / 1000).toFixed(1)} s`
    );
    return { outDir, apexMethods: apex, ms };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    buildConsoleWeb().catch((error) => {
        console.error(error);
        process.exitCode = 1;
    });
}
