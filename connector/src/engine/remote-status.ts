// How a private side learns what the public side's admin did to their connection.
//
// A public node cannot open a request to a private one, so it cannot tell it "deactivated" or
// "deleted" the way it tells a public node. It answers the private node's next long-poll with a
// signed `409 connection-inactive` instead, whose message says which. The private side then shows
// the connection Deactivated with that reason, keeps its own changes queued, and asks again now and
// then (a poll that waits for nothing: no Salesforce API call); the first poll that is answered
// means the other side is active again.
//
// The connection's status detail carries the mark that it was deactivated by the other side, so a
// restarted connector goes on asking instead of waiting for an admin.
import type { LiveConnection } from './connections.ts';

const ASKING_AGAIN = 'This side asks again every minute and follows when it is active again.';

/** The reason a public side gives a private one when their connection is deactivated there. */
export function deactivatedHere(localName: string | null): string {
    return `The connection is deactivated on ${localName ?? 'the other side'}.`;
}

/** The reason a public side gives a private one for a while after its admin deleted their connection. */
export function deletedHere(localName: string | null): string {
    return `The connection was deleted on ${localName ?? 'the other side'}; its Cases no longer sync.`;
}

/** The status detail a private side writes when the other side refuses its polls as inactive. */
export function refusedDetail(reason: string): string {
    return `${reason} Changes made here are kept. ${ASKING_AGAIN}`;
}

/** A private side's connection that the other side deactivated (or deleted): it keeps asking. */
export function isDeactivatedByRemote(live: LiveConnection): boolean {
    return (
        live.localIsPrivate &&
        live.record.status === 'Deactivated' &&
        (live.record.statusDetail ?? '').endsWith(ASKING_AGAIN)
    );
}
