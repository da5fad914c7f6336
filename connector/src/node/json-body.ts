// JSON bodies of the protocol: UTF-8, parsed strictly. Both the server (requests) and the client
// (answers) read bodies here, so that "not UTF-8" and "not JSON" are answered the same way on both
// sides.
import { Buffer } from 'node:buffer';

/** A parsed body, or why it could not be parsed (for `400 malformed`). */
export type ParsedJson =
    { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

// fatal: invalid UTF-8 is refused rather than turned into U+FFFD, which would make the parsed value
// differ from the bytes that were signed.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body.
 *
 * @param bytes the body as received
 * @returns the value, or a message naming the problem (never repeating the body)
 */
export function parseJsonBody(bytes: Uint8Array): ParsedJson {
    let text: string;
    try {
        text = UTF8.decode(bytes);
    } catch {
        return { ok: false, message: 'The body is not UTF-8 text.' };
    }
    try {
        return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
        return { ok: false, message: 'The body is not valid JSON.' };
    }
}

/**
 * Writes a value as a JSON body.
 *
 * @param value the value (plain data)
 * @returns its UTF-8 bytes
 */
export function jsonBytes(value: unknown): Buffer {
    return Buffer.from(JSON.stringify(value), 'utf8');
}
