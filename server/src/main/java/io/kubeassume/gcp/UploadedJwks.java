package io.kubeassume.gcp;

import io.kubeassume.merge.KeyRecord;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure rules of a JWKS uploaded to a GCP workload identity pool provider ({@code oidc.jwksJson}): at most
 * {@value #MAX_KEYS} keys, each with only the members GCP accepts. Used by the gcp-wif mirror (what to upload),
 * {@code setup gcp --jwks-file} (is this file acceptable) and {@code status}/{@code verify} (is the upload stale).
 */
public final class UploadedJwks {
  /** GCP holds at most 8 keys in an uploaded JWKS. */
  public static final int MAX_KEYS = 8;
  /** The members GCP accepts in an uploaded key; anything else is refused there. */
  public static final Set<String> MEMBERS = Set.of("kty", "alg", "use", "kid", "n", "e", "x", "y", "crv");
  /** The members that are the key itself. */
  static final Set<String> MATERIAL = Set.of("kty", "n", "e", "crv", "x", "y");

  private UploadedJwks() {}

  /**
   * What to upload for a served key set.
   *
   * @param keys the keys to upload, each with only {@link #MEMBERS} in the API server's member order
   * @param kids their kids, in upload order
   * @param leftOut the served kids that did not fit, oldest retired last
   */
  public record Selection(List<Map<String, Object>> keys, List<String> kids, List<String> leftOut) {
    public Selection {
      keys = List.copyOf(keys);
      kids = List.copyOf(kids);
      leftOut = List.copyOf(leftOut);
    }

    /** The {@code oidc.jwksJson} value: {@code {"keys":[...]}}, members in order. */
    public String json() {
      JsonArray array = new JsonArray();
      keys.forEach(k -> array.add(new JsonObject(new LinkedHashMap<>(k))));
      return new JsonObject().put("keys", array).encode();
    }
  }

  /**
   * The keys to upload: the current keys first (in served order), then the retired ones, most recently
   * retired first, up to {@value #MAX_KEYS}. The oldest retired keys are left out.
   *
   * @throws IllegalArgumentException if nothing is served, or if the current keys alone do not fit: a current key
   *     signs tokens, so dropping one would be a silent failure
   */
  public static Selection select(List<KeyRecord> served) {
    if (served.isEmpty()) {
      throw new IllegalArgumentException("no keys are served, and an uploaded JWKS without keys refuses every token");
    }
    List<KeyRecord> current = served.stream().filter(k -> !k.isRetired()).toList();
    if (current.size() > MAX_KEYS) {
      throw new IllegalArgumentException(current.size() + " current keys are served but GCP holds at most " + MAX_KEYS
          + " in an uploaded JWKS, so " + current.stream().skip(MAX_KEYS).map(KeyRecord::kid).toList()
          + " could not be uploaded");
    }
    Map<KeyRecord, Integer> position = new HashMap<>();
    for (int i = 0; i < served.size(); i++) {
      position.put(served.get(i), i);
    }
    List<KeyRecord> retired = new ArrayList<>(served.stream().filter(KeyRecord::isRetired).toList());
    retired.sort(Comparator.comparing(KeyRecord::retiredAt).reversed()
        .thenComparing(Comparator.comparing((KeyRecord k) -> position.get(k)).reversed()));
    List<KeyRecord> ordered = new ArrayList<>(current);
    ordered.addAll(retired);
    List<Map<String, Object>> keys = new ArrayList<>();
    List<String> kids = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    for (KeyRecord k : ordered) {
      if (keys.size() < MAX_KEYS) {
        keys.add(accepted(k.key().toJsonMap()));
        kids.add(k.kid());
      } else {
        leftOut.add(k.kid());
      }
    }
    return new Selection(keys, kids, leftOut);
  }

  /** {@code jwk} with only the members GCP accepts, in the order they come in. */
  public static Map<String, Object> accepted(Map<String, Object> jwk) {
    Map<String, Object> out = new LinkedHashMap<>();
    jwk.forEach((name, value) -> {
      if (MEMBERS.contains(name)) {
        out.put(name, value);
      }
    });
    return out;
  }

  /**
   * The keys of an uploaded {@code jwksJson}, or null if there is none (GCP then fetches the issuer's
   * {@code jwks_uri}) or it is not a JWKS.
   */
  public static List<Map<String, Object>> parse(String jwksJson) {
    if (jwksJson == null || jwksJson.isBlank()) {
      return null;
    }
    try {
      JsonArray keys = new JsonObject(jwksJson).getJsonArray("keys");
      if (keys == null) {
        return null;
      }
      List<Map<String, Object>> out = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        if (!(keys.getValue(i) instanceof JsonObject k)) {
          return null;
        }
        out.add(k.getMap());
      }
      return out;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** The same keys, whatever their order, comparing only the members GCP keeps. */
  public static boolean sameKeys(List<Map<String, Object>> a, List<Map<String, Object>> b) {
    if (a == null || b == null || a.size() != b.size()) {
      return false;
    }
    Set<Map<String, Object>> left = new HashSet<>();
    a.forEach(k -> left.add(accepted(k)));
    Set<Map<String, Object>> right = new HashSet<>();
    b.forEach(k -> right.add(accepted(k)));
    return left.equals(right);
  }

  /**
   * How an uploaded JWKS differs from the served one.
   *
   * @param missing served kids the upload lacks: GCP refuses tokens signed with them
   * @param changed kids in both whose key material differs: GCP checks those tokens against the wrong key
   * @param extra uploaded kids no longer served: GCP still accepts tokens signed with them
   */
  public record Difference(Set<String> missing, Set<String> changed, Set<String> extra) {
    public Difference {
      missing = Set.copyOf(new TreeSet<>(missing));
      changed = Set.copyOf(new TreeSet<>(changed));
      extra = Set.copyOf(new TreeSet<>(extra));
    }

    public boolean none() {
      return missing.isEmpty() && changed.isEmpty() && extra.isEmpty();
    }
  }

  /**
   * Compares by kid, then by key material (what GCP verifies a signature with: an upload without {@code use} or
   * {@code alg} still holds the same key). Keys without a kid are ignored (GCP needs one to match).
   */
  public static Difference compare(List<Map<String, Object>> uploaded, List<Map<String, Object>> served) {
    Map<String, Map<String, Object>> up = byKid(uploaded, MATERIAL);
    Map<String, Map<String, Object>> sv = byKid(served, MATERIAL);
    Set<String> missing = new TreeSet<>(sv.keySet());
    missing.removeAll(up.keySet());
    Set<String> extra = new TreeSet<>(up.keySet());
    extra.removeAll(sv.keySet());
    Set<String> changed = new TreeSet<>();
    for (String kid : up.keySet()) {
      if (sv.containsKey(kid) && !Objects.equals(up.get(kid), sv.get(kid))) {
        changed.add(kid);
      }
    }
    return new Difference(missing, changed, extra);
  }

  /** The keys by kid, each with only {@code members}. */
  private static Map<String, Map<String, Object>> byKid(List<Map<String, Object>> keys, Set<String> members) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map<String, Object> k : keys) {
      if (k.get("kid") instanceof String kid) {
        Map<String, Object> kept = new LinkedHashMap<>();
        k.forEach((name, value) -> {
          if (members.contains(name)) {
            kept.put(name, value);
          }
        });
        out.put(kid, kept);
      }
    }
    return out;
  }

  /**
   * How a provider's uploaded JWKS stands against the keys the issuer serves.
   *
   * @param message one line saying what was found, naming the kids that differ
   * @param revision the kubeassume revision the provider records ({@link ProviderRevision}), or -1 if kubeassume
   *     did not upload it
   */
  public record Verdict(Kind kind, String message, long revision) {
    public enum Kind {
      /** No upload: GCP fetches the issuer's jwks_uri. */
      FETCHES,
      /** The same keys as served, as GCP keeps them. */
      EQUAL,
      /** More keys are served than GCP holds; the upload has 8 of them and nothing else. */
      LEFT_OUT,
      /** Every served key is there, and keys that are no longer served too. */
      EXTRA,
      /** A served kid is missing, or a kid has other key material: GCP refuses (some) current tokens. */
      STALE,
      /** Not a JWKS. */
      BROKEN,
      /** The served keys are not known (the issuer's JWKS could not be fetched). */
      UNKNOWN
    }

    /** Whether kubeassume serve uploaded it (and so keeps it in step). */
    public boolean managed() {
      return revision >= 0;
    }
  }

  /**
   * Judges an uploaded JWKS ({@code oidc.jwksJson}) against the served keys. Pure.
   *
   * @param served the keys the issuer serves now, or null if they could not be fetched
   */
  public static Verdict judge(String jwksJson, String description, List<Map<String, Object>> served) {
    long revision = ProviderRevision.of(description);
    if (jwksJson == null || jwksJson.isBlank()) {
      return new Verdict(Verdict.Kind.FETCHES, "no uploaded JWKS: GCP fetches the keys from the issuer's jwks_uri", -1);
    }
    String by = revision >= 0 ? " (uploaded by kubeassume serve, revision " + revision + ")" : "";
    List<Map<String, Object>> uploaded = parse(jwksJson);
    if (uploaded == null) {
      return new Verdict(Verdict.Kind.BROKEN, "the uploaded JWKS is not a JWKS with keys" + by, revision);
    }
    Set<String> kids = kids(uploaded);
    if (served == null) {
      return new Verdict(Verdict.Kind.UNKNOWN, "GCP uses an uploaded JWKS (kids " + kids + ")" + by + " that cannot be "
          + "compared: the issuer's JWKS could not be fetched", revision);
    }
    Difference d = compare(uploaded, served);
    if (d.none()) {
      return new Verdict(Verdict.Kind.EQUAL, "the uploaded JWKS equals the served one (kids " + kids + ")" + by, revision);
    }
    if (!d.changed().isEmpty() || (!d.missing().isEmpty() && !(served.size() > MAX_KEYS && uploaded.size() == MAX_KEYS
        && d.extra().isEmpty()))) {
      List<String> parts = new ArrayList<>();
      if (!d.missing().isEmpty()) {
        parts.add("lacks " + new TreeSet<>(d.missing()) + " that the issuer publishes now " + kids(served)
            + ": GCP refuses tokens signed with " + (d.missing().size() == 1 ? "that key" : "those keys")
            + " (stale after a key rotation)");
      }
      if (!d.changed().isEmpty()) {
        parts.add("has other key material than the issuer for " + new TreeSet<>(d.changed()) + ": GCP checks tokens "
            + "signed with " + (d.changed().size() == 1 ? "that kid" : "those kids") + " against the wrong key");
      }
      if (!d.extra().isEmpty()) {
        parts.add("still holds " + new TreeSet<>(d.extra()) + ", no longer served");
      }
      return new Verdict(Verdict.Kind.STALE, "the uploaded JWKS (kids " + kids + ")" + by + " " + String.join("; ", parts),
          revision);
    }
    if (!d.missing().isEmpty()) {
      return new Verdict(Verdict.Kind.LEFT_OUT, "the issuer serves " + served.size() + " keys and GCP holds at most "
          + MAX_KEYS + ": the upload" + by + " has " + MAX_KEYS + " of them and leaves out " + new TreeSet<>(d.missing())
          + "; tokens signed with those are refused (kubeassume serve keeps the current and most recently retired keys)",
          revision);
    }
    return new Verdict(Verdict.Kind.EXTRA, "the uploaded JWKS" + by + " still holds " + new TreeSet<>(d.extra())
        + " that the issuer no longer publishes: GCP keeps accepting tokens signed with them", revision);
  }

  /** The kids of {@code keys}, sorted. */
  public static Set<String> kids(List<Map<String, Object>> keys) {
    return byKid(keys, MEMBERS).keySet().stream().collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  /**
   * Checks a JWKS file for upload: at most {@value #MAX_KEYS} keys, only the members GCP accepts, RSA or EC.
   *
   * @return the problem, or null if it can be uploaded
   */
  public static String problem(JsonObject jwks) {
    JsonArray keys = jwks.getJsonArray("keys");
    if (keys == null || keys.isEmpty()) {
      return "has no keys";
    }
    if (keys.size() > MAX_KEYS) {
      return "has " + keys.size() + " keys; GCP accepts at most " + MAX_KEYS + " in an uploaded JWKS";
    }
    for (int i = 0; i < keys.size(); i++) {
      JsonObject k = keys.getJsonObject(i);
      for (String name : k.fieldNames()) {
        if (!MEMBERS.contains(name)) {
          return "key " + k.getString("kid", "#" + i) + " has member '" + name + "'; GCP accepts only "
              + new TreeSet<>(MEMBERS);
        }
      }
      String kty = k.getString("kty", "");
      if (!kty.equals("RSA") && !kty.equals("EC")) {
        return "key " + k.getString("kid", "#" + i) + " has kty '" + kty + "'; GCP accepts RSA or EC";
      }
    }
    return null;
  }
}
