// What an `@salesforce/apex/<Class>.<method>` import becomes outside Salesforce: a function that
// posts the params object to the connector's admin API (`POST api/admin/<Class>/<method>`) and
// answers the method's return value. A refusal is turned into the shape Salesforce gives an
// AuraHandledException (`error.body.message`), which is what the components already read, so
// they show the connector's message exactly as they show Apex's.
import { adminToken } from './session.js';

const NO_TOKEN =
    'This console was opened without an admin token. Open the link the connector printed, which ends with #token=…';

/** An error as the components receive it from a failed Apex call in Salesforce. */
class ApexCallError extends Error {
    constructor(message, status, statusText) {
        super(message);
        this.name = 'ApexCallError';
        this.status = status;
        this.statusText = statusText;
        this.ok = false;
        this.body = { message, exceptionType: 'System.AuraHandledException', isUserDefinedException: false };
    }
}

function endpoint(className, methodName) {
    // Relative to the page, so the console also works when the connector is served under a path.
    return new URL(
        `api/admin/${encodeURIComponent(className)}/${encodeURIComponent(methodName)}`,
        window.location.href
    );
}

async function readMessage(response) {
    try {
        const body = await response.json();
        if (body && typeof body.message === 'string' && body.message !== '') {
            return body.message;
        }
    } catch {
        // not JSON: fall through to the status line
    }
    return `The connector refused the request (${response.status} ${response.statusText}).`;
}

async function call(className, methodName, params) {
    const token = adminToken();
    if (token === undefined) {
        throw new ApexCallError(NO_TOKEN, 401, 'Unauthorized');
    }
    let response;
    try {
        response = await fetch(endpoint(className, methodName), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body: JSON.stringify(params ?? {})
        });
    } catch (error) {
        throw new ApexCallError(`The connector could not be reached: ${error.message}`, 0, 'Network error');
    }
    if (!response.ok) {
        throw new ApexCallError(await readMessage(response), response.status, response.statusText);
    }
    // A void method answers null, as Apex does.
    const text = await response.text();
    return text === '' ? null : JSON.parse(text);
}

/**
 * The callable for one Apex method. Like Salesforce's, it is also a wire adapter (its `adapter`
 * property), provisioning `{ data, error }` each time the wired config changes.
 */
export function apexMethod(className, methodName) {
    const method = (params) => call(className, methodName, params);
    method.adapter = class ApexWireAdapter {
        constructor(dataCallback) {
            this.dataCallback = dataCallback;
            this.connected = false;
            this.config = undefined;
        }
        connect() {
            this.connected = true;
            if (this.config !== undefined) {
                this.load();
            }
        }
        disconnect() {
            this.connected = false;
        }
        update(config) {
            this.config = config;
            if (this.connected) {
                this.load();
            }
        }
        load() {
            const config = this.config;
            call(className, methodName, config).then(
                (data) => this.config === config && this.dataCallback({ data, error: undefined }),
                (error) => this.config === config && this.dataCallback({ data: undefined, error })
            );
        }
    };
    return method;
}
