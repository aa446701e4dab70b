/** Whether the user set the Node or V8 flag `name` (on the command line or in NODE_OPTIONS): kingress then leaves it alone. */
export function chosenByUser(name: string, execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return execArgv.some((a) => a.startsWith(name)) || nodeOptions.includes(name)
}
