import {PROXY_NAME} from './headers.js'

/** What kingress says when it answers a request itself: which rule, which backend, and what to do. */
export interface ErrorPage {
  readonly status: number
  /** `no-route`, `no-endpoints`, `connection-refused`, `timeout`, ... (also in the JSON form). */
  readonly code: string
  readonly title: string
  /** One or two sentences: what happened. */
  readonly message: string
  readonly host: string
  readonly path: string
  readonly requestId: string
  /** `Ingress default/web (k8s/web.yaml:12), rule blue.example.com / (Prefix)`, when a rule was chosen. */
  readonly rule: string | null
  /** `Service webserver-blue-svc:80 (--backend webserver-blue-svc=127.0.0.1:3000)`. */
  readonly backend: string | null
  readonly endpoints: readonly string[]
  /** Extra lines of context (the rules considered for a 404). */
  readonly details: readonly string[]
  /** What to do about it. */
  readonly hint: string
}

export interface RenderedPage {
  readonly contentType: string
  readonly body: Buffer
}

export type PageFormat = 'html' | 'json' | 'text'

/** Browsers (Accept: text/html) get HTML, clients that ask for JSON get JSON, everyone else text. */
export function pageFormat(accept: string | undefined): PageFormat {
  if (accept === undefined) return 'text'
  if (accept.includes('text/html')) return 'html'
  if (accept.includes('application/json') || accept.includes('+json')) return 'json'
  return 'text'
}

export function renderPage(page: ErrorPage, format: PageFormat): RenderedPage {
  switch (format) {
    case 'json':
      return {contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(asJson(page), null, 2) + '\n')}
    case 'html':
      return {contentType: 'text/html; charset=utf-8', body: Buffer.from(asHtml(page))}
    case 'text':
      return {contentType: 'text/plain; charset=utf-8', body: Buffer.from(asText(page))}
  }
}

function asJson(page: ErrorPage): object {
  return {
    status: page.status,
    error: page.code,
    title: page.title,
    message: page.message,
    host: page.host,
    path: page.path,
    rule: page.rule,
    backend: page.backend,
    endpoints: page.endpoints,
    details: page.details,
    hint: page.hint,
    requestId: page.requestId,
    server: PROXY_NAME,
  }
}

function asText(page: ErrorPage): string {
  const lines = [`${page.status} ${page.title}`, '', page.message, '', `request:  ${page.host || '(no host)'}${page.path}`]
  if (page.rule) lines.push(`rule:     ${page.rule}`)
  if (page.backend) lines.push(`backend:  ${page.backend}`)
  if (page.endpoints.length > 0) lines.push(`endpoints: ${page.endpoints.join(', ')}`)
  for (const detail of page.details) lines.push(`  ${detail}`)
  lines.push('', `what to do: ${page.hint}`, '', `request id: ${page.requestId} (${PROXY_NAME})`)
  return lines.join('\n') + '\n'
}

const COLORS: Record<number, string> = {404: '#6b7280', 502: '#b91c1c', 503: '#b45309', 504: '#7c3aed'}

function asHtml(page: ErrorPage): string {
  const rows: [string, string][] = [['request', `${page.host || '(no host)'}${page.path}`]]
  if (page.rule) rows.push(['rule', page.rule])
  if (page.backend) rows.push(['backend', page.backend])
  if (page.endpoints.length > 0) rows.push(['endpoints', page.endpoints.join(', ')])
  const color = COLORS[page.status] ?? '#374151'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${page.status} ${escapeHtml(page.title)} · ${PROXY_NAME}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f9fafb;color:#111827}
main{max-width:46rem;margin:3rem auto;padding:0 1.25rem}
h1{font-size:1.6rem;margin:0 0 .5rem;color:${color}}
table{border-collapse:collapse;margin:1rem 0}td{padding:.2rem .8rem .2rem 0;vertical-align:top}
td:first-child{color:#6b7280}code,td:last-child{font-family:ui-monospace,monospace;font-size:.9rem}
ul{font-family:ui-monospace,monospace;font-size:.85rem}.hint{background:#fff;border-left:4px solid ${color};padding:.75rem 1rem}
footer{color:#9ca3af;font-size:.8rem;margin-top:2rem}
</style></head>
<body><main>
<h1>${page.status} ${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
<table>${rows.map(([k, v]) => `<tr><td>${k}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${page.details.length > 0 ? `<ul>${page.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : ''}
<p class="hint"><strong>What to do:</strong> ${escapeHtml(page.hint)}</p>
<footer>${PROXY_NAME} · request id ${escapeHtml(page.requestId)}</footer>
</main></body></html>
`
}

/** Text for HTML: the five characters that matter as numeric references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
