// Reading a page's data again (after a mutation, or when a subscription says it changed).

interface Kit {
  goto(
    url: URL,
    options: { replaceState: boolean; keepFocus: boolean; noScroll: boolean; invalidate: string[] },
  ): Promise<void>;
  invalidate(dependency: string): Promise<void>;
  navigating: { to: { url: URL } | null };
}

/**
 * `refresh(dependency)` re-runs the loads that depend on it. SvelteKit's `invalidate` reloads the
 * page being left when a navigation is under way (and wins over it: a live event arriving while
 * the lawyer clicks a link, or the prosecutor changes a queue's status, would undo the click), so
 * while one is, the refresh goes to where it is going instead.
 */
export function createRefresh(kit: Kit) {
  return (dependency: string): Promise<void> => {
    const to = kit.navigating.to?.url;
    return to
      ? kit.goto(to, {
          replaceState: true,
          keepFocus: true,
          noScroll: true,
          invalidate: [dependency],
        })
      : kit.invalidate(dependency);
  };
}
