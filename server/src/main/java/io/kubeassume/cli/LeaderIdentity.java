package io.kubeassume.cli;

import java.net.InetAddress;
import java.security.SecureRandom;

/** Who this replica is in the Lease: the pod's name, else the host name plus a short random suffix. */
final class LeaderIdentity {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private LeaderIdentity() {}

  static String of(EnvironmentDefaults environment) {
    String pod = environment.get("POD_NAME");
    if (pod != null) {
      return pod.strip();
    }
    // Two processes on one host (or two containers without POD_NAME) must not share an identity.
    return host(environment) + "-" + suffix();
  }

  private static String host(EnvironmentDefaults environment) {
    String fromEnv = environment.get("HOSTNAME");
    if (fromEnv != null) {
      return fromEnv.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "kubeassume";
    }
  }

  private static String suffix() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
