package io.kubeassume.keys;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A validated public signing key as it is published: the public parameters only, with its kid
 * and alg, in the member order the Kubernetes API server writes. Instances only come from
 * {@link KeyParser}, so holding one means the key passed {@link KeyPolicy}.
 */
public final class SigningKey {
  private final JWK jwk;
  private final String origin;
  private final String thumbprint;

  SigningKey(JWK publicJwk, String origin) {
    if (publicJwk.isPrivate()) {
      throw new IllegalArgumentException("private key material must never reach a SigningKey");
    }
    this.jwk = publicJwk;
    this.origin = origin;
    try {
      this.thumbprint = publicJwk.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    render(publicJwk); // fails now, not later, if the key cannot be published
  }

  public String kid() {
    return jwk.getKeyID();
  }

  public String alg() {
    return jwk.getAlgorithm().getName();
  }

  /** Where the key was read from (a file path, the API server, the state file). */
  public String origin() {
    return origin;
  }

  /** RFC 7638 SHA-256 thumbprint: identifies the key material regardless of kid or alg. */
  public String thumbprint() {
    return thumbprint;
  }

  public JWK jwk() {
    return jwk;
  }

  /**
   * The published JWK members, in the API server's order (go-jose: use, kty, kid, crv, alg, x, y, n, e).
   * Built on each call (when documents are rendered or keys merged, never per request), not kept: a fleet
   * holds 10,000 keys or more, and the map would add about 0.4 KB to each.
   */
  public Map<String, Object> toJsonMap() {
    return render(jwk);
  }

  /** Same key, same kid, same alg: what a client sees is identical. Origin is not compared. */
  public boolean sameAs(SigningKey other) {
    return toJsonMap().equals(other.toJsonMap());
  }

  private static Map<String, Object> render(JWK key) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("use", "sig");
    out.put("kty", key.getKeyType().getValue());
    out.put("kid", key.getKeyID());
    Algorithm alg = Objects.requireNonNull(key.getAlgorithm(), "alg");
    if (key instanceof ECKey ec) {
      out.put("crv", ec.getCurve().getName());
      out.put("alg", alg.getName());
      out.put("x", ec.getX().toString());
      out.put("y", ec.getY().toString());
    } else if (key instanceof RSAKey rsa) {
      out.put("alg", alg.getName());
      out.put("n", rsa.getModulus().toString());
      out.put("e", rsa.getPublicExponent().toString());
    } else {
      throw new IllegalArgumentException("unsupported key type " + key.getKeyType());
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return "SigningKey[kid=" + kid() + ", alg=" + alg() + ", origin=" + origin + "]";
  }
}
