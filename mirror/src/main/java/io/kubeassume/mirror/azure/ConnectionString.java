package io.kubeassume.mirror.azure;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The few fields of an Azure Storage connection string kubeassume checks before handing the whole
 * string to the SDK ({@code AccountName=...;AccountKey=...;BlobEndpoint=...}). Pure.
 */
final class ConnectionString {
  private final Map<String, String> fields;

  private ConnectionString(Map<String, String> fields) {
    this.fields = fields;
  }

  /** Splits on {@code ;} and the first {@code =} of each part; keys compare case-insensitively. */
  static ConnectionString parse(String raw) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String part : raw.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
      }
    }
    return new ConnectionString(f);
  }

  /** The AccountName field, or {@code null} (a SAS-only string has none). */
  String accountName() {
    return fields.get("accountname");
  }

  boolean developmentStorage() {
    return "true".equalsIgnoreCase(fields.get("usedevelopmentstorage"));
  }

  /** Whether it names any credential at all (a key or a SAS). */
  boolean hasCredential() {
    return fields.containsKey("accountkey") || fields.containsKey("sharedaccesssignature") || developmentStorage();
  }
}
