import {
    INVITATION_PREFIX,
    INVITATION_PROTOCOL_VERSION,
    decodeInvitation,
    encodeInvitation
} from 'c/exalateInvitationCodec';
import type { DecodeResult, InvitationPayload } from 'c/exalateInvitationCodec';

// 2025-12-01T00:00:00Z: "now" in these tests; the invitations below expire on 2026-01-01T00:00:00Z.
const NOW = 1764547200;
const EXPIRES = 1767225600;

/** The example of docs/invitation-code.md: the format must not change under it. */
const EXAMPLE_PAYLOAD: InvitationPayload = {
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
    expiresAt: EXPIRES,
    secret: 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQwEo'
};
const EXAMPLE_CODE =
    'EXA1-eyJpIjoiM2YyYjhjMWUtOWE0ZC00ZTdiLThjMjEtNWQ2ZjBhOWI3ZTEzIiwibiI6IlNhbGVzZm9yY2VBX3RvX1NlcnZpY2VOb3dCIiwiZiI6IlNhbGVzZm9yY2VBIiwidCI6IlNlcnZpY2VOb3dCIiwicCI6IlNhbGVzZm9yY2UiLCJ1IjoiaHR0cHM6Ly9leGFsYXRlLmV4YW1wbGUuY29tL25vZGUvc2FsZXNmb3JjZS1hIiwiYyI6IlB1YmxpYyIsIm0iOiJCYXNpYyIsImQiOiJTdXBwb3J0IENhc2VzIGJldHdlZW4gdGhlIEVNRUEgb3JnIGFuZCBTZXJ2aWNlTm93IiwiZSI6MTc2NzIyNTYwMCwicyI6InE4VjNvMmNOMXhrN1pwWTRyMHRXYjltTGhBNnNEZUY1Z0ppVXlUdlF3RW8ifQ-c19d7211';

const CHECKSUM_MESSAGE =
    'This invitation code has a typo or was changed: its checksum does not match. Copy it again from the message you received.';

function payload(changes: Partial<InvitationPayload> = {}): InvitationPayload {
    return { ...EXAMPLE_PAYLOAD, ...changes };
}

/** The invitation of a result that must be good; fails the test with the message otherwise. */
function invitationOf(result: DecodeResult): InvitationPayload {
    if (!result.ok) {
        throw new Error(`expected an invitation, got ${result.error}: ${result.message}`);
    }
    return result.invitation;
}

function errorOf(result: DecodeResult): { error: string; message: string } {
    if (result.ok) {
        throw new Error('expected the code to be refused, but it was accepted');
    }
    return { error: result.error, message: result.message };
}

/** CRC-32/IEEE written bit by bit, independently of the module's table-driven one. */
function crc32Hex(text: string): string {
    let crc = 0xffffffff;
    for (let index = 0; index < text.length; index++) {
        crc ^= text.charCodeAt(index);
        for (let bit = 0; bit < 8; bit++) {
            crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
        }
    }
    return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

/** A code with a correct checksum around any ASCII body text, as another implementation could write it. */
function sealedCode(prefix: string, asciiBody: string): string {
    const body = btoa(asciiBody).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return `${prefix}${body}-${crc32Hex(prefix + body)}`;
}

function replaceAt(text: string, index: number, character: string): string {
    return text.slice(0, index) + character + text.slice(index + 1);
}

describe('c/exalateInvitationCodec', () => {
    it('names protocol version 1 and its EXA1- prefix', () => {
        expect(INVITATION_PROTOCOL_VERSION).toBe(1);
        expect(INVITATION_PREFIX).toBe('EXA1-');
    });

    it('writes exactly the example code of docs/invitation-code.md and reads it back', () => {
        expect(encodeInvitation(EXAMPLE_PAYLOAD)).toBe(EXAMPLE_CODE);
        expect(invitationOf(decodeInvitation(EXAMPLE_CODE, NOW))).toEqual(EXAMPLE_PAYLOAD);
    });

    describe('round trip', () => {
        it('keeps every field, with unicode in the names and the description', () => {
            const original = payload({
                invitationId: 'ABCDEF01-2345-4678-9abc-def012345678',
                connectionName: 'Ünïcode São Paulo ↔ 東京 🚀',
                initiatorInstance: 'São_Paulo',
                destinationInstance: 'Ünïcode-東京',
                initiatorPlatform: 'ServiceNow',
                initiatorNodeUrl: 'https://node.example.org:8443/exalate?tenant=a&x=1#top',
                connectionType: 'Private',
                description: 'Ünïcode São Paulo\nsecond line — "quoted" \\ backslash, emoji 🎉, tab\tend',
                expiresAt: 4102444800,
                secret: '-_0123456789abcdefghijklmnopqrstuvwxyzABCDE'
            });
            const code = encodeInvitation(original);
            const decoded = invitationOf(decodeInvitation(code, NOW));
            expect(decoded).toEqual(original);
            expect(Object.keys(decoded).sort()).toEqual(Object.keys(original).sort());
        });

        it('leaves the description out when there is none, and keeps an empty one', () => {
            const withoutDescription = payload();
            delete withoutDescription.description;
            const decoded = invitationOf(decodeInvitation(encodeInvitation(withoutDescription), NOW));
            expect(decoded).toEqual(withoutDescription);
            expect('description' in decoded).toBe(false);

            expect(
                invitationOf(decodeInvitation(encodeInvitation(payload({ description: '' })), NOW)).description
            ).toBe('');
        });

        it('carries a Local connection without a node URL, and names of the longest allowed length', () => {
            const original = payload({
                connectionType: 'Local',
                initiatorNodeUrl: '',
                connectionName: 'n'.repeat(80),
                initiatorInstance: 'i'.repeat(40),
                destinationInstance: 'd'.repeat(40),
                description: 'é'.repeat(2000)
            });
            expect(invitationOf(decodeInvitation(encodeInvitation(original), NOW))).toEqual(original);
        });
    });

    describe('shape of the code', () => {
        it('uses only letters, digits, - and _ and ends with - and 8 lowercase hex digits', () => {
            const codes = [
                EXAMPLE_CODE,
                encodeInvitation(payload({ connectionName: 'Ünïcode São Paulo', description: '?&=/+ <b>"x"</b> 🚀' }))
            ];
            for (const code of codes) {
                expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
                expect(code.startsWith('EXA1-')).toBe(true);
                expect(code).toMatch(/-[0-9a-f]{8}$/);
            }
        });

        it('stays under 600 characters for a typical connection', () => {
            expect(EXAMPLE_CODE.length).toBeLessThan(600);
            const typical = encodeInvitation(
                payload({
                    connectionName: 'Salesforce EMEA Support to ServiceNow IT',
                    initiatorInstance: 'SalesforceEMEA',
                    destinationInstance: 'ServiceNowIT',
                    description: 'Escalated Cases from the EMEA support org go to the ServiceNow IT team.'
                })
            );
            expect(typical.length).toBeLessThan(600);
        });
    });

    describe('pasting', () => {
        it('reads a code that a mail client broke into lines and indented', () => {
            const wrapped = EXAMPLE_CODE.match(/.{1,76}/g)!.join('\r\n    ');
            expect(invitationOf(decodeInvitation(`\n\n  ${wrapped}  \n`, NOW))).toEqual(EXAMPLE_PAYLOAD);
        });

        it('reads a code with spaces, tabs, non-breaking and zero-width spaces inserted in the middle', () => {
            const middle = Math.floor(EXAMPLE_CODE.length / 2);
            const pasted = `${EXAMPLE_CODE.slice(0, 20)} \t${EXAMPLE_CODE.slice(20, middle)}\u00a0\u200b\n${EXAMPLE_CODE.slice(middle)}`;
            expect(invitationOf(decodeInvitation(pasted, NOW))).toEqual(EXAMPLE_PAYLOAD);
        });

        it('reads a code quoted in a sentence, with quotes or brackets around it and a full stop after it', () => {
            expect(invitationOf(decodeInvitation(`"${EXAMPLE_CODE}".`, NOW))).toEqual(EXAMPLE_PAYLOAD);
            expect(invitationOf(decodeInvitation(`<${EXAMPLE_CODE}>`, NOW))).toEqual(EXAMPLE_PAYLOAD);
            expect(invitationOf(decodeInvitation(`“${EXAMPLE_CODE}”`, NOW))).toEqual(EXAMPLE_PAYLOAD);
        });
    });

    describe('errors', () => {
        it('asks for a code when nothing or only whitespace was pasted', () => {
            for (const pasted of ['', '   ', '\r\n\t \u200b']) {
                const { error, message } = errorOf(decodeInvitation(pasted, NOW));
                expect(error).toBe('empty');
                expect(message).toContain('Paste the invitation code first');
            }
        });

        it('says that something else is not an invitation code', () => {
            for (const pasted of [
                'hello world',
                'https://exalate.example.com/invite/123',
                'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQwEo-c19d7211',
                'exa1-abc-c19d7211',
                '!!!'
            ]) {
                const { error, message } = errorOf(decodeInvitation(pasted, NOW));
                expect(error).toBe('not-an-invitation');
                expect(message).toContain('not an Exalate invitation code');
                expect(message).toContain('EXA1-');
            }
        });

        it('says that a code cut in half or missing its last characters is incomplete', () => {
            const pieces = [
                EXAMPLE_CODE.slice(0, Math.floor(EXAMPLE_CODE.length / 2)),
                EXAMPLE_CODE.slice(0, -1),
                EXAMPLE_CODE.slice(0, -3),
                EXAMPLE_CODE.slice(0, -9),
                EXAMPLE_CODE.slice(0, -10),
                'EXA1-',
                'EXA1',
                'EXA'
            ];
            for (const piece of pieces) {
                const { error, message } = errorOf(decodeInvitation(piece, NOW));
                expect(error).toBe('truncated');
                expect(message).toMatch(/^This invitation code is incomplete/);
            }
        });

        it('recognises a single changed character anywhere after the prefix as a typo', () => {
            for (let index = INVITATION_PREFIX.length; index < EXAMPLE_CODE.length; index++) {
                if (EXAMPLE_CODE.charAt(index) === '-') {
                    continue;
                }
                const other = EXAMPLE_CODE.charAt(index) === 'a' ? 'b' : 'a';
                const result = decodeInvitation(replaceAt(EXAMPLE_CODE, index, other), NOW);
                expect(result.ok).toBe(false);
                expect(errorOf(result)).toEqual({ error: 'checksum', message: CHECKSUM_MESSAGE });
            }
        });

        it('recognises two swapped neighbouring characters and a changed version digit as a typo', () => {
            const body = EXAMPLE_CODE.indexOf('-') + 1;
            for (let index = body; index < EXAMPLE_CODE.length - 10; index++) {
                const [a, b] = [EXAMPLE_CODE.charAt(index), EXAMPLE_CODE.charAt(index + 1)];
                if (a === b || a === '-' || b === '-') {
                    continue;
                }
                const swapped = EXAMPLE_CODE.slice(0, index) + b + a + EXAMPLE_CODE.slice(index + 2);
                expect(errorOf(decodeInvitation(swapped, NOW)).error).toBe('checksum');
            }
            expect(errorOf(decodeInvitation(replaceAt(EXAMPLE_CODE, 3, '2'), NOW)).error).toBe('checksum');
        });

        it('tells that a code of a newer format needs a newer Exalate', () => {
            const code = sealedCode('EXA9-', '{"whatever":"comes in version 9"}');
            const { error, message } = errorOf(decodeInvitation(code, NOW));
            expect(error).toBe('unsupported-version');
            expect(message).toContain('was made by a newer version of Exalate');
            expect(message).toContain('format 9');
        });

        it('says that a code with a good checksum but unreadable content is malformed', () => {
            const wire = {
                i: EXAMPLE_PAYLOAD.invitationId,
                n: EXAMPLE_PAYLOAD.connectionName,
                f: 'SalesforceA',
                t: 'ServiceNowB',
                p: 'Salesforce',
                u: 'https://exalate.example.com',
                c: 'Public',
                m: 'Basic',
                e: EXPIRES,
                s: EXAMPLE_PAYLOAD.secret
            };
            expect(invitationOf(decodeInvitation(sealedCode('EXA1-', JSON.stringify(wire)), NOW)).connectionName).toBe(
                'SalesforceA_to_ServiceNowB'
            );

            const withoutSecret: Record<string, unknown> = { ...wire };
            delete withoutSecret.s;
            const cases: [string, RegExp][] = [
                [sealedCode('EXA1-', 'this is not JSON'), /not JSON/],
                [sealedCode('EXA1-', '["an","array"]'), /not a JSON object/],
                [sealedCode('EXA1-', JSON.stringify(withoutSecret)), /the secret is missing/],
                [sealedCode('EXA1-', JSON.stringify({ ...wire, n: undefined })), /the connection name is missing/],
                [
                    sealedCode('EXA1-', JSON.stringify({ ...wire, c: 'Shared' })),
                    /connection type must be Public, Private or Local/
                ],
                [sealedCode('EXA1-', JSON.stringify({ ...wire, e: '2026-01-01' })), /expiry must be a whole number/],
                [`EXA1-A-${crc32Hex('EXA1-A')}`, /not base64url/],
                [`EXA1-_w-${crc32Hex('EXA1-_w')}`, /not UTF-8/]
            ];
            for (const [code, detail] of cases) {
                const { error, message } = errorOf(decodeInvitation(code, NOW));
                expect(error).toBe('malformed');
                expect(message).toMatch(/^This invitation code is complete but cannot be read/);
                expect(message).toMatch(detail);
            }
        });

        describe('names what is wrong in a code with a good checksum', () => {
            const wire: Record<string, unknown> = {
                i: EXAMPLE_PAYLOAD.invitationId,
                n: EXAMPLE_PAYLOAD.connectionName,
                f: 'SalesforceA',
                t: 'ServiceNowB',
                p: 'Salesforce',
                u: 'https://exalate.example.com',
                c: 'Public',
                m: 'Basic',
                e: EXPIRES,
                s: EXAMPLE_PAYLOAD.secret
            };
            const without = (key: string): string => {
                const copy = { ...wire };
                delete copy[key];
                return sealedCode('EXA1-', JSON.stringify(copy));
            };
            const withValue = (key: string, value: unknown): string =>
                sealedCode('EXA1-', JSON.stringify({ ...wire, [key]: value }));
            const cases: [string, string, string][] = [
                ['a description that is not text', withValue('d', 5), 'the description must be text, not 5'],
                ['no expiry', without('e'), 'the expiry is missing'],
                ['an expiry at 1970', withValue('e', 0), 'the expiry must be a time after 1970-01-01T00:00:00Z, not 0'],
                [
                    'a secret that is a number',
                    withValue('s', 12345),
                    'the secret must be 43 characters of base64url (A-Z, a-z, 0-9, - and _) holding 32 bytes, not a value of type number'
                ],
                ['a connection name that is a number', withValue('n', 42), 'the connection name must be text, not 42'],
                ['no initiator platform', without('p'), 'the initiator platform is missing'],
                ['no initiator node URL', without('u'), 'the initiator node URL is missing'],
                ['a node URL that is not text', withValue('u', true), 'the initiator node URL must be text, not true'],
                [
                    'a node URL over 255 characters',
                    withValue('u', `https://exalate.example.com/${'x'.repeat(250)}`),
                    'the initiator node URL is 278 characters long; at most 255 are allowed'
                ],
                [
                    'a long unknown connection type',
                    withValue('c', 'y'.repeat(100)),
                    `the connection type must be Public, Private or Local, not "${'y'.repeat(57)}..."`
                ],
                [
                    'a connection type that is null',
                    withValue('c', null),
                    'the connection type must be Public, Private or Local, not null'
                ],
                [
                    'a mode that is an object',
                    withValue('m', { name: 'Basic' }),
                    'the mode must be Basic, not a value of type object'
                ],
                [
                    'a body with a character outside base64url',
                    `EXA1-ab+c-${crc32Hex('EXA1-ab+c')}`,
                    'its content is not base64url'
                ],
                [
                    'a body whose last bits are not zero',
                    `EXA1-AB-${crc32Hex('EXA1-AB')}`,
                    'its content is not base64url'
                ],
                ['UTF-8 cut inside a character', sealedCode('EXA1-', '\u00c3'), 'its content is not UTF-8 text'],
                [
                    'UTF-8 with a broken continuation byte',
                    sealedCode('EXA1-', '\u00c3A'),
                    'its content is not UTF-8 text'
                ],
                [
                    'UTF-8 of a lone surrogate',
                    sealedCode('EXA1-', '\u00ed\u00a0\u0080'),
                    'its content is not UTF-8 text'
                ]
            ];

            it.each(cases)('%s', (_what, code, reason) => {
                const result = decodeInvitation(code, NOW);
                expect(result).toEqual({
                    ok: false,
                    error: 'malformed',
                    message: `This invitation code is complete but cannot be read: ${reason}. It was probably made by faulty software. Ask the admin who sent it to initiate the connection again and send you the new code.`,
                    detail: { reason }
                });
            });
        });

        it('says when the invitation expired and whom to ask for a new one', () => {
            expect(decodeInvitation(EXAMPLE_CODE, EXPIRES - 1).ok).toBe(true);
            for (const now of [EXPIRES, EXPIRES + 86400]) {
                expect(errorOf(decodeInvitation(EXAMPLE_CODE, now))).toEqual({
                    error: 'expired',
                    message: 'This invitation expired on 2026-01-01T00:00:00Z. Ask SalesforceA to send a new one.'
                });
            }
        });

        it('gives every kind of error its own message', () => {
            const messages = [
                decodeInvitation('', NOW),
                decodeInvitation('hello', NOW),
                decodeInvitation(EXAMPLE_CODE.slice(0, 100), NOW),
                decodeInvitation(replaceAt(EXAMPLE_CODE, 50, 'x'), NOW),
                decodeInvitation(sealedCode('EXA2-', '{}'), NOW),
                decodeInvitation(sealedCode('EXA1-', '{}'), NOW),
                decodeInvitation(EXAMPLE_CODE, EXPIRES)
            ].map((result) => errorOf(result));
            expect(messages.map((result) => result.error)).toEqual([
                'empty',
                'not-an-invitation',
                'truncated',
                'checksum',
                'unsupported-version',
                'malformed',
                'expired'
            ]);
            expect(new Set(messages.map((result) => result.message)).size).toBe(7);
        });

        it('never throws, whatever is pasted', () => {
            const inputs: unknown[] = [
                undefined,
                null,
                42,
                'EXA1--00000000',
                `EXA999999-${'A'.repeat(10000)}-00000000`,
                'EXA1-\ud800-00000000',
                '🚀'.repeat(500),
                EXAMPLE_CODE.repeat(3)
            ];
            for (const input of inputs) {
                expect(() => decodeInvitation(input as string, NOW)).not.toThrow();
                expect(decodeInvitation(input as string, NOW).ok).toBe(false);
            }
        });
    });

    describe('encoding refuses a bad payload', () => {
        const refusals: [string, Partial<InvitationPayload>, RegExp][] = [
            [
                'a secret that is too short',
                { secret: 'abc' },
                /secret must be 43 characters of base64url.*not 3 characters/
            ],
            [
                'a secret in plain base64',
                { secret: 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQw+/' },
                /secret must be 43/
            ],
            ['an expiry with a fraction', { expiresAt: 1767225600.5 }, /expiry must be a whole number of seconds/],
            ['an expiry in milliseconds', { expiresAt: 1767225600000 }, /not milliseconds/],
            [
                'an unknown connection type',
                { connectionType: 'Shared' as 'Public' },
                /connection type must be Public, Private or Local, not "Shared"/
            ],
            [
                'an unknown platform',
                { initiatorPlatform: 'Jira' as 'Salesforce' },
                /initiator platform must be Salesforce or ServiceNow, not "Jira"/
            ],
            ['an unknown mode', { mode: 'Script' as 'Basic' }, /mode must be Basic, not "Script"/],
            ['a blank connection name', { connectionName: '   ' }, /connection name is blank/],
            ['a blank initiator instance name', { initiatorInstance: '' }, /initiator instance name is blank/],
            ['a blank destination instance name', { destinationInstance: ' ' }, /destination instance name is blank/],
            [
                'a connection name over 80 characters',
                { connectionName: 'n'.repeat(81) },
                /connection name is 81 characters long; at most 80/
            ],
            [
                'an instance name over 40 characters',
                { destinationInstance: 'd'.repeat(41) },
                /destination instance name is 41 characters long; at most 40/
            ],
            [
                'a Public connection without a URL',
                { initiatorNodeUrl: '' },
                /a Public connection needs the initiator node URL/
            ],
            [
                'a Public connection with an ftp URL',
                { initiatorNodeUrl: 'ftp://exalate.example.com' },
                /must start with https:\/\/ or http:\/\//
            ],
            [
                'a Private connection without a URL',
                { connectionType: 'Private', initiatorNodeUrl: '' },
                /a Private connection needs the initiator node URL/
            ],
            ['an invitation id that is no UUID', { invitationId: 'invitation-1' }, /invitation id must be a UUID/],
            [
                'a description over 2000 characters',
                { description: 'x'.repeat(2001) },
                /description is 2001 characters long/
            ],
            ['another version', { version: 2 as 1 }, /version must be 1/]
        ];

        it.each(refusals)('refuses %s with a clear message', (_what, changes, expected) => {
            expect(() => encodeInvitation(payload(changes))).toThrow(expected);
            expect(() => encodeInvitation(payload(changes))).toThrow(/^Cannot create the invitation code: /);
        });

        it('never repeats the secret in its message', () => {
            const secret = 'q8V3o2cN1xk7ZpY4r0tWb9mLhA6sDeF5gJiUyTvQ+Eo';
            let message = '';
            try {
                encodeInvitation(payload({ secret }));
            } catch (error) {
                message = (error as Error).message;
            }
            expect(message).toMatch(/secret must be 43.*not other characters/);
            expect(message).not.toContain(secret.slice(0, 10));
        });

        it('refuses a missing payload and missing fields instead of writing a broken code', () => {
            expect(() => encodeInvitation(null as unknown as InvitationPayload)).toThrow(/invitation is missing/);
            const withoutSecret = payload();
            delete (withoutSecret as Partial<InvitationPayload>).secret;
            expect(() => encodeInvitation(withoutSecret)).toThrow(/the secret is missing/);
        });
    });
});
