// JSON values as the emulator receives and answers them: request bodies are parsed into these
// types (never `any`), and every response body is built from them.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
    [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
    return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Parses a request body; the caller turns a SyntaxError into Salesforce's JSON_PARSER_ERROR. */
export function parseJson(text: string): Json {
    return JSON.parse(text) as Json;
}

export function stringOf(value: Json | undefined): string | undefined {
    return typeof value === 'string' ? value : undefined;
}
