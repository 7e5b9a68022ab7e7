package io.kubeassume.verify;

/**
 * What one TLS handshake showed about a host.
 *
 * @param host  the host name the client connected to
 * @param port  its port
 * @param chain the chain the server presented, or null if it presented none
 * @param trust who vouched for the chain
 * @param error why the chain was refused (null unless {@code trust == UNTRUSTED})
 * @param problem the kind of that failure, which decides the fix (null unless {@code trust == UNTRUSTED})
 */
public record TlsObservation(String host, int port, TlsChain chain, Trust trust, String error, TlsFailure.Problem problem) {
  public TlsObservation(String host, int port, TlsChain chain, Trust trust, String error) {
    this(host, port, chain, trust, error, error == null ? null : TlsFailure.Problem.OTHER);
  }

  public enum Trust {
    /** Valid to a root in the JDK's public trust store, as cloud IAM would see it. */
    PUBLIC,
    /** Valid only to a CA from {@code --ca-file}: fine for tests and private setups, not for cloud IAM. */
    EXTRA_CA,
    /** Not valid: untrusted root, expired, wrong host name, ... */
    UNTRUSTED
  }

  public String hostPort() {
    return host + ":" + port;
  }
}
