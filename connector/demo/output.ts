// What the demos print, and how they wait: numbered steps, tables, rows printed each time a watched
// value changes, with the time since the action that started it.
import { performance } from 'node:perf_hooks';

export type Out = (line: string) => void;

export interface Printer {
    readonly say: (line?: string) => void;
    /** `[n/total] title`, between blank lines. */
    readonly section: (title: string) => void;
}

export function printer(out: Out, total: number): Printer {
    let number = 0;
    const say = (line = ''): void => out(line);
    return {
        say,
        section: (title) => {
            number += 1;
            say();
            say(`[${number}/${total}] ${title}`);
            say();
        }
    };
}

export function ms(value: number): string {
    return `${Math.round(value)} ms`;
}

/** A long code shown by its two ends. */
export function shorten(text: string, keepEachEnd = 24): string {
    return text.length <= keepEachEnd * 2 + 3
        ? text
        : `${text.slice(0, keepEachEnd)}...${text.slice(-keepEachEnd)}  (${text.length} characters)`;
}

/** Words of `text` wrapped at `width` characters, every line after the first indented by `hang`. */
export function wrap(text: string, width: number, hang: string): string {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
        if (line !== '' && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line === '' ? word : `${line} ${word}`;
        }
    }
    lines.push(line);
    return lines.join(`\n${hang}`);
}

/** Every line of `text` wrapped at 88 characters and behind `prefix`. */
export function indent(text: string, prefix: string): string {
    return text
        .split('\n')
        .flatMap((line) => wrap(line, 88, '').split('\n'))
        .map((line) => `${prefix}${line}`.trimEnd())
        .join('\n');
}

/** Rows as aligned columns; columns from `rightAlignFrom` on are right-aligned. */
export function table(rows: string[][], rightAlignFrom = 1): string[] {
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) =>
        row
            .map((cell, column) =>
                column >= rightAlignFrom ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
            )
            .join('   ')
            .trimEnd()
    );
}

export function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Reads `columns` every few milliseconds and prints a row, with the time since `since`, each time
 * one of them changes, until `done` holds. Answers the time at which it held.
 */
export async function watch(
    say: Out,
    watched: {
        readonly header: string[];
        readonly columns: () => string[];
        readonly done: (values: string[]) => boolean;
        readonly since: number;
        readonly what: string;
        readonly timeoutMs: number;
    }
): Promise<number> {
    const widths = watched.header.map((title) => Math.max(title.length, 18));
    const row = (time: string, values: string[]): string =>
        `    ${time.padStart(8)}   ${values.map((value, i) => value.padEnd(widths[i])).join('   ')}`.trimEnd();
    say(row('', watched.header));
    let last = '';
    for (;;) {
        const values = watched.columns();
        const now = performance.now();
        const key = values.join('\u0000');
        if (key !== last) {
            say(row(`+${ms(now - watched.since)}`, values));
            last = key;
        }
        if (watched.done(values)) {
            return now;
        }
        if (now - watched.since > watched.timeoutMs) {
            throw new Error(`timed out after ${ms(watched.timeoutMs)} waiting for ${watched.what}`);
        }
        await sleep(2);
    }
}

/** Polls until `check` holds; answers the time at which it did. */
export async function until(
    what: string,
    check: () => boolean,
    since: number,
    timeoutMs: number,
    everyMs = 2
): Promise<number> {
    for (;;) {
        const now = performance.now();
        if (check()) {
            return now;
        }
        if (now - since > timeoutMs) {
            throw new Error(`timed out after ${ms(timeoutMs)} waiting for ${what}`);
        }
        await sleep(everyMs);
    }
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C). */
export function untilStopped(): Promise<NodeJS.Signals> {
    return new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve(signal);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
    });
}
