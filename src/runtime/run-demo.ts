import {join} from 'node:path'

import {gatewayAddressing} from '../cli/gateway-addressing.js'
import {parseBackendFlag, StaticProvider} from '../backends/static.js'
import {startDemoServer, stopDemoServer} from './demo-servers.js'
import {packageRoot} from './package-root.js'
import {listenOptions, serveUntilStopped} from './serve.js'
import type {DemoPlan} from './serve-plan.js'
import {startSession} from './session.js'
import {chooseView} from './view.js'

/** `kingress demo`, once its command line is parsed: the blue/green example behind built-in servers. */
export async function runDemo(plan: DemoPlan): Promise<void> {
  const {flags} = plan
  const view = chooseView(flags)
  const fixtures = join(packageRoot(), 'fixtures')
  const blue = await startDemoServer('blue')
  const green = await startDemoServer('green')
  try {
    // The Gateway example names its Services as backendRefs: they are loaded so the routes resolve.
    const inputs = flags.gateway ? [join(fixtures, 'gateway', 'blue-green.yaml'), join(fixtures, 'services.yaml')] : [join(fixtures, 'virtual-host-ingress.yaml'), join(fixtures, 'fan-out-ingress.yaml')]
    const providers = [new StaticProvider([parseBackendFlag(`${blue.service}=127.0.0.1:${blue.port}`), parseBackendFlag(`${green.service}=127.0.0.1:${green.port}`)])]
    const session = await startSession({
      inputs,
      providers,
      ...listenOptions(flags, view),
      // One Gateway: served on --bind, beside (here: instead of) the Ingresses.
      gateways: flags.gateway ? gatewayAddressing({}) : undefined,
    })
    const url = new URL(session.urls[0]!)
    const port = url.port || '80'
    const at = `${url.hostname}:${port}`
    const address = url.hostname.replace(/^\[|\]$/g, '')
    const secure = session.urls.find((u) => u.startsWith('https:'))
    const httpsPort = secure === undefined ? null : new URL(secure).port || '443'
    const lines = [
      `demo: webserver-blue-svc → 127.0.0.1:${blue.port}, webserver-green-svc → 127.0.0.1:${green.port} (built-in servers)`,
      'try:',
      `  curl --resolve blue.example.com:${port}:${address} http://blue.example.com:${port}/`,
      `  curl --resolve green.example.com:${port}:${address} http://green.example.com:${port}/`,
      `  curl -H 'Host: example.com' http://${at}/blue`,
      `  curl -H 'Host: example.com' http://${at}/green`,
      `  curl -H 'Host: example.com' -H 'Accept: application/json' http://${at}/nowhere   # kingress's 404, explained`,
      // The Gateway has an HTTP listener only.
      ...(httpsPort === null || flags.gateway ? [] : [`  curl --cacert "$(kingress ca path)" --resolve blue.example.com:${httpsPort}:${address} https://blue.example.com:${httpsPort}/`]),
    ]
    await serveUntilStopped(session, {view, manifests: inputs, extraLines: lines, dockerStatus: () => 'off (the demo uses built-in servers)'})
  } finally {
    await Promise.all([stopDemoServer(blue), stopDemoServer(green)])
  }
}
