// The supergraph the gateway serves, reloadable without a restart: on SIGHUP and, when
// SUPERGRAPH_POLL_MS is set, when the file changes. A file that does not parse or compose is
// refused and the schema already served stays in place (a half-written deploy must not take
// the platform down).
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@yuejuan/platform';

export interface SupergraphSource {
  /** For ApolloGateway's `supergraphSdl`: the initial SDL, and the update callback kept. */
  hook: SupergraphSdlHook;
  /** The SDL being served. */
  current(): string;
  /** Reads the file again and applies it; resolves with whether the new SDL is served. */
  reload(): Promise<boolean>;
  /** Starts listening for SIGHUP and polling the file (when pollMs > 0). */
  watch(): void;
  unwatch(): void;
  /** Called after a new SDL is served (the subscription planner follows it). */
  onUpdate(listener: (sdl: string) => void): void;
}

/** A reloadable supergraph read from `path`. */
export function createSupergraphSource(
  path: string,
  options: { pollMs: number; logger: Logger },
): SupergraphSource {
  const { logger } = options;
  let sdl = readFileSync(path, 'utf8');
  let update: ((sdl: string) => void) | undefined;
  const listeners: ((sdl: string) => void)[] = [];

  async function reload(): Promise<boolean> {
    let next: string;
    try {
      next = readFileSync(path, 'utf8');
    } catch (err) {
      logger.error({ err, path }, 'supergraph file unreadable: the current schema stays');
      return false;
    }
    if (next === sdl) return true;
    if (!update) return false;
    try {
      // ApolloGateway builds the new schema before swapping; if that throws, nothing changed.
      update(next);
    } catch (err) {
      logger.error({ err, path }, 'supergraph refused: the current schema stays');
      return false;
    }
    sdl = next;
    logger.info({ path }, 'supergraph reloaded');
    for (const listener of listeners) listener(sdl);
    return true;
  }

  const onSignal = () => void reload();
  return {
    hook: async ({ update: apply }) => {
      update = apply;
      return {
        supergraphSdl: sdl,
        cleanup: async () => {
          update = undefined;
        },
      };
    },
    current: () => sdl,
    reload,
    watch() {
      process.on('SIGHUP', onSignal);
      if (options.pollMs > 0)
        watchFile(path, { interval: options.pollMs, persistent: false }, onSignal);
    },
    unwatch() {
      process.off('SIGHUP', onSignal);
      unwatchFile(path, onSignal);
    },
    onUpdate: (listener) => void listeners.push(listener),
  };
}
