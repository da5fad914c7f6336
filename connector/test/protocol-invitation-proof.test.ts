// The invitation handshake of node protocol v1 (connector/src/protocol/invitation-proof.ts): both
// sides prove they hold the secret without sending it; every changed field breaks the proof; a
// malformed body names its field; canonical JSON is what the spec says.
import { strict as assert } from 'node:assert';
import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
    canonicalJson,
    createAcceptance,
    createConfirmation,
    verifyAcceptance,
    verifyConfirmation
} from '../src/protocol/invitation-proof.ts';
import type { InvitationAcceptance, VerifiedAcceptance } from '../src/protocol/invitation-proof.ts';
import { KEY_LABELS, deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';

interface Invitation {
    readonly secret: string;
    readonly id: string;
    readonly initiator: ConnectionKeys;
    readonly acceptor: ConnectionKeys;
}

function newInvitation(): Invitation {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    return {
        secret,
        id,
        initiator: deriveConnectionKeys(secret, id, 'initiator'),
        acceptor: deriveConnectionKeys(secret, id, 'acceptor')
    };
}

function accept(invitation: Invitation, acceptorNodeUrl = 'https://snow-b.example.com/exalate'): InvitationAcceptance {
    return createAcceptance({
        keys: invitation.acceptor,
        acceptorInstance: 'ServiceNowB',
        acceptorPlatform: 'ServiceNow',
        acceptorNodeUrl
    });
}

/** Sends a value through JSON, as HTTP does. */
function overTheWire(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value));
}

function verified(invitation: Invitation, acceptance: InvitationAcceptance): VerifiedAcceptance {
    const result = verifyAcceptance(overTheWire(acceptance), invitation.initiator);
    assert.ok(result.ok, result.ok ? '' : result.message);
    return result.acceptance;
}

void describe('canonical JSON', () => {
    void it('sorts keys at every depth, keeps array order and writes no whitespace', () => {
        assert.equal(
            canonicalJson({ b: 1, a: [3, { d: true, c: null }], 'a b': 'x y' }),
            '{"a":[3,{"c":null,"d":true}],"a b":"x y","b":1}'
        );
    });

    void it('sorts by UTF-16 code units and escapes as JSON.stringify does (RFC 8785)', () => {
        assert.equal(canonicalJson({ z: 1, é: 2, Z: 3, _: 4, '1': 5 }), '{"1":5,"Z":3,"_":4,"z":1,"é":2}');
        const text = 'line\n"quoted" \\ tab\t é 😀 \u0001 \ud800';
        assert.equal(canonicalJson({ text }), `{"text":${JSON.stringify(text)}}`);
        assert.equal(canonicalJson([1.5, -0, 1e21, 0.1]), '[1.5,0,1e+21,0.1]');
    });

    void it('leaves out undefined members and refuses what JSON cannot hold exactly', () => {
        assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        const refused: unknown[] = [
            Number.NaN,
            Number.POSITIVE_INFINITY,
            10n,
            () => 1,
            Symbol('s'),
            [undefined],
            new Date(0),
            new Map(),
            cycle
        ];
        for (const value of refused) {
            assert.throws(() => canonicalJson(value), TypeError);
        }
        const shared = { x: 1 };
        assert.equal(
            canonicalJson({ a: shared, b: shared }),
            '{"a":{"x":1},"b":{"x":1}}',
            'a repeated object is not a cycle'
        );
    });

    void it('gives the same text for the same object written in another key order or with spaces', () => {
        const parsed = JSON.parse('{ "proof" : "p",\n "acceptorNonce":"n", "invitationId" :"i" }') as unknown;
        assert.equal(canonicalJson(parsed), canonicalJson({ invitationId: 'i', acceptorNonce: 'n', proof: 'p' }));
    });
});

void describe('invitation proof', () => {
    void it('round trip: the initiator verifies the acceptance, the acceptor verifies the answer', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        assert.equal(acceptance.invitationId, invitation.id);
        assert.match(acceptance.acceptorNonce, /^[A-Za-z0-9_-]{22}$/);
        assert.match(acceptance.proof, /^[0-9a-f]{64}$/);
        const confirmation = createConfirmation(verified(invitation, acceptance), invitation.initiator);
        const result = verifyConfirmation(overTheWire(confirmation), acceptance, invitation.acceptor);
        assert.ok(result.ok, result.ok ? '' : result.message);
        assert.deepEqual(result.confirmation, confirmation);
    });

    void it('works for a private acceptor, with an empty node URL', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation, '');
        const confirmation = createConfirmation(verified(invitation, acceptance), invitation.initiator);
        assert.ok(verifyConfirmation(overTheWire(confirmation), acceptance, invitation.acceptor).ok);
    });

    void it('never sends the secret or a key: the proof is HMAC(invitation-proof key, canonical JSON of the fields)', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const wire = JSON.stringify(acceptance);
        assert.ok(!wire.includes(invitation.secret));
        const proofKey = Buffer.from(
            hkdfSync(
                'sha256',
                Buffer.from(invitation.secret, 'base64url'),
                Buffer.from(invitation.id),
                Buffer.from(KEY_LABELS.invitationProof),
                32
            )
        );
        assert.ok(!wire.includes(proofKey.toString('hex')));
        const fields = {
            acceptorInstance: acceptance.acceptorInstance,
            acceptorNodeUrl: acceptance.acceptorNodeUrl,
            acceptorNonce: acceptance.acceptorNonce,
            acceptorPlatform: acceptance.acceptorPlatform,
            invitationId: acceptance.invitationId
        };
        assert.equal(acceptance.proof, createHmac('sha256', proofKey).update(JSON.stringify(fields)).digest('hex'));
    });

    void it('each changed field of the acceptance fails as bad-proof', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const changes: Partial<InvitationAcceptance>[] = [
            { acceptorInstance: 'ServiceNowC' },
            { acceptorPlatform: 'Salesforce' },
            { acceptorNodeUrl: 'https://attacker.example.com' },
            { acceptorNodeUrl: '' },
            { acceptorNonce: randomBytes(16).toString('base64url') },
            { proof: acceptance.proof.replace(/^./, (digit) => (digit === '0' ? '1' : '0')) },
            { invitationId: randomUUID() }
        ];
        for (const change of changes) {
            const result = verifyAcceptance(overTheWire({ ...acceptance, ...change }), invitation.initiator);
            assert.ok(!result.ok, `accepted a change: ${JSON.stringify(change)}`);
            assert.equal(result.reason, 'bad-proof', JSON.stringify(change));
            assert.equal(result.status, 401);
            assert.ok(!result.message.includes(invitation.secret));
        }
    });

    void it('an acceptance made with another secret fails as bad-proof', () => {
        const invitation = newInvitation();
        const impostor = deriveConnectionKeys(randomBytes(32).toString('base64url'), invitation.id, 'acceptor');
        const acceptance = createAcceptance({
            keys: impostor,
            acceptorInstance: 'X',
            acceptorPlatform: 'Salesforce',
            acceptorNodeUrl: ''
        });
        const result = verifyAcceptance(overTheWire(acceptance), invitation.initiator);
        assert.ok(!result.ok);
        assert.equal(result.reason, 'bad-proof');
        assert.match(result.message, /does not prove it holds the invitation's secret/);
    });

    void it('a malformed acceptance fails as malformed, naming the field', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation) as unknown as Record<string, unknown>;
        const cases: [unknown, RegExp][] = [
            ['not an object', /not a JSON object/],
            [[acceptance], /not a JSON object/],
            [{ ...acceptance, proof: undefined }, /proof is missing/],
            [{ ...acceptance, acceptorInstance: 42 }, /acceptorInstance must be a string/],
            [{ ...acceptance, acceptorInstance: '   ' }, /acceptorInstance must be a name that is not blank/],
            [{ ...acceptance, acceptorInstance: 'x'.repeat(41) }, /at most 40 characters/],
            [{ ...acceptance, acceptorPlatform: 'Jira' }, /acceptorPlatform must be Salesforce or ServiceNow/],
            [{ ...acceptance, acceptorNodeUrl: 'ftp://node.example.com' }, /acceptorNodeUrl must be an http\(s\) URL/],
            [{ ...acceptance, acceptorNonce: 'short' }, /acceptorNonce must be 22 characters/],
            [{ ...acceptance, invitationId: invitation.id.toUpperCase() }, /invitationId must be a lowercase UUID/],
            [{ ...acceptance, proof: String(acceptance.proof).toUpperCase() }, /proof must be 64 lowercase hex digits/]
        ];
        for (const [body, message] of cases) {
            const result = verifyAcceptance(body, invitation.initiator);
            assert.ok(!result.ok);
            assert.equal(result.reason, 'malformed');
            assert.equal(result.status, 400);
            assert.match(result.message, message);
        }
    });

    void it('ignores and drops members the proof does not cover', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const body = JSON.parse(
            JSON.stringify(acceptance).replace(/^\{/, '{"isAdmin":true,"__proto__":{"polluted":1},')
        ) as unknown;
        const result = verifyAcceptance(body, invitation.initiator);
        assert.ok(result.ok);
        assert.equal(Object.getPrototypeOf(result.acceptance), Object.prototype);
        assert.deepEqual(Object.keys(result.acceptance).sort(), [
            'acceptorInstance',
            'acceptorNodeUrl',
            'acceptorNonce',
            'acceptorPlatform',
            'invitationId',
            'proof'
        ]);
    });

    void it('each changed field of the answer fails as bad-proof, and so does an answer to another acceptance', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const confirmation = createConfirmation(verified(invitation, acceptance), invitation.initiator);
        const changed = [
            { ...confirmation, initiatorNonce: randomBytes(16).toString('base64url') },
            { ...confirmation, proof: confirmation.proof.replace(/.$/, (digit) => (digit === '0' ? '1' : '0')) },
            { ...confirmation, invitationId: randomUUID() },
            // The acceptor's own proof sent back as the initiator's: covers other fields, so it fails.
            { ...confirmation, proof: acceptance.proof }
        ];
        for (const answer of changed) {
            const result = verifyConfirmation(overTheWire(answer), acceptance, invitation.acceptor);
            assert.ok(!result.ok, JSON.stringify(answer));
            assert.equal(result.reason, 'bad-proof');
        }
        // A recorded answer from an earlier handshake does not fit a new acceptance (new acceptor nonce).
        const retry = accept(invitation);
        const replayed = verifyConfirmation(overTheWire(confirmation), retry, invitation.acceptor);
        assert.ok(!replayed.ok);
        assert.equal(replayed.reason, 'bad-proof');
        assert.match(replayed.message, /is not the one that created the invitation/);
    });

    void it('an answer from a node without the secret fails as bad-proof', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const impostor = deriveConnectionKeys(randomBytes(32).toString('base64url'), invitation.id, 'initiator');
        const forged = createConfirmation(acceptance as VerifiedAcceptance, impostor);
        const result = verifyConfirmation(overTheWire(forged), acceptance, invitation.acceptor);
        assert.ok(!result.ok);
        assert.equal(result.reason, 'bad-proof');
    });

    void it('a malformed answer fails as malformed, naming the field', () => {
        const invitation = newInvitation();
        const acceptance = accept(invitation);
        const confirmation = createConfirmation(verified(invitation, acceptance), invitation.initiator);
        const cases: [unknown, RegExp][] = [
            [null, /not a JSON object/],
            [{ ...confirmation, initiatorNonce: undefined }, /initiatorNonce is missing/],
            [{ ...confirmation, proof: 'xyz' }, /proof must be 64 lowercase hex digits/],
            [{ ...confirmation, invitationId: 7 }, /invitationId must be a string/]
        ];
        for (const [body, message] of cases) {
            const result = verifyConfirmation(body, acceptance, invitation.acceptor);
            assert.ok(!result.ok);
            assert.equal(result.reason, 'malformed');
            assert.match(result.message, message);
        }
    });

    void it('refuses keys of the wrong side, and details of the wrong shape when creating', () => {
        const invitation = newInvitation();
        assert.throws(
            () =>
                createAcceptance({
                    keys: invitation.initiator,
                    acceptorInstance: 'B',
                    acceptorPlatform: 'Salesforce',
                    acceptorNodeUrl: ''
                }),
            /accepting side/
        );
        assert.throws(() => verifyAcceptance(accept(invitation), invitation.acceptor), /initiating side/);
        assert.throws(
            () =>
                createAcceptance({
                    keys: invitation.acceptor,
                    acceptorInstance: '',
                    acceptorPlatform: 'Salesforce',
                    acceptorNodeUrl: ''
                }),
            /acceptorInstance must be a name that is not blank/
        );
    });
});
