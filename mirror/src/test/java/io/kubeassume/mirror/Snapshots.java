package io.kubeassume.mirror;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.merge.MergeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** Real rendered snapshots for tests, built from fresh public keys through the real parser and renderer. */
public final class Snapshots {
  public static final IssuerUrl ISSUER = IssuerUrl.parse("https://oidc.example.com");

  private Snapshots() {}

  public static SigningKey key(String kid) {
    try {
      return KeyParser.parseJwk(kid + ".pem",
          new HashMap<>(new ECKeyGenerator(Curve.P_256).keyID(kid).generate().toPublicJWK().toJSONObject()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RSA public key: a snapshot with one has a different discovery document (RS256 listed) than one with EC keys only. */
  public static SigningKey rsaKey(String kid) {
    try {
      return KeyParser.parseJwk(kid + ".pem",
          new HashMap<>(new RSAKeyGenerator(2048).keyID(kid).generate().toPublicJWK().toJSONObject()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A snapshot at {@code revision} serving {@code keys} in order. */
  public static Snapshot snapshot(long revision, SigningKey... keys) {
    List<KeyRecord> records = new ArrayList<>();
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    for (SigningKey k : keys) {
      records.add(new KeyRecord(k, t, null));
      t = t.plusSeconds(60);
    }
    return DocumentRenderer.render(ISSUER, new MergeState(revision, records));
  }
}
