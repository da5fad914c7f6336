// Key derivation of node protocol v1 (connector/src/protocol/keys.ts): the keys are HKDF-SHA256 of
// the shared secret as docs/protocol.md says (checked against node:crypto's HKDF directly), they are
// one per job and per direction, and no way of printing them shows their bytes.
import { strict as assert } from 'node:assert';
import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import {
    KEY_LABELS,
    SecretKey,
    deriveConnectionKeys,
    normalizeConnectionId,
    parseSharedSecret
} from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';

const MESSAGE = 'the same message for every key';

function newSecret(): { text: string; bytes: Buffer } {
    const bytes = randomBytes(32);
    return { text: bytes.toString('base64url'), bytes };
}

/** HKDF-SHA256 straight from node:crypto, as the spec writes it: the reference the module must match. */
function referenceKey(secret: Buffer, connectionId: string, label: string): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, Buffer.from(connectionId, 'utf8'), Buffer.from(label, 'ascii'), 32));
}

function macOf(key: SecretKey): string {
    return key.hmacSha256(MESSAGE).toString('hex');
}

function allKeys(keys: ConnectionKeys): SecretKey[] {
    return [
        keys.outgoingRequests,
        keys.incomingRequests,
        keys.outgoingResponses,
        keys.incomingResponses,
        keys.invitationProof
    ];
}

/** Every way the bytes of a secret could be written in a log. */
function spellingsOf(bytes: Buffer): string[] {
    return [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('latin1')];
}

void describe('connection keys', () => {
    void it('are HKDF-SHA256 of the secret, salted with the connection id, one label per job and sending role', () => {
        const secret = newSecret();
        const id = randomUUID();
        const acceptor = deriveConnectionKeys(secret.text, id, 'acceptor');
        const expectMac = (key: SecretKey, label: string): void => {
            const reference = createHmac('sha256', referenceKey(secret.bytes, id, label))
                .update(MESSAGE)
                .digest('hex');
            assert.equal(macOf(key), reference, label);
        };
        expectMac(acceptor.outgoingRequests, KEY_LABELS.requestSigning.acceptor);
        expectMac(acceptor.incomingRequests, KEY_LABELS.requestSigning.initiator);
        expectMac(acceptor.outgoingResponses, KEY_LABELS.responseSigning.acceptor);
        expectMac(acceptor.incomingResponses, KEY_LABELS.responseSigning.initiator);
        expectMac(acceptor.invitationProof, KEY_LABELS.invitationProof);
    });

    void it('mirror each other: what one side signs with, the other verifies with', () => {
        const secret = newSecret().text;
        const id = randomUUID();
        const initiator = deriveConnectionKeys(secret, id, 'initiator');
        const acceptor = deriveConnectionKeys(secret, id, 'acceptor');
        assert.equal(macOf(initiator.outgoingRequests), macOf(acceptor.incomingRequests));
        assert.equal(macOf(acceptor.outgoingRequests), macOf(initiator.incomingRequests));
        assert.equal(macOf(initiator.outgoingResponses), macOf(acceptor.incomingResponses));
        assert.equal(macOf(acceptor.outgoingResponses), macOf(initiator.incomingResponses));
        assert.equal(macOf(initiator.invitationProof), macOf(acceptor.invitationProof));
    });

    void it('differ per job, per direction, per connection id and per secret', () => {
        const secret = newSecret().text;
        const id = randomUUID();
        const keys = deriveConnectionKeys(secret, id, 'initiator');
        const macs = allKeys(keys).map(macOf);
        assert.equal(new Set(macs).size, 5, 'five different keys');
        const otherId = deriveConnectionKeys(secret, randomUUID(), 'initiator');
        const otherSecret = deriveConnectionKeys(newSecret().text, id, 'initiator');
        for (const other of [otherId, otherSecret]) {
            for (const mac of allKeys(other).map(macOf)) {
                assert.ok(!macs.includes(mac));
            }
        }
    });

    void it('use the connection id lowercase: an upper-case invitation id names the same connection', () => {
        const secret = newSecret().text;
        const id = randomUUID();
        const lower = deriveConnectionKeys(secret, id, 'acceptor');
        const upper = deriveConnectionKeys(secret, id.toUpperCase(), 'acceptor');
        assert.equal(upper.connectionId, id);
        assert.equal(macOf(upper.outgoingRequests), macOf(lower.outgoingRequests));
        assert.equal(
            normalizeConnectionId('3F2B8C1E-9A4D-4E7B-8C21-5D6F0A9B7E13'),
            '3f2b8c1e-9a4d-4e7b-8c21-5d6f0a9b7e13'
        );
        assert.throws(() => normalizeConnectionId('not-a-uuid'), /must be a UUID/);
    });

    void it('accept a parsed secret as well as its text', () => {
        const secret = newSecret().text;
        const id = randomUUID();
        const fromText = deriveConnectionKeys(secret, id, 'initiator');
        const fromParsed = deriveConnectionKeys(parseSharedSecret(secret), id, 'initiator');
        assert.equal(macOf(fromParsed.outgoingRequests), macOf(fromText.outgoingRequests));
    });
});

void describe('secrets and keys never show their bytes', () => {
    void it('in toString, template strings, JSON, util.inspect, console formatting and own properties', () => {
        const secret = newSecret();
        const id = randomUUID();
        const keys = deriveConnectionKeys(secret.text, id, 'acceptor');
        const parsed = parseSharedSecret(secret.text);
        const derivedBytes = [
            ...Object.values(KEY_LABELS.requestSigning),
            ...Object.values(KEY_LABELS.responseSigning),
            KEY_LABELS.invitationProof
        ].map((label) => referenceKey(secret.bytes, id, label));
        const forbidden = [secret.text, ...spellingsOf(secret.bytes), ...derivedBytes.flatMap(spellingsOf)];

        const outputs = [
            String(parsed),
            // What a careless log line would write: the point of this line is to check it.
            // eslint-disable-next-line @typescript-eslint/restrict-template-expressions
            `${parsed}`,
            JSON.stringify(parsed),
            JSON.stringify(keys),
            JSON.stringify({ nested: { keys } }),
            inspect(parsed),
            inspect(keys, { showHidden: true, depth: 10 }),
            format('%o %O %s %j', keys, parsed, keys.outgoingRequests, keys),
            JSON.stringify(Object.entries(parsed)),
            JSON.stringify({ ...parsed }),
            ...allKeys(keys).map((key) => `${String(key)} ${inspect(key)} ${JSON.stringify(key)}`)
        ];
        for (const output of outputs) {
            for (const value of forbidden) {
                assert.ok(!output.includes(value), `output leaks a secret: ${output}`);
            }
        }
        assert.equal(String(keys.outgoingRequests), 'SecretKey(request-signing acceptor, [redacted])');
        assert.equal(JSON.stringify(parsed), '"[redacted]"');
        assert.match(inspect(keys), /outgoingRequests: SecretKey\(request-signing acceptor, \[redacted\]\)/);
    });

    void it('in the errors about a malformed secret', () => {
        const secret = newSecret().text;
        const attempts = [
            secret.slice(0, 42), // one character short
            `${secret}A`, // one too many
            `${secret.slice(0, 42)}=`, // a character outside base64url
            `${secret.slice(0, 42)}B`, // the unused low bits of the last character are set
            ` ${secret.slice(1)}`
        ];
        for (const attempt of attempts) {
            assert.throws(
                () => deriveConnectionKeys(attempt, randomUUID(), 'initiator'),
                (error: unknown) => {
                    assert.ok(error instanceof TypeError);
                    assert.match(error.message, /shared secret/);
                    assert.ok(!error.message.includes(attempt.trim()), error.message);
                    assert.ok(!error.message.includes(secret.slice(0, 20)), error.message);
                    return true;
                }
            );
        }
        assert.throws(() => parseSharedSecret(42 as unknown as string), /must be text, not a value of type number/);
    });

    void it('refuses a wrong role, a wrong id and a key of another job as the shared secret', () => {
        const secret = newSecret().text;
        const keys = deriveConnectionKeys(secret, randomUUID(), 'initiator');
        assert.throws(
            () => deriveConnectionKeys(secret, randomUUID(), 'observer' as 'initiator'),
            /initiator or acceptor/
        );
        assert.throws(() => deriveConnectionKeys(secret, 'connection-1', 'initiator'), /UUID/);
        assert.throws(
            () =>
                deriveConnectionKeys(
                    keys.outgoingRequests as unknown as SecretKey<'shared-secret'>,
                    randomUUID(),
                    'initiator'
                ),
            /shared secret of the connection/
        );
        assert.throws(() => new SecretKey('request-signing', 'short', new Uint8Array(16)), /32 bytes, not 16/);
    });
});
