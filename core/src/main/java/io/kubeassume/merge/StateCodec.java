package io.kubeassume.merge;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge state as a small JSON document, the same in a state file and (later) a ConfigMap.
 * Decoding re-validates every key, so an edited state can never publish private material.
 *
 * <pre>{"format":"kubeassume/state/v1","revision":3,"keys":[{"kid":..,"firstSeen":..,"retiredAt":..,"jwk":{..}}]}</pre>
 */
public final class StateCodec {
  public static final String FORMAT = "kubeassume/state/v1";

  private StateCodec() {}

  public static byte[] encode(MergeState state) {
    List<Object> keys = new ArrayList<>();
    for (KeyRecord record : state.keys()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kid", record.kid());
      entry.put("firstSeen", record.firstSeen().toString());
      entry.put("retiredAt", record.isRetired() ? record.retiredAt().toString() : null);
      entry.put("jwk", record.key().toJsonMap());
      keys.add(entry);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", FORMAT);
    root.put("revision", state.revision());
    root.put("keys", keys);
    return JSONObjectUtils.toJSONString(root).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes a state document.
   *
   * @param origin names the document in errors (a file path, a ConfigMap)
   * @throws InvalidKeyException if it is not a state document or any key in it is invalid
   */
  public static MergeState decode(String origin, byte[] bytes) throws InvalidKeyException {
    try {
      Map<String, Object> root = JSONObjectUtils.parse(new String(bytes, StandardCharsets.UTF_8));
      if (!FORMAT.equals(root.get("format"))) {
        throw new InvalidKeyException(origin, "not a kubeassume state document (format is " + root.get("format")
            + ", expected " + FORMAT + ")");
      }
      long revision = JSONObjectUtils.getLong(root, "revision");
      List<KeyRecord> records = new ArrayList<>();
      for (Map<String, Object> entry : JSONObjectUtils.getJSONObjectArray(root, "keys")) {
        Map<String, Object> jwk = JSONObjectUtils.getJSONObject(entry, "jwk");
        if (jwk == null) {
          throw new InvalidKeyException(origin, "a key entry has no \"jwk\"");
        }
        String retiredAt = JSONObjectUtils.getString(entry, "retiredAt");
        records.add(new KeyRecord(KeyParser.parseJwk(origin, jwk),
            Instant.parse(JSONObjectUtils.getString(entry, "firstSeen")),
            retiredAt == null ? null : Instant.parse(retiredAt)));
      }
      records.sort(KeyMerger.SERVING_ORDER);
      java.util.Set<String> kids = new java.util.HashSet<>();
      for (KeyRecord record : records) {
        if (!kids.add(record.kid())) {
          throw new InvalidKeyException(origin, "kid " + record.kid() + " appears twice");
        }
      }
      return new MergeState(revision, records);
    } catch (ParseException | DateTimeParseException | NullPointerException | IllegalArgumentException e) {
      throw new InvalidKeyException(origin, "not a valid kubeassume state document: " + e.getMessage());
    }
  }
}
