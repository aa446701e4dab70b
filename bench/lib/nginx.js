// nginx as the reference: 1 worker, upstream keep-alive, HTTP/1.1 on one port and TLS + HTTP/2 on
// another (nginx 1.25.1+ writes `http2 on;`, older ones `listen ... ssl http2`), with the same
// certificate kingress serves for the bench host.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {start} from './proc.js'

function version(nginx) {
  let text = ''
  try {
    text = execFileSync('sh', ['-c', `'${nginx}' -v 2>&1`], {encoding: 'utf8'})
  } catch {
    // an unknown version: the pre-1.25.1 spelling below still works on newer ones (with a warning)
  }
  const m = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(text)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0]
}

function config(dir, {host, port, tlsPort, upstream, cert, key, modernHttp2}) {
  const proxy = `
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP $remote_addr;
    }`
  const tls =
    tlsPort === null
      ? ''
      : `
  server {
    listen 127.0.0.1:${tlsPort} ssl${modernHttp2 ? '' : ' http2'};${modernHttp2 ? '\n    http2 on;' : ''}
    server_name ${host};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    # nginx's default (1000 requests a connection) would end h2load's connections with GOAWAY part
    # of the way through a round (h2load does not reconnect). HTTP/1.1 keeps the default, as the
    # issue's figures were measured (wrk reconnects).
    keepalive_requests 1000000;${proxy}
  }`
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 20000; }
worker_rlimit_nofile 20000;
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream bench { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    server_name ${host};${proxy}
  }${tls}
}
`
}

/** Starts nginx; `tls` ({cert, key, port}) adds the HTTP/2 listener. */
export function startNginx(nginx, {host, port, upstream, tls}) {
  const dir = mkdtempSync(join(tmpdir(), 'kingress-bench-nginx-'))
  const [major, minor, patch] = version(nginx)
  const modernHttp2 = major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)))
  writeFileSync(join(dir, 'nginx.conf'), config(dir, {host, port, tlsPort: tls?.port ?? null, upstream, cert: tls?.cert, key: tls?.key, modernHttp2}))
  return {child: start(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir]), dir, version: `${major}.${minor}.${patch}`}
}
