// Preloaded into the benchmark's server processes only (NODE_OPTIONS=--expose-gc --import=…):
// SIGUSR2 runs a full garbage collection, so resident memory is read without garbage in it.
process.on('SIGUSR2', () => globalThis.gc?.());
