/** The hosts-file feature: a managed `# BEGIN kingress` … `# END kingress` block. */
export {BEGIN_MARKER, END_MARKER, parseHostsText, type BlockMeta, type BlockOwner, type HostEntry, type ParsedBlock, type ParsedHostsText} from './block.js'
export {HostsFormatError, HostsLockedError, HostsOwnedError, HostsPermissionError} from './errors.js'
export {defaultHostsFile, isSystemHostsFile, isWsl, WSL_WINDOWS_HOSTS_FILE} from './hosts-file.js'
export {checkResolution, classifyResolution, type HostResolution, type ResolutionState} from './resolve.js'
export {renderCleanReport, renderHostsList, renderSyncReport, wslNote, type Rendered} from './render.js'
export {hostsOfSnapshot, type SnapshotHosts} from './snapshot-hosts.js'
export {
  BACKUP_SUFFIX,
  cleanHosts,
  DEFAULT_IP,
  readHostsState,
  syncHosts,
  type CleanOptions,
  type CleanReport,
  type HostsState,
  type SyncOptions,
  type SyncReport,
} from './sync.js'
