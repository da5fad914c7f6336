// The connector reads and writes invitation codes with the very module the Lightning Web Components
// use (imported from lwc-src by relative path, no copy). These tests run it on Node and check it
// against Node's own base64url, UTF-8 and CRC-32, so that both sides and the spec agree.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
    INVITATION_PREFIX,
    INVITATION_PROTOCOL_VERSION,
    decodeInvitation,
    encodeInvitation
} from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';
import type { DecodeResult, InvitationPayload } from '../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts';

const NOW = Math.floor(Date.now() / 1000);
const IN_72_HOURS = NOW + 72 * 3600;

function invitationOf(result: DecodeResult): InvitationPayload {
    if (!result.ok) {
        assert.fail(`expected an invitation, got ${result.error}: ${result.message}`);
    }
    return result.invitation;
}

function newPayload(changes: Partial<InvitationPayload> = {}): InvitationPayload {
    return {
        version: 1,
        invitationId: randomUUID(),
        connectionName: 'SalesforceA_to_ServiceNowB',
        initiatorInstance: 'SalesforceA',
        destinationInstance: 'ServiceNowB',
        initiatorPlatform: 'Salesforce',
        initiatorNodeUrl: 'https://connector.example.com',
        connectionType: 'Public',
        mode: 'Basic',
        expiresAt: IN_72_HOURS,
        secret: randomBytes(32).toString('base64url'),
        ...changes
    };
}

/** Writes a code with Node's Buffer and zlib, following docs/invitation-code.md: another implementation. */
function codeWrittenByNode(wire: Record<string, unknown>, prefix = INVITATION_PREFIX): string {
    const signed = prefix + Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
    return `${signed}-${crc32(signed).toString(16).padStart(8, '0')}`;
}

void describe('invitation codec in the connector', () => {
    void it('is the module of the Lightning Web Components, imported from lwc-src', () => {
        const url = new URL('../../lwc-src/exalateInvitationCodec/exalateInvitationCodec.ts', import.meta.url);
        const source = readFileSync(url, 'utf8');
        assert.match(source, /export function encodeInvitation\(/);
        assert.match(source, /export function decodeInvitation\(/);
        assert.equal(INVITATION_PROTOCOL_VERSION, 1);
        assert.equal(INVITATION_PREFIX, 'EXA1-');
    });

    void it('writes the example code of docs/invitation-code.md, byte for byte as in the browser', () => {
        const docs = readFileSync(new URL('../../docs/invitation-code.md', import.meta.url), 'utf8');
        const example = /```text\n(EXA1-[A-Za-z0-9_-]+)\n```/.exec(docs);
        assert.ok(example, 'docs/invitation-code.md shows an example code');
        const code = encodeInvitation({
            version: 1,
            invitationId: '3f2b8c1e-9a4d-4e7b-8c21-5d6f0a9b7e13',
            connectionName: 'SalesforceA_to_ServiceNowB',
            initiatorInstance: 'SalesforceA',
            destinationInstance: 'ServiceNowB',
            initiatorPlatform: 'Salesforce',
            initiatorNodeUrl: 'https://exalate.example.com/node/salesforce-a',
            connectionType: 'Public',
            mode: 'Basic',
            description: 'Support Cases between the EMEA org and ServiceNow',
            expiresAt: 1767225600,
            secret: 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQwEo'
        });
        assert.equal(code, example[1]);
    });

    void it('round-trips a fresh 256-bit secret from node:crypto and every other field', () => {
        const secretBytes = randomBytes(32);
        const original = newPayload({
            secret: secretBytes.toString('base64url'),
            connectionName: 'Ünïcode São Paulo',
            initiatorInstance: 'São_Paulo',
            initiatorPlatform: 'ServiceNow',
            connectionType: 'Private',
            description: 'Ünïcode São Paulo — 東京 🚀\nline two'
        });
        assert.equal(original.secret.length, 43);
        const code = encodeInvitation(original);
        assert.match(code, /^EXA1-[A-Za-z0-9_-]+-[0-9a-f]{8}$/);
        const decoded = invitationOf(decodeInvitation(code, NOW));
        assert.deepEqual(decoded, original);
        assert.deepEqual(Buffer.from(decoded.secret, 'base64url'), secretBytes);
    });

    void it('writes what the spec says: base64url of the UTF-8 JSON body and the CRC-32 of the text before it', () => {
        for (let round = 0; round < 50; round++) {
            const original = newPayload({ description: `round ${round}: ${randomBytes(12).toString('hex')} ✓ é 🎉` });
            const code = encodeInvitation(original);
            const signed = code.slice(0, -9);
            assert.equal(code.slice(-9), `-${crc32(signed).toString(16).padStart(8, '0')}`);
            const wire = JSON.parse(
                Buffer.from(signed.slice(INVITATION_PREFIX.length), 'base64url').toString('utf8')
            ) as Record<string, unknown>;
            assert.deepEqual(wire, {
                i: original.invitationId,
                n: original.connectionName,
                f: original.initiatorInstance,
                t: original.destinationInstance,
                p: original.initiatorPlatform,
                u: original.initiatorNodeUrl,
                c: original.connectionType,
                m: original.mode,
                d: original.description,
                e: original.expiresAt,
                s: original.secret
            });
        }
    });

    void it('reads a code written here with Buffer and zlib, wrapped by a mail client', () => {
        const secret = randomBytes(32).toString('base64url');
        const invitationId = randomUUID();
        const code = codeWrittenByNode({
            i: invitationId,
            n: 'Ünïcode São Paulo',
            f: 'ServiceNowB',
            t: 'SalesforceA',
            p: 'ServiceNow',
            u: 'https://servicenow-b.example.com/exalate',
            c: 'Public',
            m: 'Basic',
            d: 'Created by another implementation 🚀',
            e: IN_72_HOURS,
            s: secret,
            x: 'unknown keys are ignored'
        });
        const wrapped = `\n  ${code.match(/.{1,60}/g)?.join('\r\n  ') ?? code}\n`;
        assert.deepEqual(invitationOf(decodeInvitation(wrapped, NOW)), {
            version: 1,
            invitationId,
            connectionName: 'Ünïcode São Paulo',
            initiatorInstance: 'ServiceNowB',
            destinationInstance: 'SalesforceA',
            initiatorPlatform: 'ServiceNow',
            initiatorNodeUrl: 'https://servicenow-b.example.com/exalate',
            connectionType: 'Public',
            mode: 'Basic',
            description: 'Created by another implementation 🚀',
            expiresAt: IN_72_HOURS,
            secret
        });
    });

    void it('refuses damaged, newer, malformed and expired codes with the same kinds as in the browser', () => {
        const code = encodeInvitation(newPayload());
        const typo = code.slice(0, 30) + (code[30] === 'Q' ? 'R' : 'Q') + code.slice(31);
        const kinds = [
            decodeInvitation('  \n', NOW),
            decodeInvitation('not a code', NOW),
            decodeInvitation(code.slice(0, Math.floor(code.length / 2)), NOW),
            decodeInvitation(typo, NOW),
            decodeInvitation(codeWrittenByNode({ anything: 2 }, 'EXA2-'), NOW),
            decodeInvitation(codeWrittenByNode({ i: randomUUID() }), NOW),
            decodeInvitation(code, IN_72_HOURS)
        ].map((result) => (result.ok ? 'ok' : result.error));
        assert.deepEqual(kinds, [
            'empty',
            'not-an-invitation',
            'truncated',
            'checksum',
            'unsupported-version',
            'malformed',
            'expired'
        ]);
    });

    void it('refuses to encode a secret that is not 32 bytes of base64url', () => {
        assert.throws(
            () => encodeInvitation(newPayload({ secret: randomBytes(16).toString('base64url') })),
            /secret must be 43 characters of base64url/
        );
        assert.throws(
            () => encodeInvitation(newPayload({ secret: randomBytes(32).toString('base64') })),
            /secret must be 43 characters of base64url/
        );
    });
});
