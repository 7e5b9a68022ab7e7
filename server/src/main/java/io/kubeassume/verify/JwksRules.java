package io.kubeassume.verify;

import io.kubeassume.gcp.UploadedJwks;
import io.kubeassume.keys.KeyPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Rules about the JWKS: keys present, public only, unique kids, signing use, algorithms and counts per cloud. */
final class JwksRules {
  /** AWS IAM accepts at most this many RSA keys and this many EC keys. */
  static final int AWS_MAX_KEYS_PER_TYPE = 100;
  /** GCP's uploaded JWKS (jwksJson) holds at most this many keys. */
  static final int GCP_UPLOAD_MAX_KEYS = UploadedJwks.MAX_KEYS;
  static final Set<String> GCP_UPLOAD_MEMBERS = UploadedJwks.MEMBERS;
  private static final Map<String, String> EC_ALG_BY_CURVE = Map.of("P-256", "ES256", "P-384", "ES384", "P-521", "ES512");

  private JwksRules() {}

  static List<CheckResult> check(Evidence e) {
    List<CheckResult> out = new ArrayList<>();
    if (e.jwks() == null) {
      return out;
    }
    out.add(FetchRules.check("jwks.fetch", "JWKS", e.jwks()));
    if (!e.jwks().ok()) {
      return out;
    }
    List<Map<String, Object>> keys = e.jwksKeys();
    if (keys == null) {
      out.add(CheckResult.fail("jwks.json", "the JWKS is not a JSON object with a \"keys\" array of objects",
          "serve the JWKS as {\"keys\": [...]} (kubeassume jwks --keys sa.pub prints one)"));
      return out;
    }
    out.add(CheckResult.pass("jwks.json", "the JWKS is a JSON object with " + keys.size() + " key(s)"));
    out.add(notEmpty(keys));
    if (keys.isEmpty()) {
      return out;
    }
    out.add(noPrivateMembers(keys));
    out.add(strength(keys));
    out.add(kids(keys));
    out.add(use(keys));
    for (Cloud c : e.clouds()) {
      out.add(algorithms(keys, c).forCloud(c));
    }
    if (e.clouds().contains(Cloud.AWS)) {
      out.add(awsCount(keys).forCloud(Cloud.AWS));
    }
    if (e.clouds().contains(Cloud.GCP)) {
      out.add(gcpUpload(keys).forCloud(Cloud.GCP));
    }
    return out;
  }

  static CheckResult notEmpty(List<Map<String, Object>> keys) {
    if (keys.isEmpty()) {
      return CheckResult.fail("jwks.keys", "the JWKS has no keys, so no token can verify",
          "publish the API server's service-account public key(s) (kubeassume serve --keys /etc/kubernetes/pki/sa.pub)");
    }
    return CheckResult.pass("jwks.keys", keys.size() + " key(s) published");
  }

  static CheckResult noPrivateMembers(List<Map<String, Object>> keys) {
    List<String> leaks = new ArrayList<>();
    for (Map<String, Object> k : keys) {
      List<String> members = KeyPolicy.PRIVATE_MEMBERS.stream().filter(k::containsKey).toList();
      if (!members.isEmpty()) {
        leaks.add(describe(k) + " has " + String.join(", ", members));
      }
    }
    if (leaks.isEmpty()) {
      return CheckResult.pass("jwks.private", "no key has private members");
    }
    return CheckResult.fail("jwks.private", "private key material is public: " + String.join("; ", leaks),
        "publish public keys only (kubeassume refuses private keys), and treat these keys as leaked: "
            + "rotate the API server's signing key and stop trusting the old one");
  }

  /** The rule kubeassume's own jwks and serve apply: RSA keys of at least {@link KeyPolicy#MIN_RSA_BITS} bits. */
  static CheckResult strength(List<Map<String, Object>> keys) {
    List<String> weak = new ArrayList<>();
    for (Map<String, Object> k : keys) {
      if ("RSA".equals(k.get("kty")) && k.get("n") instanceof String n) {
        int bits = modulusBits(n);
        if (bits > 0 && bits < KeyPolicy.MIN_RSA_BITS) {
          weak.add(describe(k) + " is RSA of " + bits + " bits");
        }
      }
    }
    if (weak.isEmpty()) {
      return CheckResult.pass("jwks.strength", "every RSA key has at least " + KeyPolicy.MIN_RSA_BITS + " bits");
    }
    return CheckResult.fail("jwks.strength", String.join("; ", weak) + ": too weak, under the " + KeyPolicy.MIN_RSA_BITS
        + " bits that kubeassume's serve and jwks require of every key they publish",
        "rotate the service-account signing key to RSA of at least " + KeyPolicy.MIN_RSA_BITS + " bits (openssl genpkey "
            + "-algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out sa.key) and publish its public key; kubeassume refuses "
            + "weaker keys");
  }

  /** Bits of a base64url modulus, or 0 if it is not one. */
  private static int modulusBits(String n) {
    try {
      return new java.math.BigInteger(1, java.util.Base64.getUrlDecoder().decode(n)).bitLength();
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  static CheckResult kids(List<Map<String, Object>> keys) {
    int missing = 0;
    Map<String, Integer> counts = new HashMap<>();
    for (Map<String, Object> k : keys) {
      if (k.get("kid") instanceof String kid && !kid.isEmpty()) {
        counts.merge(kid, 1, Integer::sum);
      } else {
        missing++;
      }
    }
    Set<String> duplicates = new TreeSet<>();
    counts.forEach((kid, n) -> {
      if (n > 1) {
        duplicates.add(kid);
      }
    });
    if (missing == 0 && duplicates.isEmpty()) {
      return CheckResult.pass("jwks.kids", "every key has its own kid");
    }
    List<String> problems = new ArrayList<>();
    if (missing > 0) {
      problems.add(missing + " key(s) without a kid");
    }
    if (!duplicates.isEmpty()) {
      problems.add("kid used by more than one key: " + String.join(", ", duplicates));
    }
    return CheckResult.fail("jwks.kids", String.join("; ", problems),
        "give every key its own kid (the API server and kubeassume use the base64url SHA-256 of the public key); "
            + "clouds pick the verification key by the token's kid");
  }

  static CheckResult use(List<Map<String, Object>> keys) {
    List<String> wrong = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (Map<String, Object> k : keys) {
      Object use = k.get("use");
      if (use == null) {
        absent.add(describe(k));
      } else if (!"sig".equals(use)) {
        wrong.add(describe(k) + " has use \"" + use + "\"");
      }
    }
    if (!wrong.isEmpty()) {
      return CheckResult.fail("jwks.use", String.join("; ", wrong), "set \"use\": \"sig\" on every key: only signing keys verify tokens");
    }
    if (!absent.isEmpty()) {
      return CheckResult.warn("jwks.use", "no \"use\" on " + String.join(", ", absent),
          "set \"use\": \"sig\" on every key, as the API server does");
    }
    return CheckResult.pass("jwks.use", "every key has use \"sig\"");
  }

  /** The key's alg, or the one the API server would use for its type, or null for an unknown type. */
  static String algorithm(Map<String, Object> k) {
    if (k.get("alg") instanceof String alg) {
      return alg;
    }
    if ("RSA".equals(k.get("kty"))) {
      return "RS256";
    }
    if ("EC".equals(k.get("kty"))) {
      return EC_ALG_BY_CURVE.get(String.valueOf(k.get("crv")));
    }
    return null;
  }

  static CheckResult algorithms(List<Map<String, Object>> keys, Cloud cloud) {
    List<String> refused = new ArrayList<>();
    for (Map<String, Object> k : keys) {
      String alg = algorithm(k);
      boolean knownType = "RSA".equals(k.get("kty")) || "EC".equals(k.get("kty"));
      if (!knownType || alg == null || !cloud.algorithms().contains(alg)) {
        refused.add(describe(k) + " (kty " + k.get("kty") + ", alg " + alg + ")");
      }
    }
    String accepted = String.join(", ", new TreeSet<>(cloud.algorithms()));
    String fix = switch (cloud) {
      case AZURE -> "Azure supports RS256 only: sign service-account tokens with an RSA key";
      case GCP -> "GCP accepts RS256 and ES256 only: sign with an RSA key or an EC P-256 key";
      default -> "sign with a key whose algorithm " + cloud.flag() + " accepts (" + accepted + ")";
    };
    if (refused.isEmpty()) {
      return CheckResult.pass("jwks.algs", "every key uses an algorithm " + cloud.flag() + " accepts (" + accepted + ")");
    }
    if (refused.size() == keys.size()) {
      return CheckResult.fail("jwks.algs", "no key uses an algorithm " + cloud.flag() + " accepts: " + String.join("; ", refused), fix);
    }
    return CheckResult.warn("jwks.algs", "tokens signed by these keys are refused by " + cloud.flag() + ": "
        + String.join("; ", refused), fix);
  }

  static CheckResult awsCount(List<Map<String, Object>> keys) {
    long rsa = keys.stream().filter(k -> "RSA".equals(k.get("kty"))).count();
    long ec = keys.stream().filter(k -> "EC".equals(k.get("kty"))).count();
    if (rsa <= AWS_MAX_KEYS_PER_TYPE && ec <= AWS_MAX_KEYS_PER_TYPE) {
      return CheckResult.pass("jwks.count", rsa + " RSA and " + ec + " EC keys, within AWS's 100 per type");
    }
    return CheckResult.fail("jwks.count", rsa + " RSA and " + ec + " EC keys: AWS accepts at most "
        + AWS_MAX_KEYS_PER_TYPE + " of each and answers InvalidIdentityToken otherwise",
        "publish fewer keys: drop retired keys whose tokens have expired (kubeassume serve --max-keys 100, shorter --overlap)");
  }

  static CheckResult gcpUpload(List<Map<String, Object>> keys) {
    List<String> problems = new ArrayList<>();
    if (keys.size() > GCP_UPLOAD_MAX_KEYS) {
      problems.add(keys.size() + " keys, more than the " + GCP_UPLOAD_MAX_KEYS + " an uploaded JWKS may hold");
    }
    for (Map<String, Object> k : keys) {
      Set<String> extra = new LinkedHashSet<>(k.keySet());
      extra.removeAll(GCP_UPLOAD_MEMBERS);
      if (!extra.isEmpty()) {
        problems.add(describe(k) + " has members an upload may not carry: " + String.join(", ", extra));
      }
    }
    if (problems.isEmpty()) {
      return CheckResult.pass("jwks.gcp-upload", "fit for upload to GCP (--jwk-json-path) if the issuer is private");
    }
    return CheckResult.warn("jwks.gcp-upload", "only matters if you upload this JWKS to GCP instead of letting it fetch: "
        + String.join("; ", problems),
        "upload at most 8 keys with only kty, alg, use, kid, n, e, x, y, crv (kubeassume jwks --keys prints such a JWKS)");
  }

  static String describe(Map<String, Object> k) {
    return k.get("kid") instanceof String kid ? "key " + kid : "a key without kid";
  }
}
