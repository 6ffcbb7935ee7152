// The apps' server side: the gateway proxy and the pages' security headers.
export * from './proxy.ts';
export * from './headers.ts';
