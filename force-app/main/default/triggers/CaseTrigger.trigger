/**
 * @description Records change signals for the connector when Cases are created, edited or deleted.
 */
trigger CaseTrigger on Case(after insert, after update, after delete) {
    CaseSignalHandler.handle(Trigger.operationType, Trigger.new, Trigger.oldMap);
}
