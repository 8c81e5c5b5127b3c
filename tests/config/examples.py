"""Configurations that use every key of Distribution's reference, v3.1 and v2.8, as YAML text.

Written for these tests after Distribution's configuration reference (the key names and the
shapes of their values, not its text). Storage drivers are exclusive, so each has its own piece.
"""

from __future__ import annotations

V3_COMMON = """
version: 0.1
log:
  accesslog:
    disabled: true
  level: debug
  formatter: json
  fields:
    service: registry
    environment: staging
  hooks:
    - type: mail
      disabled: true
      levels: [panic]
      options:
        smtp:
          addr: mail.example.com:25
          username: mailuser
          password: password
          insecure: true
        from: sender@example.com
        to: [errors@example.com]
  reportcaller: false
loglevel: debug
storage:
  {driver}
  tag:
    concurrencylimit: 8
  delete:
    enabled: true
  redirect:
    disable: false
  cache:
    blobdescriptor: redis
    blobdescriptorsize: 10000
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
    readonly:
      enabled: false
auth:
  token:
    autoredirect: true
    autoredirectpath: /auth/token/
    realm: token-realm
    service: token-service
    issuer: registry-token-issuer
    rootcertbundle: /root/certs/bundle
    jwks: /path/to/jwks
    signingalgorithms: [EdDSA, HS256]
middleware:
  registry:
    - name: ARegistryMiddleware
      options:
        foo: bar
  repository:
    - name: ARepositoryMiddleware
      options:
        foo: bar
  storage:
    - name: cloudfront
      disabled: false
      options:
        baseurl: https://my.cloudfronted.domain.com/
        privatekey: /path/to/pem
        keypairid: cloudfrontkeypairid
        duration: 3000s
        ipfilteredby: awsregion
        awsregion: us-east-1, use-east-2
        updatefrequency: 12h
        iprangesurl: https://ip-ranges.amazonaws.com/ip-ranges.json
    - name: redirect
      options:
        baseurl: https://example.com/
tags:
  maxtags: 100
catalog:
  maxentries: 500
http:
  addr: localhost:5000
  net: tcp
  prefix: /my/nested/registry/
  host: https://myregistryaddress.org:5000
  secret: asecretforlocaldevelopment
  relativeurls: false
  draintimeout: 60s
  tls:
    certificate: /path/to/x509/public
    key: /path/to/x509/private
    clientcas: [/path/to/ca.pem, /path/to/another/ca.pem]
    clientauth: require-and-verify-client-cert
    minimumtls: tls1.2
    ciphersuites:
      - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
      - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    letsencrypt:
      cachefile: /path/to/cache-file
      email: emailused@letsencrypt.com
      hosts: [myregistryaddress.org]
      directoryurl: https://acme-v02.api.letsencrypt.org/directory
  debug:
    addr: localhost:5001
    prometheus:
      enabled: true
      path: /metrics
  headers:
    X-Content-Type-Options: [nosniff]
  http2:
    disabled: false
  h2c:
    enabled: false
notifications:
  events:
    includereferences: true
  endpoints:
    - name: alistener
      disabled: false
      url: https://my.listener.com/event
      headers:
        Authorization: [Bearer abc]
      timeout: 1s
      threshold: 10
      backoff: 1s
      ignoredmediatypes: [application/octet-stream]
      ignore:
        mediatypes: [application/octet-stream]
        actions: [pull]
redis:
  tls:
    certificate: /path/to/cert.crt
    key: /path/to/key.pem
    rootcas: [/path/to/ca.pem]
  addrs: [localhost:6379]
  clientname: registry
  db: 0
  protocol: 3
  username: user
  password: asecret
  sentinelusername: s
  sentinelpassword: p
  mastername: master
  maxretries: 3
  minretrybackoff: 8ms
  maxretrybackoff: 512ms
  dialtimeout: 10ms
  readtimeout: 10ms
  writetimeout: 10ms
  contexttimeoutenabled: true
  poolfifo: false
  poolsize: 64
  pooltimeout: 1s
  minidleconns: 1
  maxidleconns: 16
  maxactiveconns: 64
  connmaxidletime: 300s
  connmaxlifetime: 1h
  maxredirects: 3
  readonly: false
  routebylatency: false
  routerandomly: false
  disableidentity: false
  identitysuffix: ""
  unstableresp3: false
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
  file:
    - file: /path/to/checked/file
      interval: 10s
  http:
    - uri: http://server.to.check/must/return/200
      headers:
        Authorization: [Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==]
      statuscode: 200
      timeout: 3s
      interval: 10s
      threshold: 3
  tcp:
    - addr: redis-server.domain.com:6379
      timeout: 3s
      interval: 10s
      threshold: 3
proxy:
  remoteurl: https://registry-1.docker.io
  username: username
  password: password
  exec:
    command: docker-credential-helper
    lifetime: 1h
  ttl: 168h
  cachewritetimeout: 5m
validation:
  disabled: false
  manifests:
    urls:
      allow: ['^https?://([^/]+\\.)*example\\.com/']
      deny: ['^https?://www\\.example\\.com/']
    indexes:
      platforms: List
      platformlist:
        - architecture: amd64
          os: linux
policy:
  repository:
    classes: [image]
"""

DRIVERS = {
    "filesystem": """filesystem:
    rootdirectory: /var/lib/registry
    maxthreads: 100""",
    "inmemory": "inmemory:",
    "azure": """azure:
    accountname: accountname
    accountkey: base64encodedaccountkey
    container: containername
    realm: core.windows.net
    serviceurl: https://accountname.blob.core.windows.net
    rootdirectory: /az/object/name/prefix
    credentials:
      type: client_secret
      clientid: client_id_string
      tenantid: tenant_id_string
      secret: secret_string
    max_retries: 10
    retry_delay: 100ms
    copy_status_poll_max_retry: 5
    copy_status_poll_delay: 100ms""",
    "gcs": """gcs:
    bucket: bucketname
    keyfile: /path/to/keyfile
    credentials:
      type: service_account
      project_id: project_id_string
      private_key_id: private_key_id_string
      private_key: private_key_string
      client_email: client@example.com
      client_id: client_id_string
      auth_uri: http://example.com/auth_uri
      token_uri: http://example.com/token_uri
      auth_provider_x509_cert_url: http://example.com/provider_cert_url
      client_x509_cert_url: http://example.com/client_cert_url
    rootdirectory: /gcs/object/name/prefix
    chunksize: 5242880
    maxconcurrency: 50
    useragent: dockyard""",
    "s3": """s3:
    accesskey: awsaccesskey
    secretkey: awssecretkey
    sessiontoken: token
    region: us-west-1
    regionendpoint: http://myobjects.local
    forcepathstyle: true
    accelerate: false
    bucket: bucketname
    encrypt: true
    keyid: mykeyid
    secure: true
    skipverify: false
    v4auth: true
    chunksize: 5242880
    multipartcopychunksize: 33554432
    multipartcopymaxconcurrency: 100
    multipartcopythresholdsize: 33554432
    rootdirectory: /s3/object/name/prefix
    storageclass: STANDARD
    useragent: dockyard
    objectacl: private
    usedualstack: false
    usefipsendpoint: false
    loglevel: debug
    redirectendpoint: https://cdn.example.com""",
}

V28 = """
version: 0.1
log:
  level: info
  formatter: logstash
loglevel: info
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: false
  redirect:
    disable: true
  cache:
    layerinfo: inmemory
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: true
auth:
  htpasswd:
    realm: basic-realm
    path: /path/to/htpasswd
middleware:
  storage:
    - name: cloudfront
      options:
        baseurl: https://my.cloudfronted.domain.com/
        updatefrenquency: 12h
reporting:
  bugsnag:
    apikey: bugsnagapikey
    releasestage: bugsnagreleasestage
    endpoint: bugsnagendpoint
  newrelic:
    licensekey: newreliclicensekey
    name: newrelicname
    verbose: true
http:
  addr: :5000
  tls:
    certificate: /path/to/x509/public
    key: /path/to/x509/private
    minimumtls: tls1.0
    ciphersuites: [TLS_RSA_WITH_AES_128_CBC_SHA]
  debug:
    addr: localhost:5001
redis:
  addr: localhost:6379
  password: asecret
  db: 0
  dialtimeout: 10ms
  readtimeout: 10ms
  writetimeout: 10ms
  pool:
    maxidle: 16
    maxactive: 64
    idletimeout: 300s
  tls:
    enabled: false
notifications:
  endpoints:
    - name: alistener
      url: https://my.listener.com/event
      timeout: 500ms
      threshold: 5
      backoff: 1s
compatibility:
  schema1:
    signingkeyfile: /etc/registry/key.json
    enabled: true
validation:
  enabled: true
  manifests:
    urls:
      allow: ['^https?://([^/]+\\.)*example\\.com/']
"""


def v3(driver: str) -> str:
    """The v3 example with one storage driver's section."""
    return V3_COMMON.replace("{driver}", DRIVERS[driver])
