// Attachments in transit, for a Salesforce side (which keeps no database of its own):
// - bytes the other node pushed before the message that names them, spooled to a temporary folder
//   until the message is applied (lost on a restart: the engine then fetches them from the sender);
// - the local files this side offered in messages, by SHA-256, so that the other node can fetch them.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a local file offered to the other node comes from. */
export interface OfferedFile {
    readonly contentVersionId: string;
    readonly size: number;
}

export class AttachmentStore {
    readonly #dir: string;
    readonly #offered = new Map<string, OfferedFile>();

    constructor(spoolDir: string) {
        this.#dir = spoolDir;
    }

    /** Remembers a local file named by a message this side sent. */
    offer(sha256: string, file: OfferedFile): void {
        this.#offered.set(sha256, file);
    }

    offered(sha256: string): OfferedFile | undefined {
        return this.#offered.get(sha256);
    }

    #path(sha256: string): string {
        return join(this.#dir, sha256);
    }

    /** Whether bytes with this SHA-256 are spooled. */
    async holds(sha256: string): Promise<boolean> {
        try {
            return (await stat(this.#path(sha256))).isFile();
        } catch {
            return false;
        }
    }

    /**
     * Spools a body whose iteration proves its SHA-256 (see the handler contract): written to a
     * temporary file and renamed only when the iteration ended normally.
     */
    async spool(sha256: string, body: AsyncIterable<Uint8Array>): Promise<void> {
        await mkdir(this.#dir, { recursive: true });
        const temporary = join(this.#dir, `.part-${randomUUID()}`);
        const file = await open(temporary, 'w');
        try {
            for await (const chunk of body) {
                await file.write(chunk);
            }
            await file.close();
            await rename(temporary, this.#path(sha256));
        } catch (error) {
            await file.close().catch(() => undefined);
            await rm(temporary, { force: true });
            throw error;
        }
    }

    /** The spooled bytes, checked against their name; undefined when none (or damaged). */
    async read(sha256: string): Promise<Buffer | undefined> {
        try {
            const bytes = await readFile(this.#path(sha256));
            return createHash('sha256').update(bytes).digest('hex') === sha256 ? bytes : undefined;
        } catch {
            return undefined;
        }
    }

    /** A stream of spooled bytes with their size, for serving. */
    async stream(sha256: string): Promise<{ size: number; stream: AsyncIterable<Uint8Array> } | undefined> {
        try {
            const info = await stat(this.#path(sha256));
            return { size: info.size, stream: createReadStream(this.#path(sha256)) };
        } catch {
            return undefined;
        }
    }

    /** Drops spooled bytes once they were written to the org. */
    async discard(sha256: string): Promise<void> {
        await rm(this.#path(sha256), { force: true });
    }
}
