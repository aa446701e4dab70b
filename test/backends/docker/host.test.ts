import {describe, expect, it} from 'vitest'

import {type HostFs, contextDirName, resolveDockerHost} from '../../../src/backends/docker/host.js'

function fakeFs(files: Record<string, string>, sockets: string[] = []): HostFs {
  return {
    readFile: (path) => files[path],
    exists: (path) => path in files || sockets.includes(path),
  }
}
const mac = {home: '/Users/ann', platform: 'darwin' as const}
const linux = {home: '/home/ann', platform: 'linux' as const}

function meta(host: string, skip = false): string {
  return JSON.stringify({Name: 'x', Metadata: {}, Endpoints: {docker: {Host: host, SkipTLSVerify: skip}}})
}

describe('resolveDockerHost', () => {
  it('DOCKER_HOST wins over contexts', () => {
    const fs = fakeFs({'/home/ann/.docker/config.json': '{"currentContext":"colima"}'})
    const result = resolveDockerHost({DOCKER_HOST: 'unix:///tmp/d.sock', DOCKER_CONTEXT: 'colima'}, fs, linux)
    expect(result.error).toBeNull()
    expect(result.candidates).toEqual([
      {url: 'unix:///tmp/d.sock', endpoint: {kind: 'unix', socketPath: '/tmp/d.sock'}, source: 'DOCKER_HOST', sourceLabel: 'DOCKER_HOST'},
    ])
  })

  it('parses tcp:// (TLS with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) and ssh://', () => {
    const plain = resolveDockerHost({DOCKER_HOST: 'tcp://10.0.0.5:2375'}, fakeFs({}), linux)
    expect(plain.candidates[0]?.endpoint).toEqual({kind: 'tcp', hostname: '10.0.0.5', port: 2375, tls: null})
    const tls = resolveDockerHost({DOCKER_HOST: 'tcp://box:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs'}, fakeFs({}), linux)
    expect(tls.candidates[0]?.endpoint).toEqual({
      kind: 'tcp',
      hostname: 'box',
      port: 2376,
      tls: {ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true},
    })
    const ssh = resolveDockerHost({DOCKER_HOST: 'ssh://me@build-box:2222'}, fakeFs({}), linux)
    expect(ssh.candidates[0]?.endpoint).toEqual({kind: 'ssh', hostname: 'build-box', port: 2222, username: 'me'})
    const bare = resolveDockerHost({DOCKER_HOST: 'localhost:2375'}, fakeFs({}), linux)
    expect(bare.candidates[0]?.endpoint).toMatchObject({kind: 'tcp', hostname: 'localhost', port: 2375})
  })

  it('reports a malformed DOCKER_HOST instead of guessing', () => {
    const result = resolveDockerHost({DOCKER_HOST: 'ftp://x'}, fakeFs({}), linux)
    expect(result.candidates).toEqual([])
    expect(result.error).toContain('DOCKER_HOST=ftp://x')
  })

  it('follows currentContext in config.json to the context meta (sha256 of the name)', () => {
    const dir = contextDirName('colima')
    expect(dir).toBe('f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16')
    const fs = fakeFs({
      '/Users/ann/.docker/config.json': '{"auths":{},"currentContext":"colima"}',
      [`/Users/ann/.docker/contexts/meta/${dir}/meta.json`]: meta('unix:///Users/ann/.colima/default/docker.sock'),
    })
    const result = resolveDockerHost({}, fs, mac)
    expect(result.candidates).toEqual([
      {
        url: 'unix:///Users/ann/.colima/default/docker.sock',
        endpoint: {kind: 'unix', socketPath: '/Users/ann/.colima/default/docker.sock'},
        source: 'docker context',
        sourceLabel: 'docker context "colima"',
      },
    ])
  })

  it('honours DOCKER_CONTEXT over config.json, and DOCKER_CONFIG for the directory; reads context TLS files', () => {
    const dir = contextDirName('remote')
    const fs = fakeFs({
      '/etc/dc/config.json': '{"currentContext":"colima"}',
      [`/etc/dc/contexts/meta/${dir}/meta.json`]: meta('tcp://prod:2376', true),
      [`/etc/dc/contexts/tls/${dir}/docker/ca.pem`]: 'CA',
      [`/etc/dc/contexts/tls/${dir}/docker/cert.pem`]: 'CERT',
      [`/etc/dc/contexts/tls/${dir}/docker/key.pem`]: 'KEY',
    })
    const result = resolveDockerHost({DOCKER_CONFIG: '/etc/dc', DOCKER_CONTEXT: 'remote'}, fs, linux)
    expect(result.candidates[0]?.endpoint).toEqual({
      kind: 'tcp',
      hostname: 'prod',
      port: 2376,
      tls: {
        ca: `/etc/dc/contexts/tls/${dir}/docker/ca.pem`,
        cert: `/etc/dc/contexts/tls/${dir}/docker/cert.pem`,
        key: `/etc/dc/contexts/tls/${dir}/docker/key.pem`,
        verify: false,
      },
    })
  })

  it('says so when the current context does not exist', () => {
    const result = resolveDockerHost({DOCKER_CONTEXT: 'gone'}, fakeFs({}), linux)
    expect(result.candidates).toEqual([])
    expect(result.error).toContain('docker context "gone" (from DOCKER_CONTEXT) does not exist')
    expect(result.error).toContain('docker context use default')
  })

  it('the default context tries every default socket that exists, in order', () => {
    const fs = fakeFs({'/Users/ann/.docker/config.json': '{"currentContext":"default"}'}, [
      '/var/run/docker.sock',
      '/Users/ann/.orbstack/run/docker.sock',
      '/Users/ann/.docker/run/docker.sock',
    ])
    const result = resolveDockerHost({}, fs, mac)
    expect(result.candidates.map((c) => c.url)).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///Users/ann/.docker/run/docker.sock',
      'unix:///Users/ann/.orbstack/run/docker.sock',
    ])
    expect(result.candidates[1]?.sourceLabel).toBe('default socket (Docker Desktop)')
  })

  it('finds rootless Docker and Podman under XDG_RUNTIME_DIR', () => {
    const fs = fakeFs({}, ['/run/user/1000/podman/podman.sock'])
    const result = resolveDockerHost({XDG_RUNTIME_DIR: '/run/user/1000'}, fs, linux)
    expect(result.candidates.map((c) => [c.url, c.sourceLabel])).toEqual([['unix:///run/user/1000/podman/podman.sock', 'default socket (Podman)']])
  })

  it('with no socket at all, still names /var/run/docker.sock so the error says what was tried', () => {
    const result = resolveDockerHost({}, fakeFs({}), linux)
    expect(result.candidates.map((c) => c.url)).toEqual(['unix:///var/run/docker.sock'])
    expect(resolveDockerHost({}, fakeFs({}), {home: 'C:/Users/ann', platform: 'win32'}).candidates[0]?.url).toBe('npipe:////./pipe/docker_engine')
  })

  it('ignores a config.json that is not JSON', () => {
    const result = resolveDockerHost({}, fakeFs({'/home/ann/.docker/config.json': '{nope'}, ['/var/run/docker.sock']), linux)
    expect(result.candidates.map((c) => c.url)).toEqual(['unix:///var/run/docker.sock'])
  })
})
