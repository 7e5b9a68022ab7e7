package io.kubeassume.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A validated public signing key as it is published: the public parameters only, with its kid
 * and alg, in the member order the Kubernetes API server writes. Instances only come from
 * {@link KeyParser}, so holding one means the key passed {@link KeyPolicy}.
 *
 * <p>Only the published members are kept, as strings (a fleet holds a key per issuer, and the
 * parsed JWK they came from takes about 170 bytes more); the JWK and the thumbprint are built
 * from them when asked for, which happens when keys are merged, never per request.
 */
public final class SigningKey {
  private static final String RSA = "RSA";
  private static final String EC = "EC";
  /** The usual RSA exponent: shared, not one copy per key. */
  private static final String AQAB = "AQAB";

  private final String kty;
  private final String kid;
  private final String alg;
  /** RSA: n, e. EC: x, y, and crv. */
  private final String first;
  private final String second;
  private final String crv;
  private final String origin;

  SigningKey(JWK publicJwk, String origin) {
    if (publicJwk.isPrivate()) {
      throw new IllegalArgumentException("private key material must never reach a SigningKey");
    }
    this.origin = origin;
    this.kid = publicJwk.getKeyID();
    this.alg = Objects.requireNonNull(publicJwk.getAlgorithm(), "alg").getName().intern();
    if (publicJwk instanceof ECKey ec) {
      this.kty = EC;
      this.crv = ec.getCurve().getName().intern();
      this.first = ec.getX().toString();
      this.second = ec.getY().toString();
    } else if (publicJwk instanceof RSAKey rsa) {
      this.kty = RSA;
      this.crv = null;
      this.first = rsa.getModulus().toString();
      String e = rsa.getPublicExponent().toString();
      this.second = AQAB.equals(e) ? AQAB : e;
    } else {
      throw new IllegalArgumentException("unsupported key type " + publicJwk.getKeyType());
    }
  }

  public String kid() {
    return kid;
  }

  public String alg() {
    return alg;
  }

  /** Where the key was read from (a file path, the API server, the state file). */
  public String origin() {
    return origin;
  }

  /** RFC 7638 SHA-256 thumbprint: identifies the key material regardless of kid or alg. */
  public String thumbprint() {
    try {
      return jwk().computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** The key as a nimbus JWK, built from the published members. */
  public JWK jwk() {
    try {
      return JWK.parse(new LinkedHashMap<>(toJsonMap()));
    } catch (ParseException e) {
      throw new IllegalStateException("a validated key no longer parses: " + e.getMessage(), e);
    }
  }

  /**
   * The published JWK members, in the API server's order (go-jose: use, kty, kid, crv, alg, x, y, n, e).
   * Built on each call (when documents are rendered or keys merged, never per request), not kept: a fleet
   * holds 10,000 keys or more, and the map would add about 0.4 KB to each.
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("use", "sig");
    out.put("kty", kty);
    out.put("kid", kid);
    if (kty.equals(EC)) {
      out.put("crv", crv);
      out.put("alg", alg);
      out.put("x", first);
      out.put("y", second);
    } else {
      out.put("alg", alg);
      out.put("n", first);
      out.put("e", second);
    }
    return Collections.unmodifiableMap(out);
  }

  /** Same key, same kid, same alg: what a client sees is identical. Origin is not compared. */
  public boolean sameAs(SigningKey other) {
    return kty.equals(other.kty) && Objects.equals(kid, other.kid) && alg.equals(other.alg) && first.equals(other.first)
        && second.equals(other.second) && Objects.equals(crv, other.crv);
  }

  @Override
  public String toString() {
    return "SigningKey[kid=" + kid + ", alg=" + alg + ", origin=" + origin + "]";
  }
}
