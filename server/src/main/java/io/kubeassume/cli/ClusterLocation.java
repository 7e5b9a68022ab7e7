package io.kubeassume.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether {@code serve} has a cluster to talk to when {@code --kubeconfig} is not given, by the rules the
 * fabric8 client applies: a kubeconfig ({@code KUBECONFIG}, a path list, else {@code ~/.kube/config}),
 * else the in-cluster service account ({@code KUBERNETES_SERVICE_HOST} and its token), else
 * {@code KUBERNETES_MASTER}. Without any of them the client would dial kubernetes.default.svc for ever.
 */
final class ClusterLocation {
  static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private final EnvironmentDefaults env;
  private final Path serviceAccountToken;
  private final Path home;

  ClusterLocation(EnvironmentDefaults env, Path serviceAccountToken, Path home) {
    this.env = env;
    this.serviceAccountToken = serviceAccountToken;
    this.home = home;
  }

  /** The real places: the service-account token's path and the user's home ({@code HOME}, else user.home). */
  static ClusterLocation of(EnvironmentDefaults env) {
    String home = env.get("HOME");
    return new ClusterLocation(env, SERVICE_ACCOUNT_TOKEN, Path.of(home != null ? home : System.getProperty("user.home")));
  }

  /** True if the client would find a cluster. */
  boolean found() {
    return kubeconfig() != null
        || (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(serviceAccountToken))
        || env.get("KUBERNETES_MASTER") != null;
  }

  /** Why none was found and what to do, for the one line start-up stops with. */
  String notFound(boolean filesSource) {
    return notFound(filesSource ? "--store file (state in --state-file)" : "--source files --keys PATH (e.g. --keys certs/dev/sa.pub)");
  }

  /** @param localAlternative the flags that run without a cluster */
  String notFound(String localAlternative) {
    String variable = env.get("KUBECONFIG");
    return "no cluster found: no in-cluster service account (KUBERNETES_SERVICE_HOST and " + serviceAccountToken + "), "
        + (variable == null ? "no KUBECONFIG" : "no file of KUBECONFIG (" + variable + ") exists")
        + ", no " + home.resolve(".kube/config") + "; give --kubeconfig FILE to use a cluster, or run locally with "
        + localAlternative;
  }

  private Path kubeconfig() {
    String variable = env.get("KUBECONFIG");
    List<String> candidates = new ArrayList<>();
    if (variable != null) {
      for (String entry : variable.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          candidates.add(entry.strip());
        }
      }
    } else {
      candidates.add(home.resolve(".kube/config").toString());
    }
    for (String c : candidates) {
      if (Files.isRegularFile(Path.of(c))) {
        return Path.of(c);
      }
    }
    return null;
  }
}
