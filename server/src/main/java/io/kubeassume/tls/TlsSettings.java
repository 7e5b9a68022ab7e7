package io.kubeassume.tls;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Set;

/** How the public port speaks TLS: 1.2 and 1.3 only, HTTP/2 offered through ALPN. */
public final class TlsSettings {
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /** One year, the usual HSTS preload minimum; subdomains are left alone (the issuer host may share a domain). */
  public static final String HSTS_VALUE = "max-age=31536000";

  private TlsSettings() {}

  public static HttpServerOptions apply(HttpServerOptions options, TlsCredentials credentials) {
    return options.setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(credentials.keyCertOptions())
        .setEnabledSecureTransportProtocols(PROTOCOLS);
  }

  public static ServerSSLOptions serverOptions(TlsCredentials credentials) {
    return new ServerSSLOptions()
        .setUseAlpn(true)
        .setKeyCertOptions(credentials.keyCertOptions())
        .setEnabledSecureTransportProtocols(PROTOCOLS);
  }
}
