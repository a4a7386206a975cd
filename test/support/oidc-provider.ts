/**
 * A real OpenID Connect provider for tests: `oidc-provider` (a certified implementation, from npm) on a random
 * loopback port, with one confidential client and test users. Its interaction (the login and consent pages a person
 * would fill in) is completed by the provider's own API (`interactionFinished`) as soon as the browser reaches it,
 * signing in whichever user the test names; everything else (discovery, the authorisation endpoint, the code, the
 * token endpoint, the signed ID token and the JWKS) is the provider's real behaviour.
 *
 * `followToCallback` plays the browser: it follows the provider's redirects with a cookie jar until the provider
 * sends it back to the product, and answers that callback URL.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestUser {
  sub: string;
  name: string;
  email: string;
  /** Authentication methods the provider reports in the ID token (`amr`), e.g. ['pwd', 'mfa']. @default ['pwd'] */
  amr?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The users the provider knows, by subject. */
  users: Map<string, TestUser>;
  /** The user the next interaction signs in (a person typing their password). */
  signInAs(sub: string): void;
  /**
   * While on, the provider's JWKS endpoint publishes another key under the signing key's kid, as if a token were
   * forged or the keys had been swapped: ID tokens no longer verify against the published keys.
   */
  publishOtherKeys(on: boolean): void;
  close(): Promise<void>;
}

export async function startOidcProvider(o: { redirectUris: string[] }): Promise<TestOidcProvider> {
  const clientId = `ocop-test-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const users = new Map<string, TestUser>();
  let next: string | null = null;
  let otherKeys = false;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  const otherJwks = JSON.stringify({ keys: [{ ...other, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] });

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: o.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // The ID token carries how the person signed in (acr, amr, auth_time) with every openid scope, as national
    // identity platforms do; oidc-provider leaves them out unless the configuration names them.
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name'], email: ['email'] },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: user.name, email: user.email }) };
    },
  });
  const handle = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const user = next === null ? undefined : users.get(next);
      if (!user) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'no test user to sign in' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub, amr: user.amr ?? ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // Consent: the person accepts what the client asks, as the provider's own development pages do.
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('grant not found');
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (otherKeys && req.method === 'GET' && req.url === '/jwks') {
      res.setHeader('content-type', 'application/jwk-set+json');
      res.end(otherJwks);
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    void handle(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    users,
    signInAs: (sub) => {
      next = sub;
    },
    publishOtherKeys: (on) => {
      otherKeys = on;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * Follows redirects from `url` as a browser would (a cookie jar per call, so each call is a fresh browser at the
 * provider), until one points under `until` (the product's callback): that URL. Throws if the provider answers
 * anything but a redirect on the way.
 */
export async function followToCallback(url: string, until: string, maxHops = 20): Promise<URL> {
  const jar = new Map<string, string>();
  let at = new URL(url);
  for (let hop = 0; hop < maxHops; hop += 1) {
    if (at.href.startsWith(until)) return at;
    const res = await fetch(at, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`the provider answered ${res.status} at ${at.pathname}: ${(await res.text()).slice(0, 500)}`);
    }
    await res.body?.cancel();
    at = new URL(location, at);
  }
  throw new Error(`more than ${maxHops} redirects`);
}
