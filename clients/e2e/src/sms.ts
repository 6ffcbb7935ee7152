// Reading the SMS inbox (the development inbox, devSmsInbox, the way the demo does; or the
// cluster's SMS simulator): codes and passwords arrive there instead of on a phone.
import type { ClientStack } from './stack.ts';

export interface DevSms {
  id: string;
  phone: string;
  kind: string;
  text: string;
  sentAt: string;
}

/** Waits for a message of `kind` to `phone` that is not in `seen` (ids); answers it. */
export async function waitForSms(
  stack: ClientStack,
  phone: string,
  kind: string,
  seen: Set<string> = new Set(),
  timeoutMs = 20_000,
): Promise<DevSms> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inbox = await stack.sms(phone);
    const found = inbox.find((m) => m.kind === kind && !seen.has(m.id));
    if (found) {
      seen.add(found.id);
      return found;
    }
    if (Date.now() > deadline)
      throw new Error(
        `no ${kind} SMS to ${phone} within ${timeoutMs} ms (inbox: ${inbox.map((m) => m.kind).join(', ') || 'empty'})`,
      );
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The digits of a verification code in an SMS text. */
export const codeIn = (text: string): string =>
  /验证码为(\d{4,8})/.exec(text)?.[1] ??
  (() => {
    throw new Error(`no code in: ${text}`);
  })();

/** The password after `label`（卷宗下载密码 / 文档打开密码） in an SMS text. */
export const passwordIn = (text: string, label: string): string => {
  const m = new RegExp(`${label}：([\\x21-\\x7e]+?)(，|。|$)`).exec(text);
  if (!m) throw new Error(`no ${label} in: ${text}`);
  return m[1]!;
};
