// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    /** What +error.svelte shows: the service's Chinese message and its stable code. */
    interface Error {
      message: string;
      code?: string;
    }
  }
}
export {};
