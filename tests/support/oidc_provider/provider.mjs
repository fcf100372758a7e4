// A real OpenID Connect provider (npm's oidc-provider) that the tests start on the loopback in
// place of ProConnect (tests/support/oidc.py starts and stops it).
//
// It behaves as ProConnect does for a service provider: the authorisation code flow with PKCE
// required, `state` and `nonce`, the scopes `openid email given_name usual_name`, a userinfo
// answered as a signed JWT (application/jwt), RS256 signatures, and RP-initiated logout.
// Anyone may sign in with any email address (its development login page): the app, not the
// provider, decides who gets in.
//
// Faults: `PUT /test-faults/<name>` makes the provider misbehave the way a broken or hostile
// provider would, for the tokens it issues from then on (`none` turns it off):
//   audience  - the ID token and the userinfo are for another client;
//   issuer    - they name another issuer;
//   expired   - they expired an hour ago;
//   signature - they are signed by a key that is not the provider's (same `kid`).
// The tokens are re-signed after the provider made them: the exchange itself stays real.
//
// Settings from the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI.
import * as jose from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID;

const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: "cle-du-fournisseur", alg: "RS256", use: "sig" };
const { privateKey: otherKey } = await jose.generateKeyPair("RS256", { extractable: true });

let fault = "none";
const FAULTS = new Set(["none", "audience", "issuer", "expired", "signature"]);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [...process.env.OIDC_REDIRECT_URI.split(",")],
      post_logout_redirect_uris: process.env.OIDC_POST_LOGOUT_REDIRECT_URI.split(","),
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
      userinfo_signed_response_alg: "RS256",
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ["openid", "email", "given_name", "usual_name"],
  claims: {
    openid: ["sub"],
    email: ["email"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // ProConnect asks no consent of its agents: grant the scopes asked for at once.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email given_name usual_name");
    await grant.save();
    return grant;
  },
  // The login typed on the provider's page is the person's email address.
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, given_name: "Camille", usual_name: "Agent" };
      },
    };
  },
});

async function misbehave(token) {
  const payload = jose.decodeJwt(token);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (fault === "audience") payload.aud = "un-autre-service";
  if (fault === "issuer") payload.iss = "http://127.0.0.1:1/un-autre-fournisseur";
  if (fault === "expired") Object.assign(payload, { iat: now - 7200, exp: now - 3600 });
  if (fault === "signature") key = otherKey;
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: "JWT" })
    .sign(key);
}

provider.use(async (ctx, next) => {
  const control = ctx.path.match(/^\/test-faults\/([a-z]+)$/);
  if (control && ctx.method === "PUT") {
    if (!FAULTS.has(control[1])) ctx.throw(400, "unknown fault");
    fault = control[1];
    ctx.body = { fault };
    return;
  }
  await next();
  if (fault === "none" || ctx.status !== 200) return;
  if (ctx.path === "/token" && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await misbehave(ctx.body.id_token) };
  } else if (ctx.path === "/me" && typeof ctx.body === "string") {
    ctx.body = await misbehave(ctx.body);
    ctx.type = "application/jwt";
  }
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
