// Waiting for what a person would see, with vitest's expect.poll (playwright-core has no
// assertions of its own): text that appears, an attribute that changes live.
import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

/** Waits until the locator is visible. */
export const visible = (locator: Locator, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });

/** Waits until the locator's text contains `text`. */
export const hasText = (locator: Locator, text: string | RegExp, timeout = 15_000) =>
  expect
    .poll(
      () =>
        locator
          .first()
          .innerText()
          .catch(() => ''),
      { timeout, interval: 200 },
    )
    .toMatch(
      typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text,
    );

/** Waits until the locator's attribute is `value`. */
export const hasAttribute = (locator: Locator, name: string, value: string, timeout = 15_000) =>
  expect
    .poll(
      () =>
        locator
          .first()
          .getAttribute(name)
          .catch(() => null),
      { timeout, interval: 200 },
    )
    .toBe(value);

/** Waits until the locator matches `count` elements. */
export const hasCount = (locator: Locator, count: number, timeout = 15_000) =>
  expect.poll(() => locator.count(), { timeout, interval: 200 }).toBe(count);
