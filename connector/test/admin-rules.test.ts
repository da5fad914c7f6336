// The admin API's checks of what an admin entered (connector/src/admin/rules.ts), against the
// package's own rules and words (ConnectionValidator, SyncQueueController's filter shape).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AdminError } from '../src/admin/errors.ts';
import {
    checkFilterShape,
    checkNotes,
    topLevelText,
    validateInitiation,
    validateInvitation,
    validateNew,
    validateUpdate
} from '../src/admin/rules.ts';
import type { RuleLookups } from '../src/admin/rules.ts';

const FREE: RuleLookups = { nameTaken: () => Promise.resolve(false), invitationUsed: () => Promise.resolve(false) };
const INPUT = {
    name: 'SalesforceA_to_ServiceNowB',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'ServiceNowB',
    type: 'Public',
    remotePlatform: 'ServiceNow',
    remoteNodeUrl: 'https://sn-node.example.com'
};
const INVITATION = {
    invitationId: '6f1c1f3e-9a59-4f0e-8d2a-7c6b5a4f3e2d',
    connectionName: 'SalesforceX_to_SalesforceA',
    localInstanceName: 'SalesforceA',
    remoteInstanceName: 'SalesforceX',
    type: 'Private',
    remotePlatform: 'Salesforce',
    remoteNodeUrl: 'https://x-node.example.com',
    expiresAt: '2030-01-01T00:00:00.000Z',
    secret: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP_'
};

async function refusal(work: Promise<unknown>): Promise<string> {
    try {
        await work;
    } catch (error) {
        assert.ok(error instanceof AdminError, String(error));
        assert.equal(error.status, 400);
        return error.message;
    }
    return assert.fail('it was accepted');
}

void describe('admin rules: connections (ConnectionValidator)', () => {
    void it('accepts a good connection, trimming nothing it needs', async () => {
        assert.equal((await validateNew(INPUT, FREE)).name, INPUT.name);
        await validateInitiation({ ...INPUT, type: 'Private', remoteNodeUrl: '  ' }, FREE);
        await validateNew({ ...INPUT, remoteNodeUrl: 'http://127.0.0.1:8443' }, FREE);
    });

    void it('refuses each wrong field with the Apex words', async () => {
        const cases: [Record<string, unknown> | null, string][] = [
            [null, 'Fill in the connection details first.'],
            [{ ...INPUT, name: ' ' }, 'Connection name is required. Enter a name such as SalesforceA_to_ServiceNowB.'],
            [
                { ...INPUT, name: 'x'.repeat(81) },
                'Connection name is too long (81 characters). Use at most 80 characters.'
            ],
            [
                { ...INPUT, localInstanceName: 'Salesforce A' },
                'Local instance name can contain only letters, digits, _ and -. Remove spaces and other characters, as in SalesforceA.'
            ],
            [
                { ...INPUT, remoteInstanceName: 'salesforcea' },
                'Local instance name and remote instance name are both SalesforceA. Give each side its own name.'
            ],
            [{ ...INPUT, type: 'Shared' }, 'Type must be Public, Private or Local. Choose one of them.'],
            [
                { ...INPUT, remotePlatform: 'Jira' },
                'Remote platform must be Salesforce or ServiceNow. Choose one of them.'
            ],
            [
                { ...INPUT, remoteNodeUrl: '' },
                "Remote node URL is required for a Public connection. Enter the remote node's base URL, starting with https://."
            ],
            [
                { ...INPUT, type: 'Private' },
                'Remote node URL must be blank for a Private connection: the private side has no URL and opens every request itself. Clear the field.'
            ],
            [
                { ...INPUT, description: 'd'.repeat(2001) },
                'Description is too long (2001 characters). Use at most 2000 characters.'
            ]
        ];
        for (const [input, message] of cases) {
            assert.equal(await refusal(validateNew(input, FREE)), message);
        }
        const taken: RuleLookups = { ...FREE, nameTaken: () => Promise.resolve(true) };
        assert.equal(
            await refusal(validateNew(INPUT, taken)),
            'A connection named SalesforceA_to_ServiceNowB already exists.'
        );
    });

    void it('an edit checks the URL against the stored type and role', async () => {
        const acceptor = { id: 'a01000000000001AAA', type: 'Private', role: 'Acceptor' };
        await validateUpdate(acceptor, { ...INPUT, type: undefined }, FREE);
        assert.equal(
            await refusal(validateUpdate(acceptor, { ...INPUT, remoteNodeUrl: null }, FREE)),
            "Remote node URL is required for a Private connection you accept: enter the inviting node's base URL, starting with https://."
        );
    });
});

void describe('admin rules: invitations (ConnectionValidator.validateInvitation)', () => {
    const now = new Date('2029-12-31T00:00:00Z');

    void it('accepts a good invitation and reads its expiry', async () => {
        const accepted = await validateInvitation(INVITATION, FREE, now);
        assert.equal(accepted.expiresAt.toISOString(), INVITATION.expiresAt);
        assert.equal(accepted.connectionName, INVITATION.connectionName);
    });

    void it('refuses a malformed, expired or used invitation first, then a wrong field', async () => {
        const cases: [Record<string, unknown>, string][] = [
            [
                { ...INVITATION, invitationId: 'abc' },
                'The invitation code is not valid: its invitation id must be a 36-character UUID. Copy the whole invitation code again and paste it.'
            ],
            [
                { ...INVITATION, secret: 'short' },
                'The invitation code is not valid: its secret must be 43 characters of letters, digits, - and _. Copy the whole invitation code again and paste it.'
            ],
            [
                { ...INVITATION, expiresAt: null },
                'The invitation code is not valid: it has no expiry date. Copy the whole invitation code again and paste it.'
            ],
            [
                { ...INVITATION, expiresAt: '2029-12-30T23:59:59.500Z' },
                'This invitation expired on 2029-12-30T23:59:59Z. Ask SalesforceX to send a new one.'
            ],
            [
                { ...INVITATION, type: 'Local' },
                'A Local connection syncs Cases within this org and needs no invitation. Create it with New connection instead.'
            ]
        ];
        for (const [input, message] of cases) {
            assert.equal(await refusal(validateInvitation(input, FREE, now)), message);
        }
        const used: RuleLookups = { ...FREE, invitationUsed: () => Promise.resolve(true) };
        assert.equal(
            await refusal(validateInvitation(INVITATION, used, now)),
            'This invitation code was already used.'
        );
    });
});

void describe('admin rules: trigger filters (SyncQueueController)', () => {
    void it('keeps a condition, semi-joins and keywords inside quotes', () => {
        assert.equal(
            checkFilterShape("  Priority = 'High' AND Origin = 'Web' "),
            "Priority = 'High' AND Origin = 'Web'"
        );
        checkFilterShape('Id IN (SELECT ParentId FROM CaseComment)');
        checkFilterShape("Subject LIKE '%limit 5 from select%'");
        checkFilterShape("Subject = 'it\\'s LIMIT 1'");
        assert.equal(topLevelText("A = 'x' AND (B)"), 'A =     AND    ');
    });

    void it('refuses what would make it more than a condition', () => {
        const cases: [unknown, string][] = [
            ['', "Filter is required. Enter a SOQL condition over Case, such as Priority = 'High' AND Origin = 'Web'."],
            ['x'.repeat(4001), 'Filter is too long (4001 characters). Use at most 4000 characters.'],
            ["Priority = 'High'; DELETE", 'Filter must not contain ";". Enter a single SOQL condition over Case.'],
            [
                "Priority = 'High' LIMIT 5",
                'Filter must be only the condition that follows WHERE. Remove LIMIT and what follows it.'
            ],
            [
                "Priority = 'High' order   by CreatedDate",
                'Filter must be only the condition that follows WHERE. Remove ORDER BY and what follows it.'
            ]
        ];
        for (const [filter, message] of cases) {
            assert.throws(() => checkFilterShape(filter), { message });
        }
        assert.throws(() => checkNotes('n'.repeat(2001)), {
            message: 'Notes are too long (2001 characters). Use at most 2000 characters.'
        });
        assert.equal(checkNotes('  '), null);
    });
});
