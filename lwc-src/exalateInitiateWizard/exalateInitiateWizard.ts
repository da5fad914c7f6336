import { LightningElement } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getConsoleContext from '@salesforce/apex/ConnectionController.getConsoleContext';
import initiateConnection from '@salesforce/apex/ConnectionController.initiateConnection';
import createConnection from '@salesforce/apex/ConnectionController.createConnection';
import { errorMessage } from 'c/exalateErrors';
import { encodeInvitation } from 'c/exalateInvitationCodec';
import TITLE from '@salesforce/label/c.Initiate_Title';
import LOADING from '@salesforce/label/c.Initiate_Loading';
import WORKING from '@salesforce/label/c.Initiate_Working';
import CANCEL from '@salesforce/label/c.Initiate_Cancel';
import PREVIOUS from '@salesforce/label/c.Initiate_Previous';
import NEXT from '@salesforce/label/c.Initiate_Next';
import INITIATE from '@salesforce/label/c.Initiate_Initiate';
import CREATE_LOCAL from '@salesforce/label/c.Initiate_Create_Local';
import DONE from '@salesforce/label/c.Initiate_Done';
import URL_HEADING from '@salesforce/label/c.Initiate_Url_Heading';
import URL_LABEL from '@salesforce/label/c.Initiate_Url_Label';
import URL_PLACEHOLDER from '@salesforce/label/c.Initiate_Url_Placeholder';
import URL_HELP from '@salesforce/label/c.Initiate_Url_Help';
import NO_URL_LABEL from '@salesforce/label/c.Initiate_No_Url_Label';
import NO_URL_EXPLANATION from '@salesforce/label/c.Initiate_No_Url_Explanation';
import LOCAL_EXPLANATION from '@salesforce/label/c.Initiate_Local_Explanation';
import URL_REQUIRED from '@salesforce/label/c.Initiate_Url_Required';
import URL_SPACES from '@salesforce/label/c.Initiate_Url_Spaces';
import URL_SCHEME from '@salesforce/label/c.Initiate_Url_Scheme';
import URL_TOO_LONG from '@salesforce/label/c.Initiate_Url_Too_Long';
import MODE_HEADING from '@salesforce/label/c.Initiate_Mode_Heading';
import MODE_BASIC from '@salesforce/label/c.Initiate_Mode_Basic';
import MODE_SELECTED from '@salesforce/label/c.Initiate_Mode_Selected';
import MODE_BULLET_FIELDS from '@salesforce/label/c.Initiate_Mode_Bullet_Fields';
import MODE_BULLET_RULES from '@salesforce/label/c.Initiate_Mode_Bullet_Rules';
import MODE_BULLET_CASES from '@salesforce/label/c.Initiate_Mode_Bullet_Cases';
import MODE_BULLET_COMPLEXITY from '@salesforce/label/c.Initiate_Mode_Bullet_Complexity';
import ACCESS_HEADING from '@salesforce/label/c.Initiate_Access_Heading';
import ACCESS_YES from '@salesforce/label/c.Initiate_Access_Yes';
import ACCESS_YES_EXPLANATION from '@salesforce/label/c.Initiate_Access_Yes_Explanation';
import ACCESS_NO from '@salesforce/label/c.Initiate_Access_No';
import ACCESS_NO_EXPLANATION from '@salesforce/label/c.Initiate_Access_No_Explanation';
import ACCESS_REQUIRED from '@salesforce/label/c.Initiate_Access_Required';
import INFO_HEADING from '@salesforce/label/c.Initiate_Info_Heading';
import LOCAL_NAME_LABEL from '@salesforce/label/c.Initiate_Local_Name_Label';
import LOCAL_NAME_HELP from '@salesforce/label/c.Initiate_Local_Name_Help';
import REMOTE_NAME_LABEL from '@salesforce/label/c.Initiate_Remote_Name_Label';
import REMOTE_NAME_HELP from '@salesforce/label/c.Initiate_Remote_Name_Help';
import CONNECTION_NAME_LABEL from '@salesforce/label/c.Initiate_Connection_Name_Label';
import DESCRIPTION_LABEL from '@salesforce/label/c.Initiate_Description_Label';
import PLATFORM_LABEL from '@salesforce/label/c.Initiate_Platform_Label';
import NODE_URL_LABEL from '@salesforce/label/c.Initiate_Node_Url_Label';
import NODE_URL_HELP from '@salesforce/label/c.Initiate_Node_Url_Help';
import LOCAL_NAME_REQUIRED from '@salesforce/label/c.Initiate_Local_Name_Required';
import LOCAL_NAME_TOO_LONG from '@salesforce/label/c.Initiate_Local_Name_Too_Long';
import LOCAL_NAME_CHARACTERS from '@salesforce/label/c.Initiate_Local_Name_Characters';
import REMOTE_NAME_REQUIRED from '@salesforce/label/c.Initiate_Remote_Name_Required';
import REMOTE_NAME_TOO_LONG from '@salesforce/label/c.Initiate_Remote_Name_Too_Long';
import REMOTE_NAME_CHARACTERS from '@salesforce/label/c.Initiate_Remote_Name_Characters';
import NAMES_EQUAL from '@salesforce/label/c.Initiate_Names_Equal';
import CONNECTION_NAME_REQUIRED from '@salesforce/label/c.Initiate_Connection_Name_Required';
import CONNECTION_NAME_TOO_LONG from '@salesforce/label/c.Initiate_Connection_Name_Too_Long';
import DESCRIPTION_TOO_LONG from '@salesforce/label/c.Initiate_Description_Too_Long';
import PLATFORM_REQUIRED from '@salesforce/label/c.Initiate_Platform_Required';
import NODE_URL_REQUIRED from '@salesforce/label/c.Initiate_Node_Url_Required';
import NODE_URL_INVALID from '@salesforce/label/c.Initiate_Node_Url_Invalid';
import NODE_URL_TOO_LONG from '@salesforce/label/c.Initiate_Node_Url_Too_Long';
import ENCODE_FAILED from '@salesforce/label/c.Initiate_Encode_Failed';
import CODE_HEADING from '@salesforce/label/c.Initiate_Code_Heading';
import CODE_INSTALL_NOTE from '@salesforce/label/c.Initiate_Code_Install_Note';
import UNKNOWN_SIDE from '@salesforce/label/c.Initiate_Unknown_Side';
import CODE_USE from '@salesforce/label/c.Initiate_Code_Use';
import CODE_LABEL from '@salesforce/label/c.Initiate_Code_Label';
import CODE_EXPIRY from '@salesforce/label/c.Initiate_Code_Expiry';
import COPY from '@salesforce/label/c.Initiate_Copy';
import COPIED from '@salesforce/label/c.Initiate_Copied';
import COPY_MANUALLY from '@salesforce/label/c.Initiate_Copy_Manually';
import OPEN_DESTINATION from '@salesforce/label/c.Initiate_Open_Destination';
import OPEN_DESTINATION_HELP from '@salesforce/label/c.Initiate_Open_Destination_Help';
import ESTABLISHED from '@salesforce/label/c.Initiate_Established';
import LOCAL_CREATED from '@salesforce/label/c.Initiate_Local_Created';
import type { ConnectionDto, ConnectionType, ConsoleContextDto, InitiatedInvitationDto } from '../../types/exalate-dto';
import { formatDateTime, formatLabel } from 'c/exalateFormat';

type Step = 'url' | 'mode' | 'access' | 'info' | 'code' | 'local';
type Platform = 'Salesforce' | 'ServiceNow';
type FieldName = 'localName' | 'remoteName' | 'connectionName' | 'description' | 'platform' | 'nodeUrl';

const MAX_INSTANCE_NAME_LENGTH = 40;
const MAX_CONNECTION_NAME_LENGTH = 80;
const MAX_DESCRIPTION_LENGTH = 2000;
const MAX_URL_LENGTH = 255;
const INSTANCE_NAME = /^[A-Za-z0-9_-]+$/;
// The rules of ConnectionValidator.cls: https://, or http:// only for localhost during local development.
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(\/\S*)?$/i;
const LOCAL_DEVELOPMENT_URL = /^http:\/\/(localhost|127\.0\.0\.1)(:[0-9]{1,5})?(\/\S*)?$/i;
/** The host suffixes under which one org answers: its My Domain and its Lightning host. */
const ORG_HOST_SUFFIXES = ['.my.salesforce.com', '.lightning.force.com', '.my.salesforce-setup.com'];
const CONSOLE_TAB = 'Exalate_Console';

/** The host of an http(s) URL in lower case, or undefined when it has none. */
function hostOf(url: string): string | undefined {
    const match = /^https?:\/\/([^\s/?#@:]+)/i.exec(url.trim());
    return match ? match[1].toLowerCase() : undefined;
}

/** One org answers on acme.my.salesforce.com and acme.lightning.force.com: both give "acme". */
function orgKeyOf(host: string): string {
    const suffix = ORG_HOST_SUFFIXES.find((candidate) => host.endsWith(candidate));
    return suffix ? host.slice(0, -suffix.length) : host;
}

function isSalesforceHost(host: string | undefined): boolean {
    return host !== undefined && (host.endsWith('.salesforce.com') || host.endsWith('.force.com'));
}

function isServiceNowHost(host: string | undefined): boolean {
    return host !== undefined && host.endsWith('.service-now.com');
}

/** The first problem of a URL under the rules of ConnectionValidator, or undefined when it is good. */
function urlProblem(url: string, messages: { spaces: string; invalid: string; tooLong: string }): string | undefined {
    if (/\s/.test(url)) {
        return messages.spaces;
    }
    if (url.length > MAX_URL_LENGTH) {
        return formatLabel(messages.tooLong, url.length);
    }
    if (!HTTPS_URL.test(url) && !LOCAL_DEVELOPMENT_URL.test(url)) {
        return messages.invalid;
    }
    return undefined;
}

/**
 * The "Initiate connection" wizard of the Exalate console: the destination's URL (or none, for a
 * private destination; this org's own URL makes a Local connection), the Basic configuration type,
 * whether the admin can reach the destination's console, the connection's names, then the
 * invitation code to send to the other side. Fires `done` ({connectionId}) and `cancel`.
 */
export default class ExalateInitiateWizard extends LightningElement {
    labels = {
        title: TITLE,
        loading: LOADING,
        working: WORKING,
        cancel: CANCEL,
        previous: PREVIOUS,
        next: NEXT,
        done: DONE,
        urlHeading: URL_HEADING,
        urlLabel: URL_LABEL,
        urlPlaceholder: URL_PLACEHOLDER,
        urlHelp: URL_HELP,
        noUrlLabel: NO_URL_LABEL,
        noUrlExplanation: NO_URL_EXPLANATION,
        localExplanation: LOCAL_EXPLANATION,
        modeHeading: MODE_HEADING,
        modeBasic: MODE_BASIC,
        modeSelected: MODE_SELECTED,
        accessHeading: ACCESS_HEADING,
        accessYes: ACCESS_YES,
        accessYesExplanation: ACCESS_YES_EXPLANATION,
        accessNo: ACCESS_NO,
        accessNoExplanation: ACCESS_NO_EXPLANATION,
        infoHeading: INFO_HEADING,
        localNameLabel: LOCAL_NAME_LABEL,
        localNameHelp: LOCAL_NAME_HELP,
        remoteNameLabel: REMOTE_NAME_LABEL,
        remoteNameHelp: REMOTE_NAME_HELP,
        connectionNameLabel: CONNECTION_NAME_LABEL,
        descriptionLabel: DESCRIPTION_LABEL,
        platformLabel: PLATFORM_LABEL,
        nodeUrlLabel: NODE_URL_LABEL,
        nodeUrlHelp: NODE_URL_HELP,
        codeHeading: CODE_HEADING,
        codeUse: CODE_USE,
        codeLabel: CODE_LABEL,
        copy: COPY,
        openDestination: OPEN_DESTINATION,
        openDestinationHelp: OPEN_DESTINATION_HELP,
        established: ESTABLISHED
    };
    modeBullets = [MODE_BULLET_FIELDS, MODE_BULLET_RULES, MODE_BULLET_CASES, MODE_BULLET_COMPLEXITY].map(
        (text, index) => ({ key: `bullet-${index}`, text })
    );
    platformOptions = [
        { label: 'Salesforce', value: 'Salesforce' },
        { label: 'ServiceNow', value: 'ServiceNow' }
    ];

    step: Step = 'url';
    loading = true;
    working = false;
    context: ConsoleContextDto | undefined;
    contextError: string | undefined;

    destinationUrl = '';
    noUrl = false;
    urlError: string | undefined;
    adminAccess: 'yes' | 'no' | undefined;
    accessError: string | undefined;

    localName = '';
    remoteName = '';
    connectionName = '';
    description = '';
    platform: Platform | undefined;
    nodeUrl = '';
    fieldErrors: Partial<Record<FieldName, string>> = {};
    submitError: string | undefined;

    connection: ConnectionDto | undefined;
    code: string | undefined;
    expiresAt: string | undefined;
    copyHint: string | undefined;

    private connectionNameEdited = false;
    private renderedStep: Step | undefined;
    private platformChosen = false;

    connectedCallback(): void {
        void this.loadContext();
    }

    renderedCallback(): void {
        this.showCodeInArea();
        // A new step takes the focus to its heading, so that keyboard and screen reader users start there.
        if (this.renderedStep !== undefined && this.renderedStep !== this.step) {
            this.template?.querySelector<HTMLElement>('.step-heading')?.focus();
        }
        this.renderedStep = this.step;
    }

    /* ---------- which step ---------- */

    get isUrlStep(): boolean {
        return this.step === 'url';
    }

    get isModeStep(): boolean {
        return this.step === 'mode';
    }

    get isAccessStep(): boolean {
        return this.step === 'access';
    }

    get isInfoStep(): boolean {
        return this.step === 'info';
    }

    get isCodeStep(): boolean {
        return this.step === 'code';
    }

    get isLocalDone(): boolean {
        return this.step === 'local';
    }

    get showCancel(): boolean {
        return this.step === 'url' || this.step === 'mode' || this.step === 'access' || this.step === 'info';
    }

    get showPrevious(): boolean {
        return this.step === 'mode' || this.step === 'access' || this.step === 'info';
    }

    get showNext(): boolean {
        return this.step === 'url' || this.step === 'mode' || this.step === 'access';
    }

    get showSubmit(): boolean {
        return this.step === 'info';
    }

    get showDone(): boolean {
        return this.step === 'code' || this.step === 'local';
    }

    get nextDisabled(): boolean {
        return this.loading;
    }

    get submitLabel(): string {
        return this.connectionType === 'Local' ? CREATE_LOCAL : INITIATE;
    }

    /* ---------- the destination ---------- */

    get connectionType(): ConnectionType {
        if (this.noUrl) {
            return 'Private';
        }
        return this.isOwnUrl ? 'Local' : 'Public';
    }

    /** The URL is this org's own: its My Domain or its Lightning host. */
    get isOwnUrl(): boolean {
        if (this.noUrl || !this.context?.orgDomainUrl) {
            return false;
        }
        const destination = hostOf(this.destinationUrl);
        const own = hostOf(this.context.orgDomainUrl);
        return destination !== undefined && own !== undefined && orgKeyOf(destination) === orgKeyOf(own);
    }

    get showLocalExplanation(): boolean {
        return this.isUrlStep && this.isOwnUrl && !this.urlError;
    }

    get urlDisabled(): boolean {
        return this.noUrl;
    }

    get urlInputClass(): string {
        return this.urlError ? 'slds-form-element slds-has-error' : 'slds-form-element';
    }

    get showPlatform(): boolean {
        return this.connectionType !== 'Local';
    }

    get showNodeUrl(): boolean {
        return this.connectionType !== 'Local';
    }

    get accessYesChecked(): boolean {
        return this.adminAccess === 'yes';
    }

    get accessNoChecked(): boolean {
        return this.adminAccess === 'no';
    }

    get accessYesClass(): string {
        return this.adminAccess === 'yes' ? 'access-option slds-box selected' : 'access-option slds-box';
    }

    get accessNoClass(): string {
        return this.adminAccess === 'no' ? 'access-option slds-box selected' : 'access-option slds-box';
    }

    /* ---------- field errors ---------- */

    get localNameError(): string | undefined {
        return this.fieldErrors.localName;
    }

    get remoteNameError(): string | undefined {
        return this.fieldErrors.remoteName;
    }

    get connectionNameError(): string | undefined {
        return this.fieldErrors.connectionName;
    }

    get descriptionError(): string | undefined {
        return this.fieldErrors.description;
    }

    get platformError(): string | undefined {
        return this.fieldErrors.platform;
    }

    get nodeUrlError(): string | undefined {
        return this.fieldErrors.nodeUrl;
    }

    /* ---------- the code ---------- */

    get installNote(): string {
        const side =
            this.connection?.type === 'Private' ? UNKNOWN_SIDE : (this.connection?.remoteInstanceName ?? UNKNOWN_SIDE);
        return formatLabel(CODE_INSTALL_NOTE, side);
    }

    get expiryNote(): string {
        return this.expiresAt ? formatLabel(CODE_EXPIRY, formatDateTime(new Date(this.expiresAt))) : '';
    }

    /** Offered when the admin can sign in to the destination and it is a Salesforce org. */
    get canOpenDestination(): boolean {
        return this.adminAccess === 'yes' && this.connection?.type === 'Public' && this.destinationIsSalesforce;
    }

    get localCreatedNote(): string {
        return formatLabel(LOCAL_CREATED, this.connection?.name ?? '');
    }

    get connectionId(): string | undefined {
        return this.connection?.id;
    }

    private get destinationIsSalesforce(): boolean {
        return isSalesforceHost(hostOf(this.destinationUrl));
    }

    /* ---------- handlers ---------- */

    handleUrlChange(event: CustomEvent<{ value: string }>): void {
        this.destinationUrl = event.detail.value ?? '';
        this.urlError = undefined;
    }

    handleNoUrlChange(event: CustomEvent<{ checked: boolean }>): void {
        this.noUrl = event.detail.checked;
        this.urlError = undefined;
    }

    handleAccessChange(event: Event): void {
        const value = (event.target as HTMLInputElement).value;
        this.adminAccess = value === 'yes' ? 'yes' : 'no';
        this.accessError = undefined;
    }

    handleFieldChange(event: CustomEvent<{ value: string }>): void {
        const field = (event.target as HTMLElement).dataset.field as FieldName;
        const value = event.detail.value ?? '';
        switch (field) {
            case 'localName':
                this.localName = value;
                break;
            case 'remoteName':
                this.remoteName = value;
                break;
            case 'connectionName':
                this.connectionName = value;
                this.connectionNameEdited = true;
                break;
            case 'description':
                this.description = value;
                break;
            case 'platform':
                this.platform = value === 'ServiceNow' ? 'ServiceNow' : 'Salesforce';
                this.platformChosen = true;
                break;
            default:
                this.nodeUrl = value;
        }
        if (field === 'localName' || field === 'remoteName') {
            this.suggestConnectionName();
        }
        this.fieldErrors = { ...this.fieldErrors, [field]: undefined };
        this.submitError = undefined;
    }

    handleCancel(): void {
        this.dispatchEvent(new CustomEvent('cancel'));
    }

    handlePrevious(): void {
        if (this.step === 'mode') {
            this.step = 'url';
        } else if (this.step === 'access') {
            this.step = 'mode';
        } else if (this.step === 'info') {
            this.step = this.connectionType === 'Public' ? 'access' : 'mode';
        }
        this.submitError = undefined;
    }

    handleNext(): void {
        if (this.step === 'url') {
            this.urlError = this.noUrl ? undefined : this.checkDestinationUrl();
            if (!this.urlError) {
                this.step = 'mode';
            }
        } else if (this.step === 'mode') {
            this.enterInfoOrAccess();
        } else if (this.step === 'access') {
            if (this.adminAccess === undefined) {
                this.accessError = ACCESS_REQUIRED;
            } else {
                this.enterInfo();
            }
        }
    }

    async handleSubmit(): Promise<void> {
        if (!this.validateInfo()) {
            return;
        }
        this.working = true;
        this.submitError = undefined;
        const input = {
            name: this.connectionName.trim(),
            localInstanceName: this.localName.trim(),
            remoteInstanceName: this.remoteName.trim(),
            description: this.description.trim() === '' ? null : this.description,
            type: this.connectionType,
            remotePlatform: this.connectionType === 'Local' ? 'Salesforce' : this.platform,
            remoteNodeUrl: this.connectionType === 'Public' ? this.destinationUrl.trim() : null
        };
        try {
            if (this.connectionType === 'Local') {
                this.connection = (await createConnection({ input })) as ConnectionDto;
                this.step = 'local';
            } else {
                const invitation = (await initiateConnection({ input })) as InitiatedInvitationDto;
                this.connection = invitation.connection;
                this.showCode(invitation);
            }
        } catch (error) {
            this.submitError = errorMessage(error);
        } finally {
            this.working = false;
        }
    }

    async handleCopy(): Promise<void> {
        if (!this.code) {
            return;
        }
        this.copyHint = undefined;
        try {
            if (!navigator.clipboard?.writeText) {
                throw new Error('no clipboard');
            }
            await navigator.clipboard.writeText(this.code);
            this.toastCopied();
        } catch {
            this.copyBySelection();
        }
    }

    handleCodeFocus(event: Event): void {
        (event.target as HTMLTextAreaElement).select();
    }

    handleOpenDestination(): void {
        const url = this.destinationConsoleUrl();
        if (url) {
            window.open(url, '_blank', 'noopener');
        }
    }

    handleDone(): void {
        const connectionId = this.connection?.id;
        // The secret is in the code: forget both once the admin is done, on the page too (the
        // template does not read the code, so no render would clear the text area).
        this.code = undefined;
        this.showCodeInArea();
        this.dispatchEvent(new CustomEvent('done', { detail: { connectionId } }));
    }

    /* ---------- helpers ---------- */

    private async loadContext(): Promise<void> {
        this.loading = true;
        try {
            this.context = (await getConsoleContext()) as ConsoleContextDto;
            if (!this.localName && this.context.suggestedInstanceName) {
                this.localName = this.context.suggestedInstanceName;
            }
        } catch (error) {
            this.contextError = errorMessage(error);
        } finally {
            this.loading = false;
        }
    }

    private checkDestinationUrl(): string | undefined {
        const url = this.destinationUrl.trim();
        if (url === '') {
            return URL_REQUIRED;
        }
        return urlProblem(url, { spaces: URL_SPACES, invalid: URL_SCHEME, tooLong: URL_TOO_LONG });
    }

    private enterInfoOrAccess(): void {
        if (this.connectionType === 'Public') {
            this.step = 'access';
        } else {
            this.adminAccess = undefined;
            this.enterInfo();
        }
    }

    private enterInfo(): void {
        if (!this.platformChosen) {
            const host = hostOf(this.destinationUrl);
            if (this.connectionType === 'Public' && isSalesforceHost(host)) {
                this.platform = 'Salesforce';
            } else if (this.connectionType === 'Public' && isServiceNowHost(host)) {
                this.platform = 'ServiceNow';
            } else {
                this.platform = undefined;
            }
        }
        this.suggestConnectionName();
        this.fieldErrors = {};
        this.submitError = undefined;
        this.step = 'info';
    }

    private suggestConnectionName(): void {
        if (this.connectionNameEdited) {
            return;
        }
        const local = this.localName.trim();
        const remote = this.remoteName.trim();
        this.connectionName =
            local && remote ? `${local}_to_${remote}`.slice(0, MAX_CONNECTION_NAME_LENGTH) : this.connectionName;
    }

    /** Checks the connection information as ConnectionValidator.cls does; true when all is good. */
    private validateInfo(): boolean {
        const errors: Partial<Record<FieldName, string>> = {};
        const local = this.localName.trim();
        const remote = this.remoteName.trim();
        errors.localName = instanceNameProblem(local, LOCAL_NAME_REQUIRED, LOCAL_NAME_TOO_LONG, LOCAL_NAME_CHARACTERS);
        errors.remoteName = instanceNameProblem(
            remote,
            REMOTE_NAME_REQUIRED,
            REMOTE_NAME_TOO_LONG,
            REMOTE_NAME_CHARACTERS
        );
        if (!errors.localName && !errors.remoteName && local.toLowerCase() === remote.toLowerCase()) {
            errors.remoteName = formatLabel(NAMES_EQUAL, local);
        }
        const name = this.connectionName.trim();
        if (name === '') {
            errors.connectionName = CONNECTION_NAME_REQUIRED;
        } else if (name.length > MAX_CONNECTION_NAME_LENGTH) {
            errors.connectionName = formatLabel(CONNECTION_NAME_TOO_LONG, name.length);
        }
        if (this.description.length > MAX_DESCRIPTION_LENGTH) {
            errors.description = formatLabel(DESCRIPTION_TOO_LONG, this.description.length);
        }
        if (this.showPlatform && !this.platform) {
            errors.platform = PLATFORM_REQUIRED;
        }
        if (this.showNodeUrl) {
            const nodeUrl = this.nodeUrl.trim();
            errors.nodeUrl =
                nodeUrl === ''
                    ? NODE_URL_REQUIRED
                    : urlProblem(nodeUrl, {
                          spaces: NODE_URL_INVALID,
                          invalid: NODE_URL_INVALID,
                          tooLong: NODE_URL_TOO_LONG
                      });
        }
        this.fieldErrors = errors;
        return Object.values(errors).every((message) => !message);
    }

    private showCode(invitation: InitiatedInvitationDto): void {
        const connection = invitation.connection;
        this.expiresAt = invitation.expiresAt;
        try {
            this.code = encodeInvitation({
                version: 1,
                invitationId: invitation.invitationId,
                connectionName: connection.name,
                initiatorInstance: connection.localInstanceName,
                destinationInstance: connection.remoteInstanceName,
                initiatorPlatform: this.context?.platform ?? 'Salesforce',
                initiatorNodeUrl: this.nodeUrl.trim(),
                connectionType: connection.type,
                mode: 'Basic',
                ...(connection.description ? { description: connection.description } : {}),
                expiresAt: Math.floor(Date.parse(invitation.expiresAt) / 1000),
                secret: invitation.secret
            });
            this.step = 'code';
        } catch (error) {
            this.submitError = formatLabel(ENCODE_FAILED, connection.name, errorMessage(error));
        }
    }

    /** A textarea's text is its value property: the template can only set the value attribute. */
    private showCodeInArea(): void {
        const area = this.template?.querySelector<HTMLTextAreaElement>('textarea.invitation-code');
        if (area && area.value !== (this.code ?? '')) {
            area.value = this.code ?? '';
        }
    }

    private copyBySelection(): void {
        const area = this.template?.querySelector<HTMLTextAreaElement>('textarea.invitation-code');
        if (!area) {
            return;
        }
        area.focus();
        area.select();
        let copied = false;
        try {
            copied = typeof document.execCommand === 'function' && document.execCommand('copy');
        } catch {
            copied = false;
        }
        if (copied) {
            this.toastCopied();
        } else {
            this.copyHint = COPY_MANUALLY;
        }
    }

    private toastCopied(): void {
        this.dispatchEvent(new ShowToastEvent({ message: COPIED, variant: 'success' }));
    }

    /** <destination>/lightning/n/<ns__>Exalate_Console?c__invitation=<code> */
    private destinationConsoleUrl(): string | undefined {
        const match = /^(https?:\/\/[^\s/?#@]+)/i.exec(this.destinationUrl.trim());
        if (!match || !this.code) {
            return undefined;
        }
        const namespace = this.context?.namespacePrefix ? `${this.context.namespacePrefix}__` : '';
        return `${match[1]}/lightning/n/${namespace}${CONSOLE_TAB}?c__invitation=${encodeURIComponent(this.code)}`;
    }
}

function instanceNameProblem(value: string, required: string, tooLong: string, characters: string): string | undefined {
    if (value === '') {
        return required;
    }
    if (value.length > MAX_INSTANCE_NAME_LENGTH) {
        return formatLabel(tooLong, value.length);
    }
    if (!INSTANCE_NAME.test(value)) {
        return characters;
    }
    return undefined;
}
