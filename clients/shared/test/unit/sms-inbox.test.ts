// @vitest-environment happy-dom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Api } from '../../src/client.ts';
import { ApiError } from '../../src/errors.ts';
import SmsInbox from '../../src/components/SmsInbox.svelte';

let component: Record<string, unknown> | null = null;
afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

// The component only calls api.query; the answers are what the gateway would send.
const apiAnswering = (answer: () => unknown) => ({ query: async () => answer() }) as unknown as Api;
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

describe('SmsInbox', () => {
  it('lists the caught messages with their kind in Chinese', async () => {
    const api = apiAnswering(() => ({
      devSmsInbox: [
        {
          id: 'm1',
          phone: '13912345678',
          kind: 'LOGIN_CODE',
          text: '【12309中国检察网】您的登录验证码为123456',
          sentAt: '2025-03-01T08:00:00.000Z',
        },
      ],
    }));
    component = mount(SmsInbox, { target: document.body, props: { api, refreshMs: 60_000 } });
    await settle();
    const item = document.querySelector('li.sms')!;
    expect(item.getAttribute('data-kind')).toBe('LOGIN_CODE');
    expect(item.textContent).toContain('登录验证码');
    expect(item.textContent).toContain('123456');
  });

  it('says so when the development sink is not enabled', async () => {
    const api = apiAnswering(() => {
      throw new ApiError('FORBIDDEN', '开发短信收件箱未启用。');
    });
    component = mount(SmsInbox, { target: document.body, props: { api, refreshMs: 60_000 } });
    await settle();
    expect(document.querySelector('[role="alert"]')?.textContent).toBe('开发短信收件箱未启用。');
  });
});
