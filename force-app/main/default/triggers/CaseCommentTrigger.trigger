/**
 * @description Records change signals for the connector when public Case comments are added or edited.
 */
trigger CaseCommentTrigger on CaseComment(after insert, after update) {
    CaseCommentSignalHandler.handle(Trigger.operationType, Trigger.new, Trigger.oldMap);
}
