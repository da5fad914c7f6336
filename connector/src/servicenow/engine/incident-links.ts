// Links to incidents. The shared engine writes a link to the local entity into every replica and
// ack in the shape of a Salesforce Case link (`<instance>/lightning/r/Case/<id>/view`); on the
// ServiceNow side the id is an incident's sys_id, so the node's transport rewrites those links into
// the instance's own incident links (`<instance>/nav_to.do?uri=incident.do?sys_id=<sys_id>`) on their
// way out, before anything is signed. The acceptance of an invitation names this side's platform.
import type { RemoteNode } from '../../engine/ports.ts';
import type { NodeHandlers } from '../../node/handlers.ts';
import type { Ack, MessageBatch, SyncMessage } from '../../protocol/messages.ts';

/** The link an admin opens to see an incident. */
export function incidentUrl(instanceUrl: string, sysId: string): string {
    return `${instanceUrl.replace(/\/+$/, '')}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${sysId}`)}`;
}

/** Rewrites the engine's Case-shaped links to this instance into incident links; other text is left alone. */
export function incidentLinkRewriter(instanceUrl: string): (url: string) => string {
    const prefix = `${instanceUrl.replace(/\/+$/, '')}/lightning/r/Case/`;
    return (url) => {
        if (!url.startsWith(prefix) || !url.endsWith('/view')) {
            return url;
        }
        return incidentUrl(instanceUrl, url.slice(prefix.length, -'/view'.length));
    };
}

function rewriteMessage(message: SyncMessage, rewrite: (url: string) => string): SyncMessage {
    return message.replica === undefined
        ? message
        : { ...message, replica: { ...message.replica, url: rewrite(message.replica.url) } };
}

function rewriteAck(ack: Ack, rewrite: (url: string) => string): Ack {
    return ack.remoteUrl === undefined ? ack : { ...ack, remoteUrl: rewrite(ack.remoteUrl) };
}

function rewriteBatch(batch: MessageBatch, rewrite: (url: string) => string): MessageBatch {
    return {
        ...batch,
        messages: batch.messages.map((message) => rewriteMessage(message, rewrite)),
        ...(batch.acks !== undefined ? { acks: batch.acks.map((ack) => rewriteAck(ack, rewrite)) } : {})
    };
}

/** The client of the other node, with incident links and this side's platform in what it sends. */
export function serviceNowRemote(remote: RemoteNode, rewrite: (url: string) => string): RemoteNode {
    return {
        connectionId: remote.connectionId,
        acceptInvitation: (details) => remote.acceptInvitation({ ...details, acceptorPlatform: 'ServiceNow' }),
        sendMessages: (batch, options) => remote.sendMessages(rewriteBatch(batch, rewrite), options),
        poll: (options) => remote.poll(options),
        putAttachment: (sha256, size, body, options) => remote.putAttachment(sha256, size, body, options),
        getAttachment: (sha256, options) => remote.getAttachment(sha256, options),
        control: (command, options) => remote.control(command, options)
    };
}

/** The engine's handlers, with incident links in the acks and long-poll answers they give. */
export function serviceNowHandlers(handlers: NodeHandlers, rewrite: (url: string) => string): NodeHandlers {
    return {
        keysFor: (connectionId) => handlers.keysFor(connectionId),
        invitationKeys: (invitationId) => handlers.invitationKeys(invitationId),
        acceptInvitation: (acceptance) => handlers.acceptInvitation(acceptance),
        receiveMessages: async (connectionId, batch) => {
            const result = await handlers.receiveMessages(connectionId, batch);
            return result.ok ? { ...result, acks: result.acks.map((ack) => rewriteAck(ack, rewrite)) } : result;
        },
        pollMessages: async (connectionId, request) => {
            const result = await handlers.pollMessages(connectionId, request);
            return result.ok
                ? { ...result, messages: result.messages.map((message) => rewriteMessage(message, rewrite)) }
                : result;
        },
        storeAttachment: (connectionId, upload) => handlers.storeAttachment(connectionId, upload),
        openAttachment: (connectionId, sha256) => handlers.openAttachment(connectionId, sha256),
        control: (connectionId, command) => handlers.control(connectionId, command)
    };
}
