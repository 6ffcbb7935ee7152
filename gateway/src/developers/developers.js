// 开发者文档's only script (no inline script under the page's CSP): writes this gateway's
// address where the page shows one, and copies code examples to the clipboard.
for (const el of document.querySelectorAll('[data-origin]')) el.textContent = location.origin;
for (const code of document.querySelectorAll('pre code'))
  code.textContent = code.textContent.replace(
    /^GATEWAY=https:\/\/yuejuan\.example\.cn/m,
    `GATEWAY=${location.origin}`,
  );
for (const button of document.querySelectorAll('[data-copy]'))
  button.addEventListener('click', async () => {
    const code = button.closest('figure')?.querySelector('pre code')?.textContent ?? '';
    try {
      await navigator.clipboard.writeText(code);
      button.textContent = '已复制';
    } catch {
      button.textContent = '请手动复制';
    }
    setTimeout(() => (button.textContent = '复制'), 2000);
  });
