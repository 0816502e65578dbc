const major = Number(process.versions.node.split(".")[0])
if (major < 24) {
  console.error(`Node ${process.version} at ${process.execPath}: smtp-intake needs Node >= 24, which "npm ci" ` +
    `installs into node_modules/.bin/node. Run "npm ci" (without --ignore-scripts) or "npm rebuild node".`)
  process.exit(1)
}
