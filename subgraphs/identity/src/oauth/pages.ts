const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Chinese wording of the OAuth errors a person may meet in the browser. */
const explanations: Record<string, string> = {
  invalid_request: '授权请求无效。',
  invalid_client: '应用未登记或已停用。',
  invalid_scope: '应用申请的权限范围无效。',
  invalid_target: '应用申请访问的资源无效。',
  unauthorized_client: '该应用不能使用此授权方式。',
  access_denied: '授权已被拒绝。',
  session_not_found: '授权请求已失效或不是在此浏览器发起的，请回到应用重新发起授权。',
  invalid_approval: '授权确认已失效，请回到应用重新发起授权。',
};

/**
 * The page shown when an authorization request cannot go on (no redirect back to the
 * application is safe): Chinese text, the OAuth error code for the integrator, nothing else.
 */
export function errorPage(error: string, description: string): string {
  const text = explanations[error] ?? '授权请求无法完成。';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>授权失败 - 12309中国检察网</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.4rem;color:#9f1239}code{background:#f3f4f6;padding:0 .25rem}</style></head><body><main><h1>授权失败</h1><p>${escape(text)}</p><p>错误代码：<code>${escape(error)}</code>${description ? `（${escape(description)}）` : ''}</p></main></body></html>`;
}
