import {Args, Flags} from '@oclif/core'

/** Flags and arguments shared by the commands that read manifests. */
export const manifestArgs = {
  files: Args.string({description: 'Ingress manifests: YAML or JSON files, or folders of them', required: true}),
}

export const classFlag = Flags.string({description: 'serve only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation)', helpValue: 'NAME'})

export const semanticsFlag = Flags.string({
  description: "path matching: ingress-nginx's (its nginx locations, regex mode, trailing-slash 301s) or the Ingress API's documented rules (spec)",
  options: ['ingress-nginx', 'spec'],
  default: 'ingress-nginx',
})

export const jsonFlag = Flags.boolean({description: 'print JSON instead of text'})

export const backendFlag = Flags.string({description: 'serve Service S (port P; only in namespace NS when given) from HOST:PORT; repeat for several endpoints', multiple: true, helpValue: '[NS/]S[:P]=HOST:PORT'})

export const dockerFlag = Flags.boolean({description: 'find endpoints among Docker containers (off with --no-docker)', allowNo: true, default: true})

export const gatewayClassFlag = Flags.string({description: 'only Gateways whose spec.gatewayClassName is NAME (and their routes\' parent status)', helpValue: 'NAME'})

export const gatewayManifestArgs = {
  files: Args.string({description: 'Gateway API manifests, with the Services, Secrets, Namespaces and ReferenceGrants they name: YAML or JSON files, or folders of them', required: true}),
}

/** --bind, described for the command: `up` listens there, `status` reports the addresses `up` would serve on. */
export function bindFlagDescribed(description: string) {
  return Flags.string({description, default: '127.0.0.1', helpValue: 'ADDR'})
}

export const bindFlag = bindFlagDescribed('address to listen on')

export const gatewayAddressFlag = Flags.string({description: 'serve Gateway NS/NAME on IP (repeatable; default: a loopback address in its spec.addresses, else the first Gateway on --bind, the next on 127.0.0.2, 127.0.0.3, … — on macOS all on --bind)', multiple: true, helpValue: 'NS/NAME=IP'})
