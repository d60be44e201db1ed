// Preloaded into vsce by scripts/package.mjs: vsce tests every file of every production dependency
// (about 20k here) against every .vscodeignore line with `minimatch(file, pattern)`, which compiles
// the pattern again on each call; that took most of a package's minute. Same answers, each pattern
// compiled once.
const { dirname } = require('node:path');
const vsceDir = dirname(require.resolve('@vscode/vsce/package.json'));
const module_ = require(require.resolve('minimatch', { paths: [vsceDir] }));
const original = module_.minimatch;
const compiled = new Map();
function cached(path, pattern, options = {}) {
  const key = `${pattern}\0${JSON.stringify(options)}`;
  let matcher = compiled.get(key);
  if (!matcher) compiled.set(key, (matcher = new original.Minimatch(pattern, options)));
  return matcher.match(path);
}
module_.minimatch = Object.assign(cached, original);
