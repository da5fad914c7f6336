import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function listFiles(dir, prefix = '') {
    const files = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            files.push(...listFiles(join(dir, entry.name), path));
        } else {
            files.push(path);
        }
    }
    return files;
}

/**
 * Lists every file that differs between the freshly built tree and the committed one:
 * missing, unexpected, or with other content.
 */
export function compareTrees(builtDir, committedDir) {
    const built = new Set(listFiles(builtDir));
    const committed = new Set(statSync(committedDir, { throwIfNoEntry: false }) ? listFiles(committedDir) : []);
    const differences = [];
    for (const path of built) {
        if (!committed.has(path)) {
            differences.push({ path, reason: 'missing (not built and committed)' });
        } else if (!readFileSync(join(builtDir, path)).equals(readFileSync(join(committedDir, path)))) {
            differences.push({ path, reason: 'differs from what lwc-src compiles to' });
        }
    }
    for (const path of committed) {
        if (!built.has(path)) {
            differences.push({ path, reason: 'has no source in lwc-src' });
        }
    }
    return differences.sort((a, b) => a.path.localeCompare(b.path));
}
