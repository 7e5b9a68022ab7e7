package io.kubeassume.status;

import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.aws.AwsProvider;
import io.kubeassume.setup.aws.IamGateway;
import io.kubeassume.setup.azure.AzureCredential;
import io.kubeassume.setup.azure.AzureSetup;
import io.kubeassume.setup.gcp.GcpSetup;
import io.kubeassume.setup.oci.OciSetup;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Reads one cloud's trust in the issuer through setup's gateways (reads only: GET, iam:List*, iam:Get*) and
 * judges it with the pure rules. A missing credential or permission becomes one FAIL line naming it, so the
 * other clouds are still reported.
 */
public interface TrustProbe {
  Cloud cloud();

  List<CheckResult> check(IssuerFacts facts) throws SetupException;

  /** Runs the probe; an access problem is one {@code CLOUD.access} failure. */
  default List<CheckResult> run(IssuerFacts facts) {
    try {
      return check(facts);
    } catch (SetupException e) {
      return List.of(CheckResult.fail(cloud().flag() + ".access", e.getMessage(), accessFix(cloud())).forCloud(cloud()));
    }
  }

  /** What status needs to read, per cloud. */
  static String accessFix(Cloud cloud) {
    return switch (cloud) {
      case AWS -> "give the identity in use iam:ListOpenIDConnectProviders and iam:GetOpenIDConnectProvider "
          + "(status only reads)";
      case GCP -> "give the identity in use roles/iam.workloadIdentityPoolViewer on the project (status only reads)";
      case AZURE -> "give the identity in use role Reader on the managed identity (status only reads)";
      case OCI -> "use a user with the Identity Domain Administrator or Security Administrator role in the domain";
    };
  }

  static TrustProbe aws(IamGateway iam) {
    return new TrustProbe() {
      @Override
      public Cloud cloud() {
        return Cloud.AWS;
      }

      @Override
      public List<CheckResult> check(IssuerFacts f) throws SetupException {
        Optional<String> arn = iam.findProviderArn(f.issuer());
        Optional<AwsProvider> provider = arn.isEmpty() ? Optional.empty() : Optional.of(iam.getProvider(arn.get()));
        return AwsTrust.evaluate(provider, f);
      }
    };
  }

  static TrustProbe gcp(GcpSetup iam, GcpTarget t) {
    return new TrustProbe() {
      @Override
      public Cloud cloud() {
        return Cloud.GCP;
      }

      @Override
      public List<CheckResult> check(IssuerFacts f) throws SetupException {
        Optional<JsonObject> pool = iam.readPool(t.project(), t.pool());
        Optional<JsonObject> provider = pool.isEmpty() ? Optional.empty()
            : iam.readProvider(t.project(), t.pool(), t.provider());
        return GcpTrust.evaluate(t, pool, provider, f);
      }
    };
  }

  static TrustProbe azure(AzureSetup arm, AzureTarget t) {
    return new TrustProbe() {
      @Override
      public Cloud cloud() {
        return Cloud.AZURE;
      }

      @Override
      public List<CheckResult> check(IssuerFacts f) throws SetupException {
        Optional<JsonObject> identity = arm.readIdentity(t.subscription(), t.resourceGroup(), t.identity());
        List<AzureCredential> credentials = identity.isEmpty() ? List.of()
            : arm.readCredentials(t.subscription(), t.resourceGroup(), t.identity());
        return AzureTrust.evaluate(t, identity, credentials, f);
      }
    };
  }

  static TrustProbe oci(OciSetup domain, String domainUrl) {
    return new TrustProbe() {
      @Override
      public Cloud cloud() {
        return Cloud.OCI;
      }

      @Override
      public List<CheckResult> check(IssuerFacts f) throws SetupException {
        return OciTrust.evaluate(domainUrl, domain.readTrusts(f.issuer()), f);
      }
    };
  }
}
