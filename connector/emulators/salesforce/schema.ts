// The org's schema: the standard objects the Case sync touches (Case, CaseComment, the three
// Content objects, User) described by hand from Salesforce's object reference, and the package's
// custom objects read from force-app/main/default/objects (*.object-meta.xml and
// fields/*.field-meta.xml): field types, lengths, required, unique/external ids, picklists and
// their defaults, lookups and master-details with relationship names and delete constraints,
// auto-number names and COUNT roll-ups. Names are case-insensitive everywhere, as in Salesforce.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_PREFIX, keyPrefixOf } from './ids.ts';
import { child, childText, childrenNamed, readXmlFile } from './metadata-xml.ts';
import type { XmlElement } from './metadata-xml.ts';

export type FieldType =
    | 'id'
    | 'string'
    | 'textarea'
    | 'picklist'
    | 'boolean'
    | 'datetime'
    | 'date'
    | 'double'
    | 'int'
    | 'reference'
    | 'url'
    | 'email'
    | 'base64';

export type ScalarValue = string | number | boolean | null;

export interface PicklistValue {
    value: string;
    label: string;
    defaultValue: boolean;
    active: boolean;
}

export interface AutoNumberFormat {
    prefix: string;
    width: number;
    suffix: string;
    start: number;
}

export interface FieldDef {
    name: string;
    label: string;
    type: FieldType;
    /** Maximum length of text fields (characters, or bytes when lengthInBytes). 0 otherwise. */
    length: number;
    lengthInBytes: boolean;
    precision: number;
    scale: number;
    nillable: boolean;
    createable: boolean;
    updateable: boolean;
    /** Value set on create when the request gives none (picklist default, checkbox, number). */
    defaultValue: ScalarValue;
    /** Set by the platform on create (system fields, owner, auto numbers, defaults). */
    defaultedOnCreate: boolean;
    unique: boolean;
    externalId: boolean;
    caseSensitive: boolean;
    idLookup: boolean;
    nameField: boolean;
    custom: boolean;
    picklistValues: PicklistValue[];
    restrictedPicklist: boolean;
    referenceTo: string[];
    relationshipName: string | null;
    /** Name of the child relationship this reference creates on the parent object, if any. */
    childRelationshipName: string | null;
    deleteConstraint: 'Cascade' | 'SetNull' | 'Restrict' | null;
    masterDetail: boolean;
    autoNumber: AutoNumberFormat | null;
    calculated: boolean;
    /** COUNT roll-up over a master-detail child. */
    summary: { childObject: string; childField: string } | null;
    /** Maintained by the emulator itself (Id, audit fields, IsDeleted, computed fields). */
    system: boolean;
}

export interface ChildRelationship {
    childSObject: string;
    field: string;
    relationshipName: string | null;
    cascadeDelete: boolean;
    restrictedDelete: boolean;
}

export type ObjectKind = 'standard' | 'custom' | 'event' | 'setting';

export interface ObjectDef {
    name: string;
    label: string;
    labelPlural: string;
    keyPrefix: string;
    kind: ObjectKind;
    custom: boolean;
    /** A protected custom setting: invisible to the API from outside the package. */
    hiddenFromApi: boolean;
    createable: boolean;
    updateable: boolean;
    deletable: boolean;
    queryable: boolean;
    fields: FieldDef[];
    childRelationships: ChildRelationship[];
    /** The name field (Name, CaseNumber...), used by polymorphic `X.Name` lookups. */
    nameFieldName: string | null;
    /** Fields maintained by auto numbers, in declaration order. */
    autoNumberFields: FieldDef[];
}

interface FieldOptions extends Partial<Omit<FieldDef, 'name' | 'type'>> {
    label?: string;
}

function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
    const custom = name.endsWith('__c');
    const base: FieldDef = {
        name,
        label: options.label ?? name.replace(/__c$/, '').replace(/_/g, ' '),
        type,
        length: 0,
        lengthInBytes: false,
        precision: 0,
        scale: 0,
        nillable: true,
        createable: true,
        updateable: true,
        defaultValue: null,
        defaultedOnCreate: false,
        unique: false,
        externalId: false,
        caseSensitive: false,
        idLookup: false,
        nameField: false,
        custom,
        picklistValues: [],
        restrictedPicklist: false,
        referenceTo: [],
        relationshipName: null,
        childRelationshipName: null,
        deleteConstraint: null,
        masterDetail: false,
        autoNumber: null,
        calculated: false,
        summary: null,
        system: false
    };
    const merged: FieldDef = { ...base, ...options, name, type, custom: options.custom ?? custom };
    if (merged.type === 'boolean') {
        merged.nillable = false;
        merged.defaultedOnCreate = true;
        if (merged.defaultValue === null) {
            merged.defaultValue = false;
        }
    }
    return merged;
}

function readOnly(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
    return field(name, type, { createable: false, updateable: false, system: true, ...options });
}

function picklist(values: string[], defaultValue?: string): PicklistValue[] {
    return values.map((value) => ({ value, label: value, defaultValue: value === defaultValue, active: true }));
}

function auditFields(options: { created?: boolean } = {}): FieldDef[] {
    const created = options.created ?? true;
    const fields: FieldDef[] = [readOnly('IsDeleted', 'boolean', { label: 'Deleted', defaultedOnCreate: true })];
    if (created) {
        fields.push(
            readOnly('CreatedDate', 'datetime', { label: 'Created Date', nillable: false, defaultedOnCreate: true }),
            readOnly('CreatedById', 'reference', {
                label: 'Created By ID',
                nillable: false,
                defaultedOnCreate: true,
                referenceTo: ['User'],
                relationshipName: 'CreatedBy'
            }),
            readOnly('LastModifiedDate', 'datetime', {
                label: 'Last Modified Date',
                nillable: false,
                defaultedOnCreate: true
            }),
            readOnly('LastModifiedById', 'reference', {
                label: 'Last Modified By ID',
                nillable: false,
                defaultedOnCreate: true,
                referenceTo: ['User'],
                relationshipName: 'LastModifiedBy'
            })
        );
    }
    fields.push(
        readOnly('SystemModstamp', 'datetime', { label: 'System Modstamp', nillable: false, defaultedOnCreate: true })
    );
    return fields;
}

function idField(label: string): FieldDef {
    return readOnly('Id', 'id', { label, length: 18, nillable: false, idLookup: true, defaultedOnCreate: true });
}

function ownerField(): FieldDef {
    return field('OwnerId', 'reference', {
        label: 'Owner ID',
        nillable: false,
        defaultedOnCreate: true,
        referenceTo: ['User'],
        relationshipName: 'Owner'
    });
}

function objectDef(
    name: string,
    keyPrefix: string,
    fields: FieldDef[],
    options: Partial<Omit<ObjectDef, 'name' | 'keyPrefix' | 'fields'>> = {}
): ObjectDef {
    const nameField = fields.find((candidate) => candidate.nameField);
    return {
        name,
        label: options.label ?? name,
        labelPlural: options.labelPlural ?? `${options.label ?? name}s`,
        keyPrefix,
        kind: options.kind ?? 'standard',
        custom: options.custom ?? false,
        hiddenFromApi: options.hiddenFromApi ?? false,
        createable: options.createable ?? true,
        updateable: options.updateable ?? true,
        deletable: options.deletable ?? true,
        queryable: options.queryable ?? true,
        fields,
        childRelationships: [],
        nameFieldName: nameField ? nameField.name : null,
        autoNumberFields: fields.filter((candidate) => candidate.autoNumber !== null)
    };
}

/** The polymorphic reference targets that are completed once every object is known. */
const ANY_RECORD = '*';

function standardObjects(): ObjectDef[] {
    const caseObject = objectDef(
        'Case',
        KEY_PREFIX.Case,
        [
            idField('Case ID'),
            ...auditFields().slice(0, 1),
            readOnly('CaseNumber', 'string', {
                label: 'Case Number',
                length: 30,
                nillable: false,
                nameField: true,
                idLookup: true,
                defaultedOnCreate: true,
                autoNumber: { prefix: '', width: 8, suffix: '', start: 1000 }
            }),
            field('Subject', 'string', { length: 255 }),
            field('Description', 'textarea', { length: 32000 }),
            field('Status', 'picklist', {
                defaultValue: 'New',
                defaultedOnCreate: true,
                picklistValues: picklist(['New', 'Working', 'Escalated', 'Closed'], 'New')
            }),
            field('Priority', 'picklist', {
                defaultValue: 'Medium',
                defaultedOnCreate: true,
                picklistValues: picklist(['High', 'Medium', 'Low'], 'Medium')
            }),
            field('Origin', 'picklist', { label: 'Case Origin', picklistValues: picklist(['Phone', 'Email', 'Web']) }),
            field('Type', 'picklist', {
                label: 'Case Type',
                picklistValues: picklist(['Mechanical', 'Electrical', 'Electronic', 'Structural', 'Other'])
            }),
            field('Reason', 'picklist', {
                label: 'Case Reason',
                picklistValues: picklist([
                    'Installation',
                    'Equipment Complexity',
                    'Performance',
                    'Breakdown',
                    'Equipment Design',
                    'Feedback',
                    'Other'
                ])
            }),
            readOnly('IsClosed', 'boolean', { label: 'Closed', defaultedOnCreate: true }),
            readOnly('ClosedDate', 'datetime', { label: 'Closed Date' }),
            field('IsEscalated', 'boolean', { label: 'Escalated' }),
            field('SuppliedName', 'string', { label: 'Web Name', length: 80 }),
            field('SuppliedEmail', 'email', { label: 'Web Email', length: 80 }),
            field('ParentId', 'reference', {
                label: 'Parent Case ID',
                referenceTo: ['Case'],
                relationshipName: 'Parent',
                childRelationshipName: 'Cases',
                deleteConstraint: 'SetNull'
            }),
            ownerField(),
            ...auditFields().slice(1)
        ],
        { label: 'Case', labelPlural: 'Cases' }
    );

    const caseComment = objectDef(
        'CaseComment',
        KEY_PREFIX.CaseComment,
        [
            idField('Case Comment ID'),
            field('ParentId', 'reference', {
                label: 'Parent Case ID',
                nillable: false,
                updateable: false,
                referenceTo: ['Case'],
                relationshipName: 'Parent',
                childRelationshipName: 'CaseComments',
                deleteConstraint: 'Cascade'
            }),
            field('IsPublished', 'boolean', { label: 'Published' }),
            field('CommentBody', 'textarea', {
                label: 'Body',
                length: 4000,
                lengthInBytes: true,
                nillable: false
            }),
            ...auditFields()
        ],
        { label: 'Case Comment', labelPlural: 'Case Comments' }
    );

    const contentDocument = objectDef(
        'ContentDocument',
        KEY_PREFIX.ContentDocument,
        [
            idField('ContentDocument ID'),
            ...auditFields(),
            field('Title', 'string', { length: 255, nillable: false, nameField: true }),
            field('Description', 'textarea', { length: 1000 }),
            readOnly('LatestPublishedVersionId', 'reference', {
                label: 'Latest Published Version ID',
                referenceTo: ['ContentVersion'],
                relationshipName: 'LatestPublishedVersion'
            }),
            readOnly('FileExtension', 'string', { label: 'File Extension', length: 40 }),
            readOnly('FileType', 'string', { label: 'File Type', length: 20 }),
            readOnly('ContentSize', 'int', { label: 'Size', precision: 9 }),
            ownerField()
        ],
        { label: 'Content Document', labelPlural: 'Content Documents', createable: false }
    );

    const contentVersion = objectDef(
        'ContentVersion',
        KEY_PREFIX.ContentVersion,
        [
            idField('ContentVersion ID'),
            field('ContentDocumentId', 'reference', {
                label: 'ContentDocument ID',
                updateable: false,
                referenceTo: ['ContentDocument'],
                relationshipName: 'ContentDocument',
                childRelationshipName: 'ContentVersions',
                deleteConstraint: 'Cascade',
                defaultedOnCreate: true
            }),
            readOnly('IsLatest', 'boolean', { label: 'Is Latest', defaultedOnCreate: true }),
            field('ContentLocation', 'picklist', {
                label: 'Content Location',
                defaultValue: 'S',
                defaultedOnCreate: true,
                updateable: false,
                restrictedPicklist: true,
                picklistValues: picklist(['S', 'E', 'L'], 'S')
            }),
            readOnly('VersionNumber', 'string', { label: 'Version Number', length: 20, defaultedOnCreate: true }),
            field('Title', 'string', { length: 255, nillable: false, nameField: true, defaultedOnCreate: true }),
            field('Description', 'textarea', { length: 1000 }),
            field('ReasonForChange', 'string', { label: 'Reason For Change', length: 1000 }),
            field('PathOnClient', 'string', {
                label: 'Path On Client',
                length: 500,
                nillable: false,
                updateable: false
            }),
            field('VersionData', 'base64', { label: 'Version Data', nillable: false, updateable: false }),
            readOnly('ContentSize', 'int', { label: 'Size', precision: 9 }),
            readOnly('FileExtension', 'string', { label: 'File Extension', length: 40 }),
            readOnly('FileType', 'string', { label: 'File Type', length: 20 }),
            readOnly('Checksum', 'string', { label: 'Checksum', length: 50 }),
            field('FirstPublishLocationId', 'reference', {
                label: 'First Publish Location ID',
                updateable: false,
                referenceTo: [ANY_RECORD],
                relationshipName: 'FirstPublishLocation'
            }),
            field('Origin', 'picklist', {
                label: 'Content Origin',
                defaultValue: 'C',
                defaultedOnCreate: true,
                updateable: false,
                restrictedPicklist: true,
                picklistValues: picklist(['C', 'H'], 'C')
            }),
            ownerField(),
            ...auditFields()
        ],
        { label: 'Content Version', labelPlural: 'Content Versions', deletable: false }
    );

    const contentDocumentLink = objectDef(
        'ContentDocumentLink',
        KEY_PREFIX.ContentDocumentLink,
        [
            idField('ContentDocumentLink ID'),
            field('LinkedEntityId', 'reference', {
                label: 'Linked Entity ID',
                nillable: false,
                updateable: false,
                referenceTo: [ANY_RECORD],
                relationshipName: 'LinkedEntity',
                childRelationshipName: 'ContentDocumentLinks',
                deleteConstraint: 'Cascade'
            }),
            field('ContentDocumentId', 'reference', {
                label: 'ContentDocument ID',
                nillable: false,
                updateable: false,
                referenceTo: ['ContentDocument'],
                relationshipName: 'ContentDocument',
                childRelationshipName: 'ContentDocumentLinks',
                deleteConstraint: 'Cascade'
            }),
            ...auditFields({ created: false }),
            field('ShareType', 'picklist', {
                label: 'Share Type',
                nillable: false,
                restrictedPicklist: true,
                picklistValues: picklist(['V', 'C', 'I'])
            }),
            field('Visibility', 'picklist', {
                defaultValue: 'AllUsers',
                defaultedOnCreate: true,
                restrictedPicklist: true,
                picklistValues: picklist(['AllUsers', 'InternalUsers', 'SharedUsers'], 'AllUsers')
            })
        ],
        { label: 'Content Document Link', labelPlural: 'Content Document Links', updateable: true }
    );

    const user = objectDef(
        'User',
        KEY_PREFIX.User,
        [
            idField('User ID'),
            field('Username', 'string', { length: 80, nillable: false, unique: true, idLookup: true }),
            field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
            field('FirstName', 'string', { label: 'First Name', length: 40 }),
            readOnly('Name', 'string', { label: 'Full Name', length: 121, nameField: true }),
            field('Email', 'email', { length: 128 }),
            field('Alias', 'string', { length: 8 }),
            field('IsActive', 'boolean', { label: 'Active', defaultValue: true }),
            ...auditFields()
        ],
        { label: 'User', labelPlural: 'Users', createable: false, deletable: false }
    );

    return [caseObject, caseComment, contentDocument, contentVersion, contentDocumentLink, user];
}

function booleanText(value: string | undefined): boolean {
    return value === 'true';
}

function customFieldFromXml(xml: XmlElement, namespacePrefix: string, objectName: string): FieldDef | undefined {
    const fullName = childText(xml, 'fullName');
    const type = childText(xml, 'type');
    if (!fullName || !type) {
        return undefined;
    }
    const name = namespacePrefix + fullName;
    const label = childText(xml, 'label') ?? fullName;
    const required = booleanText(childText(xml, 'required'));
    const unique = booleanText(childText(xml, 'unique'));
    const externalId = booleanText(childText(xml, 'externalId'));
    const caseSensitive = booleanText(childText(xml, 'caseSensitive'));
    const length = Number(childText(xml, 'length') ?? '0');
    const defaultText = childText(xml, 'defaultValue');
    const common: FieldOptions = { label, custom: true, nillable: !required, unique, externalId, caseSensitive };
    switch (type) {
        case 'Text':
            return field(name, 'string', { ...common, length, idLookup: externalId || unique });
        case 'LongTextArea':
        case 'Html':
            return field(name, 'textarea', { ...common, length });
        case 'TextArea':
            return field(name, 'textarea', { ...common, length: 255 });
        case 'Url':
            return field(name, 'url', { ...common, length: 255 });
        case 'Email':
            return field(name, 'email', { ...common, length: 80, idLookup: externalId || unique });
        case 'DateTime':
            return field(name, 'datetime', common);
        case 'Date':
            return field(name, 'date', common);
        case 'Checkbox':
            return field(name, 'boolean', { ...common, defaultValue: defaultText === 'true' });
        case 'Number':
        case 'Currency':
        case 'Percent': {
            const precision = Number(childText(xml, 'precision') ?? '18');
            const scale = Number(childText(xml, 'scale') ?? '0');
            const defaultValue = defaultText === undefined ? null : Number(defaultText);
            return field(name, 'double', {
                ...common,
                precision,
                scale,
                defaultValue,
                defaultedOnCreate: defaultValue !== null,
                idLookup: externalId
            });
        }
        case 'Picklist': {
            const valueSet = child(xml, 'valueSet');
            const definition = valueSet ? child(valueSet, 'valueSetDefinition') : undefined;
            const values = definition
                ? childrenNamed(definition, 'value').map((value) => ({
                      value: childText(value, 'fullName') ?? '',
                      label: childText(value, 'label') ?? childText(value, 'fullName') ?? '',
                      defaultValue: booleanText(childText(value, 'default')),
                      active: childText(value, 'isActive') !== 'false'
                  }))
                : [];
            const defaultValue = values.find((value) => value.defaultValue)?.value ?? null;
            return field(name, 'picklist', {
                ...common,
                picklistValues: values,
                restrictedPicklist: valueSet ? booleanText(childText(valueSet, 'restricted')) : false,
                defaultValue,
                defaultedOnCreate: defaultValue !== null
            });
        }
        case 'Lookup':
        case 'MasterDetail': {
            const masterDetail = type === 'MasterDetail';
            const referenceTo = childText(xml, 'referenceTo') ?? '';
            const relationship = childText(xml, 'relationshipName') ?? fullName.replace(/__c$/, '');
            const constraint = childText(xml, 'deleteConstraint');
            return field(name, 'reference', {
                ...common,
                nillable: masterDetail ? false : !required,
                updateable: masterDetail ? booleanText(childText(xml, 'reparentableMasterDetail')) : true,
                referenceTo: [referenceTo.endsWith('__c') ? namespacePrefix + referenceTo : referenceTo],
                relationshipName: `${namespacePrefix}${fullName.replace(/__c$/, '')}__r`,
                childRelationshipName: `${namespacePrefix}${relationship}__r`,
                deleteConstraint: masterDetail ? 'Cascade' : constraint === 'Restrict' ? 'Restrict' : 'SetNull',
                masterDetail
            });
        }
        case 'Summary': {
            const foreignKey = childText(xml, 'summaryForeignKey') ?? '';
            const [childObject = '', childField = ''] = foreignKey.split('.');
            if (childText(xml, 'summaryOperation') !== 'count') {
                throw new Error(`${objectName}.${fullName}: only COUNT roll-ups are emulated`);
            }
            return readOnly(name, 'double', {
                ...common,
                system: true,
                calculated: true,
                precision: 18,
                scale: 0,
                defaultedOnCreate: true,
                summary: { childObject: namespacePrefix + childObject, childField: namespacePrefix + childField }
            });
        }
        default:
            throw new Error(`${objectName}.${fullName}: field type ${type} is not emulated`);
    }
}

function nameFieldFromXml(xml: XmlElement | undefined): FieldDef {
    const label = (xml && childText(xml, 'label')) ?? 'Name';
    if (xml && childText(xml, 'type') === 'AutoNumber') {
        const format = childText(xml, 'displayFormat') ?? '{0}';
        const match = /^(.*)\{(0+)\}(.*)$/.exec(format);
        const start = Number(childText(xml, 'startingNumber') ?? '0');
        return readOnly('Name', 'string', {
            label,
            length: 80,
            nillable: false,
            nameField: true,
            idLookup: true,
            defaultedOnCreate: true,
            autoNumber: match
                ? { prefix: match[1], width: match[2].length, suffix: match[3], start }
                : { prefix: '', width: 1, suffix: '', start }
        });
    }
    return field('Name', 'string', { label, length: 80, nillable: false, nameField: true, idLookup: true });
}

/** The custom fields in `<folder>/fields` (a package's own object, or fields it adds to a standard one). */
function customFieldsOfDir(dir: string, folder: string, namespacePrefix: string, objectName: string): FieldDef[] {
    const fieldsDir = join(dir, folder, 'fields');
    return existsSync(fieldsDir)
        ? readdirSync(fieldsDir)
              .filter((file) => file.endsWith('.field-meta.xml'))
              .sort()
              .map((file) => customFieldFromXml(readXmlFile(join(fieldsDir, file)), namespacePrefix, objectName))
              .filter((candidate): candidate is FieldDef => candidate !== undefined)
        : [];
}

function customObjectFromDir(
    dir: string,
    folder: string,
    namespacePrefix: string,
    keyPrefix: string
): ObjectDef | undefined {
    const objectFile = join(dir, folder, `${folder}.object-meta.xml`);
    if (!existsSync(objectFile)) {
        return undefined;
    }
    const xml = readXmlFile(objectFile);
    const name = namespacePrefix + folder;
    const label = childText(xml, 'label') ?? folder;
    const labelPlural = childText(xml, 'pluralLabel') ?? `${label}s`;
    const customFields = customFieldsOfDir(dir, folder, namespacePrefix, name);

    if (folder.endsWith('__e')) {
        const fields = [
            readOnly('ReplayId', 'string', { label: 'Replay ID', length: 255 }),
            readOnly('CreatedDate', 'datetime', { label: 'Created Date', defaultedOnCreate: true }),
            readOnly('CreatedById', 'reference', {
                label: 'Created By ID',
                referenceTo: ['User'],
                relationshipName: 'CreatedBy',
                defaultedOnCreate: true
            }),
            readOnly('EventUuid', 'string', { label: 'Event UUID', length: 36 }),
            ...customFields
        ];
        return objectDef(name, KEY_PREFIX.PlatformEvent, fields, {
            label,
            labelPlural,
            kind: 'event',
            custom: true,
            updateable: false,
            deletable: false,
            queryable: false
        });
    }

    const isSetting = child(xml, 'customSettingsType') !== undefined;
    const nameField = isSetting
        ? field('Name', 'string', { label: 'Name', length: 38, nillable: false, nameField: true, unique: true })
        : nameFieldFromXml(child(xml, 'nameField'));
    const hasMaster = customFields.some((candidate) => candidate.masterDetail);
    const fields = [
        idField('Record ID'),
        ...(hasMaster || isSetting ? [] : [ownerField()]),
        ...auditFields().slice(0, 1),
        nameField,
        ...auditFields().slice(1),
        ...customFields
    ];
    const hiddenFromApi = isSetting && childText(xml, 'visibility') === 'Protected';
    return objectDef(name, keyPrefix, fields, {
        label,
        labelPlural,
        kind: isSetting ? 'setting' : 'custom',
        custom: true,
        hiddenFromApi
    });
}

/** Key prefixes of custom objects: a00, a01, ... in the alphabetical order of their API names. */
function customKeyPrefix(index: number): string {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    return `a${alphabet.charAt(Math.floor(index / 62))}${alphabet.charAt(index % 62)}`;
}

export class Schema {
    readonly namespacePrefix: string;
    private readonly byName = new Map<string, ObjectDef>();
    private readonly byKeyPrefix = new Map<string, ObjectDef>();
    private readonly fieldIndex = new Map<ObjectDef, Map<string, FieldDef>>();

    constructor(forceAppDir: string | undefined, namespace: string) {
        this.namespacePrefix = namespace ? `${namespace}__` : '';
        const objects = standardObjects();
        if (forceAppDir) {
            const objectsDir = join(forceAppDir, 'main', 'default', 'objects');
            const dir = existsSync(objectsDir) ? objectsDir : join(forceAppDir, 'objects');
            if (existsSync(dir)) {
                const folders = readdirSync(dir, { withFileTypes: true })
                    .filter((entry) => entry.isDirectory())
                    .map((entry) => entry.name)
                    .sort();
                let index = 0;
                for (const folder of folders) {
                    const standard = objects.find(
                        (candidate) => candidate.kind === 'standard' && candidate.name === folder
                    );
                    if (standard !== undefined) {
                        // Fields the package adds to a standard object (Case.Exalate_Link_Key__c).
                        standard.fields.push(...customFieldsOfDir(dir, folder, this.namespacePrefix, folder));
                        continue;
                    }
                    const object = customObjectFromDir(dir, folder, this.namespacePrefix, customKeyPrefix(index));
                    if (object) {
                        objects.push(object);
                        if (object.kind !== 'event') {
                            index += 1;
                        }
                    }
                }
            }
        }
        for (const object of objects) {
            this.byName.set(object.name.toLowerCase(), object);
            if (object.kind !== 'event') {
                this.byKeyPrefix.set(object.keyPrefix, object);
            }
            this.fieldIndex.set(
                object,
                new Map(object.fields.map((candidate) => [candidate.name.toLowerCase(), candidate]))
            );
        }
        const recordObjects = objects.filter((object) => object.kind === 'standard' || object.kind === 'custom');
        for (const object of objects) {
            for (const reference of object.fields) {
                if (reference.referenceTo.includes(ANY_RECORD)) {
                    reference.referenceTo = recordObjects
                        .filter(
                            (candidate) => candidate.name !== 'ContentDocument' && candidate.name !== 'ContentVersion'
                        )
                        .filter((candidate) => candidate.name !== 'ContentDocumentLink')
                        .map((candidate) => candidate.name);
                }
            }
        }
        for (const object of objects) {
            if (object.kind === 'event' || object.kind === 'setting') {
                continue;
            }
            for (const reference of object.fields) {
                if (reference.type !== 'reference' || reference.system) {
                    continue;
                }
                for (const target of reference.referenceTo) {
                    const parent = this.byName.get(target.toLowerCase());
                    if (!parent || (reference.childRelationshipName === null && reference.referenceTo.length > 1)) {
                        continue;
                    }
                    parent.childRelationships.push({
                        childSObject: object.name,
                        field: reference.name,
                        relationshipName: reference.childRelationshipName,
                        cascadeDelete: reference.deleteConstraint === 'Cascade',
                        restrictedDelete: reference.deleteConstraint === 'Restrict'
                    });
                }
            }
        }
    }

    /** Every object, in definition order. */
    objects(): ObjectDef[] {
        return [...this.byName.values()];
    }

    /** The object of that API name (case-insensitive), including ones hidden from the API. */
    object(name: string): ObjectDef | undefined {
        return this.byName.get(name.toLowerCase());
    }

    /** The object as the API sees it: undefined for unknown names and protected settings. */
    apiObject(name: string): ObjectDef | undefined {
        const object = this.object(name);
        return object && !object.hiddenFromApi ? object : undefined;
    }

    objectOfId(id: string): ObjectDef | undefined {
        return this.byKeyPrefix.get(keyPrefixOf(id));
    }

    field(object: ObjectDef, name: string): FieldDef | undefined {
        return this.fieldIndex.get(object)?.get(name.toLowerCase());
    }

    /** The reference field whose relationship name (`Parent`, `Connection__r`) is given. */
    parentRelationship(object: ObjectDef, relationshipName: string): FieldDef | undefined {
        const lower = relationshipName.toLowerCase();
        return object.fields.find(
            (candidate) => candidate.type === 'reference' && candidate.relationshipName?.toLowerCase() === lower
        );
    }

    childRelationship(object: ObjectDef, relationshipName: string): ChildRelationship | undefined {
        const lower = relationshipName.toLowerCase();
        return object.childRelationships.find((candidate) => candidate.relationshipName?.toLowerCase() === lower);
    }

    /** Name of a package object or field with the namespace prefix, e.g. `Sync_Twin__c` -> `ns__Sync_Twin__c`. */
    packaged(name: string): string {
        return this.namespacePrefix + name;
    }
}
