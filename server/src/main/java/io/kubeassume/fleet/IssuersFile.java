package io.kubeassume.fleet;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubeassume.config.ResourceNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An issuers file ({@code serve --issuers FILE}), YAML or JSON: the fleet without Kubernetes.
 *
 * <pre>
 * issuers:
 *   - name: prod-eu
 *     issuerURL: https://oidc.example.com/clusters/prod-eu
 *     source:
 *       files: [/etc/kubeassume/prod-eu/sa.pub]
 *     overlap: 24h        # optional
 *     maxAge: 300         # optional
 *     mirrors: [s3://fleet-bucket/clusters/prod-eu]   # optional
 * </pre>
 *
 * A file that cannot be read as a whole (not YAML, no {@code issuers} list, two entries with one
 * name) is refused as a whole and the issuers served stay as they are; an entry that is wrong on its
 * own is reported against its name and the others are served. Earlier entries are older: of two
 * entries with one URL, the first keeps it.
 */
public final class IssuersFile {
  /** Issuers files are small; anything larger is a mistake. */
  static final long MAX_BYTES = 32L * 1024 * 1024;

  /** The valid entries, and the invalid ones by name with their error. */
  public record Content(List<IssuerSpec> specs, Map<String, String> invalid) {}

  private IssuersFile() {}

  /** Blocking. */
  public static Content read(Path file, IssuerSpecParser.Context context) throws InvalidSpecException {
    if (!Files.isRegularFile(file)) {
      throw new InvalidSpecException(file + " (named by --issuers) is not a regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) MAX_BYTES + 1);
    } catch (IOException e) {
      throw new InvalidSpecException("cannot read " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw new InvalidSpecException(file + " is larger than " + MAX_BYTES / 1024 / 1024 + " MiB");
    }
    return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), context);
  }

  /** Pure: the content of a file named {@code origin}. */
  public static Content parse(String origin, String text, IssuerSpecParser.Context context) throws InvalidSpecException {
    Object root;
    try {
      root = new KubernetesSerialization().unmarshal(text, Object.class);
    } catch (RuntimeException e) {
      throw new InvalidSpecException(origin + " is not YAML or JSON: " + firstLine(e.getMessage()));
    }
    if (!(root instanceof Map<?, ?> doc) || !(doc.get("issuers") instanceof List<?> entries)) {
      throw new InvalidSpecException(origin + ": the file must hold 'issuers:' with a list of issuers (see docs/fleet.md)");
    }
    Set<String> names = new HashSet<>();
    List<IssuerSpec> specs = new ArrayList<>();
    Map<String, String> invalid = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String where = "issuers[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> entry)) {
        throw new InvalidSpecException(origin + ": " + where + " is not an object");
      }
      if (!(entry.get("name") instanceof String name) || !ResourceNames.isDnsLabel(name)) {
        throw new InvalidSpecException(origin + ": " + where + ".name is required: lower-case letters, digits and '-', "
            + "at most 63 (it names the issuer in metrics and its state file)");
      }
      if (!names.add(name)) {
        throw new InvalidSpecException(origin + ": " + where + ".name '" + name + "' is used twice");
      }
      try {
        // File order is age: the first entry claiming a URL keeps it.
        specs.add(IssuerSpecParser.parse(name, null, Instant.EPOCH.plusSeconds(i), entry, where, context));
      } catch (InvalidSpecException e) {
        invalid.put(name, e.getMessage());
      }
    }
    return new Content(specs, invalid);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
