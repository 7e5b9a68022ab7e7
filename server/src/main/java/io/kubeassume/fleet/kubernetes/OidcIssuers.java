package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The OIDCIssuer custom resource (group kubeassume.io, v1alpha1; deploy/crds/oidcissuers.kubeassume.io.yaml). */
public final class OidcIssuers {
  public static final String GROUP = "kubeassume.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "OIDCIssuer";
  public static final String PLURAL = "oidcissuers";
  public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

  /** The API path of the objects in {@code namespace}, or in every namespace (null). */
  static String path(String namespace) {
    return "/apis/" + GROUP + "/" + VERSION + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + PLURAL;
  }

  private OidcIssuers() {}

  /**
   * What every replica keeps of one object, for as long as it exists: its identity, and the
   * status.conditions the leader compares with (and carries transition times over from). The spec
   * is kept parsed (an {@code IssuerSpec}) and the state decoded, by {@link KubernetesFleet}; the
   * rest of the object is dropped with the event that carried it. With 10,000 issuers every byte
   * here is 10 KB of heap: the conditions are immutable copies with interned strings (about 0.6 KB
   * instead of 2.8 KB as parsed).
   *
   * @param id {@code namespace/name}, the key of the maps that hold the issuer (one instance for all of them)
   * @param conditions {@code status.conditions} as the API server holds them
   * @param lastSyncTime {@code status.lastSyncTime}, or null if it has none or it is not an RFC 3339 time
   */
  public record Observed(String id, String namespace, String resourceVersion, long generation, Instant created,
      List<Map<String, Object>> conditions, Instant lastSyncTime) {
    public String name() {
      return id.substring(namespace.length() + 1);
    }

    /** The same, with {@code id} as the instance of its id string (the one the maps already hold). */
    Observed withId(String same) {
      return same.equals(id) ? new Observed(same, namespace, resourceVersion, generation, created, conditions, lastSyncTime) : this;
    }
  }

  public static Observed observe(GenericKubernetesResource r) {
    Map<?, ?> status = status(r);
    String created = r.getMetadata().getCreationTimestamp();
    Long generation = r.getMetadata().getGeneration();
    String namespace = r.getMetadata().getNamespace().intern();
    return new Observed(namespace + "/" + r.getMetadata().getName(), namespace, r.getMetadata().getResourceVersion(),
        generation == null ? 0 : generation, created == null ? Instant.EPOCH : Instant.parse(created),
        compact(status.get("conditions")), instant(status.get("lastSyncTime")));
  }

  private static Instant instant(Object value) {
    try {
      return value instanceof String t ? Instant.parse(t) : null;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** The object's spec as parsed JSON (empty if it has none). */
  public static Map<?, ?> spec(GenericKubernetesResource r) {
    return r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
  }

  /** The merge state the leader wrote into {@code status.state}, or null. */
  public static String state(GenericKubernetesResource r) {
    return status(r).get("state") instanceof String s ? s : null;
  }

  private static Map<?, ?> status(GenericKubernetesResource r) {
    return r.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? m : Map.of();
  }

  /** Conditions as small immutable maps with interned strings (types, reasons and messages repeat across issuers); null values dropped. */
  private static List<Map<String, Object>> compact(Object conditions) {
    if (!(conditions instanceof List<?> list)) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (Object c : list) {
      if (c instanceof Map<?, ?> m) {
        out.add(SmallMap.of(m));
      }
    }
    return List.copyOf(out);
  }

  /**
   * An immutable map of a few entries held in two arrays, the keys array shared by every map with
   * the same keys: about 70 bytes for a condition, where {@code Map.copyOf} takes 340 (its probe
   * table has four slots per entry) and Jackson's LinkedHashMap 700. Lookups are a linear scan.
   */
  static final class SmallMap extends AbstractMap<String, Object> {
    private static final Map<List<String>, String[]> KEY_SETS = new ConcurrentHashMap<>();
    /** Conditions written by hand may carry any keys: past this many key sets, new ones are not shared. */
    static final int MAX_SHARED_KEY_SETS = 64;
    private final String[] keys;
    private final Object[] values;

    private SmallMap(String[] keys, Object[] values) {
      this.keys = keys;
      this.values = values;
    }

    static SmallMap of(Map<?, ?> m) {
      List<String> keys = new ArrayList<>(m.size());
      List<Object> values = new ArrayList<>(m.size());
      m.forEach((k, v) -> {
        if (k != null && v != null) {
          keys.add(String.valueOf(k));
          values.add(v instanceof String s ? s.intern() : v);
        }
      });
      List<String> key = List.copyOf(keys);
      String[] shared = KEY_SETS.get(key);
      if (shared == null) {
        shared = key.toArray(String[]::new);
        if (KEY_SETS.size() < MAX_SHARED_KEY_SETS) {
          String[] interned = key.stream().map(String::intern).toArray(String[]::new);
          String[] raced = KEY_SETS.putIfAbsent(key, interned);
          shared = raced != null ? raced : interned;
        }
      }
      return new SmallMap(shared, values.toArray());
    }

    /** How many key sets are shared (for tests: bounded whatever the objects hold). */
    static int sharedKeySets() {
      return KEY_SETS.size();
    }

    @Override
    public Object get(Object key) {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].equals(key)) {
          return values[i];
        }
      }
      return null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, Object>> iterator() {
          return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
              return i < keys.length;
            }

            @Override
            public Entry<String, Object> next() {
              if (i >= keys.length) {
                throw new NoSuchElementException();
              }
              Entry<String, Object> e = new SimpleImmutableEntry<>(keys[i], values[i]);
              i++;
              return e;
            }
          };
        }

        @Override
        public int size() {
          return keys.length;
        }
      };
    }
  }
}
