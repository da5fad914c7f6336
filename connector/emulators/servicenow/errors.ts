// ServiceNow REST error answers: `{"error":{"message","detail"},"status":"failure"}`, the body every
// REST API of the instance uses for a refused request.

export interface ErrorBody {
    error: { message: string; detail: string | null };
    status: 'failure';
}

export class SnApiError extends Error {
    readonly status: number;
    readonly detail: string | null;
    readonly headers: Record<string, string>;

    constructor(status: number, message: string, detail: string | null = null, headers: Record<string, string> = {}) {
        super(message);
        this.status = status;
        this.detail = detail;
        this.headers = headers;
    }

    body(): ErrorBody {
        return { error: { message: this.message, detail: this.detail }, status: 'failure' };
    }
}

export const notAuthenticated = (): SnApiError =>
    new SnApiError(401, 'User Not Authenticated', 'Required to provide Auth information');

export const noRecord = (): SnApiError =>
    new SnApiError(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
