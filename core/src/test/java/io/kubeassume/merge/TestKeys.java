package io.kubeassume.merge;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import java.util.HashMap;
import java.util.Map;

/** Fresh public signing keys with chosen kids, built through the real parser. */
final class TestKeys {
  private TestKeys() {}

  /** A new P-256 key (new material every call) published under {@code kid}. */
  static SigningKey key(String kid) {
    return key(kid, kid + ".pem");
  }

  static SigningKey key(String kid, String origin) {
    try {
      Map<String, Object> json = new HashMap<>(new ECKeyGenerator(Curve.P_256).keyID(kid).generate().toPublicJWK().toJSONObject());
      return KeyParser.parseJwk(origin, json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same key material and kid, read from another origin. */
  static SigningKey copyOf(SigningKey key, String origin) {
    try {
      return KeyParser.parseJwk(origin, new HashMap<>(key.toJsonMap()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
