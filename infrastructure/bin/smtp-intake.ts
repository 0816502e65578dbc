#!/usr/bin/env -S node --max-semi-space-size=4
// The young generation at 2 x 4 MB instead of V8's 2 x 32 MB: the daemon's RSS under the bench's
// load 200 MB instead of 290, at no CPU cost the bench can tell (docs/PERFORMANCE.md, issue 19).
// Every way of starting the daemon passes it: this line, `npm start`, the Dockerfile, the systemd
// unit (V8 reads it only at start; cluster workers inherit it).

// The line above runs the first `node` on the PATH, which may be older than the Node 24 the code
// needs (node:sqlite, ...): say so in one line before anything is loaded, rather than fail with a
// stack trace from inside a module. Hence the dynamic import: static ones would load first.
if (Number(process.versions.node.split(".")[0]) < 24) {
  process.stderr.write(`smtp-intake needs Node.js 24 or later; ${process.execPath} is ${process.version}\n`)
  process.exit(1)
}
const { main } = await import("../cli.ts")
await main(process.argv.slice(2))
