// The invitation handshake over real HTTP on 127.0.0.1: the acceptor's client proves the secret, the
// initiator's server checks the proof before the engine decides, and every refusal of the spec reaches
// the acceptor as a typed error; an answer that does not prove the secret is not trusted.
import { strict as assert } from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NodeClient } from '../src/node/client.ts';
import { RequestRefused, ResponseNotTrusted } from '../src/node/errors.ts';
import { MemoryHandlers } from '../src/node/memory-handlers.ts';
import { startNodeServer } from '../src/node/server.ts';
import type { NodeServer } from '../src/node/server.ts';
import { HEADER } from '../src/protocol/headers.ts';
import { createAcceptance } from '../src/protocol/invitation-proof.ts';
import { deriveConnectionKeys } from '../src/protocol/keys.ts';
import type { ConnectionKeys } from '../src/protocol/keys.ts';

interface Invitation {
    readonly id: string;
    readonly secret: string;
    readonly initiator: ConnectionKeys;
    readonly acceptor: ConnectionKeys;
}

function newInvitation(): Invitation {
    const secret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    return {
        id,
        secret,
        initiator: deriveConnectionKeys(secret, id, 'initiator'),
        acceptor: deriveConnectionKeys(secret, id, 'acceptor')
    };
}

const DETAILS = { acceptorInstance: 'ServiceNowB', acceptorPlatform: 'ServiceNow', acceptorNodeUrl: '' } as const;

async function refusal(promise: Promise<unknown>): Promise<RequestRefused> {
    const error = await promise.then(
        () => assert.fail('the acceptance succeeded'),
        (caught: unknown) => caught
    );
    assert.ok(error instanceof RequestRefused, String(error));
    return error;
}

void describe('invitation acceptance', () => {
    const handlers = new MemoryHandlers();
    let server: NodeServer;

    before(async () => {
        server = await startNodeServer({ handlers, log: () => undefined });
    });
    after(() => server.close());

    function invite(expiresIn = 60_000): { invitation: Invitation; client: NodeClient } {
        const invitation = newInvitation();
        handlers.addInvitation(invitation.initiator, Date.now() + expiresIn);
        return {
            invitation,
            client: new NodeClient({ baseUrl: server.url, connectionId: invitation.id, keys: invitation.acceptor })
        };
    }

    void test('round trip: the acceptance verifies, the confirmation verifies, the connection is active and signed requests flow', async () => {
        const { invitation, client } = invite();
        const accepted = await client.acceptInvitation(DETAILS);
        assert.equal(accepted.confirmation.invitationId, invitation.id);
        assert.equal(accepted.acceptance.acceptorInstance, 'ServiceNowB');
        assert.equal(handlers.statusOf(invitation.id), 'Active');
        assert.equal(await client.control('activate'), 'Active');
    });

    void test('the same acceptance again gets the same answer (a retry after a lost answer)', async () => {
        const { client } = invite();
        const first = await client.acceptInvitation(DETAILS);
        const again = await client.acceptInvitation({ acceptance: first.acceptance });
        assert.deepEqual(again.confirmation, first.confirmation);
    });

    void test('another acceptance of an accepted invitation is 409 already-accepted', async () => {
        const { client } = invite();
        await client.acceptInvitation(DETAILS);
        const error = await refusal(client.acceptInvitation({ ...DETAILS, acceptorInstance: 'Intruder' }));
        assert.equal(error.status, 409);
        assert.equal(error.code, 'already-accepted');
        assert.equal(error.verified, false);
        assert.equal(error.retryable, false);
    });

    void test('an expired invitation is 409 invitation-expired', async () => {
        const { client } = invite(-1);
        const error = await refusal(client.acceptInvitation(DETAILS));
        assert.equal(error.status, 409);
        assert.equal(error.code, 'invitation-expired');
    });

    void test('an invitation the node never made is 404 unknown-invitation', async () => {
        const stranger = newInvitation();
        const client = new NodeClient({ baseUrl: server.url, connectionId: stranger.id, keys: stranger.acceptor });
        const error = await refusal(client.acceptInvitation(DETAILS));
        assert.equal(error.status, 404);
        assert.equal(error.code, 'unknown-invitation');
    });

    void test('an acceptance made with another secret is 401 bad-proof, before the engine decides anything', async () => {
        const { invitation } = invite();
        const forged = deriveConnectionKeys(randomBytes(32).toString('base64url'), invitation.id, 'acceptor');
        const client = new NodeClient({ baseUrl: server.url, connectionId: invitation.id, keys: forged });
        const calls = handlers.callsOf('acceptInvitation');
        const error = await refusal(client.acceptInvitation(DETAILS));
        assert.equal(error.status, 401);
        assert.equal(error.code, 'bad-proof');
        assert.equal(handlers.callsOf('acceptInvitation'), calls);
        assert.equal(handlers.statusOf(invitation.id), undefined);
    });

    void test('a malformed acceptance is 400 malformed naming the field, known invitation or not', async () => {
        for (const invitation of [invite().invitation, newInvitation()]) {
            const acceptance = createAcceptance({ ...DETAILS, keys: invitation.acceptor });
            const response = await fetch(`${server.url}/exalate/v1/invitations/${invitation.id}/accept`, {
                method: 'POST',
                headers: { [HEADER.protocol]: '1', 'content-type': 'application/json' },
                body: JSON.stringify({ ...acceptance, acceptorPlatform: 'Jira' })
            });
            const body = (await response.json()) as { error: string; message: string };
            assert.equal(response.status, 400);
            assert.equal(body.error, 'malformed');
            assert.match(body.message, /acceptorPlatform/);
        }
    });

    void test('an acceptance whose invitationId differs from the path is 400 malformed', async () => {
        const { invitation } = invite();
        const acceptance = createAcceptance({ ...DETAILS, keys: invitation.acceptor });
        const response = await fetch(`${server.url}/exalate/v1/invitations/${randomUUID()}/accept`, {
            method: 'POST',
            headers: { [HEADER.protocol]: '1' },
            body: JSON.stringify(acceptance)
        });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: string }).error, 'malformed');
    });

    void test('a confirmation that does not prove the secret is ResponseNotTrusted bad-proof', async () => {
        const { invitation } = invite();
        const client = new NodeClient({
            baseUrl: server.url,
            connectionId: invitation.id,
            keys: invitation.acceptor,
            fetchImpl: async (input, init) => {
                const response = await fetch(input, init);
                const body = (await response.json()) as { proof: string };
                const proof = `${body.proof.slice(0, -1)}${body.proof.endsWith('0') ? '1' : '0'}`;
                return new Response(JSON.stringify({ ...body, proof }), { status: response.status });
            }
        });
        const error = await client.acceptInvitation(DETAILS).catch((caught: unknown) => caught);
        assert.ok(error instanceof ResponseNotTrusted);
        assert.equal(error.reason, 'bad-proof');
    });
});
