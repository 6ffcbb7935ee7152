// The Content-Security-Policy of the three apps (plain JavaScript: svelte.config.js loads it
// with Node). SvelteKit hashes its own inline bootstrap script into script-src; the gateway's
// WebSocket origin is added to connect-src per deployment by the apps' server hooks
// (server/headers.ts), and frame-ancestors works only as a header, which SvelteKit sends.

/** @type {import('@sveltejs/kit').Config['kit']['csp']} */
export const csp = {
  mode: 'hash',
  directives: {
    'default-src': ['self'],
    'script-src': ['self'],
    // Svelte writes style attributes (transitions, `style:` directives): attributes, not scripts.
    'style-src': ['self', 'unsafe-inline'],
    'img-src': ['self', 'data:', 'blob:'],
    'font-src': ['self'],
    'connect-src': ['self'],
    'media-src': ['self', 'blob:'],
    'object-src': ['none'],
    'base-uri': ['none'],
    'form-action': ['self'],
    'frame-ancestors': ['none'],
  },
};
