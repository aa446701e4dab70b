#!/usr/bin/env node
// The commands that serve (a proxy running for hours) start with a small, steady footprint. Node
// reads these settings only when a process starts, so the process re-executes itself once, in
// place: process.execve keeps the pid, the terminal and the signals (Node 22.15+, not on Windows;
// elsewhere it runs on with Node's defaults). KINGRESS_TUNED=1 skips it. Measurements: bench/PERFORMANCE.md.
//  - V8's young generation grows to 2 × 64 MB under load on Node 24 and is never given back;
//    4 MB semi-spaces still let a request's garbage die young, for a few % more time in GC.
//  - glibc gives each thread that mallocs an arena of its own and keeps what it frees there;
//    two arenas keep V8's background threads from holding tens of MB after a load.
const SERVING = new Set(['up', 'demo'])
if (SERVING.has(process.argv[2]) && process.env.KINGRESS_TUNED === undefined && typeof process.execve === 'function' && process.platform !== 'win32') {
  // A size the user chose (on the command line or in NODE_OPTIONS) stays theirs.
  const chosen = process.execArgv.some((a) => a.startsWith('--max-semi-space-size')) || (process.env.NODE_OPTIONS ?? '').includes('--max-semi-space-size')
  const flags = chosen ? [] : ['--max-semi-space-size=4']
  const env = {...process.env, KINGRESS_TUNED: '1'}
  env.MALLOC_ARENA_MAX ??= '2'
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], env)
}

// oclif is imported only now, so the process that re-executes itself never loads it. Its check of
// its own engines field loads all of semver (47 modules, about 0.5 MB); kingress checks its Node
// version itself (src/runtime/node-support.ts).
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
