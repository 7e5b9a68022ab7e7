package io.kubeassume.server;

import io.vertx.core.Future;
import java.net.BindException;
import java.util.Locale;

/**
 * A port that cannot be listened on, said with the port and the flag that chose it:
 * {@code --management-port 9090 is in use on 0.0.0.0: another process listens there; stop it or choose
 * another port with --management-port (KUBEASSUME_MANAGEMENT_PORT)}, instead of Netty's
 * {@code bind(..) failed with error(-98): Address already in use}.
 */
final class ListenFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private ListenFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code listening}, with a failure to bind replaced by one naming {@code flag} and the port. */
  static <T> Future<T> named(String flag, String host, int port, Future<T> listening) {
    return listening.recover(e -> Future.failedFuture(of(flag, host, port, e)));
  }

  static ListenFailure of(String flag, String host, int port, Throwable cause) {
    String variable = "KUBEASSUME_" + flag.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    String reason = String.valueOf(cause.getMessage());
    if (cause instanceof BindException || reason.contains("Address already in use")) {
      return new ListenFailure(flag + " " + port + " is in use on " + host + ": another process listens there; stop it "
          + "or choose another port with " + flag + " (" + variable + ")", cause);
    }
    if (reason.contains("Permission denied")) {
      return new ListenFailure(flag + " " + port + " on " + host + " needs privileges this user lacks (ports below 1024); "
          + "choose a port from 1024 up with " + flag + " (" + variable + ")", cause);
    }
    if (reason.contains("Cannot assign requested address")) {
      return new ListenFailure("--bind " + host + " is not an address of this machine, so " + flag + " " + port
          + " cannot listen on it; use 0.0.0.0 or one of this machine's addresses with --bind (KUBEASSUME_BIND)", cause);
    }
    return new ListenFailure("cannot listen on " + host + ":" + port + " (" + flag + "): " + reason, cause);
  }
}
