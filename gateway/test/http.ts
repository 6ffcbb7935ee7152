// Raw HTTP to the gateway, for tests that send what no well-behaved client would.

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The JSON body, or undefined when the answer was not JSON. */
  json:
    | {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
        data?: Record<string, any> | null;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
        errors?: { message: string; extensions?: Record<string, any> }[];
      }
    | undefined;
}

/** POSTs `body` (an object is JSON-encoded) with `headers` (JSON content type unless given). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Any request; the answer read whole, never thrown on a non-JSON body. */
export async function send(url: string, init: RequestInit): Promise<RawAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: RawAnswer['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** The first error's code. */
export const codeOf = (answer: RawAnswer) =>
  answer.json?.errors?.[0]?.extensions?.code as string | undefined;

/** Signs of the inside of the platform that must never reach a client. */
export function internalsIn(text: string, internalUrls: string[]): string[] {
  const found: string[] = [];
  for (const url of internalUrls) {
    const { host } = new URL(url);
    if (text.includes(host)) found.push(host);
  }
  if (/mongodb:\/\//.test(text)) found.push('mongodb uri');
  if (/\n\s+at\s|\\n\s+at\s/.test(text)) found.push('stack trace');
  if (/"stacktrace"|"exception"/.test(text)) found.push('stacktrace extension');
  if (/<html|<pre>/i.test(text)) found.push('HTML error page');
  return found;
}
