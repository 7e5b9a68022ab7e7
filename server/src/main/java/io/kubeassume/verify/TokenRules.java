package io.kubeassume.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Rules about a service-account token, checked against the public JWKS like cloud IAM checks it. */
final class TokenRules {
  /** Clock difference tolerated for iat and nbf in the future. */
  static final Duration SKEW = Duration.ofSeconds(60);
  static final Duration GCP_MAX_LIFETIME = Duration.ofHours(24);
  static final int GCP_MAX_SUBJECT_BYTES = 127;
  static final int AWS_MIN_CHARS = 4;
  static final int AWS_MAX_CHARS = 20_000;
  /** system:serviceaccount:NAMESPACE:NAME, namespace a DNS label, name a DNS subdomain. */
  static final Pattern SUBJECT = Pattern.compile(
      "system:serviceaccount:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  static final Pattern GCP_PROVIDER_AUDIENCE = Pattern.compile(
      "(https:)?//iam\\.googleapis\\.com/projects/\\d+/locations/global/workloadIdentityPools/[^/]+/providers/[^/]+");
  private static final String FRESH_TOKEN = "use a fresh token: the kubelet renews projected tokens, "
      + "and kubectl create token SA --audience AUD makes a new one";

  private TokenRules() {}

  static List<CheckResult> check(Evidence e) {
    List<CheckResult> out = new ArrayList<>();
    if (e.token() == null) {
      return out;
    }
    String token = e.token().strip();
    SignedJWT jwt;
    Map<String, Object> claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getPayload().toJSONObject();
      if (claims == null) {
        throw new ParseException("the payload is not a JSON object", 0);
      }
    } catch (ParseException ex) {
      out.add(CheckResult.fail("token.format", "not a signed JWT: " + ex.getMessage(),
          "pass the service-account token itself (three base64url parts separated by dots), e.g. "
              + "kubectl create token SA -n NS --audience sts.amazonaws.com > token"));
      return out;
    }
    out.add(CheckResult.pass("token.format", "a signed JWT (alg " + jwt.getHeader().getAlgorithm() + ")"));
    if (e.clouds().contains(Cloud.AWS)) {
      out.add(awsSize(token).forCloud(Cloud.AWS));
    }
    for (Cloud c : e.clouds()) {
      out.add(algorithm(jwt, c).forCloud(c));
    }
    out.addAll(keyAndSignature(jwt, e.jwksKeys()));
    out.add(issuer(e.issuer(), claims));
    for (Cloud c : e.clouds()) {
      CheckResult aud = audience(claims, c, e.audience());
      if (aud != null) {
        out.add(aud.forCloud(c));
      }
    }
    out.add(expiry(claims, e.now()));
    out.add(issuedAt(claims, e.now()));
    if (e.clouds().contains(Cloud.GCP)) {
      out.add(gcpLifetime(claims).forCloud(Cloud.GCP));
    }
    out.add(subject(claims));
    if (e.clouds().contains(Cloud.GCP)) {
      out.add(gcpSubjectLength(claims).forCloud(Cloud.GCP));
    }
    return out;
  }

  static CheckResult awsSize(String token) {
    int n = token.length();
    if (n >= AWS_MIN_CHARS && n <= AWS_MAX_CHARS) {
      return CheckResult.pass("token.size", n + " characters, within AWS's 4 to 20,000");
    }
    return CheckResult.fail("token.size", n + " characters; AWS STS accepts 4 to 20,000",
        "keep the token small: fewer or shorter claims (a plain service-account token is about 1 KB)");
  }

  static CheckResult algorithm(SignedJWT jwt, Cloud cloud) {
    String alg = jwt.getHeader().getAlgorithm().getName();
    if (cloud.algorithms().contains(alg)) {
      return CheckResult.pass("token.alg", "alg " + alg + " is accepted by " + cloud.flag());
    }
    return CheckResult.fail("token.alg", "alg " + alg + " is not accepted by " + cloud.flag() + " (accepts "
        + String.join(", ", new java.util.TreeSet<>(cloud.algorithms())) + ")",
        cloud == Cloud.AZURE ? "Azure supports RS256 only: sign service-account tokens with an RSA key"
            : "sign service-account tokens with a key type " + cloud.flag() + " accepts (an RSA key gives RS256)");
  }

  /** The kid must name a published key, and that key must verify the signature. */
  static List<CheckResult> keyAndSignature(SignedJWT jwt, List<Map<String, Object>> keys) {
    String kid = jwt.getHeader().getKeyID();
    if (kid == null || kid.isEmpty()) {
      return List.of(CheckResult.fail("token.kid", "the token header has no kid; GCP needs it to pick the key",
          "use a token signed by the Kubernetes API server, which always sets kid"));
    }
    if (keys == null) {
      return List.of(CheckResult.fail("token.kid", "kid " + kid + " cannot be looked up: the JWKS was not available",
          "fix the JWKS checks above first"));
    }
    Map<String, Object> match = keys.stream().filter(k -> kid.equals(k.get("kid"))).findFirst().orElse(null);
    if (match == null) {
      return List.of(CheckResult.fail("token.kid", "kid " + kid + " is not in the JWKS, so no cloud can verify the token",
          "publish the public key that signs tokens: add the API server's current --service-account-key-file "
              + "public key to kubeassume's --keys (and keep retired keys for the token lifetime: --overlap)"));
    }
    List<CheckResult> out = new ArrayList<>();
    out.add(CheckResult.pass("token.kid", "kid " + kid + " is in the JWKS"));
    out.add(signature(jwt, match, kid));
    return out;
  }

  private static CheckResult signature(SignedJWT jwt, Map<String, Object> key, String kid) {
    String fix = "publish the public key of the key pair that actually signs the tokens (the API server's "
        + "--service-account-signing-key-file) under this kid";
    try {
      JWK jwk = JWK.parse(key);
      if (!(jwk instanceof AsymmetricJWK asymmetric)) {
        return CheckResult.fail("token.signature", "key " + kid + " is not an RSA or EC public key", fix);
      }
      JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), asymmetric.toPublicKey());
      if (jwt.verify(verifier)) {
        return CheckResult.pass("token.signature", "the signature verifies with published key " + kid);
      }
      return CheckResult.fail("token.signature", "the signature does not verify with published key " + kid
          + ": the token was signed by another key or altered", fix);
    } catch (ParseException | JOSEException ex) {
      return CheckResult.fail("token.signature", "cannot verify with key " + kid + ": " + ex.getMessage(), fix);
    }
  }

  static CheckResult issuer(String configured, Map<String, Object> claims) {
    Object iss = claims.get("iss");
    if (configured.equals(iss)) {
      return CheckResult.pass("token.iss", "iss is exactly " + configured);
    }
    String found = iss instanceof String s ? s : null;
    return CheckResult.fail("token.iss", found == null ? "the token has no iss" : "iss is \"" + found
        + "\" but the issuer URL is \"" + configured + "\"" + DiscoveryRules.difference(found, configured),
        IssuerRules.SAME_EVERYWHERE + "; tokens minted before a change keep the old iss until they are renewed");
  }

  /** Null when there is nothing to check: no --audience and the cloud has no fixed audience (OCI). */
  static CheckResult audience(Map<String, Object> claims, Cloud cloud, String configured) {
    List<String> aud = audiences(claims.get("aud"));
    String expected = configured != null ? configured : cloud.defaultAudience();
    String request = "request the token with that audience: serviceAccountToken.audience in the projected volume, "
        + "or kubectl create token SA --audience ";
    if (expected != null) {
      if (aud.contains(expected)) {
        return CheckResult.pass("token.aud", "aud contains " + expected);
      }
      return CheckResult.fail("token.aud", "aud is " + aud + "; " + cloud.flag() + " expects " + expected,
          request + expected + (configured == null ? " (or pass --audience if the provider allows another)" : ""));
    }
    if (cloud == Cloud.GCP) {
      if (aud.stream().anyMatch(a -> GCP_PROVIDER_AUDIENCE.matcher(a).matches())) {
        return CheckResult.pass("token.aud", "aud names a GCP workload identity pool provider");
      }
      return CheckResult.warn("token.aud", "aud is " + aud + ", not a GCP pool provider name; GCP accepts it only if it "
          + "is in the provider's allowedAudiences",
          "pass --audience with one of the provider's allowedAudiences to check, or " + request
              + "//iam.googleapis.com/projects/NUM/locations/global/workloadIdentityPools/POOL/providers/PROV");
    }
    return null;
  }

  private static List<String> audiences(Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    if (aud instanceof List<?> l) {
      return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  static CheckResult expiry(Map<String, Object> claims, Instant now) {
    Object exp = claims.get("exp");
    if (!(exp instanceof Number n)) {
      return CheckResult.fail("token.exp", "the token has no numeric exp", FRESH_TOKEN);
    }
    if (!isInteger(exp)) {
      return CheckResult.fail("token.exp", "exp " + exp + " is not a whole number of seconds; AWS needs integers", FRESH_TOKEN);
    }
    Instant at = Instant.ofEpochSecond(n.longValue());
    if (!at.isAfter(now)) {
      return CheckResult.fail("token.exp", "the token expired at " + at + " ("
          + Duration.between(at, now).toSeconds() + " s ago)", FRESH_TOKEN);
    }
    return CheckResult.pass("token.exp", "valid until " + at);
  }

  static CheckResult issuedAt(Map<String, Object> claims, Instant now) {
    String fix = "sync the clocks of the control plane and this machine (NTP)";
    Object iat = claims.get("iat");
    if (!(iat instanceof Number n) || !isInteger(iat)) {
      return CheckResult.fail("token.iat", "the token has no whole-number iat; GCP and AWS need it", FRESH_TOKEN);
    }
    Instant at = Instant.ofEpochSecond(n.longValue());
    if (at.isAfter(now.plus(SKEW))) {
      return CheckResult.fail("token.iat", "issued in the future (" + at + ")", fix);
    }
    if (claims.get("nbf") instanceof Number nbf && Instant.ofEpochSecond(nbf.longValue()).isAfter(now.plus(SKEW))) {
      return CheckResult.fail("token.iat", "not valid before " + Instant.ofEpochSecond(nbf.longValue()), fix);
    }
    return CheckResult.pass("token.iat", "issued at " + at);
  }

  static CheckResult gcpLifetime(Map<String, Object> claims) {
    if (!(claims.get("exp") instanceof Number exp) || !(claims.get("iat") instanceof Number iat)) {
      return CheckResult.fail("token.lifetime", "exp or iat is missing, so the lifetime is unknown", FRESH_TOKEN);
    }
    Duration lifetime = Duration.ofSeconds(exp.longValue() - iat.longValue());
    if (lifetime.compareTo(GCP_MAX_LIFETIME) <= 0) {
      return CheckResult.pass("token.lifetime", "lifetime " + lifetime.toSeconds() + " s, within GCP's 24 h");
    }
    return CheckResult.fail("token.lifetime", "lifetime " + lifetime.toHours() + " h; GCP refuses tokens that live longer than 24 h",
        "request a shorter token (expirationSeconds at most 86400); never 3607 s, which the API server silently "
            + "extends to a year (or run it with --service-account-extend-token-expiration=false)");
  }

  static CheckResult subject(Map<String, Object> claims) {
    Object sub = claims.get("sub");
    if (sub instanceof String s && SUBJECT.matcher(s).matches()) {
      return CheckResult.pass("token.sub", "sub " + s + " names a service account");
    }
    return CheckResult.fail("token.sub", "sub " + (sub == null ? "is missing" : "\"" + sub + "\"")
        + " is not system:serviceaccount:NAMESPACE:NAME",
        "use a Kubernetes service-account token: cloud trust policies match sub system:serviceaccount:NAMESPACE:NAME");
  }

  static CheckResult gcpSubjectLength(Map<String, Object> claims) {
    int bytes = claims.get("sub") instanceof String s ? s.getBytes(StandardCharsets.UTF_8).length : 0;
    if (bytes <= GCP_MAX_SUBJECT_BYTES) {
      return CheckResult.pass("token.sub-length", "sub is " + bytes + " bytes, fits GCP's google.subject (127)");
    }
    return CheckResult.warn("token.sub-length", "sub is " + bytes + " bytes; GCP's google.subject holds at most 127",
        "shorten the namespace or service-account name, or map google.subject to a shorter expression");
  }

  /** JSON whole numbers parse as Long; 1.7E9 or 1700000000.5 parse as Double and are not NumericDate integers. */
  private static boolean isInteger(Object n) {
    return n instanceof Long || n instanceof Integer;
  }
}
