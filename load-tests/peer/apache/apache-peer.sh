# shellcheck shell=bash
# Peer for the verify load test: Apache httpd (mpm_event) with mod_auth_openidc as an OAuth 2.0
# resource server that verifies the same JWTs as the sidecar (HS256, RS256, ES256 from
# load-tests/peer/MintTokens.java) locally, with no introspection. Meant to be sourced:
#
#   . load-tests/peer/apache/apache-peer.sh
#   apache_peer_start WORK PORT HS_SECRET RS_PUB_PEM ES_PUB_PEM  # sets APACHE_PEER_PID, APACHE_PEER_URL
#   apache_peer_describe                                         # Markdown: what it checks, versions
#   apache_peer_stop
#
# GET $APACHE_PEER_URL answers 200 (empty body) for a valid bearer token and 401 otherwise.
# Everything lives under WORK/apache (own ServerRoot, runtime dir, pid file, error log): the
# system's Apache configuration is neither read nor changed and no system service is used.
#
# Why the keys are served as a JWKS (and not as static key directives): mod_auth_openidc 2.4.12
# reads OIDCOAuthVerifyCertFiles with RSA-only code (an EC certificate or public key crashes
# apache2 while it parses the configuration), and OIDCOAuthVerifyJwksUri only accepts an https
# URL. So the three keys (HS256 secret as an "oct" key, RSA, EC) go into one JWKS that the same
# Apache serves on a second, TLS-only loopback port; the module fetches it on the first token,
# keeps it in its shm cache for OIDCJWKSRefreshInterval and reads it from there on every request.
# All three keys are in it because the module looks every token's kid up in the JWKS when a JWKS
# URI is set, and a kid it does not find makes it fetch the JWKS again, for every such request.

: "${APACHE_PEER_PID:=}"
: "${APACHE_PEER_URL:=}"

# Self-signed TLS listener for the JWKS; its port is picked free like run-verify.sh does.
_apache_peer_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

_apache_peer_b64url() { basenc --base64url -w0 | tr -d '='; }

# Hex digits (either case) to base64url, through the bytes they spell.
_apache_peer_hex_b64url() {
  local hex=$1
  [ $(( ${#hex} % 2 )) -eq 0 ] || hex=0$hex
  printf '%s' "${hex^^}" | basenc --base16 -d | _apache_peer_b64url
}

# JWKS (RFC 7517) of the three issuers' keys, from the same inputs as the sidecar's config.
_apache_peer_jwks() { # HS_SECRET RS_PUB_PEM ES_PUB_PEM
  local k n e xy x y
  # MintTokens uses the UTF-8 bytes of the secret string as the HMAC key.
  k=$(printf '%s' "$1" | _apache_peer_b64url)
  n=$(openssl rsa -pubin -in "$2" -noout -modulus | sed 's/^Modulus=//')
  e=$(openssl rsa -pubin -in "$2" -noout -text | sed -n 's/^Exponent: \([0-9]*\).*/\1/p')
  e=$(printf '%X' "$e")
  # A P-256 SubjectPublicKeyInfo ends with the uncompressed point 04||X||Y, 32 bytes each.
  xy=$(openssl pkey -pubin -in "$3" -outform DER | tail -c 64 | basenc --base16 -w0)
  x=${xy:0:64}; y=${xy:64:64}
  [ -n "$n" ] && [ -n "$e" ] && [ ${#xy} -eq 128 ] || return 1
  printf '{"keys":[\n'
  printf ' {"kty":"oct","kid":"hs-1","use":"sig","alg":"HS256","k":"%s"},\n' "$k"
  printf ' {"kty":"RSA","kid":"rs-1","use":"sig","alg":"RS256","n":"%s","e":"%s"},\n' \
    "$(_apache_peer_hex_b64url "$n")" "$(_apache_peer_hex_b64url "$e")"
  printf ' {"kty":"EC","kid":"es-1","use":"sig","alg":"ES256","crv":"P-256","x":"%s","y":"%s"}\n' \
    "$(_apache_peer_hex_b64url "$x")" "$(_apache_peer_hex_b64url "$y")"
  printf ']}\n'
}

# An HS256 token like MintTokens' (iss hs, aud load-api, kid hs-1), valid for 5 minutes: the
# start check proves the whole path and makes the module fetch and cache the JWKS before a run.
_apache_peer_hs_token() { # HS_SECRET
  local h p
  h=$(printf '{"kid":"hs-1","typ":"at+jwt","alg":"HS256"}' | _apache_peer_b64url)
  p=$(printf '{"sub":"apache-peer-check","aud":["load-api"],"iss":"https://hs.load.test","exp":%d}' \
    $(( $(date +%s) + 300 )) | _apache_peer_b64url)
  printf '%s.%s.%s' "$h" "$p" \
    "$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -hmac "$1" -binary | _apache_peer_b64url)"
}

# Prints the status, 000 when nothing answers; always succeeds, so that a caller under set -e
# (run-verify.sh) can poll a server that is not up yet.
_apache_peer_http_code() { # URL [TOKEN]
  local auth=()
  [ -z "${2:-}" ] || auth=(-H "Authorization: Bearer $2")
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${auth[@]}" "$1" || true
}

_apache_peer_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status} ' apache2 libapache2-mod-auth-openidc 2>/dev/null)" \
    = "installed installed " ]
}

apache_peer_start() { # WORK PORT HS_SECRET RS_PUB_PEM ES_PUB_PEM
  if [ $# -ne 5 ]; then
    echo "usage: apache_peer_start WORK PORT HS_SECRET RS_PUB_PEM ES_PUB_PEM" >&2
    return 2
  fi
  local work=$1 port=$2 secret=$3 rs_pub=$4 es_pub=$5
  local dir=$work/apache sudo="" bin modules tls_port pid code
  if [ -n "$APACHE_PEER_PID" ]; then
    echo "apache peer: already running (pid $APACHE_PEER_PID)" >&2
    return 1
  fi

  if ! _apache_peer_installed; then
    echo "apache peer: installing apache2 and libapache2-mod-auth-openidc" >&2
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    if ! $sudo apt-get install -y -q apache2 libapache2-mod-auth-openidc >"$work/apache-install.log" 2>&1 \
        || ! _apache_peer_installed; then
      echo "apache peer: could not install apache2 and libapache2-mod-auth-openidc:" >&2
      tail -5 "$work/apache-install.log" >&2
      return 1
    fi
  fi
  # Binary and module directory as the packages installed them (the binary is in sbin, which a
  # non-root PATH may lack; mod_mpm_event and mod_ssl sit beside mod_auth_openidc).
  bin=$(dpkg -L apache2-bin 2>/dev/null | grep -m1 '/sbin/apache2$' || true)
  modules=$(dpkg -L libapache2-mod-auth-openidc 2>/dev/null | grep -m1 '/mod_auth_openidc\.so$' || true)
  modules=${modules%/*}
  if [ ! -x "$bin" ] || [ ! -f "$modules/mod_mpm_event.so" ] || [ ! -f "$modules/mod_ssl.so" ]; then
    echo "apache peer: apache2 binary or modules not found (binary '$bin', modules '$modules')" >&2
    return 1
  fi

  rm -rf "$dir"
  mkdir -p "$dir/run" "$dir/htdocs" "$dir/jwks"
  # The protected resource: an empty file, so a valid token gets 200 with Content-Length 0.
  : >"$dir/htdocs/verify"
  if ! _apache_peer_jwks "$secret" "$rs_pub" "$es_pub" >"$dir/jwks/jwks.json"; then
    echo "apache peer: could not build the JWKS from $rs_pub and $es_pub" >&2
    return 1
  fi
  # TLS only because the module refuses a non-https JWKS URI; it does not check this certificate.
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -addext basicConstraints=critical,CA:FALSE \
      -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1; then
    echo "apache peer: could not create the TLS certificate for the JWKS listener" >&2
    return 1
  fi
  # PORT is not bound yet, so a free port may happen to be PORT itself: pick another then.
  tls_port=""
  for _ in 1 2 3 4 5; do
    tls_port=$(_apache_peer_free_port) || tls_port=""
    [ -z "$tls_port" ] || [ "$tls_port" = "$port" ] || break
    tls_port=""
  done
  if [ -z "$tls_port" ]; then
    echo "apache peer: could not pick a free port for the JWKS listener (python3)" >&2
    return 1
  fi

  cat >"$dir/httpd.conf" <<CONF
# Generated by load-tests/peer/apache/apache-peer.sh: a self-contained httpd for the load test.
ServerRoot "$dir"
DefaultRuntimeDir "$dir/run"
PidFile "$dir/run/httpd.pid"
ErrorLog "$dir/error.log"
# ssl:error hides the start-up warnings about the throw-away certificate and session cache.
LogLevel warn ssl:error
ServerName 127.0.0.1
# No User/Group: started as root, the children then stay root (mod_unixd logs AH02155 once per
# child and goes on). "User root" is refused by the Debian build, and another user could not
# read WORK (mktemp -d, mode 0700). Started as another user, nothing changes user.

LoadModule mpm_event_module "$modules/mod_mpm_event.so"
LoadModule authn_core_module "$modules/mod_authn_core.so"
LoadModule authz_core_module "$modules/mod_authz_core.so"
LoadModule ssl_module "$modules/mod_ssl.so"
LoadModule auth_openidc_module "$modules/mod_auth_openidc.so"
# No mod_log_config: no access log, as the sidecar writes none per request.

# 2 processes (one per core of the reference machine) x 64 threads: the connections are not
# spread evenly over the processes, so each one can serve all 50 of the load test alone; the
# spare-thread bounds keep both processes up for the whole run.
StartServers 2
ServerLimit 2
ThreadLimit 64
ThreadsPerChild 64
MaxRequestWorkers 128
MinSpareThreads 64
MaxSpareThreads 128
MaxConnectionsPerChild 0
KeepAlive On
# 0 = unlimited requests per connection, as wrk and hey reuse their connections.
MaxKeepAliveRequests 0
KeepAliveTimeout 15
Timeout 30
FileETag None

Listen 127.0.0.1:$port http
Listen 127.0.0.1:$tls_port https

DocumentRoot "$dir/htdocs"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "$dir/htdocs">
  AllowOverride None
  Require all granted
</Directory>

# The JWKS, on its own TLS port only (the plain port serves htdocs alone).
<VirtualHost 127.0.0.1:$tls_port>
  SSLEngine on
  SSLCertificateFile "$dir/tls.crt"
  SSLCertificateKeyFile "$dir/tls.key"
  DocumentRoot "$dir/jwks"
  <Directory "$dir/jwks">
    AllowOverride None
    Require all granted
  </Directory>
</VirtualHost>

# No OIDCCryptoPassphrase: only sessions and an encrypted cache need one, and this shm cache
# (unencrypted by default) holds nothing but the JWKS, in this process tree only.
OIDCCacheType shm
OIDCOAuthVerifyJwksUri https://127.0.0.1:$tls_port/jwks.json
OIDCOAuthSSLValidateServer Off
# The JWKS is fetched once and served from the shm cache for this long (longer than a run).
OIDCJWKSRefreshInterval 3600
OIDCOAuthAcceptTokenAs header
OIDCOAuthRemoteUserClaim sub

<Location /verify>
  AuthType oauth20
  # No claims or token copied into request headers or environment: nothing behind reads them.
  OIDCPassClaimsAs none
  # The module checks signature and exp itself; audience and issuer only through authorization.
  # These Require lines are also what makes httpd authenticate at all: without one, the
  # "Require all granted" of the document root would let every request through unchecked.
  <RequireAll>
    Require claim aud:load-api
    Require claim "iss~^https://(hs|rs|es)\\.load\\.test\$"
  </RequireAll>
</Location>
CONF

  local check
  if ! check=$("$bin" -t -f "$dir/httpd.conf" 2>&1); then
    echo "apache peer: configuration rejected by apache2:" >&2
    echo "$check" >&2
    return 1
  fi

  # Loopback fetch of the JWKS: keep any proxy of the caller's environment out of it.
  NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 "$bin" -f "$dir/httpd.conf" -DFOREGROUND \
    >>"$dir/error.log" 2>&1 &
  pid=$!
  APACHE_PEER_PID=$pid
  APACHE_PEER_URL="http://127.0.0.1:$port/verify"

  # Up when /verify refuses a request without a token.
  for _ in $(seq 1 200); do
    code=$(_apache_peer_http_code "$APACHE_PEER_URL")
    [ "$code" = 401 ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      echo "apache peer: apache2 exited at start; its error log:" >&2
      tail -20 "$dir/error.log" >&2
      APACHE_PEER_PID=""; APACHE_PEER_URL=""
      return 1
    fi
    sleep 0.05
  done
  if [ "$code" != 401 ]; then
    echo "apache peer: no 401 from $APACHE_PEER_URL within 10 s (last status $code)" >&2
    tail -20 "$dir/error.log" >&2
    apache_peer_stop
    return 1
  fi
  code=$(_apache_peer_http_code "$APACHE_PEER_URL" "$(_apache_peer_hs_token "$secret")")
  if [ "$code" != 200 ]; then
    echo "apache peer: a valid HS256 token got $code instead of 200; its error log:" >&2
    tail -20 "$dir/error.log" >&2
    apache_peer_stop
    return 1
  fi
}

apache_peer_stop() {
  [ -n "$APACHE_PEER_PID" ] || return 0
  local pid=$APACHE_PEER_PID children c _
  children=$(pgrep -P "$pid" || true)
  # SIGTERM: the parent stops its children and exits (graceful stop would wait on keep-alives).
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The parent gives up on children that do not stop in time; make sure none is left.
  for c in $children; do
    for _ in $(seq 1 50); do kill -0 "$c" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$c" 2>/dev/null || true
  done
  APACHE_PEER_PID=""
  APACHE_PEER_URL=""
}

apache_peer_describe() {
  local mod httpd
  mod=$(dpkg-query -W -f='${Version}' libapache2-mod-auth-openidc 2>/dev/null || echo unknown)
  httpd=$(dpkg-query -W -f='${Version}' apache2-bin 2>/dev/null || echo unknown)
  echo "Apache httpd $httpd (mpm_event, 2 processes × 64 threads, no access log) with mod_auth_openidc $mod" \
    "as an OAuth 2.0 resource server (\`AuthType oauth20\`, bearer token in the Authorization header, JWTs" \
    "validated locally, no introspection): it verifies the signature with the key named by the token's" \
    "\`kid\` in a JWKS of the three issuers' keys (the HS256 secret as an \`oct\` key, RSA 2048, EC P-256)," \
    "which it fetched once over loopback HTTPS from the same Apache, keeps in its shm cache and parses again" \
    "for every request (it keeps no cache of verified tokens), and it refuses an expired token (\`exp\`) and" \
    "one without \`sub\`."
  echo "\`Require claim\` rules check the audience (\`aud\` must contain \`load-api\`) and the issuer (one of" \
    "the three), but no key is tied to its issuer (an HS256 token with the \`iss\` of the RS256 issuer" \
    "passes), a token without \`exp\` passes, \`typ\`, \`nbf\` and \`iat\` are not checked, and \`alg\` is" \
    "held only to the key's type (\`none\` is refused, HS384 with the shared secret passes)."
}
