package io.kubeassume.keys;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What may be published: RSA of at least 2048 bits and EC on P-256/P-384/P-521, signing use,
 * an alg every cloud IAM knows (RS256..RS512, PS256..PS512, ES256..ES512) that fits the key.
 * A key without alg gets the API server's choice (RS256; ES256/384/512 by curve) and a key
 * without kid gets the API server's kid.
 */
public final class KeyPolicy {
  public static final int MIN_RSA_BITS = 2048;

  /** Members that only a private or symmetric JWK has. */
  public static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  static final Set<JWSAlgorithm> RSA_ALGS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
  private static final Map<Curve, JWSAlgorithm> EC_ALG_BY_CURVE = Map.of(
      Curve.P_256, JWSAlgorithm.ES256, Curve.P_384, JWSAlgorithm.ES384, Curve.P_521, JWSAlgorithm.ES512);

  private KeyPolicy() {}

  /** A key from a PEM file: algorithm and kid as the API server chooses them. */
  static SigningKey admit(PublicKey key, String origin) throws InvalidKeyException {
    if (key instanceof RSAPublicKey rsa) {
      checkRsaSize(rsa, origin);
      return new SigningKey(new RSAKey.Builder(rsa)
          .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).keyID(KeyIds.apiServerKid(rsa)).build(), origin);
    }
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      JWSAlgorithm alg = curve == null ? null : EC_ALG_BY_CURVE.get(curve);
      if (alg == null) {
        throw new InvalidKeyException(origin, "EC key on an unsupported curve"
            + (curve == null ? "" : " (" + curve.getName() + ")") + "; use P-256, P-384 or P-521");
      }
      return new SigningKey(new ECKey.Builder(curve, ec)
          .keyUse(KeyUse.SIGNATURE).algorithm(alg).keyID(KeyIds.apiServerKid(ec)).build(), origin);
    }
    throw new InvalidKeyException(origin, "unsupported key algorithm " + key.getAlgorithm()
        + "; only RSA and EC (P-256, P-384, P-521) keys can sign service-account tokens");
  }

  /** A parsed public JWK: check use and alg against the key, fill in defaults. */
  static SigningKey admit(JWK jwk, String origin) throws InvalidKeyException {
    String name = origin + (jwk.getKeyID() == null ? "" : " (kid " + jwk.getKeyID() + ")");
    if (jwk.isPrivate()) {
      throw new InvalidKeyException(name, "contains private key material; publish the public key only");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new InvalidKeyException(name, "\"use\" is \"" + jwk.getKeyUse().getValue()
          + "\"; only signing keys (\"use\": \"sig\") verify tokens");
    }
    try {
      if (jwk instanceof RSAKey rsa) {
        RSAPublicKey pub = rsa.toRSAPublicKey();
        checkRsaSize(pub, name);
        JWSAlgorithm alg = algOrDefault(rsa.getAlgorithm(), JWSAlgorithm.RS256, name);
        if (!RSA_ALGS.contains(alg)) {
          throw new InvalidKeyException(name, "alg " + alg + " does not fit an RSA key; use RS256 (or RS384, RS512, PS256, PS384, PS512)");
        }
        String kid = jwk.getKeyID() != null ? jwk.getKeyID() : KeyIds.apiServerKid(pub);
        return new SigningKey(new RSAKey.Builder(pub).keyUse(KeyUse.SIGNATURE).algorithm(alg).keyID(kid).build(), origin);
      }
      if (jwk instanceof ECKey ec) {
        JWSAlgorithm expected = EC_ALG_BY_CURVE.get(ec.getCurve());
        if (expected == null) {
          throw new InvalidKeyException(name, "EC key on an unsupported curve (" + ec.getCurve() + "); use P-256, P-384 or P-521");
        }
        JWSAlgorithm alg = algOrDefault(ec.getAlgorithm(), expected, name);
        if (!alg.equals(expected)) {
          throw new InvalidKeyException(name, "alg " + alg + " does not fit a " + ec.getCurve() + " key; use " + expected);
        }
        ECPublicKey pub = ec.toECPublicKey();
        String kid = jwk.getKeyID() != null ? jwk.getKeyID() : KeyIds.apiServerKid(pub);
        return new SigningKey(new ECKey.Builder(ec.getCurve(), pub).keyUse(KeyUse.SIGNATURE).algorithm(alg).keyID(kid).build(), origin);
      }
    } catch (JOSEException e) {
      throw new InvalidKeyException(name, "not a valid public key: " + e.getMessage());
    }
    throw new InvalidKeyException(name, "unsupported kty " + jwk.getKeyType() + "; use RSA or EC");
  }

  private static JWSAlgorithm algOrDefault(Algorithm given, JWSAlgorithm fallback, String name) throws InvalidKeyException {
    if (given == null) {
      return fallback;
    }
    JWSAlgorithm alg = JWSAlgorithm.parse(given.getName());
    if (!RSA_ALGS.contains(alg) && !EC_ALG_BY_CURVE.containsValue(alg)) {
      throw new InvalidKeyException(name, "alg " + given.getName()
          + " is not accepted by cloud IAM; use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512");
    }
    return alg;
  }

  private static void checkRsaSize(RSAPublicKey key, String origin) throws InvalidKeyException {
    int bits = key.getModulus().bitLength();
    if (bits < MIN_RSA_BITS) {
      throw new InvalidKeyException(origin, "RSA key of " + bits + " bits is too weak; use at least " + MIN_RSA_BITS + " bits");
    }
  }
}
