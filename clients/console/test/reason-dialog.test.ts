// @vitest-environment happy-dom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ReasonDialog from '../src/lib/ReasonDialog.svelte';

let component: Record<string, unknown> | null = null;
afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

function open(onsubmit: (reason: string) => void) {
  component = mount(ReasonDialog, {
    target: document.body,
    props: { open: true, title: '不通过', onsubmit, oncancel: () => undefined },
  });
  flushSync();
  const textarea = document.querySelector<HTMLTextAreaElement>('#reason-text')!;
  const form = document.querySelector('form')!;
  return {
    textarea,
    submit: () => {
      form.dispatchEvent(new Event('submit', { cancelable: true, bubbles: true }));
      flushSync();
    },
  };
}

describe('ReasonDialog', () => {
  it('refuses an empty reason and says what is missing', () => {
    const reasons: string[] = [];
    const dialog = open((r) => reasons.push(r));
    dialog.submit();
    expect(reasons).toEqual([]);
    expect(document.querySelector('#reason-problem')?.textContent).toBe('请填写原因。');
    expect(dialog.textarea.getAttribute('aria-invalid')).toBe('true');
  });

  it('hands over the trimmed reason', () => {
    const reasons: string[] = [];
    const dialog = open((r) => reasons.push(r));
    dialog.textarea.value = '  授权委托书未盖章  ';
    dialog.textarea.dispatchEvent(new Event('input', { bubbles: true }));
    dialog.submit();
    expect(reasons).toEqual(['授权委托书未盖章']);
  });

  it('labels the text box for screen readers', () => {
    open(() => undefined);
    expect(document.querySelector('label[for="reason-text"]')?.textContent).toContain('原因');
    expect(document.querySelector('dialog')?.getAttribute('aria-labelledby')).toBeTruthy();
  });
});
