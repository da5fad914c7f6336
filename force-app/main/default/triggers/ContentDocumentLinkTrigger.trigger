/**
 * @description Records change signals for the connector when files are attached to Cases.
 */
trigger ContentDocumentLinkTrigger on ContentDocumentLink(after insert) {
    ContentDocumentLinkSignalHandler.handle(Trigger.operationType, Trigger.new);
}
