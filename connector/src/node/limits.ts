// Size and time limits of the HTTP transport that messages.ts does not define (it holds the batch and
// message limits, MAX_BATCH_BYTES and MAX_MESSAGE_BYTES, which the transport uses as they are).

/** Largest body of the invitation acceptance and the connection commands, and of every bodiless request: 64 KiB. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** A receiver's attachment limit unless configured otherwise: 25 MiB. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** Longest long-poll wait, in seconds; larger `wait` values count as this. */
export const MAX_POLL_WAIT_SECONDS = 55;
