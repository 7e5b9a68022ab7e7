package io.kubeassume.fleet;

import io.kubeassume.config.Durations;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.mirror.MirrorLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an issuer's spec, the same fields in an {@code OIDCIssuer} object and in an issuers file:
 *
 * <pre>
 * issuerURL: https://oidc.example.com/clusters/prod-eu
 * source:                      # exactly one of:
 *   secret: {name: prod-eu-keys, items: [sa.pub]}            (OIDCIssuer)
 *   apiServer: {kubeconfigSecret: {name: prod-eu-kubeconfig, key: kubeconfig}}   (OIDCIssuer)
 *   files: [/etc/kubeassume/prod-eu/sa.pub]                  (issuers file)
 * overlap: 24h                 # optional, else --overlap
 * maxAge: 300                  # optional, else --max-age
 * mirrors: [s3://fleet-bucket/clusters/prod-eu]   # optional
 * </pre>
 *
 * Pure; every problem is one message that names the field and says what to write instead.
 */
public final class IssuerSpecParser {
  /** Where the spec comes from: which sources it may use, and the defaults for what it leaves out. */
  public record Context(boolean kubernetes, Duration defaultOverlap, long defaultMaxAge) {}

  private static final Set<String> FIELDS = Set.of("issuerURL", "source", "overlap", "maxAge", "mirrors");
  private static final String DEFAULT_KUBECONFIG_KEY = "kubeconfig";

  private IssuerSpecParser() {}

  /**
   * @param where how errors name the spec, e.g. {@code "spec"} or {@code "issuers[2]"}
   * @param namespace the object's namespace (Secrets are read there); null for a file
   */
  public static IssuerSpec parse(String id, String namespace, Instant created, Map<?, ?> spec, String where, Context context)
      throws InvalidSpecException {
    for (Object key : spec.keySet()) {
      if (!FIELDS.contains(key) && !(key.equals("name") && !context.kubernetes())) {
        throw new InvalidSpecException(where + "." + key + ": unknown field; the fields are " + String.join(", ", sorted(FIELDS)));
      }
    }
    IssuerUrl issuer;
    try {
      issuer = IssuerUrl.parse(string(spec, "issuerURL", where));
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(where + ".issuerURL: " + e.getMessage());
    }
    IssuerSpec.KeySourceSpec source = source(map(spec, "source", where + ".source"), where + ".source", namespace, context);
    Duration overlap = context.defaultOverlap();
    if (spec.get("overlap") != null) {
      try {
        overlap = Durations.parse(String.valueOf(spec.get("overlap")));
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException(where + ".overlap: " + e.getMessage());
      }
      if (overlap.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new InvalidSpecException(where + ".overlap: " + Durations.format(overlap) + " is too short; use at least 1s "
            + "(longer than the longest token lifetime)");
      }
    }
    long maxAge = context.defaultMaxAge();
    if (spec.get("maxAge") != null) {
      if (!(spec.get("maxAge") instanceof Number n) || n.longValue() != n.doubleValue() || n.longValue() < 0
          || n.longValue() > 31_536_000) {
        throw new InvalidSpecException(where + ".maxAge: '" + spec.get("maxAge") + "' is not a whole number of seconds "
            + "from 0 to 31536000");
      }
      maxAge = ((Number) spec.get("maxAge")).longValue();
    }
    List<MirrorLocation> mirrors = new ArrayList<>();
    for (String uri : strings(spec, "mirrors", where, false)) {
      try {
        MirrorLocation m = MirrorLocation.parse(uri);
        if (mirrors.contains(m)) {
          throw new InvalidSpecException(where + ".mirrors: '" + uri + "' is given twice");
        }
        mirrors.add(m);
      } catch (IllegalArgumentException e) {
        throw new InvalidSpecException(where + ".mirrors: " + e.getMessage());
      }
    }
    return new IssuerSpec(id, issuer, source, overlap, maxAge, mirrors, created);
  }

  private static IssuerSpec.KeySourceSpec source(Map<?, ?> source, String where, String namespace, Context context)
      throws InvalidSpecException {
    List<String> kinds = context.kubernetes() ? List.of("secret", "apiServer") : List.of("files");
    List<Object> given = new ArrayList<>(source.keySet());
    if (given.size() != 1 || !kinds.contains(String.valueOf(given.get(0)))) {
      throw new InvalidSpecException(where + ": give exactly one of " + String.join(", ", kinds)
          + (given.isEmpty() ? "" : " (found " + given + ")")
          + (context.kubernetes() ? "" : "; an issuers file reads key files, as --keys does"));
    }
    String kind = String.valueOf(given.get(0));
    switch (kind) {
      case "secret" -> {
        Map<?, ?> secret = map(source, "secret", where + ".secret");
        String name = objectName(secret, "name", where + ".secret");
        List<String> items = strings(secret, "items", where + ".secret", true);
        for (String item : items) {
          if (!item.matches("[-._a-zA-Z0-9]+")) {
            throw new InvalidSpecException(where + ".secret.items: '" + item + "' is not a Secret item name");
          }
        }
        return new IssuerSpec.SecretItems(namespace, name, items);
      }
      case "apiServer" -> {
        Map<?, ?> api = map(source, "apiServer", where + ".apiServer");
        Map<?, ?> secret = map(api, "kubeconfigSecret", where + ".apiServer.kubeconfigSecret");
        String name = objectName(secret, "name", where + ".apiServer.kubeconfigSecret");
        String key = secret.get("key") == null ? DEFAULT_KUBECONFIG_KEY : string(secret, "key", where + ".apiServer.kubeconfigSecret");
        return new IssuerSpec.ApiServer(namespace, name, key);
      }
      default -> {
        List<Path> paths = new ArrayList<>();
        for (String p : strings(source, "files", where, true)) {
          paths.add(Path.of(p));
        }
        return new IssuerSpec.KeyFiles(paths);
      }
    }
  }

  private static String objectName(Map<?, ?> m, String key, String where) throws InvalidSpecException {
    String name = string(m, key, where);
    if (!io.kubeassume.config.ResourceNames.isDnsSubdomain(name)) {
      throw new InvalidSpecException(where + "." + key + ": '" + name + "' is not a Kubernetes object name");
    }
    return name;
  }

  private static String string(Map<?, ?> m, String key, String where) throws InvalidSpecException {
    Object v = m.get(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw new InvalidSpecException(where + "." + key + ": is required (a string)");
    }
    return s.strip();
  }

  private static Map<?, ?> map(Map<?, ?> m, String key, String where) throws InvalidSpecException {
    Object v = m.get(key);
    if (!(v instanceof Map<?, ?> map)) {
      throw new InvalidSpecException(where + ": is required (an object)");
    }
    return map;
  }

  private static List<String> strings(Map<?, ?> m, String key, String where, boolean required) throws InvalidSpecException {
    Object v = m.get(key);
    if (v == null && !required) {
      return List.of();
    }
    if (!(v instanceof List<?> list) || (required && list.isEmpty())) {
      throw new InvalidSpecException(where + "." + key + ": " + (required ? "is required (a non-empty list of strings)"
          : "must be a list of strings"));
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s) || s.isBlank()) {
        throw new InvalidSpecException(where + "." + key + ": every entry must be a non-empty string");
      }
      out.add(s.strip());
    }
    return out;
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
