package io.kubeassume.store;

import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.StateCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConfigMap's data, pure: the merge state plus the two documents rendered from it. The
 * documents are there for people and tools reading the ConfigMap; what is served is always
 * re-rendered from the state and must equal them byte for byte, so a hand edit of either
 * part alone is caught.
 */
public final class ConfigMapCodec {
  public static final String STATE_KEY = "state.json";
  public static final String DISCOVERY_KEY = "openid-configuration.json";
  public static final String JWKS_KEY = "jwks.json";

  private ConfigMapCodec() {}

  public static Map<String, String> encode(IssuerUrl issuer, MergeState state) {
    Snapshot snapshot = DocumentRenderer.render(issuer, state);
    Map<String, String> data = new LinkedHashMap<>();
    data.put(STATE_KEY, new String(StateCodec.encode(state), StandardCharsets.UTF_8));
    data.put(DISCOVERY_KEY, new String(snapshot.discovery().bytes(), StandardCharsets.UTF_8));
    data.put(JWKS_KEY, new String(snapshot.jwks().bytes(), StandardCharsets.UTF_8));
    return data;
  }

  /** A state and the snapshot that serves it, both checked. */
  public record Decoded(MergeState state, Snapshot snapshot) {}

  /**
   * Validates the whole ConfigMap: the state decodes (every key re-validated), it serves at least
   * one key, and re-rendering it for {@code issuer} reproduces both stored documents.
   *
   * @throws InvalidKeyException naming {@code origin} and what is wrong
   */
  public static Decoded decode(String origin, IssuerUrl issuer, Map<String, String> data) throws InvalidKeyException {
    if (data == null || data.get(STATE_KEY) == null) {
      throw new InvalidKeyException(origin, "has no " + STATE_KEY);
    }
    MergeState state = StateCodec.decode(origin + " " + STATE_KEY, data.get(STATE_KEY).getBytes(StandardCharsets.UTF_8));
    if (state.keys().isEmpty()) {
      throw new InvalidKeyException(origin, STATE_KEY + " holds no keys");
    }
    Snapshot snapshot = DocumentRenderer.render(issuer, state);
    same(origin, DISCOVERY_KEY, data, snapshot.discovery().bytes(), " (was --issuer-url changed?)");
    same(origin, JWKS_KEY, data, snapshot.jwks().bytes(), "");
    return new Decoded(state, snapshot);
  }

  private static void same(String origin, String key, Map<String, String> data, byte[] expected, String hint)
      throws InvalidKeyException {
    String stored = data.get(key);
    if (stored == null) {
      throw new InvalidKeyException(origin, "has no " + key);
    }
    if (!Arrays.equals(stored.getBytes(StandardCharsets.UTF_8), expected)) {
      throw new InvalidKeyException(origin, key + " does not match the keys in " + STATE_KEY + hint);
    }
  }
}
