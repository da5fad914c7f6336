// Errors in Salesforce's shapes. A request-level error answers `[{"message","errorCode"}]`
// (plus `fields` for DML errors) with an HTTP status; a record-level error goes into a SaveResult
// as `{"statusCode","message","fields"}`.

import type { Json, JsonObject } from './json.ts';

export interface RecordErrorShape {
    statusCode: string;
    message: string;
    fields: string[];
}

/** A failed request: the HTTP status and the error list of the body. */
export class ApiError extends Error {
    readonly status: number;
    readonly errorCode: string;
    readonly fields: string[] | undefined;

    constructor(status: number, errorCode: string, message: string, fields?: string[]) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
        this.fields = fields;
    }

    body(): Json {
        const error: JsonObject = { message: this.message, errorCode: this.errorCode };
        if (this.fields) {
            error.fields = this.fields;
        }
        return [error];
    }
}

/** A record that could not be saved; becomes a SaveResult error or a 400 of the single-record API. */
export class RecordError extends Error {
    readonly statusCode: string;
    readonly fields: string[];

    constructor(statusCode: string, message: string, fields: string[] = []) {
        super(message);
        this.statusCode = statusCode;
        this.fields = fields;
    }

    shape(): RecordErrorShape {
        return { statusCode: this.statusCode, message: this.message, fields: this.fields };
    }

    toApiError(): ApiError {
        return new ApiError(400, this.statusCode, this.message, this.fields);
    }
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function notFound(message = NOT_FOUND_MESSAGE): ApiError {
    return new ApiError(404, 'NOT_FOUND', message);
}

export const ROLLED_BACK: RecordErrorShape = {
    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
    fields: []
};

export const PROCESSING_HALTED_MESSAGE =
    'The transaction was rolled back since another operation in the same transaction failed.';
