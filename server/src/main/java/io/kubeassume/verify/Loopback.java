package io.kubeassume.verify;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Loopback hosts: the only ones verify fetches over plain http, for local testing. */
final class Loopback {
  private Loopback() {}

  static boolean is(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    // IP literals only: a name is never resolved to decide this.
    if (!h.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !(h.contains(":") && h.matches("[0-9a-f:.]+"))) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
