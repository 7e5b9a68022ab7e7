package io.kubeassume.mirror;

import java.nio.charset.StandardCharsets;

/**
 * The start-up check of one target: can kubeassume read the two document keys and write under the
 * prefix? Writing is proven with a small probe object, {@code <prefix>/.kubeassume-write-check},
 * written with the same conditional writes the publisher uses and left in place: deleting it would
 * need a delete permission that publishing never does. Blocking.
 */
public final class MirrorCheck {
  public static final String PROBE_NAME = ".kubeassume-write-check";
  static final byte[] PROBE_BODY =
      "kubeassume checks at start-up that it can write here. Safe to delete.\n".getBytes(StandardCharsets.UTF_8);

  private MirrorCheck() {}

  /** The probe's key under a location's prefix. */
  public static String probeKey(MirrorLocation location) {
    return location.prefix().isEmpty() ? PROBE_NAME : location.prefix() + "/" + PROBE_NAME;
  }

  /**
   * @throws MirrorException naming the target, the key, the permission needed and the store's answer
   */
  public static void check(MirrorLocation location, MirrorTarget target, DocumentPublisher publisher) {
    MirrorScheme scheme = location.scheme();
    for (String key : new String[] {publisher.jwksKey(), publisher.discoveryKey()}) {
      try {
        target.read(key);
      } catch (RuntimeException e) {
        throw failure(location, "cannot read " + key, e, scheme.readPermission());
      }
    }
    String probe = probeKey(location);
    try {
      StoredObject existing = target.read(probe);
      Precondition pre = existing == null ? Precondition.createOnly() : Precondition.replacing(existing.token());
      target.write(probe, PROBE_BODY, "text/plain; charset=utf-8", "no-store", 0, pre);
    } catch (PreconditionFailedException e) {
      // Another replica probed at the same moment. The store judged our precondition, which it
      // only does for a caller allowed to write: writing works.
    } catch (RuntimeException e) {
      throw failure(location, "cannot write " + probe, e, scheme.writePermission());
    }
  }

  private static MirrorException failure(MirrorLocation location, String what, Throwable e, String permission) {
    return new MirrorException("--mirror " + location + ": " + what + ": " + oneLine(rootMessage(e))
        + "; check that the bucket exists and that kubeassume's identity has " + permission + " on it", e);
  }

  /** The innermost message that says something (SDK exceptions wrap the store's answer). */
  static String rootMessage(Throwable e) {
    String msg = e.getMessage();
    Throwable c = e.getCause();
    while (c != null) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        msg = c.getMessage();
      }
      c = c.getCause() == c ? null : c.getCause();
    }
    return msg == null ? e.getClass().getSimpleName() : msg;
  }

  static String oneLine(String s) {
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
