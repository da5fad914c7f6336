// Namespace-aware API names of the package's objects, fields and relationships.
//
// The package is a managed package: in a subscriber org every custom name carries the namespace
// prefix (`exa__Sync_Twin__c`, `exa__Case__c`, `exa__Twins__r`, `/event/exa__Sync_Wake__e`), in a
// dev or scratch org without a namespace it does not. Apex inside the package resolves unqualified
// names by itself; the connector talks from outside the org, so every name it puts in a query, a
// record body, a URL or a channel must be fully qualified. This module is the one place that knows
// how to qualify a name: everything else asks it.
//
// Standard objects and fields (Case, CaseComment, Id, Name, CreatedDate...) never carry a prefix.

/** A Salesforce namespace prefix: a letter, then up to 14 letters or digits (no `__`). */
const NAMESPACE_SHAPE = /^[A-Za-z][A-Za-z0-9]{0,14}$/;

/** Fields of Sync_Connection__c, by the connector's own property names. */
export interface ConnectionFieldNames {
    readonly localInstanceName: string;
    readonly remoteInstanceName: string;
    readonly description: string;
    readonly type: string;
    readonly mode: string;
    readonly status: string;
    readonly role: string;
    readonly remotePlatform: string;
    readonly remoteNodeUrl: string;
    readonly invitationId: string;
    readonly invitationExpires: string;
    readonly acceptedBy: string;
    readonly acceptedAt: string;
    readonly statusDetail: string;
    readonly syncedCaseCount: string;
}

/** Fields of Sync_Twin__c. */
export interface TwinFieldNames {
    readonly connection: string;
    readonly case: string;
    readonly key: string;
    readonly remoteKey: string;
    readonly remoteId: string;
    readonly remoteUrl: string;
    readonly syncStatus: string;
    readonly lastSynced: string;
    readonly lastError: string;
    readonly lastOutgoingSeq: string;
    readonly lastIncomingSeq: string;
    readonly echoModstamp: string;
    readonly syncState: string;
}

/** Fields of Sync_Event__c (the sync queue). */
export interface EventFieldNames {
    readonly connection: string;
    readonly twin: string;
    readonly case: string;
    readonly direction: string;
    readonly stage: string;
    readonly attempts: string;
    readonly nextAttempt: string;
    readonly error: string;
    readonly messageId: string;
    readonly sequence: string;
    readonly payload: string;
    readonly requestedBy: string;
    readonly completed: string;
}

/** Fields of Sync_Trigger__c. */
export interface TriggerFieldNames {
    readonly connection: string;
    readonly filter: string;
    readonly active: string;
    readonly notes: string;
    readonly bulkRequested: string;
    readonly bulkCompleted: string;
    readonly bulkResult: string;
}

/** Fields of Sync_Signal__c (the change outbox). */
export interface SignalFieldNames {
    readonly case: string;
    readonly caseRef: string;
    readonly kind: string;
    readonly recordRef: string;
    readonly underSync: string;
}

/** Parent (`__r` on the child) and child (`__r` on the parent) relationship names used in SOQL. */
export interface RelationshipNames {
    /** Sync_Connection__c → its Sync_Twin__c rows. */
    readonly twinsOfConnection: string;
    /** Sync_Connection__c → its Sync_Trigger__c rows. */
    readonly triggersOfConnection: string;
    /** Sync_Connection__c → its Sync_Event__c rows. */
    readonly eventsOfConnection: string;
    /** Case → its Sync_Twin__c rows. */
    readonly twinsOfCase: string;
    /** Case → its Sync_Event__c rows. */
    readonly eventsOfCase: string;
    /** Case → its Sync_Signal__c rows. */
    readonly signalsOfCase: string;
    /** Sync_Twin__c → its Sync_Event__c rows. */
    readonly eventsOfTwin: string;
    /** Sync_Twin__c / Sync_Event__c / Sync_Trigger__c → the parent connection. */
    readonly connection: string;
    /** Sync_Twin__c / Sync_Event__c / Sync_Signal__c → the parent Case. */
    readonly case: string;
    /** Sync_Event__c → its twin. */
    readonly twin: string;
}

/** Every package name the connector uses, qualified for one org. */
export interface ApiNames {
    /** The namespace without `__` ('' in an org without one). */
    readonly namespace: string;
    /** The prefix custom names carry: `exa__` or ''. */
    readonly prefix: string;
    readonly objects: {
        readonly connection: string;
        readonly twin: string;
        readonly event: string;
        readonly trigger: string;
        readonly signal: string;
        readonly wake: string;
    };
    readonly connection: ConnectionFieldNames;
    readonly twin: TwinFieldNames;
    readonly event: EventFieldNames;
    readonly trigger: TriggerFieldNames;
    readonly signal: SignalFieldNames;
    /** The Reason__c field of the Sync_Wake__e platform event. */
    readonly wakeReason: string;
    /** Exalate_Link_Key__c, the package's external id on Case (idempotent creation of mirrored Cases). */
    readonly caseLinkKey: string;
    readonly relationships: RelationshipNames;
    /** The CometD channel of the wake event: `/event/exa__Sync_Wake__e`. */
    readonly wakeChannel: string;
    /** Path under `/services/apexrest` of the package's REST resources: `/exa/exalate/v1` or `/exalate/v1`. */
    readonly apexRestBase: string;
    /** Qualifies any other package name (`Foo__c` → `exa__Foo__c`). */
    qualify(name: string): string;
}

/**
 * Normalises a namespace as admins and tools write it: `exa`, `exa__` or '' (none).
 * Throws on anything that is not a Salesforce namespace prefix, because a wrong prefix would make
 * every query fail with INVALID_TYPE far from the cause.
 */
export function normalizeNamespace(namespace: string): string {
    const bare = namespace.trim().replace(/__$/, '');
    if (bare !== '' && !NAMESPACE_SHAPE.test(bare)) {
        throw new TypeError(
            `"${namespace}" is not a Salesforce namespace prefix: use the package namespace (letters and digits, such as exa) or '' for an org without one.`
        );
    }
    return bare;
}

/**
 * The fully qualified API names of the package in an org with `namespace` ('' when the package is
 * deployed without one, as in a scratch or dev org).
 */
export function apiNames(namespace: string): ApiNames {
    const ns = normalizeNamespace(namespace);
    const prefix = ns === '' ? '' : `${ns}__`;
    const q = (name: string): string => `${prefix}${name}`;
    return Object.freeze({
        namespace: ns,
        prefix,
        objects: Object.freeze({
            connection: q('Sync_Connection__c'),
            twin: q('Sync_Twin__c'),
            event: q('Sync_Event__c'),
            trigger: q('Sync_Trigger__c'),
            signal: q('Sync_Signal__c'),
            wake: q('Sync_Wake__e')
        }),
        connection: Object.freeze({
            localInstanceName: q('Local_Instance_Name__c'),
            remoteInstanceName: q('Remote_Instance_Name__c'),
            description: q('Description__c'),
            type: q('Type__c'),
            mode: q('Mode__c'),
            status: q('Status__c'),
            role: q('Role__c'),
            remotePlatform: q('Remote_Platform__c'),
            remoteNodeUrl: q('Remote_Node_Url__c'),
            invitationId: q('Invitation_Id__c'),
            invitationExpires: q('Invitation_Expires__c'),
            acceptedBy: q('Accepted_By__c'),
            acceptedAt: q('Accepted_At__c'),
            statusDetail: q('Status_Detail__c'),
            syncedCaseCount: q('Synced_Case_Count__c')
        }),
        twin: Object.freeze({
            connection: q('Connection__c'),
            case: q('Case__c'),
            key: q('Twin_Key__c'),
            remoteKey: q('Remote_Key__c'),
            remoteId: q('Remote_Id__c'),
            remoteUrl: q('Remote_Url__c'),
            syncStatus: q('Sync_Status__c'),
            lastSynced: q('Last_Synced__c'),
            lastError: q('Last_Error__c'),
            lastOutgoingSeq: q('Last_Outgoing_Seq__c'),
            lastIncomingSeq: q('Last_Incoming_Seq__c'),
            echoModstamp: q('Echo_Modstamp__c'),
            syncState: q('Sync_State__c')
        }),
        event: Object.freeze({
            connection: q('Connection__c'),
            twin: q('Twin__c'),
            case: q('Case__c'),
            direction: q('Direction__c'),
            stage: q('Stage__c'),
            attempts: q('Attempts__c'),
            nextAttempt: q('Next_Attempt__c'),
            error: q('Error__c'),
            messageId: q('Message_Id__c'),
            sequence: q('Sequence__c'),
            payload: q('Payload__c'),
            requestedBy: q('Requested_By__c'),
            completed: q('Completed__c')
        }),
        trigger: Object.freeze({
            connection: q('Connection__c'),
            filter: q('Filter__c'),
            active: q('Active__c'),
            notes: q('Notes__c'),
            bulkRequested: q('Bulk_Requested__c'),
            bulkCompleted: q('Bulk_Completed__c'),
            bulkResult: q('Bulk_Result__c')
        }),
        signal: Object.freeze({
            case: q('Case__c'),
            caseRef: q('Case_Ref__c'),
            kind: q('Kind__c'),
            recordRef: q('Record_Ref__c'),
            underSync: q('Under_Sync__c')
        }),
        wakeReason: q('Reason__c'),
        caseLinkKey: q('Exalate_Link_Key__c'),
        relationships: Object.freeze({
            twinsOfConnection: q('Twins__r'),
            triggersOfConnection: q('Triggers__r'),
            eventsOfConnection: q('Sync_Events__r'),
            twinsOfCase: q('Sync_Twins__r'),
            eventsOfCase: q('Sync_Events__r'),
            signalsOfCase: q('Sync_Signals__r'),
            eventsOfTwin: q('Sync_Events__r'),
            connection: q('Connection__r'),
            case: q('Case__r'),
            twin: q('Twin__r')
        }),
        wakeChannel: `/event/${q('Sync_Wake__e')}`,
        apexRestBase: ns === '' ? '/exalate/v1' : `/${ns}/exalate/v1`,
        qualify: q
    });
}
