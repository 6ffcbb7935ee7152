// The developer page's HTML (开发者文档), in Chinese: registration, the OAuth flows with
// copy-paste examples, the scopes and error codes generated from the sources, webhook
// verification, limits and links. Static text plus the generated tables; no inline script.
import type { ErrorCodeRow } from './error-codes.ts';
import type { ScopeRow } from './scopes.ts';

export interface PageLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
  wsMaxSubscriptions: number;
  wsMaxPayloadBytes: number;
  persistedOnly: boolean;
  freeText: boolean;
}

export interface PageData {
  scopes: ScopeRow[];
  /** Where the scopes table came from (shown under it). */
  scopesSource: string;
  errorCodes: ErrorCodeRow[];
  limits: PageLimits;
  explorer: boolean;
  contractAvailable: boolean;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Inline `code` in explanations written with backticks. */
const withCode = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** A code block with a copy button (the page's script wires it); `$GATEWAY` is filled in by it. */
const example = (title: string, lang: string, code: string) =>
  `<figure class="example"><figcaption>${esc(title)}<button type="button" class="copy" data-copy>复制</button></figcaption><pre tabindex="0"><code class="lang-${lang}">${esc(code.trim())}</code></pre></figure>`;

const kindLabel = { LAW_FIRM: '律所管理系统', PROCURATORATE_SYSTEM: '检察业务应用系统' } as const;
const fieldKind = { query: '查询', mutation: '变更', subscription: '订阅', field: '字段' } as const;
const sourceLabel = (s: string) =>
  s === 'gateway'
    ? '网关'
    : ((
        { identity: '身份', cases: '案件', reading: '阅卷', notifications: '通知' } as Record<
          string,
          string
        >
      )[s] ?? s);

function scopesTable(rows: ScopeRow[]): string {
  const body = rows
    .map((row) => {
      const d = row.definition;
      const fields = row.fields.length
        ? `<ul class="fields">${row.fields
            .map((f) => {
              const others = f.alternatives
                .filter((all) => !all.includes(row.name) || all.length > 1)
                .map((all) => all.join(' + '));
              const together = f.alternatives
                .filter((all) => all.includes(row.name) && all.length > 1)
                .map((all) => all.filter((s) => s !== row.name).join('、'));
              const notes = [
                together.length ? `须同时持有 ${together.join(' 或 ')}` : '',
                others.length && !together.length ? `或 ${others.join('、')}` : '',
              ].filter(Boolean);
              return `<li><span class="kind">${fieldKind[f.kind]}</span> <code>${esc(f.coordinate)}</code>${notes.length ? ` <span class="note">（${esc(notes.join('；'))}）</span>` : ''}${f.description ? `<br><span class="desc">${esc(f.description)}</span>` : ''}</li>`;
            })
            .join('')}</ul>`
        : '<span class="note">暂无字段使用此范围</span>';
      return `<tr data-scope="${esc(row.name)}"><th scope="row"><code>${esc(row.name)}</code></th><td>${d ? esc(d.label) : '—'}</td><td>${d ? esc(d.description) : '（未在平台的范围列表中说明）'}</td><td>${d ? kindLabel[d.kind] : '—'}</td><td>${d ? (d.needsVerification ? '是' : '否') : '—'}</td><td>${fields}</td></tr>`;
    })
    .join('');
  return `<div class="table-wrap"><table class="scopes"><caption>权限范围及其开放的字段</caption><thead><tr><th scope="col">范围</th><th scope="col">名称</th><th scope="col">说明</th><th scope="col">适用应用</th><th scope="col">需身份核验</th><th scope="col">开放的查询、变更与字段</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function errorTable(rows: ErrorCodeRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr data-code="${esc(r.code)}"><th scope="row"><code>${esc(r.code)}</code></th><td>${r.explanation ? withCode(r.explanation) : '（说明待补充）'}</td><td>${r.sources.map(sourceLabel).join('、')}</td></tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table class="codes"><caption>错误代码（<code>errors[].extensions.code</code>）</caption><thead><tr><th scope="col">代码</th><th scope="col">含义与附加字段</th><th scope="col">来自</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

const lawFirmCurl = String.raw`
GATEWAY=https://yuejuan.example.cn        # 本页所在网关的地址
CLIENT_ID=yj_...                          # 管理员登记后提供
CLIENT_SECRET=yjs_...                     # 只显示一次，请妥善保存
REDIRECT_URI=https://lawfirm.example.cn/oauth/callback

# 1. 生成 PKCE（S256）与 state，保存在律师的会话中
CODE_VERIFIER=$(openssl rand -base64 48 | tr -d '=+/\n' | cut -c1-64)
CODE_CHALLENGE=$(printf '%s' "$CODE_VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
STATE=$(openssl rand -hex 16)

# 2. 把律师的浏览器送到授权地址：律师在门户登录，在“授权确认”页看到应用名称与各项权限后同意
echo "$GATEWAY/oauth/auth?response_type=code&client_id=$CLIENT_ID&redirect_uri=$(printf %s "$REDIRECT_URI" | jq -sRr @uri)&scope=openid%20profile:read%20bindings:read&state=$STATE&code_challenge=$CODE_CHALLENGE&code_challenge_method=S256"

# 3. 浏览器回到 REDIRECT_URI?code=...&state=...&iss=...：核对 state 与 iss 后，用授权码换取令牌
curl -s -u "$CLIENT_ID:$CLIENT_SECRET" "$GATEWAY/oauth/token" \
  -d grant_type=authorization_code -d code="$CODE" \
  --data-urlencode redirect_uri="$REDIRECT_URI" -d code_verifier="$CODE_VERIFIER"
# → {"access_token":"eyJ...","expires_in":300,"refresh_token":"...","scope":"profile:read bindings:read","token_type":"Bearer","id_token":"eyJ..."}

# 4. 以律师授权的范围调用接口
curl -s "$GATEWAY/graphql" -H "authorization: Bearer $ACCESS_TOKEN" \
  -H 'content-type: application/json' \
  -d '{"query":"{ viewer { lawyer { name licenceNumber boundCases { totalCount } } } }"}'
`;

const lawFirmTs = String.raw`
// npm install oauth4webapi（浏览器与 Node.js 通用的 OAuth 2 客户端，本页的接口浏览器也用它）
import * as oauth from 'oauth4webapi';

const gateway = 'https://yuejuan.example.cn';
const issuer = new URL(gateway + '/oauth');
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
const client: oauth.Client = { client_id: process.env.CLIENT_ID! };
const clientAuth = oauth.ClientSecretBasic(process.env.CLIENT_SECRET!);
const redirectUri = 'https://lawfirm.example.cn/oauth/callback';
// 本机调试网关为 http 时，每个请求再传 { [oauth.allowInsecureRequests]: true }

/** 登录：生成 PKCE 与 state（存入律师的会话），把浏览器重定向到返回的地址。 */
export async function authorizationUrl(session: { verifier?: string; state?: string }) {
  session.verifier = oauth.generateRandomCodeVerifier();
  session.state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'profile:read bindings:read',
    state: session.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(session.verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

/** 回调：核对 state 与 iss，用授权码与 PKCE 换取令牌。 */
export async function callback(currentUrl: URL, session: { verifier: string; state: string }) {
  const params = oauth.validateAuthResponse(as, client, currentUrl, session.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as, client, clientAuth, params, redirectUri, session.verifier,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

/** 刷新：每次都会得到新的刷新令牌，旧的作废；请原子地替换保存的值。 */
export async function refresh(refreshToken: string) {
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken);
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** 撤销：撤销刷新令牌即结束律师的这次授权，其访问令牌随之失效。 */
export async function revoke(refreshToken: string) {
  const response = await oauth.revocationRequest(as, client, clientAuth, refreshToken, {
    additionalParameters: { token_type_hint: 'refresh_token' },
  });
  await oauth.processRevocationResponse(response);
}

/** 调用接口。 */
export async function graphql(accessToken: string, query: string, variables = {}) {
  const res = await fetch(gateway + '/graphql', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + accessToken, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}
`;

const systemCurl = String.raw`
# 检察业务应用系统：客户端凭证，无需律师参与；只能访问本院的案件与卷宗
curl -s -u "$CLIENT_ID:$CLIENT_SECRET" "$GATEWAY/oauth/token" \
  -d grant_type=client_credentials -d scope='cases:read cases:write volumes:write'
# → {"access_token":"eyJ...","expires_in":300,"scope":"cases:read cases:write volumes:write","token_type":"Bearer"}

# 推送案件：按本院的部门受案号幂等，requestId 为本次请求的标识（重复提交不会重复建案）
curl -s "$GATEWAY/graphql" -H "authorization: Bearer $ACCESS_TOKEN" \
  -H 'content-type: application/json' \
  -d '{"query":"mutation Intake($r: ID!, $input: CaseInput!) { intakeCase(requestId: $r, input: $input) { case { id } created replayed } }","variables":{"r":"req-20250301-0001","input":{"departmentCaseNumber":"沪检刑诉〔2025〕1234号","caseName":"张某某涉嫌诈骗案","suspects":["张某某"],"stage":"PROSECUTION_REVIEW"}}}'
`;

const systemTs = String.raw`
import * as oauth from 'oauth4webapi';

const issuer = new URL('https://yuejuan.example.cn/oauth');
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
const client: oauth.Client = { client_id: process.env.CLIENT_ID! };
const clientAuth = oauth.ClientSecretBasic(process.env.CLIENT_SECRET!);

/** 访问令牌 5 分钟有效：到期前重新申请即可（客户端凭证没有刷新令牌）。 */
export async function accessToken(): Promise<string> {
  const response = await oauth.clientCredentialsGrantRequest(
    as, client, clientAuth, new URLSearchParams({ scope: 'cases:read cases:write volumes:write' }),
  );
  const tokens = await oauth.processClientCredentialsResponse(as, client, response);
  return tokens.access_token;
}
`;

const refreshCurl = String.raw`
curl -s -u "$CLIENT_ID:$CLIENT_SECRET" "$GATEWAY/oauth/token" \
  -d grant_type=refresh_token -d refresh_token="$REFRESH_TOKEN"
# → 新的 access_token 与新的 refresh_token；旧的刷新令牌已作废。
# 同一刷新令牌再次使用 → {"error":"invalid_grant"}，且律师的整个授权被撤销（所有令牌失效）。
`;

const revokeCurl = String.raw`
curl -s -u "$CLIENT_ID:$CLIENT_SECRET" "$GATEWAY/oauth/token/revocation" \
  -d token="$REFRESH_TOKEN" -d token_type_hint=refresh_token
# → HTTP 200。授权结束：此后使用该授权的访问令牌的请求得到 INVALID_TOKEN（HTTP 401）。
`;

const webhookTs = String.raw`
// npm install standardwebhooks express
import express from 'express';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.YUEJUAN_WEBHOOK_SECRET!); // 'whsec_...'，添加端点时只显示一次
const seen = new Set<string>(); // 生产中请用数据库的唯一索引：同一 webhook-id 可能投递多次

const app = express();
// 必须用原始请求体验签：先解析 JSON 再序列化会改变字节
app.post('/webhooks/yuejuan', express.raw({ type: 'application/json' }), (req, res) => {
  let event: unknown;
  try {
    event = webhook.verify(req.body, {
      'webhook-id': req.header('webhook-id') ?? '',
      'webhook-timestamp': req.header('webhook-timestamp') ?? '',
      'webhook-signature': req.header('webhook-signature') ?? '',
    });
  } catch {
    return res.status(400).end(); // 签名不符或时间戳超出 5 分钟：丢弃
  }
  const id = req.header('webhook-id')!;
  if (!seen.has(id)) {
    seen.add(id);
    handle(event); // 尽快返回 2xx，耗时的处理放到队列中
  }
  res.status(204).end();
});
declare function handle(event: unknown): void;
app.listen(8080);
`;

const webhookManual = String.raw`
// 不用库时（Node.js）：签名 = base64(HMAC-SHA256(密钥, "{webhook-id}.{webhook-timestamp}.{原始请求体}"))
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verify(secret: string, headers: Record<string, string>, body: Buffer): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(id + '.' + timestamp + '.').update(body).digest();
  // 头中可有多个以空格分隔的签名（密钥轮换的重叠期内新旧密钥各一个），任一匹配即可
  return (headers['webhook-signature'] ?? '').split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
`;

const persistedCurl = String.raw`
# 按哈希发送已登记的操作（sha256 为操作文档的 SHA-256 十六进制）
curl -s "$GATEWAY/graphql" -H "authorization: Bearer $ACCESS_TOKEN" \
  -H 'content-type: application/json' \
  -d '{"operationName":"MyProfile","extensions":{"persistedQuery":{"version":1,"sha256Hash":"<sha256>"}}}'
`;

/** The whole page. */
export function renderPage(data: PageData): string {
  const l = data.limits;
  const explorerLink = data.explorer
    ? '<a href="/graphql">接口浏览器</a>'
    : '接口浏览器（本网关未开启）';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>开发者文档 - 阅卷 GraphQL 接口</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/developers/developers.css">
<script type="module" src="/developers/developers.js"></script>
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header class="top">
<p class="brand">12309中国检察网 · 律师阅卷接口</p>
<nav aria-label="开发者文档">
<ul>
<li><a href="#register">登记应用</a></li>
<li><a href="#oauth">OAuth 授权</a></li>
<li><a href="#scopes">权限范围</a></li>
<li><a href="#webhooks">Webhook 验签</a></li>
<li><a href="#errors">错误代码</a></li>
<li><a href="#limits">限制</a></li>
<li><a href="#links">接口浏览器与 schema</a></li>
</ul>
</nav>
</header>
<main id="main">
<h1>开发者文档</h1>
<p>阅卷平台通过一个 GraphQL 接口（<code><span data-origin></span>/graphql</code>）向接入应用开放数据：律所管理系统经律师授权读取该律师的绑定、申请、预约与消息；检察业务应用系统以客户端凭证向本院推送案件与卷宗。所有授权遵循 OAuth 2.0 / OpenID Connect，令牌由网关校验，权限范围在各服务的字段上强制执行。</p>

<section id="register" aria-labelledby="h-register">
<h2 id="h-register">一、登记应用</h2>
<p>应用由平台管理员在检察人员工作台的“接入应用管理”页面登记，接入方无法自行注册。请向管理员提供：</p>
<ul>
<li><strong>应用名称</strong>（律师在授权确认页看到的名称）与<strong>所属单位</strong>（律师事务所，或检察院的部门）；</li>
<li><strong>类型</strong>：律所管理系统（授权码 + PKCE，代表授权的律师）或检察业务应用系统（客户端凭证，限本院数据，须写明<strong>所属检察院</strong>）；</li>
<li>律所管理系统的<strong>回调地址</strong>（1 至 10 个，须 https；本机调试可用 <code>http://127.0.0.1</code>，不能含 # 片段）；</li>
<li>所需的<strong>权限范围</strong>（见<a href="#scopes">权限范围</a>，只申请需要的）、<strong>每分钟请求上限</strong>，以及<strong>联系人、电话、邮箱</strong>。</li>
</ul>
<p>登记后管理员交给您<strong>客户端标识</strong>（<code>client_id</code>，形如 <code>yj_…</code>）与<strong>客户端密钥</strong>（<code>yjs_…</code>）。密钥只在生成时显示一次，平台只保存其摘要；可请管理员轮换，旧密钥在重叠期内继续有效。应用被停用后，其全部令牌在下一次请求时即失效。</p>
<p id="explorer-app"><strong>在接口浏览器中调试：</strong>另请登记一个律所管理系统类型的调试应用，回调地址<strong>只</strong>填写本网关的 <code><span data-origin></span>/explorer/callback</code>。这样的应用是公开客户端（不使用密钥，只凭 PKCE），接口浏览器上方的“使用 OAuth 登录”即可用它的客户端标识登录：律师在门户确认授权后回到接口浏览器，请求自动携带访问令牌（只保存在页面内存中，刷新页面即退出）。</p>
</section>

<section id="oauth" aria-labelledby="h-oauth">
<h2 id="h-oauth">二、OAuth 授权</h2>
<div class="table-wrap"><table class="endpoints"><caption>授权服务地址（发现文档列出全部）</caption>
<thead><tr><th scope="col">用途</th><th scope="col">地址</th></tr></thead>
<tbody>
<tr><td>发现文档（OpenID Connect Discovery）</td><td><code><span data-origin></span>/oauth/.well-known/openid-configuration</code></td></tr>
<tr><td>授权（律师的浏览器打开）</td><td><code><span data-origin></span>/oauth/auth</code></td></tr>
<tr><td>令牌（授权码、刷新令牌、客户端凭证）</td><td><code><span data-origin></span>/oauth/token</code></td></tr>
<tr><td>撤销</td><td><code><span data-origin></span>/oauth/token/revocation</code></td></tr>
<tr><td>签名公钥（JWKS）</td><td><code><span data-origin></span>/oauth/jwks</code></td></tr>
</tbody></table></div>
<p>访问令牌是 5 分钟有效的 JWT（RS256，受众 <code>urn:yuejuan:api</code>），以 <code>Authorization: Bearer</code> 发送；网关每次请求都核对授权与应用是否仍然有效。客户端认证使用 HTTP Basic（<code>client_secret_basic</code>）。</p>

<h3 id="code-flow">律所管理系统：授权码 + PKCE</h3>
<p>律师在门户登录，在“授权确认”页看到应用名称与每项权限后同意（读取个人或案件数据的权限需要扫码身份核验）；律师可随时在个人中心的“授权管理”撤销。应用读取到的数据永远不会超过该律师本人能看到的。PKCE 必须使用 S256。</p>
${example('curl', 'sh', lawFirmCurl)}
${example('TypeScript（oauth4webapi）', 'ts', lawFirmTs)}

<h3 id="client-credentials">检察业务应用系统：客户端凭证</h3>
${example('curl', 'sh', systemCurl)}
${example('TypeScript（oauth4webapi）', 'ts', systemTs)}

<h3 id="refresh">刷新令牌轮换</h3>
<p>授权码流程同时返回刷新令牌。每次使用都会换成新的刷新令牌，旧的立即作废；若已作废的刷新令牌被再次使用（可能已泄露），该律师对应用的整个授权被撤销，全部令牌失效，须由律师重新授权。并发刷新时只会成功一次，请串行刷新并原子地保存新值。</p>
${example('curl', 'sh', refreshCurl)}

<h3 id="revoke">撤销</h3>
${example('curl', 'sh', revokeCurl)}
</section>

<section id="scopes" aria-labelledby="h-scopes">
<h2 id="h-scopes">三、权限范围</h2>
<p>每个对接入应用开放的字段和操作都在 schema 中以 <code>@requiresScopes</code> 声明所需范围，本表据此生成（${esc(data.scopesSource)}）。接入应用只能看到契约 schema（<code>contract.graphql</code>）中的字段：契约以外的字段如同不存在（<code>GRAPHQL_VALIDATION_FAILED</code>）；令牌缺少字段所需的范围时答 <code>INSUFFICIENT_SCOPE</code>。同一行列出的多个范围为“任一即可”；“须同时持有”指需同时获得的范围。</p>
${scopesTable(data.scopes)}
</section>

<section id="webhooks" aria-labelledby="h-webhooks">
<h2 id="h-webhooks">四、Webhook 验签</h2>
<p>服务器之间的集成可以用 webhook 代替订阅。投递遵循 <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> 规范：每个请求带 <code>webhook-id</code>（消息标识，重试时保持不变，请据此去重）、<code>webhook-timestamp</code>（Unix 秒）与 <code>webhook-signature</code>（<code>v1,&lt;base64&gt;</code>，以空格分隔，可有多个）。请用原始请求体验签，拒绝时间戳偏差超过 5 分钟的请求，并尽快返回 2xx（耗时的处理放到队列中），否则会按退避策略重试。载荷只含标识、类型、状态与时间，不含密钥和文书内容。</p>
${example('TypeScript（standardwebhooks）', 'ts', webhookTs)}
${example('TypeScript（不依赖库）', 'ts', webhookManual)}
</section>

<section id="errors" aria-labelledby="h-errors">
<h2 id="h-errors">五、错误代码</h2>
<p>每个错误都带稳定的 <code>extensions.code</code> 与中文 <code>message</code>：程序请按代码处理，消息可直接展示给用户。本表由网关的错误代码与各服务 schema 中记载的错误代码生成。HTTP 路由（上传、下载）以 JSON <code>{code, message, ...}</code> 返回同样的代码。</p>
${errorTable(data.errorCodes)}
</section>

<section id="limits" aria-labelledby="h-limits">
<h2 id="h-limits">六、限制</h2>
<h3>请求频率</h3>
<p>每个应用有管理员登记的每分钟请求上限（HTTP、文件路由与 WebSocket 操作合计）。超过时返回 HTTP <strong>429</strong>，响应头 <code>Retry-After</code> 给出需等待的秒数，错误代码 <code>RATE_LIMITED</code>（附 <code>retryAfterSeconds</code>）。请等待后重试，不要立即重发。登录、短信等另有按来源地址的限制。</p>
<h3>查询限制</h3>
<div class="table-wrap"><table class="limits"><caption>本网关的查询限制（超出时 <code>${esc('QUERY_TOO_COMPLEX')}</code>，<code>limit</code> 指出哪一项）</caption>
<thead><tr><th scope="col">项目</th><th scope="col">上限</th></tr></thead>
<tbody>
<tr><td>语句的词法单元数（tokens）</td><td>${l.maxTokens}</td></tr>
<tr><td>嵌套深度（depth）</td><td>${l.maxDepth}</td></tr>
<tr><td>别名数（aliases）</td><td>${l.maxAliases}</td></tr>
<tr><td>指令数（directives）</td><td>${l.maxDirectives}</td></tr>
<tr><td>复杂度（cost，分页参数 <code>first</code> 乘入所选字段）</td><td>${l.maxCost}</td></tr>
<tr><td>每个 WebSocket 连接的订阅数</td><td>${l.wsMaxSubscriptions}</td></tr>
<tr><td>WebSocket 单条消息大小（字节）</td><td>${l.wsMaxPayloadBytes}</td></tr>
</tbody></table></div>
<p>不支持批量请求；GraphQL 请求须用 POST 与 <code>content-type: application/json</code>。</p>
<h3>持久化操作与操作白名单</h3>
<p>${
    l.persistedOnly
      ? l.freeText
        ? '本网关为生产模式，但允许接入方自行编写的操作（接口浏览器开启）。'
        : '本网关只接受已登记的持久化操作：请把应用使用的操作交给管理员登记，再按哈希发送。'
      : '本网关（开发模式）接受任意操作；生产环境只接受已登记的持久化操作。'
  }管理员可为应用登记其操作（GraphQL 文档，或 GraphQL Code Generator 等生成的持久化操作清单：哈希 → 文档），并可要求该应用只使用登记的操作；此时未登记的操作返回 <code>PERSISTED_QUERY_NOT_FOUND</code>。</p>
${example('curl', 'sh', persistedCurl)}
</section>

<section id="links" aria-labelledby="h-links">
<h2 id="h-links">七、接口浏览器与 schema</h2>
<ul>
<li>${explorerLink}：可直接编写查询；用上方“使用 OAuth 登录”以调试应用的身份调用（回调地址见<a href="#explorer-app">登记应用</a>）。</li>
<li>${
    data.contractAvailable
      ? '<a href="/developers/contract.graphql" download>下载接入方 schema（contract.graphql）</a>：只含对接入应用开放的类型与字段，可用于 GraphQL Code Generator 生成类型。'
      : '接入方 schema（contract.graphql）尚未生成。'
  }</li>
</ul>
</section>
</main>
<footer class="bottom"><p>本页由网关根据当前 schema 生成，离线可用。</p></footer>
</body>
</html>
`;
}
