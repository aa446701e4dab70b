// The process `up` and `demo` hand off to (hand-off.ts): it serves the plan the CLI parsed, and
// imports nothing of oclif, and of the serving code only the command's own. Its failures print as
// the commands' own would (failure.ts).
import {reportFailure} from './failure.js'
import {decodeServePlan, SERVE_PLAN_VARIABLE} from '../runtime/serve-plan.js'

const text = process.env[SERVE_PLAN_VARIABLE]
// Nothing kingress starts inherits it (/proc/PID/environ still shows the environment the process started with).
delete process.env[SERVE_PLAN_VARIABLE]
try {
  if (text === undefined) throw new Error(`${SERVE_PLAN_VARIABLE} is not set: this entry is started by \`kingress up\` or \`kingress demo\`, not by hand`)
  const plan = decodeServePlan(text)
  if (plan.command === 'up') await (await import('../runtime/run-up.js')).runUp(plan)
  else await (await import('../runtime/run-demo.js')).runDemo(plan)
} catch (error) {
  process.exitCode = reportFailure(error)
  // Whatever a failed start left open must not keep the process alive.
  setTimeout(() => process.exit(), 1000).unref()
}
