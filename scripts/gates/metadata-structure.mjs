// Gate: force-app converts to Metadata API format with Salesforce's own source-deploy-retrieve
// library, the library `sf project deploy` uses. A file in the wrong folder, an unknown suffix or a
// broken decomposition fails here as it would fail a deploy. A file that belongs to no component
// (an Apex class without its -meta.xml, a stray file) fails too: a deploy would silently leave it out.
//
//   node scripts/gates/metadata-structure.mjs [packageDir=force-app]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function claimedFiles(component, claimed) {
    if (component.xml) {
        claimed.add(resolve(component.xml));
    }
    if (component.content) {
        for (const file of component.walkContent()) {
            claimed.add(resolve(file));
        }
    }
    for (const child of component.getChildren()) {
        claimedFiles(child, claimed);
    }
}

/** Files under packageDir that no metadata component owns and .forceignore does not exclude. */
function unclaimedFiles(packageDir, componentSet) {
    const { ForceIgnore } = require('@salesforce/source-deploy-retrieve');
    const forceIgnore = ForceIgnore.findAndCreate(packageDir);
    const claimed = new Set();
    for (const component of componentSet.getSourceComponents()) {
        claimedFiles(component, claimed);
    }
    return readdirSync(packageDir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => resolve(entry.parentPath, entry.name))
        .filter((file) => !claimed.has(file) && !forceIgnore.denies(file) && !file.endsWith('/.keep'));
}

/** Converts packageDir; returns { components: Map<type, count>, problems: string[] }. */
export async function checkMetadataStructure(packageDir) {
    const { ComponentSet, MetadataConverter } = require('@salesforce/source-deploy-retrieve');
    const outputDirectory = mkdtempSync(join(tmpdir(), 'mdapi-'));
    const components = new Map();
    const problems = [];
    try {
        const componentSet = ComponentSet.fromSource(packageDir);
        for (const component of componentSet.getSourceComponents()) {
            components.set(component.type.name, (components.get(component.type.name) ?? 0) + 1);
        }
        for (const file of unclaimedFiles(packageDir, componentSet)) {
            problems.push(
                `${relative(process.cwd(), file)}: belongs to no metadata component (a missing -meta.xml?), so a deploy would leave it out`
            );
        }
        if (componentSet.size === 0) {
            problems.push(`${packageDir}: no metadata components found`);
        } else {
            await new MetadataConverter().convert(componentSet, 'metadata', {
                type: 'directory',
                outputDirectory,
                genUniqueDir: false
            });
        }
    } catch (error) {
        problems.push(`${packageDir}: ${error.name ?? 'Error'}: ${error.message}`);
    } finally {
        rmSync(outputDirectory, { recursive: true, force: true });
    }
    return { components, problems };
}

async function main() {
    const packageDir = process.argv[2] ?? 'force-app';
    const { components, problems } = await checkMetadataStructure(packageDir);
    for (const problem of problems) {
        console.error(problem);
    }
    const summary = [...components].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => `${type} ${count}`);
    if (problems.length > 0) {
        console.error(`metadata structure: ${problems.length} problem(s)`);
        process.exitCode = 1;
    } else {
        console.log(`metadata structure: ${summary.join(', ')}: converts to Metadata API format`);
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    await main();
}
