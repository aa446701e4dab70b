#!/usr/bin/env node
// oclif's check of its own engines field loads all of semver (47 modules, about 0.5 MB); kingress
// checks its Node version itself (src/runtime/node-support.ts). `up` and `demo` re-execute
// themselves as a serving process without oclif once their flags are parsed (src/cli/hand-off.ts).
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
