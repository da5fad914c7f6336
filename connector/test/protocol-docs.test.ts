// The worked example of docs/protocol.md must be what the connector computes, so that the
// specification cannot drift from the code. Each value is checked twice: against the protocol
// modules, and against a few lines of node:crypto written from the spec's text alone (what another
// team implementing the spec would write).
import { strict as assert } from 'node:assert';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HEADER } from '../src/protocol/headers.ts';
import {
    canonicalJson,
    createAcceptance,
    createConfirmation,
    verifyAcceptance,
    verifyConfirmation
} from '../src/protocol/invitation-proof.ts';
import { KEY_LABELS, deriveConnectionKeys } from '../src/protocol/keys.ts';
import { NonceCache } from '../src/protocol/nonce-cache.ts';
import {
    canonicalRequest,
    canonicalResponse,
    sha256Hex,
    signRequest,
    signResponse,
    verifyRequest,
    verifyResponse
} from '../src/protocol/signing.ts';
import { validateAckBatch, validateMessageBatch } from '../src/protocol/messages.ts';

const DOC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

const TIMESTAMP = 1767225600000;
const REQUEST_NONCE = 'AAECAwQFBgcICQoLDA0ODw';
const ACCEPTOR_NONCE = 'EBESExQVFhcYGRobHB0eHw';
const INITIATOR_NONCE = 'ICEiIyQlJicoKSorLC0uLw';

/** The text of a `### heading` section of the worked example, up to the next heading. */
function section(heading: string): string {
    const start = DOC.indexOf(`\n### ${heading}\n`, DOC.indexOf('\n## Worked example\n'));
    assert.ok(start >= 0, `docs/protocol.md has a section "${heading}" in its worked example`);
    const end = DOC.slice(start + 1).search(/\n##+ /);
    return end < 0 ? DOC.slice(start) : DOC.slice(start, start + 1 + end);
}

/** The fenced code blocks of a section, in order, with their language. */
function blocks(text: string): { language: string; content: string }[] {
    return [...text.matchAll(/```(\w*)\n([\s\S]*?)\n```/g)].map((match) => ({ language: match[1], content: match[2] }));
}

/** `name: value` lines of an HTTP block. */
function httpHeaders(block: string): Record<string, string> {
    return Object.fromEntries(
        block
            .split('\n')
            .slice(1)
            .map((line) => line.split(': '))
            .map(([name, value]) => [name, value])
    );
}

const keysTable = Object.fromEntries(
    blocks(section('Keys'))[0]
        .content.split('\n')
        .map((line) => {
            const match = /^(.+?)\s+(\S+)$/.exec(line);
            assert.ok(match, `a "label value" line: ${line}`);
            return [match[1], match[2]];
        })
);
const SECRET = keysTable.secret;
const CONNECTION_ID = keysTable['connection id'];

/** HKDF-SHA256 as the spec's Keys section writes it, without the module. */
function specKey(label: string): Buffer {
    return Buffer.from(
        hkdfSync(
            'sha256',
            Buffer.from(SECRET, 'base64url'),
            Buffer.from(CONNECTION_ID, 'utf8'),
            Buffer.from(label, 'ascii'),
            32
        )
    );
}

function specHmacHex(label: string, text: string): string {
    return createHmac('sha256', specKey(label)).update(text, 'utf8').digest('hex');
}

void describe('worked example of docs/protocol.md', () => {
    void it('uses the secret and id of the invitation-code example', () => {
        const invitationDoc = readFileSync(new URL('../../docs/invitation-code.md', import.meta.url), 'utf8');
        assert.ok(invitationDoc.includes(`"secret": "${SECRET}"`));
        assert.ok(invitationDoc.includes(`"invitationId": "${CONNECTION_ID}"`));
        for (const value of [String(TIMESTAMP), REQUEST_NONCE, ACCEPTOR_NONCE, INITIATOR_NONCE]) {
            assert.ok(
                section('Request').includes(value) || section('Invitation handshake').includes(value),
                `the doc states ${value}`
            );
        }
    });

    void it('lists the keys HKDF derives, under the labels the code uses', () => {
        const labels: [string, string][] = [
            ['request-signing initiator', KEY_LABELS.requestSigning.initiator],
            ['request-signing acceptor', KEY_LABELS.requestSigning.acceptor],
            ['response-signing initiator', KEY_LABELS.responseSigning.initiator],
            ['response-signing acceptor', KEY_LABELS.responseSigning.acceptor],
            ['invitation-proof', KEY_LABELS.invitationProof]
        ];
        for (const [name, label] of labels) {
            assert.ok(DOC.includes(`| \`${label}\``), `the Keys table lists ${label}`);
            assert.equal(keysTable[name], specKey(label).toString('hex'), name);
        }
        // The module's keys are those: their MACs agree with MACs under the listed bytes.
        const acceptor = deriveConnectionKeys(SECRET, CONNECTION_ID, 'acceptor');
        const check = 'check';
        assert.equal(
            acceptor.outgoingRequests.hmacSha256(check).toString('hex'),
            createHmac('sha256', Buffer.from(keysTable['request-signing acceptor'], 'hex')).update(check).digest('hex')
        );
        assert.equal(
            acceptor.incomingResponses.hmacSha256(check).toString('hex'),
            createHmac('sha256', Buffer.from(keysTable['response-signing initiator'], 'hex'))
                .update(check)
                .digest('hex')
        );
        assert.equal(
            acceptor.invitationProof.hmacSha256(check).toString('hex'),
            createHmac('sha256', Buffer.from(keysTable['invitation-proof'], 'hex')).update(check).digest('hex')
        );
    });

    void it('gives the request canonical string, body hash and signature shown', async () => {
        const [body, canonical, http] = blocks(section('Request'));
        assert.equal(http.language, 'http');
        const headers = httpHeaders(http.content);
        const bodyHash = createHash('sha256').update(body.content, 'utf8').digest('hex');
        assert.equal(headers[HEADER.contentSha256], bodyHash);
        assert.equal(sha256Hex(body.content), bodyHash);

        const specCanonical = [
            'EXALATE-HMAC-SHA256',
            'POST',
            '/exalate/v1/messages',
            String(TIMESTAMP),
            REQUEST_NONCE,
            bodyHash,
            CONNECTION_ID
        ].join('\n');
        assert.equal(canonical.content, specCanonical);
        assert.equal(
            canonicalRequest({
                method: 'post',
                path: '/exalate/v1/messages',
                timestamp: String(TIMESTAMP),
                nonce: REQUEST_NONCE,
                contentSha256: bodyHash,
                connectionId: CONNECTION_ID
            }),
            specCanonical
        );
        assert.equal(headers[HEADER.signature], `v1=${specHmacHex(KEY_LABELS.requestSigning.acceptor, specCanonical)}`);

        const acceptor = deriveConnectionKeys(SECRET, CONNECTION_ID, 'acceptor');
        const signed = signRequest({
            method: 'POST',
            path: '/exalate/v1/messages',
            body: Buffer.from(body.content, 'utf8'),
            keys: acceptor,
            clock: () => TIMESTAMP,
            nonce: REQUEST_NONCE
        });
        for (const name of [
            HEADER.connection,
            HEADER.timestamp,
            HEADER.nonce,
            HEADER.contentSha256,
            HEADER.signature,
            HEADER.protocol
        ]) {
            assert.equal(signed.headers[name], headers[name], name);
        }

        // The initiator, at that moment, accepts exactly the request of the doc.
        const initiator = deriveConnectionKeys(SECRET, CONNECTION_ID, 'initiator');
        const verified = await verifyRequest(
            { method: 'POST', path: '/exalate/v1/messages', headers, body: Buffer.from(body.content, 'utf8') },
            { lookupKeys: () => initiator, nonceCache: new NonceCache(), clock: () => TIMESTAMP }
        );
        assert.ok(verified.ok, verified.ok ? '' : verified.message);
        assert.ok(
            validateMessageBatch(JSON.parse(body.content), { connectionId: CONNECTION_ID }).ok,
            'the example body is a valid batch'
        );
    });

    void it('gives the response canonical string and signature shown', () => {
        const [body, canonical, http] = blocks(section('Response'));
        const headers = httpHeaders(http.content);
        const bodyHash = createHash('sha256').update(body.content, 'utf8').digest('hex');
        const specCanonical = ['EXALATE-HMAC-SHA256-RESPONSE', '200', REQUEST_NONCE, bodyHash].join('\n');
        assert.equal(canonical.content, specCanonical);
        assert.equal(canonicalResponse(200, REQUEST_NONCE, bodyHash), specCanonical);
        assert.equal(
            headers[HEADER.signature],
            `v1=${specHmacHex(KEY_LABELS.responseSigning.initiator, specCanonical)}`
        );

        const initiator = deriveConnectionKeys(SECRET, CONNECTION_ID, 'initiator');
        const signed = signResponse({
            status: 200,
            body: Buffer.from(body.content, 'utf8'),
            requestNonce: REQUEST_NONCE,
            keys: initiator
        });
        assert.equal(signed[HEADER.signature], headers[HEADER.signature]);
        const acceptor = deriveConnectionKeys(SECRET, CONNECTION_ID, 'acceptor');
        const verified = verifyResponse({
            status: 200,
            headers,
            body: Buffer.from(body.content, 'utf8'),
            requestNonce: REQUEST_NONCE,
            keys: acceptor
        });
        assert.ok(verified.ok);
        assert.ok(
            validateAckBatch(JSON.parse(body.content), ['9b2f7c4e-1d3a-4f6b-8e5c-2a7d9f0b1c3e']).ok,
            'the example body is a valid ack batch'
        );
    });

    void it('gives the invitation proofs shown', () => {
        const [canonical, acceptanceBlock, confirmationBlock] = blocks(section('Invitation handshake'));
        const acceptor = deriveConnectionKeys(SECRET, CONNECTION_ID, 'acceptor');
        const initiator = deriveConnectionKeys(SECRET, CONNECTION_ID, 'initiator');
        const acceptance = createAcceptance({
            keys: acceptor,
            acceptorInstance: 'ServiceNowB',
            acceptorPlatform: 'ServiceNow',
            acceptorNodeUrl: '',
            nonce: ACCEPTOR_NONCE
        });
        assert.equal(JSON.stringify(acceptance), acceptanceBlock.content);
        const { proof, ...fields } = acceptance;
        assert.equal(canonicalJson(fields), canonical.content);
        assert.equal(proof, specHmacHex(KEY_LABELS.invitationProof, canonical.content));

        const verified = verifyAcceptance(JSON.parse(acceptanceBlock.content), initiator);
        assert.ok(verified.ok);
        const confirmation = createConfirmation(verified.acceptance, initiator, INITIATOR_NONCE);
        assert.equal(JSON.stringify(confirmation), confirmationBlock.content);
        const specConfirmationText = canonicalJson({ ...fields, initiatorNonce: INITIATOR_NONCE });
        assert.equal(confirmation.proof, specHmacHex(KEY_LABELS.invitationProof, specConfirmationText));
        assert.ok(verifyConfirmation(JSON.parse(confirmationBlock.content), acceptance, acceptor).ok);
    });

    void it('lists every verification reason and the protocol headers', () => {
        for (const reason of [
            'missing-signature',
            'body-mismatch',
            'stale-timestamp',
            'bad-signature',
            'replayed-nonce',
            'unknown-connection',
            'bad-proof',
            'malformed',
            'unsupported-protocol',
            'too-large'
        ]) {
            assert.ok(DOC.includes(`\`${reason}\``), `docs/protocol.md names ${reason}`);
        }
        for (const name of Object.values(HEADER)) {
            assert.ok(DOC.includes(`\`${name}\``), `docs/protocol.md names ${name}`);
        }
    });
});
