/**
 * Thrown when the FerretDB binary has to be built but the Go toolchain is not on PATH.
 * The message is a single line so it reads well in CI logs and test output.
 */
export class GoMissingError extends Error {
  constructor() {
    super(
      'Go is not installed: install Go (https://go.dev/dl/) so FerretDB can be built, ' +
        'or set MONGODB_URI to a MongoDB server.',
    );
    this.name = 'GoMissingError';
  }
}
