/**
 * Docker containers as Service backends (DESIGN.md, "Services → backends").
 *
 *   const docker = await createDockerProvider({onWarning: (line) => log.warn(line)})
 *   docker.resolve(ref, snapshot)   // BackendTarget | undefined
 *   docker.onChange(() => reload())  // after each re-list that changed anything
 *   docker.status()                  // {connected, host, error, ...} for the dashboard
 */
export {createDockerProvider, describeConnectFailure, openDockerClient, platformInfoFor} from './provider.js'
export type {DockerProvider, DockerProviderOptions, DockerStatus} from './provider.js'
export {chooseAddress, LINUX_LOCAL, publishExample} from './address.js'
export type {AddressChoice, PlatformInfo} from './address.js'
export {EventStreamParser, isRelevantEvent, normalizeAction, normalizeEvent} from './events.js'
export type {DockerEvent} from './events.js'
export {resolveDockerHost, parseDockerHostUrl, contextDirName, defaultSockets, isLocalEndpoint} from './host.js'
export type {DockerEndpoint, DockerHostCandidate, DockerHostResolution, HostFs, HostPlatform} from './host.js'
export {describeSelectorMiss, nearestCandidates, formatSelector} from './candidates.js'
export type {Candidate} from './candidates.js'
export {factsFromInspect, factsFromListEntry, toFacts, describePorts} from './containers.js'
export type {ContainerFacts, ContainerPort, HealthStatus, PortBinding} from './containers.js'
export {
  explainDockerMiss,
  resolveDockerTarget,
  targetPortForService,
  targetPortWithoutService,
  LABEL_COMPOSE_SERVICE,
  LABEL_PORT,
  LABEL_PORT_PREFIX,
  LABEL_SERVICE,
} from './discovery.js'
export type {DockerView} from './discovery.js'
