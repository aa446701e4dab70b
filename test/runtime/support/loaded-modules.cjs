// Preloaded with `node -r` by lazy-modules.test.ts: once `up` has served for a moment, writes the
// CommonJS modules it has loaded (ESM imports of CommonJS land in require.cache too), then Node's
// own internal modules (process.moduleLoadList: `NativeModule internal/...`), to the file named by
// KINGRESS_TEST_LOADED.
const {writeFileSync} = require('node:fs')
setTimeout(() => {
  writeFileSync(process.env.KINGRESS_TEST_LOADED, [...Object.keys(require.cache), ...process.moduleLoadList].join('\n'))
}, 2500).unref()
