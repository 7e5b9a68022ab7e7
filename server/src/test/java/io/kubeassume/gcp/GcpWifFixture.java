package io.kubeassume.gcp;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.merge.MergeState;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.mirror.Snapshots;
import io.kubeassume.setup.JsonHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Shared set-up of the gcp-wif tests: names, snapshots, and publishers on real google-auth and HTTP clients. */
final class GcpWifFixture {
  static final String NAME = "projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";
  static final MirrorLocation LOCATION = MirrorLocation.parse("gcp-wif://" + NAME);
  static final IssuerUrl ISSUER = Snapshots.ISSUER;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private GcpWifFixture() {}

  /** A static token, as google-auth's credentials hand it over; the fake accepts it. */
  static GoogleCredentials token() {
    return GoogleCredentials.create(new AccessToken(FakeIam.TOKEN, Date.from(Instant.now().plusSeconds(3600))));
  }

  /** The IAM client over the JDK HttpClient with google-auth's bearer token; retries without pausing. */
  static WorkloadIdentityIam iam(FakeIam fake, GoogleCredentials credentials) {
    return new WorkloadIdentityIam(new JsonHttp(new GoogleBearer(credentials)), fake.endpoint().toString(),
        new WorkloadIdentityIam.Retry(4, Duration.ZERO, Duration.ZERO, Duration.ZERO, 20), d -> { });
  }

  static GcpWifPublisher publisher(FakeIam fake, BooleanSupplier writes) {
    return new GcpWifPublisher(LOCATION, iam(fake, token()), ISSUER, writes, 5, Duration.ZERO, d -> { });
  }

  /** A snapshot at {@code revision} serving {@code current} keys and {@code retired} ones (retired in order, a minute apart). */
  static Snapshot snapshot(long revision, List<String> current, List<String> retired) {
    List<KeyRecord> keys = new ArrayList<>();
    Instant t = T0;
    for (String kid : retired) {
      keys.add(new KeyRecord(Snapshots.key(kid), T0, t.plusSeconds(60)));
      t = t.plusSeconds(60);
    }
    for (String kid : current) {
      keys.add(new KeyRecord(Snapshots.key(kid), T0.plusSeconds(1), null));
    }
    return DocumentRenderer.render(ISSUER, new MergeState(revision, keys));
  }

  static Snapshot snapshot(long revision, String... current) {
    return snapshot(revision, List.of(current), List.of());
  }

  /**
   * A workload identity federation credential configuration (what {@code gcloud iam workload-identity-pools
   * create-cred-config} writes): google-auth reads a subject token from a file and exchanges it at {@code sts} for
   * an access token the fake IAM accepts.
   */
  static Path federatedCredentials(Path dir, FakeSts sts) throws IOException {
    Path token = dir.resolve("subject-token");
    Files.writeString(token, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZWFzc3VtZTprdWJlYXNzdW1lIn0.c2ln");
    Path config = dir.resolve("credential-config.json");
    Files.writeString(config, """
        {"type": "external_account",
         "audience": "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a",
         "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
         "token_url": "%s",
         "credential_source": {"file": "%s"}}
        """.formatted(sts.tokenUrl(), token));
    return config;
  }
}
