// What the global setup hands to every test file (vitest's provide/inject).
import type {} from 'vitest';
declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
  }
}
export {};
