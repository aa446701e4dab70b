/**
 * Local TLS for kingress: the local CA, leaf certificates per host, Secret-provided certificates,
 * SNI selection, and trust-store installation. The HTTPS listener needs only CertificateStore,
 * tlsHostsFromIngresses and caTrustState.
 */
export {type CaPaths, caPaths, CA_VALIDITY_DAYS, type LocalCA, loadCA, loadOrCreateCA} from './ca.js'
export {kingressHome} from './home.js'
export {type CertificatePair, FAKE_CERTIFICATE_CN, fakeCertificate, issueLeaf, LEAF_VALIDITY_DAYS, RENEW_BEFORE_DAYS} from './leaf.js'
export {certificateFromSecret, type SecretCertificate} from './secret.js'
export {
  type CertificateEntry,
  type CertificateSet,
  type CertificateSource,
  CertificateStore,
  type CertificateStoreOptions,
  certificatesFor,
  sniLookup,
  type TlsHostRequest,
  tlsHostsFromIngresses,
} from './store.js'
export {caTrustState, installCA, nssNickname, renderTrustReport, type StepStatus, type TrustOptions, type TrustReport, type TrustStep, uninstallCA} from './trust/index.js'
