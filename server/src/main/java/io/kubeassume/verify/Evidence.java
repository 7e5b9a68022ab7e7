package io.kubeassume.verify;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the rules look at, gathered before any rule runs: the rules are pure functions of this.
 *
 * @param issuer        the issuer URL exactly as given
 * @param clouds        the clouds to check for
 * @param now           the time tokens are judged at
 * @param discovery     the discovery document fetch
 * @param jwks          the JWKS fetch, or null if discovery gave no usable jwks_uri
 * @param discoveryTls  the TLS handshake with the discovery host, or null (http, or no handshake happened)
 * @param jwksTls       the TLS handshake with the jwks_uri host, or null
 * @param token         the raw token from {@code --token}, or null
 * @param audience      the audience from {@code --audience}, or null for each cloud's default
 */
public record Evidence(String issuer, Set<Cloud> clouds, Instant now, Fetched discovery, Fetched jwks,
    TlsObservation discoveryTls, TlsObservation jwksTls, String token, String audience) {

  /** The discovery document as a JSON object, or null if it was not fetched or is not one. */
  public Map<String, Object> discoveryJson() {
    return discovery == null || !discovery.ok() ? null : object(discovery.text());
  }

  /** The JWKS keys as raw JSON objects (so private members can be seen), or null if not available. */
  public List<Map<String, Object>> jwksKeys() {
    if (jwks == null || !jwks.ok()) {
      return null;
    }
    Map<String, Object> set = object(jwks.text());
    if (set == null || !(set.get("keys") instanceof List<?> raw)) {
      return null;
    }
    List<Map<String, Object>> keys = new ArrayList<>();
    for (Object k : raw) {
      if (!(k instanceof Map<?, ?>)) {
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> key = (Map<String, Object>) k;
      keys.add(key);
    }
    return keys;
  }

  static Map<String, Object> object(String text) {
    try {
      return JSONObjectUtils.parse(text);
    } catch (ParseException e) {
      return null;
    }
  }

  /** Why {@code text} is not a JSON object, or null if it is one. */
  static String objectError(String text) {
    try {
      JSONObjectUtils.parse(text);
      return null;
    } catch (ParseException e) {
      return e.getMessage();
    }
  }
}
