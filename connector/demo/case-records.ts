// What the demos read back from an emulated org to show a Case: comment bodies without the mirror
// header, private comments, the Case's outgoing queue entries and file labels.
import type { JsonObject } from '../emulators/salesforce/index.ts';
import { textOf } from '../emulators/scenario/two-org-stack.ts';
import type { Side } from '../emulators/scenario/two-org-stack.ts';

/** A comment's text without the "<author> (<instance>) wrote on <time>:" header of a mirrored one. */
export function bodyOf(comment: string): string {
    const split = comment.indexOf('\n\n');
    return / wrote on /.test(comment.slice(0, split === -1 ? 0 : split)) ? comment.slice(split + 2) : comment;
}

export function privateComments(side: Side, caseId: string): string[] {
    return side.org
        .records('CaseComment')
        .filter((row) => row.ParentId === caseId && row.IsPublished !== true)
        .map((row) => textOf(row, 'CommentBody'));
}

export function outgoingEvents(side: Side, caseId: string): JsonObject[] {
    return side.org
        .records('Sync_Event__c')
        .filter((event) => event.Case__c === caseId && event.Direction__c === 'Outgoing');
}

/** `name.ext (N bytes)` of a ContentVersion row. */
export function fileLabel(file: JsonObject): string {
    const extension = textOf(file, 'FileExtension');
    return `${textOf(file, 'Title')}${extension === '' ? '' : `.${extension}`} (${textOf(file, 'ContentSize')} bytes)`;
}
