import {join} from 'node:path'

import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {parseBackendFlag, StaticProvider} from '../src/backends/static.js'
import {startDemoServer, stopDemoServer} from '../src/runtime/demo-servers.js'
import {packageRoot} from '../src/runtime/package-root.js'
import {gatewayAddressing, listenFlags, listenOptions, serveUntilStopped} from '../src/runtime/serve.js'
import {requireSupportedNode} from '../src/runtime/node-support.js'
import {startSession} from '../src/runtime/session.js'
import {chooseView} from '../src/runtime/view.js'

export default class Demo extends KingressCommand {
  static override description =
    'The blue/green example from the Kubernetes Ingress documentation, end to end and without Docker: a blue and a green web server behind its virtual-host and fan-out Ingresses (with --gateway, behind the same example as a Gateway and HTTPRoutes).'
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --http-port 8080', '<%= config.bin %> demo --gateway']
  static override flags = {
    ...listenFlags,
    gateway: Flags.boolean({description: 'serve the example as the Gateway API writes it (fixtures/gateway/blue-green.yaml: a Gateway and three HTTPRoutes) instead of the Ingresses'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Demo)
    requireSupportedNode()
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
}
