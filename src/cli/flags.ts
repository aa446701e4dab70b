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
