package io.kubeassume.cli;

import com.google.auth.oauth2.GoogleCredentials;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.gcp.WorkloadIdentityIam;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.kubeassume.verify.GcpUploadRules;
import io.kubeassume.verify.Report;
import io.kubeassume.verify.Status;
import io.kubeassume.verify.TlsObservation;
import io.kubeassume.verify.Verifier;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Checks an issuer the way cloud IAM does: fetches the discovery document and JWKS over https and checks "
            + "every rule of the chosen clouds; with --token, also checks a token against the public keys.",
        "Exit code 0: every check passed (warnings allowed); 1: a check failed; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume verify --issuer-url https://oidc.example.com --cloud aws,gcp",
        "  # with a token (kubectl create token app -n team-a --audience sts.amazonaws.com > token.jwt):",
        "  kubeassume verify --issuer-url https://oidc.example.com --cloud aws --token token.jwt"})
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as clouds are told it, e.g. https://oidc.example.com (http only for localhost, "
          + "and then a failure for every cloud). Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--cloud", paramLabel = "CLOUDS", defaultValue = "aws,gcp,azure,oci",
      description = "Clouds whose rules to check, comma-separated: aws, gcp, azure, oci. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_CLOUD")
  String cloud;

  @Option(names = "--token", paramLabel = "FILE",
      description = "A service-account token to check too (signature against the public JWKS, iss, aud, exp/iat, sub). "
          + "Env: KUBEASSUME_TOKEN")
  String token;

  @Option(names = "--audience", paramLabel = "AUD",
      description = "The audience the token must carry, for every chosen cloud. Default per cloud: sts.amazonaws.com "
          + "(aws), api://AzureADTokenExchange (azure), the pool provider name (gcp), none (oci). Env: KUBEASSUME_AUDIENCE")
  String audience;

  @Option(names = "--ca-file", paramLabel = "FILE",
      description = "PEM CA certificate(s) trusted besides the public roots, for tests and private CAs. A chain valid "
          + "only through it is a warning: clouds trust public CAs. Env: KUBEASSUME_CA_FILE")
  String caFile;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "Report format. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OUTPUT")
  String output;

  @Option(names = "--gcp-provider", paramLabel = "NAME",
      description = "Also compare the uploaded JWKS of this GCP workload identity pool provider with the served keys "
          + "(a warning when it is stale): projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/"
          + "PROVIDER. Reads it with Application Default Credentials. Env: KUBEASSUME_GCP_PROVIDER")
  String gcpProvider;

  @Option(names = "--gcp-iam-endpoint", paramLabel = "URL", defaultValue = WorkloadIdentityIam.DEFAULT_ENDPOINT,
      description = "IAM API endpoint for --gcp-provider. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_GCP_IAM_ENDPOINT")
  String gcpIamEndpoint;

  /** Set by tests; null means Application Default Credentials. */
  GoogleCredentials gcpCredentials;

  @Override
  public Integer call() {
    IssuerUrl issuer;
    Set<Cloud> clouds;
    String tokenText;
    KeyStore cas;
    boolean json;
    MirrorLocation provider;
    URI iamEndpoint;
    try {
      issuer = issuer();
      clouds = clouds();
      tokenText = token();
      cas = caStore();
      json = json();
      provider = gcpProvider(clouds);
      iamEndpoint = provider == null ? null
          : new SetupFlags(spec).url("--gcp-iam-endpoint", gcpIamEndpoint, WorkloadIdentityIam.DEFAULT_ENDPOINT);
      if (audience != null && audience.isBlank()) {
        throw new ConfigException(flag("--audience"), "is empty; give the audience the token must carry, or leave it out");
      }
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("kubeassume verify: " + e.getMessage());
      err.flush();
      return ExitCodes.USAGE;
    }
    Report report;
    try {
      Verifier.Outcome outcome = new Verifier(cas, Clock.systemUTC()).inspect(issuer, clouds, tokenText,
          audience == null ? null : audience.strip());
      report = provider == null ? outcome.report() : withUploadCheck(outcome, provider, iamEndpoint);
    } catch (GeneralSecurityException e) {
      spec.commandLine().getErr().println("kubeassume verify: cannot set up TLS: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return ExitCodes.FAILURE;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? json(report) : text(report));
    out.flush();
    return report.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  /** The report plus {@code gcp.uploaded-jwks}: the provider read once (GET), compared with the served keys. */
  private Report withUploadCheck(Verifier.Outcome outcome, MirrorLocation provider, URI endpoint) {
    String name = provider.gcpProviderName();
    CheckResult check;
    try {
      JsonHttp.Response r = new WorkloadIdentityIam(new JsonHttp(CloudAuth.google(gcpCredentials)), endpoint.toString())
          .get(name);
      check = r.ok() ? GcpUploadRules.check(name, r.json() == null ? new JsonObject() : r.json(),
          outcome.evidence().jwksKeys())
          : GcpUploadRules.unreadable(name, "HTTP " + r.status() + " " + r.errorMessage());
    } catch (SetupException e) {
      check = GcpUploadRules.unreadable(name, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      check = GcpUploadRules.unreadable(name, "interrupted");
    }
    Report r = outcome.report();
    if (check == null) {
      return r;
    }
    List<CheckResult> results = new ArrayList<>(r.results());
    results.add(check);
    return new Report(r.issuer(), r.clouds(), results, r.discoveryTls(), r.jwksTls());
  }

  private MirrorLocation gcpProvider(Set<Cloud> clouds) throws ConfigException {
    String raw = SetupFlags.optional(gcpProvider);
    if (raw == null) {
      return null;
    }
    if (!clouds.contains(Cloud.GCP)) {
      throw new ConfigException(flag("--gcp-provider"), "is for the gcp rules; add gcp to --cloud or leave "
          + "--gcp-provider out");
    }
    try {
      return MirrorLocation.parse(raw.startsWith("gcp-wif://") ? raw : "gcp-wif://" + raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--gcp-provider"), "'" + raw + "' is not a provider name; use "
          + "projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER ("
          + e.getMessage().replaceFirst("^'[^']*' ", "") + ")");
    }
  }

  static String text(Report r) {
    StringBuilder b = new StringBuilder();
    b.append("kubeassume verify ").append(r.issuer()).append(" for ")
        .append(r.clouds().stream().map(Cloud::flag).collect(Collectors.joining(", "))).append('\n');
    for (CheckResult c : r.results()) {
      b.append(String.format("%-4s %-22s %s", c.status(), c.label(), c.message()));
      if (c.fix() != null) {
        b.append(" | fix: ").append(c.fix());
      }
      b.append('\n');
    }
    if (r.jwksTls() != null && r.jwksTls().chain() != null) {
      TlsObservation t = r.jwksTls();
      b.append("TLS chain of ").append(t.hostPort()).append(" (jwks_uri host): leaf \"").append(t.chain().leafSubject())
          .append("\", issuer \"").append(t.chain().leafIssuer()).append("\", AWS thumbprint ")
          .append(t.chain().awsThumbprint()).append(" of ").append(t.chain().topDescription()).append('\n');
    }
    b.append("Result: ").append(r.passed() ? "PASS" : "FAIL").append(" (").append(r.count(Status.FAIL)).append(" failed, ")
        .append(r.count(Status.WARN)).append(" warnings, ").append(r.count(Status.PASS)).append(" passed)\n");
    return b.toString();
  }

  static String json(Report r) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("issuer", r.issuer());
    root.put("clouds", r.clouds().stream().map(Cloud::flag).toList());
    root.put("result", r.passed() ? "pass" : "fail");
    Map<String, Object> counts = new LinkedHashMap<>();
    for (Status s : Status.values()) {
      counts.put(s.name().toLowerCase(java.util.Locale.ROOT), r.count(s));
    }
    root.put("counts", counts);
    List<Map<String, Object>> checks = new ArrayList<>();
    for (CheckResult c : r.results()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      if (c.cloud() != null) {
        m.put("cloud", c.cloud().flag());
      }
      m.put("status", c.status().name());
      m.put("message", c.message());
      if (c.fix() != null) {
        m.put("fix", c.fix());
      }
      checks.add(m);
    }
    root.put("checks", checks);
    Map<String, Object> tls = new LinkedHashMap<>();
    putTls(tls, "discovery", r.discoveryTls());
    putTls(tls, "jwks", r.jwksTls());
    root.put("tls", tls);
    return JSONObjectUtils.toJSONString(root) + "\n";
  }

  private static void putTls(Map<String, Object> tls, String name, TlsObservation o) {
    if (o == null) {
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", o.host());
    m.put("port", o.port());
    m.put("trust", o.trust().name());
    if (o.error() != null) {
      m.put("error", o.error());
    }
    if (o.chain() != null) {
      m.put("leafSubject", o.chain().leafSubject());
      m.put("leafIssuer", o.chain().leafIssuer());
      m.put("topSubject", o.chain().topSubject());
      m.put("thumbprintOf", o.chain().topIsLeaf() ? "leaf" : "intermediate");
      m.put("awsThumbprint", o.chain().awsThumbprint());
      m.put("certificates", o.chain().certificates().size());
    }
    tls.put(name, m);
  }

  private IssuerUrl issuer() throws ConfigException {
    if (issuerUrl == null || issuerUrl.isBlank()) {
      throw new ConfigException("--issuer-url", "is required: the issuer URL exactly as the cloud is told it "
          + "(e.g. --issuer-url https://oidc.example.com, or KUBEASSUME_ISSUER_URL)");
    }
    try {
      return IssuerUrl.parse(issuerUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--issuer-url"), e.getMessage());
    }
  }

  private Set<Cloud> clouds() throws ConfigException {
    Set<Cloud> chosen = EnumSet.noneOf(Cloud.class);
    for (String c : cloud.split(",")) {
      if (c.isBlank()) {
        continue;
      }
      try {
        chosen.add(Cloud.fromFlag(c));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(flag("--cloud"), e.getMessage());
      }
    }
    if (chosen.isEmpty()) {
      throw new ConfigException(flag("--cloud"), "names no cloud; use aws, gcp, azure or oci (comma-separated)");
    }
    return chosen;
  }

  private String token() throws ConfigException {
    if (token == null || token.isBlank()) {
      return null;
    }
    Path file = Path.of(token.strip());
    try {
      String t = Files.readString(file).strip();
      if (t.isEmpty()) {
        throw new ConfigException(flag("--token"), file + " is empty; write the token into it, e.g. "
            + "kubectl create token SA -n NS --audience sts.amazonaws.com > " + file);
      }
      return t;
    } catch (IOException e) {
      throw new ConfigException(flag("--token"), "cannot read " + file + " (" + e.getMessage()
          + "); name a file holding the token, e.g. /var/run/secrets/tokens/token");
    }
  }

  private KeyStore caStore() throws ConfigException {
    return caStore(caFile, flag("--ca-file"));
  }

  /** The CAs of a PEM file as a trust store, or null if no file is named; errors name {@code flag}. */
  static KeyStore caStore(String caFile, String flag) throws ConfigException {
    if (caFile == null || caFile.isBlank()) {
      return null;
    }
    Path file = Path.of(caFile.strip());
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConfigException(flag, file + " holds no certificate; give PEM CA certificate(s)");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      return store;
    } catch (IOException e) {
      throw new ConfigException(flag, "cannot read " + file + " (" + e.getMessage() + ")");
    } catch (CertificateException e) {
      throw new ConfigException(flag, file + " is not PEM certificates (" + e.getMessage()
          + "); give the CA certificate(s) in PEM");
    } catch (GeneralSecurityException e) {
      throw new ConfigException(flag, "cannot load " + file + ": " + e.getMessage());
    }
  }

  private boolean json() throws ConfigException {
    return switch (output.strip()) {
      case "text" -> false;
      case "json" -> true;
      default -> throw new ConfigException(flag("--output"), "'" + output + "' is not a format; use text or json");
    };
  }

  /** The flag's name, plus the environment variable if that is where the bad value came from. */
  private String flag(String name) {
    boolean onCommandLine = spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(name);
    if (!onCommandLine && spec.commandLine().getDefaultValueProvider() instanceof EnvironmentDefaults env) {
      String variable = env.suppliedBy(name);
      return variable == null ? name : name + " (from " + variable + ")";
    }
    return name;
  }
}
