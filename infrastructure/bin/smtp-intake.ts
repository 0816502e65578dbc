#!/usr/bin/env -S node --max-semi-space-size=4
// The young generation at 2 x 4 MB instead of V8's 2 x 32 MB: the daemon's RSS under the bench's
// load 200 MB instead of 290, at no CPU cost the bench can tell (docs/PERFORMANCE.md, issue 19).
// Every way of starting the daemon passes it: this line, `npm start`, the Dockerfile, the systemd
// unit (V8 reads it only at start; cluster workers inherit it).
import { main } from "../cli.ts"

await main(process.argv.slice(2))
