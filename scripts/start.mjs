// `npm start`: build if a source is newer than dist/ (build-if-stale.mjs), then run the demo in
// this same process, which saves a second Node start-up. Extra arguments go to `agenthooks demo`.
await import('./build-if-stale.mjs');
process.argv = [
  process.argv[0],
  new URL('../dist/cli/bin.js', import.meta.url).pathname,
  'demo',
  ...process.argv.slice(2),
];
await import('../dist/cli/bin.js');
