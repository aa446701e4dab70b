import {objectMeta, type Schema} from './schema.js'

/**
 * The shape of the Gateway API objects, standard channel (apis/v1/*_types.go json tags), for the
 * strict-decoding checks `kubectl apply` does: unknown fields and values of the wrong type.
 */

const labelSelector: Schema = {
  object: {
    matchLabels: 'string-map',
    matchExpressions: {list: {object: {key: 'string', operator: 'string', values: {list: 'string'}}}},
  },
}

const routeGroupKind: Schema = {object: {group: 'string', kind: 'string'}}

const secretObjectReference: Schema = {object: {group: 'string', kind: 'string', name: 'string', namespace: 'string'}}

const listener: Schema = {
  object: {
    name: 'string',
    hostname: 'string',
    port: 'integer',
    protocol: 'string',
    tls: {object: {mode: 'string', certificateRefs: {list: secretObjectReference}, options: 'string-map'}},
    allowedRoutes: {
      object: {
        namespaces: {object: {from: 'string', selector: labelSelector}},
        kinds: {list: routeGroupKind},
      },
    },
  },
}

const top = (spec: Schema): Schema => ({object: {apiVersion: 'string', kind: 'string', metadata: objectMeta, spec, status: 'any'}})

export const gatewaySchema: Schema = top({
  object: {
    gatewayClassName: 'string',
    listeners: {list: listener},
    addresses: {list: {object: {type: 'string', value: 'string'}}},
    infrastructure: {
      object: {
        labels: 'string-map',
        annotations: 'string-map',
        parametersRef: {object: {group: 'string', kind: 'string', name: 'string'}},
      },
    },
  },
})

export const gatewayClassSchema: Schema = top({
  object: {
    controllerName: 'string',
    parametersRef: {object: {group: 'string', kind: 'string', name: 'string', namespace: 'string'}},
    description: 'string',
  },
})

const backendObjectReference = {group: 'string', kind: 'string', name: 'string', namespace: 'string', port: 'integer'} as const

const header: Schema = {object: {name: 'string', value: 'string'}}
const headerFilter: Schema = {object: {set: {list: header}, add: {list: header}, remove: {list: 'string'}}}
const pathModifier: Schema = {object: {type: 'string', replaceFullPath: 'string', replacePrefixMatch: 'string'}}

const filter: Schema = {
  object: {
    type: 'string',
    requestHeaderModifier: headerFilter,
    responseHeaderModifier: headerFilter,
    requestMirror: {
      object: {
        backendRef: {object: backendObjectReference},
        percent: 'integer',
        fraction: {object: {numerator: 'integer', denominator: 'integer'}},
      },
    },
    requestRedirect: {object: {scheme: 'string', hostname: 'string', path: pathModifier, port: 'integer', statusCode: 'integer'}},
    urlRewrite: {object: {hostname: 'string', path: pathModifier}},
    cors: {
      object: {
        allowOrigins: {list: 'string'},
        allowCredentials: 'boolean',
        allowMethods: {list: 'string'},
        allowHeaders: {list: 'string'},
        exposeHeaders: {list: 'string'},
        maxAge: 'integer',
      },
    },
    extensionRef: {object: {group: 'string', kind: 'string', name: 'string'}},
  },
}

const valueMatch: Schema = {object: {type: 'string', name: 'string', value: 'string'}}

export const httpRouteSchema: Schema = top({
  object: {
    parentRefs: {list: {object: {group: 'string', kind: 'string', namespace: 'string', name: 'string', sectionName: 'string', port: 'integer'}}},
    hostnames: {list: 'string'},
    rules: {
      list: {
        object: {
          name: 'string',
          matches: {
            list: {
              object: {
                path: {object: {type: 'string', value: 'string'}},
                headers: {list: valueMatch},
                queryParams: {list: valueMatch},
                method: 'string',
              },
            },
          },
          filters: {list: filter},
          backendRefs: {list: {object: {...backendObjectReference, weight: 'integer', filters: {list: filter}}}},
          timeouts: {object: {request: 'string', backendRequest: 'string'}},
        },
      },
    },
  },
})

export const referenceGrantSchema: Schema = top({
  object: {
    from: {list: {object: {group: 'string', kind: 'string', namespace: 'string'}}},
    to: {list: {object: {group: 'string', kind: 'string', name: 'string'}}},
  },
})
