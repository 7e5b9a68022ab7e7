package io.kubeassume.verify;

import io.kubeassume.document.IssuerUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Fetches an issuer's documents the way cloud IAM does and runs the rules over them. This is the
 * I/O half of verify; {@link Rules} is the pure half.
 */
public final class Verifier {
  /** AWS STS fails when the identity provider takes longer than 5 s. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final KeyStore extraCas;
  private final Clock clock;

  /** @param extraCas CAs trusted besides the public roots ({@code --ca-file}), or null */
  public Verifier(KeyStore extraCas, Clock clock) {
    this.extraCas = extraCas;
    this.clock = clock;
  }

  /** The report together with the evidence it was judged on (the fetched documents, the TLS chains). */
  public record Outcome(Report report, Evidence evidence) {}

  public Report verify(IssuerUrl issuer, Set<Cloud> clouds, String token, String audience) throws GeneralSecurityException {
    return inspect(issuer, clouds, token, audience).report();
  }

  /** As {@link #verify}, keeping the evidence for callers that compare it with something else (status). */
  public Outcome inspect(IssuerUrl issuer, Set<Cloud> clouds, String token, String audience)
      throws GeneralSecurityException {
    RecordingTrustManager trust = new RecordingTrustManager(extraCas);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {trust}, new SecureRandom());
    HttpClient client = HttpClient.newBuilder()
        .sslContext(tls)
        .connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    DocumentFetcher fetcher = new DocumentFetcher(client, TIMEOUT, DocumentFetcher.MAX_BYTES);

    URI discoveryUri = URI.create(issuer.base() + IssuerUrl.DISCOVERY_SUFFIX);
    Fetched discovery = fetcher.fetch(discoveryUri);
    Fetched jwks = null;
    URI jwksUri = null;
    Map<String, Object> doc = discovery.ok() ? Evidence.object(discovery.text()) : null;
    if (doc != null && doc.get("jwks_uri") instanceof String raw) {
      jwksUri = parse(raw);
      if (jwksUri == null) {
        jwks = null; // discovery.jwks-uri reports it
      } else if ("https".equals(jwksUri.getScheme()) || ("http".equals(jwksUri.getScheme()) && Loopback.is(jwksUri.getHost()))) {
        jwks = fetcher.fetch(jwksUri);
      } else {
        jwks = Fetched.failed(jwksUri, List.of(), 0, Fetched.Failure.NOT_ATTEMPTED,
            "verify fetches only https URLs (and http on this machine), as cloud IAM fetches only https");
      }
    }
    TlsObservation discoveryTls = observed(trust, discovery);
    TlsObservation jwksTls = jwks == null ? null : observed(trust, jwks);
    Evidence evidence = new Evidence(issuer.value(), clouds, clock.instant(), discovery, jwks, discoveryTls, jwksTls,
        token, audience);
    return new Outcome(new Report(issuer.value(), clouds, Rules.evaluate(evidence), discoveryTls, jwksTls), evidence);
  }

  /** The handshake with the host the document finally came from (after redirects), if it was https. */
  private static TlsObservation observed(RecordingTrustManager trust, Fetched f) {
    URI u = f.finalUri();
    if (!"https".equals(u.getScheme()) || u.getHost() == null) {
      return null;
    }
    return trust.observation(u.getHost(), u.getPort() == -1 ? 443 : u.getPort()).orElse(null);
  }

  private static URI parse(String raw) {
    try {
      URI u = new URI(raw);
      return u.isAbsolute() && u.getHost() != null ? u : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
