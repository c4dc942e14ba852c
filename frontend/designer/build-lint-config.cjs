// Pre-compile the bpmnlint configuration (recommended rules) into an ES module esbuild can bundle,
// which is what bpmnlint-loader does for webpack. Usage: node build-lint-config.cjs OUTFILE
const fs = require('fs');
const path = require('path');
const compileConfig = require('bpmnlint/lib/support/compile-config');

const out = process.argv[2];
compileConfig({ extends: 'bpmnlint:recommended' }).then((code) => {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
});
