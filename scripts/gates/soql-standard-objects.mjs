// The standard objects that the package's inline SOQL may name, with the fields and relationships
// the SOQL field check (soql-fields.mjs) accepts on them. The package's own objects and any custom
// fields added to standard objects are read from force-app; this table only covers what ships with
// every org.
//
// The list of objects was derived from what the package's Apex queries (Case, ContentVersion, User,
// PermissionSet, Profile) plus the objects its triggers handle (CaseComment, ContentDocumentLink,
// ContentDocument, PermissionSetAssignment). The fields are the ones documented for each object in
// the Salesforce Object Reference that exist in every edition with no feature to enable (no person
// accounts, record types, multi-currency or Knowledge), so a query the table accepts is one any org
// accepts. It is deliberately small: querying anything else fails the gate until the object or field
// is added here, with the Object Reference entry checked first.
//
//   fields:   field API names (case does not matter in SOQL)
//   parents:  relationship name -> target object, for paths such as `CreatedBy.Name`; POLYMORPHIC
//             targets (an owner, a linked entity) resolve to the `Name` pseudo-object that SOQL uses
//             for polymorphic relationships
//   children: child relationship name -> child object, for subqueries `(SELECT ... FROM CaseComments)`

/** SOQL's pseudo-object for polymorphic relationships (Owner, LinkedEntity, What, Who). */
export const POLYMORPHIC = 'Name';

/** Audit fields that (almost) every object has; objects that lack some list their own fields instead. */
const AUDIT = [
    'Id',
    'IsDeleted',
    'CreatedDate',
    'CreatedById',
    'LastModifiedDate',
    'LastModifiedById',
    'SystemModstamp'
];
const AUDIT_PARENTS = { CreatedBy: 'User', LastModifiedBy: 'User' };

export const STANDARD_OBJECTS = {
    Case: {
        fields: [
            ...AUDIT,
            'CaseNumber',
            'Subject',
            'Description',
            'Status',
            'Priority',
            'Origin',
            'Type',
            'Reason',
            'IsClosed',
            'ClosedDate',
            'IsEscalated',
            'OwnerId',
            'ParentId',
            'AccountId',
            'ContactId',
            'AssetId',
            'MasterRecordId',
            'SuppliedName',
            'SuppliedEmail',
            'SuppliedPhone',
            'SuppliedCompany',
            'ContactEmail',
            'ContactPhone',
            'ContactMobile',
            'ContactFax',
            'LastViewedDate',
            'LastReferencedDate'
        ],
        parents: { ...AUDIT_PARENTS, Owner: POLYMORPHIC, Parent: 'Case' },
        children: {
            CaseComments: 'CaseComment',
            ContentDocumentLinks: 'ContentDocumentLink',
            Cases: 'Case'
        }
    },
    CaseComment: {
        // No Name: a comment is identified by its Id only.
        fields: [...AUDIT, 'ParentId', 'CommentBody', 'IsPublished'],
        parents: { ...AUDIT_PARENTS, Parent: 'Case' },
        children: {}
    },
    ContentDocumentLink: {
        // A link has no created/modified audit fields, only SystemModstamp.
        fields: ['Id', 'IsDeleted', 'SystemModstamp', 'LinkedEntityId', 'ContentDocumentId', 'ShareType', 'Visibility'],
        parents: { LinkedEntity: POLYMORPHIC, ContentDocument: 'ContentDocument' },
        children: {}
    },
    ContentDocument: {
        // No Name: a document's name is its Title.
        fields: [
            ...AUDIT,
            'Title',
            'Description',
            'OwnerId',
            'ParentId',
            'FileType',
            'FileExtension',
            'ContentSize',
            'ContentModifiedDate',
            'LatestPublishedVersionId',
            'PublishStatus',
            'SharingOption',
            'SharingPrivacy',
            'IsArchived',
            'ArchivedById',
            'ArchivedDate',
            'LastViewedDate',
            'LastReferencedDate'
        ],
        parents: { ...AUDIT_PARENTS, Owner: 'User', LatestPublishedVersion: 'ContentVersion' },
        children: { ContentVersions: 'ContentVersion', ContentDocumentLinks: 'ContentDocumentLink' }
    },
    ContentVersion: {
        fields: [
            ...AUDIT,
            'ContentDocumentId',
            'Title',
            'Description',
            'PathOnClient',
            'VersionData',
            'VersionNumber',
            'IsLatest',
            'IsMajorVersion',
            'ContentSize',
            'FileType',
            'FileExtension',
            'Checksum',
            'ContentLocation',
            'ContentModifiedDate',
            'ContentUrl',
            'FirstPublishLocationId',
            'Origin',
            'OwnerId',
            'PublishStatus',
            'ReasonForChange',
            'SharingOption',
            'SharingPrivacy',
            'TagCsv'
        ],
        parents: {
            ...AUDIT_PARENTS,
            Owner: 'User',
            ContentDocument: 'ContentDocument',
            FirstPublishLocation: POLYMORPHIC
        },
        children: {}
    },
    User: {
        // Users are deactivated, never deleted: no IsDeleted.
        fields: [
            'Id',
            'CreatedDate',
            'CreatedById',
            'LastModifiedDate',
            'LastModifiedById',
            'SystemModstamp',
            'Username',
            'Name',
            'FirstName',
            'LastName',
            'Alias',
            'Email',
            'CommunityNickname',
            'IsActive',
            'UserType',
            'ProfileId',
            'UserRoleId',
            'ManagerId',
            'Title',
            'Department',
            'Division',
            'CompanyName',
            'Phone',
            'MobilePhone',
            'EmployeeNumber',
            'TimeZoneSidKey',
            'LocaleSidKey',
            'LanguageLocaleKey',
            'EmailEncodingKey',
            'LastLoginDate'
        ],
        parents: { ...AUDIT_PARENTS, Profile: 'Profile', Manager: 'User' },
        children: { PermissionSetAssignments: 'PermissionSetAssignment' }
    },
    Profile: {
        fields: [
            'Id',
            'CreatedDate',
            'CreatedById',
            'LastModifiedDate',
            'LastModifiedById',
            'SystemModstamp',
            'Name',
            'Description',
            'UserType',
            'UserLicenseId',
            'LastViewedDate',
            'LastReferencedDate'
        ],
        parents: AUDIT_PARENTS,
        children: {}
    },
    PermissionSet: {
        fields: [
            'Id',
            'CreatedDate',
            'CreatedById',
            'LastModifiedDate',
            'LastModifiedById',
            'SystemModstamp',
            'Name',
            'Label',
            'Description',
            'NamespacePrefix',
            'IsCustom',
            'IsOwnedByProfile',
            'ProfileId',
            'PermissionSetGroupId',
            'LicenseId',
            'Type'
        ],
        parents: { ...AUDIT_PARENTS, Profile: 'Profile' },
        children: { Assignments: 'PermissionSetAssignment' }
    },
    PermissionSetAssignment: {
        fields: [
            'Id',
            'SystemModstamp',
            'AssigneeId',
            'PermissionSetId',
            'PermissionSetGroupId',
            'IsActive',
            'ExpirationDate'
        ],
        parents: { Assignee: 'User', PermissionSet: 'PermissionSet' },
        children: {}
    },
    [POLYMORPHIC]: {
        // What a polymorphic relationship (Case.Owner, ContentDocumentLink.LinkedEntity) exposes
        // without TYPEOF: the fields common to the objects it can point to.
        fields: [
            'Id',
            'Name',
            'Type',
            'Alias',
            'Email',
            'FirstName',
            'LastName',
            'IsActive',
            'Phone',
            'Title',
            'Username',
            'ProfileId',
            'UserRoleId',
            'LastReferencedDate',
            'LastViewedDate'
        ],
        parents: { Profile: 'Profile' },
        children: {}
    }
};
