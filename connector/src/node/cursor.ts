// The shape of a long-poll cursor, for the `after` of a poll (client and server).
//
// messages.ts owns the shape (it checks the `cursor` of poll answers) and does not export it; asking
// its validator about an empty answer with this cursor keeps one definition of the shape.
import { validatePollResponse } from '../protocol/messages.ts';

/**
 * Whether a text is a cursor: 1 to 200 characters of `A-Z a-z 0-9 . _ ~ -`, so that it goes into a
 * query string unencoded and the signed path is the path sent.
 *
 * @param text the candidate
 */
export function isCursor(text: string): boolean {
    return validatePollResponse({ messages: [], cursor: text }).ok;
}
