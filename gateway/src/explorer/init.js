/* global React, ReactDOM, GraphiQL -- set by the vendored scripts the explorer page loads first */
// Starts GraphiQL against this gateway, and signs in as an integrator's application with OAuth
// (authorization code + PKCE S256, oauth4webapi) instead of a pasted token. Every file is served
// by the gateway itself, so the explorer works with no internet.
//
// Tokens live in this page's memory only, never in localStorage or sessionStorage: any script
// of this origin could read storage, it outlives the tab, and a token found there is the
// lawyer's authorisation. A reload therefore signs out (the explorer shows it). Only the one-
// time PKCE verifier and state wait in sessionStorage while the browser is at the portal (the
// page is gone meanwhile); they are removed when the browser comes back.
import * as oauth from '/explorer/oauth4webapi.js';

const issuer = new URL('/oauth', location.origin);
const redirectUri = new URL('/explorer/callback', location.origin).href;
// oauth4webapi refuses http endpoints unless told: development gateways run on http://127.0.0.1.
const http = { [oauth.allowInsecureRequests]: location.protocol === 'http:' };
const pendingKey = 'yuejuan.explorer.oauth.pending';
const clientIdKey = 'yuejuan.explorer.oauth.clientId';

const $ = (id) => document.getElementById(id);
const form = $('oauth-form');
const signedIn = $('oauth-signed-in');
const status = $('oauth-status');
const message = $('oauth-message');

/** The signed-in application: { clientId, scope, accessToken, refreshToken, expiresAt, timer }. */
let session = null;
let server = null;

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle('error', isError);
}

/** The authorization server's metadata, from /oauth/.well-known/openid-configuration. */
async function discover() {
  if (server) return server;
  const response = await oauth.discoveryRequest(issuer, http);
  try {
    server = await oauth.processDiscoveryResponse(issuer, response);
  } catch (err) {
    if (err && err.code === oauth.JSON_ATTRIBUTE_COMPARISON)
      throw new Error(
        `授权服务的地址（issuer）与本页地址不一致：请通过网关的公开地址打开接口浏览器（${issuer.href} 不是 issuer）。`,
        { cause: err },
      );
    throw err;
  }
  return server;
}

const time = (ms) => new Date(ms).toLocaleTimeString('zh-CN', { hour12: false });

function show() {
  renderExplorer();
  form.hidden = !!session;
  signedIn.hidden = !session;
  $('oauth-hint').hidden = !!session;
  if (session)
    status.textContent = `已以应用 ${session.clientId} 登录（${session.scope || '默认范围'}），访问令牌有效至 ${time(session.expiresAt)}，到期前自动续期`;
}

/** Keeps a token response: the access token sent as Bearer, the refresh token for later. */
function keep(clientId, scope, tokens) {
  if (session?.timer) clearTimeout(session.timer);
  const lifetime = (tokens.expires_in ?? 300) * 1000;
  session = {
    clientId,
    scope: tokens.scope ?? scope,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? session?.refreshToken,
    expiresAt: Date.now() + lifetime,
    timer: null,
  };
  // Renewed a minute before expiry (halfway for short-lived tokens).
  if (session.refreshToken)
    session.timer = setTimeout(
      () => void refresh().catch(() => undefined),
      Math.max(lifetime - 60_000, lifetime / 2),
    );
  show();
}

function forget(text, isError = false) {
  if (session?.timer) clearTimeout(session.timer);
  session = null;
  show();
  say(text, isError);
}

/** Sends the browser to /oauth/auth (the lawyer signs in and consents on the portal). */
async function signIn(clientId, scope) {
  const as = await discover();
  if (!crypto.subtle)
    throw new Error('此页面不是安全上下文（https 或 127.0.0.1），浏览器无法计算 PKCE。');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  sessionStorage.setItem(pendingKey, JSON.stringify({ clientId, scope, verifier, state }));
  localStorage.setItem(clientIdKey, clientId);
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  if (scope) url.searchParams.set('scope', scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.href);
}

/** Back from the authorization server at /explorer/callback: checks the answer and redeems the code. */
async function finishSignIn() {
  const raw = sessionStorage.getItem(pendingKey);
  sessionStorage.removeItem(pendingKey);
  const callback = new URL(location.href);
  // The code leaves the address bar (and the history) at once.
  history.replaceState(null, '', '/graphql');
  if (!raw) throw new Error('登录请求已失效，请重新登录。');
  const pending = JSON.parse(raw);
  const as = await discover();
  const client = { client_id: pending.clientId };
  let params;
  try {
    params = oauth.validateAuthResponse(as, client, callback, pending.state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError)
      throw new Error(
        err.error === 'access_denied'
          ? '律师拒绝了授权。'
          : `授权未完成：${err.error}${err.error_description ? `（${err.error_description}）` : ''}`,
        { cause: err },
      );
    throw err;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri,
    pending.verifier,
    http,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  keep(pending.clientId, pending.scope, tokens);
  say('已登录：请求将携带该应用的访问令牌。');
}

/** A new access token with the refresh token (which rotates: the old one is spent). */
async function refresh() {
  if (!session?.refreshToken) throw new Error('没有可用的刷新令牌。');
  const current = session;
  const as = await discover();
  const client = { client_id: current.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      current.refreshToken,
      http,
    );
    const tokens = await oauth.processRefreshTokenResponse(as, client, response);
    if (session !== current) return;
    keep(current.clientId, current.scope, tokens);
    say(`访问令牌已续期，有效至 ${time(session.expiresAt)}。`);
  } catch (err) {
    if (session === current)
      forget(`续期失败，已退出：${reason(err)}（授权可能已被撤销），请重新登录。`, true);
    throw err;
  }
}

/** Revokes the refresh token (which ends the lawyer's authorisation) and forgets the tokens. */
async function signOut() {
  const current = session;
  forget('已退出。');
  if (!current?.refreshToken) return;
  try {
    const as = await discover();
    const client = { client_id: current.clientId };
    const response = await oauth.revocationRequest(as, client, oauth.None(), current.refreshToken, {
      ...http,
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(response);
    say('已退出，授权已撤销。');
  } catch (err) {
    say(`已退出，但撤销授权失败：${reason(err)}`, true);
  }
}

// GraphiQL's requests carry the application's access token, unless Headers names its own
// Authorization. A 401 is retried once after a refresh (the token may have just expired).
const withToken = (init, token) => {
  const headers = new Headers(init?.headers);
  if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
};
const authorizedFetch = async (input, init) => {
  const used = session?.accessToken;
  const response = await fetch(input, withToken(init, used));
  if (response.status !== 401 || !used || session?.accessToken !== used || !session.refreshToken)
    return response;
  await refresh().catch(() => undefined);
  return session ? fetch(input, withToken(init, session.accessToken)) : response;
};

/** An error's text: an OAuth error answer's code and description, else the message. */
const reason = (err) =>
  err instanceof oauth.ResponseBodyError
    ? `${err.error}${err.error_description ? `（${err.error_description}）` : ''}`
    : err instanceof Error
      ? err.message
      : String(err);
const fail = (err) => say(reason(err), true);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const clientId = $('oauth-client-id').value.trim();
  const scope = $('oauth-scope').value.trim().split(/\s+/).filter(Boolean).join(' ');
  $('oauth-sign-in').disabled = true;
  say('正在前往授权页面……');
  signIn(clientId, scope).catch((err) => {
    $('oauth-sign-in').disabled = false;
    fail(err);
  });
});
$('oauth-refresh').addEventListener('click', () => void refresh().catch(() => undefined));
$('oauth-sign-out').addEventListener('click', () => void signOut());
$('oauth-client-id').value = localStorage.getItem(clientIdKey) ?? '';

if (location.pathname === '/explorer/callback') {
  say('正在完成登录……');
  finishSignIn().catch((err) => forget(`登录失败：${reason(err)}`, true));
}

// GraphiQL is drawn again (a new key) whenever who calls changes, so it introspects again with
// the new token: signed in as an application it shows the contract schema only.
const root = ReactDOM.createRoot($('graphiql'));
let drawnFor;
function renderExplorer() {
  const caller = session ? session.clientId : '';
  if (caller === drawnFor) return;
  drawnFor = caller;
  root.render(
    React.createElement(GraphiQL, {
      key: caller || 'anonymous',
      fetcher: GraphiQL.createFetcher({ url: '/graphql', fetch: authorizedFetch }),
      shouldPersistHeaders: false,
      defaultQuery:
        '# 阅卷 GraphQL 接口\n# 上方“使用 OAuth 登录”以接入应用身份调用；或在 Headers 中填写 {"Authorization": "Bearer <token>"}。\nquery Procuratorates {\n  procuratorates(onlineReadingOnly: true) {\n    id\n    name\n    province\n  }\n}\n',
    }),
  );
}
renderExplorer();
