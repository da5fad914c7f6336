// What a REST handler receives and answers, independent of node:http.
import type { SnUser } from './instance.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface RestRequest {
    readonly method: string;
    readonly url: URL;
    readonly body: Buffer;
    readonly contentType: string | undefined;
    readonly user: SnUser;
    /** The X-no-response-body header asked for no echoed record. */
    readonly noResponseBody: boolean;
    /** `http://127.0.0.1:<port>`, for links in answers. */
    readonly baseUrl: string;
}

export interface RestResponse {
    status: number;
    body?: Json | Buffer;
    headers?: Record<string, string>;
    contentType?: string;
}
