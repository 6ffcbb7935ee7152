// The token lives in the browser (sessionStorage), so pages render there; the server only
// serves the shell and forwards the gateway's paths.
export const ssr = false;
export const prerender = false;
