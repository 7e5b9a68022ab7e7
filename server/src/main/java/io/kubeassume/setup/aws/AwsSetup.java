package io.kubeassume.setup.aws;

import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code setup aws}: the provider, then (with --role-name) the role. Each step is planned by
 * {@link AwsPlanner} and printed before it is sent; with --dry-run nothing is read or sent, and the
 * plan is the one for an account where neither exists yet.
 */
public final class AwsSetup {
  private final IamGateway iam;
  private final SetupOutput out;

  /** {@code iam} is null for a dry run. */
  public AwsSetup(IamGateway iam, SetupOutput out) {
    this.iam = iam;
    this.out = out;
  }

  public void run(AwsRequest req) throws SetupException {
    String arn = provider(req);
    out.result("provider ARN", arn);
    if (!req.hasSubject()) {
      out.note("add --namespace and --service-account to print (or, with --role-name, apply) a role trust policy");
      return;
    }
    JsonObject policy = TrustPolicy.document(arn, req.issuerUrl(), req.audiences(), req.namespace(),
        req.serviceAccount());
    if (req.roleName() != null) {
      role(req.roleName(), policy);
      out.result("role ARN", roleArn(arn, req.roleName()));
    }
    out.block("Role trust policy (" + TrustPolicy.subject(req.namespace(), req.serviceAccount()) + "):",
        policy.encodePrettily());
    out.block("In the pod (projected token with audience " + req.audiences().get(0) + "):", String.join("\n",
        "AWS_ROLE_ARN=" + roleArn(arn, req.roleName() == null ? "ROLE_NAME" : req.roleName()),
        "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/aws/token"));
  }

  private String provider(AwsRequest req) throws SetupException {
    out.call(AwsPlanner.LIST_PROVIDERS);
    Optional<AwsProvider> existing = Optional.empty();
    if (out.dryRun()) {
      out.note("if " + TrustPolicy.providerHost(req.issuerUrl()) + " already has a provider, a real run reads it "
          + "(iam:GetOpenIDConnectProvider) and only adds missing audiences and thumbprints");
    } else {
      Optional<String> found = iam.findProviderArn(req.issuerUrl());
      if (found.isPresent()) {
        out.call(AwsPlanner.getProvider(found.get()));
        existing = Optional.of(iam.getProvider(found.get()));
      }
    }
    List<AwsChange> changes = AwsPlanner.providerChanges(req.issuerUrl(), req.audiences(), req.thumbprints(), existing);
    String arn = existing.map(AwsProvider::arn)
        .orElse(AwsPlanner.providerArn("aws", "ACCOUNT_ID", req.issuerUrl()));
    if (changes.isEmpty()) {
      out.note("provider is up to date");
    }
    for (AwsChange change : changes) {
      out.call(change.call());
      if (!out.dryRun()) {
        String created = iam.apply(change);
        if (created != null) {
          arn = created;
        }
      }
    }
    return arn;
  }

  private void role(String roleName, JsonObject policy) throws SetupException {
    out.call(AwsPlanner.getRole(roleName));
    Optional<JsonObject> existing = Optional.empty();
    if (out.dryRun()) {
      out.note("if role " + roleName + " exists, a real run updates its trust policy instead (iam:UpdateAssumeRolePolicy)");
    } else {
      existing = iam.rolePolicy(roleName);
    }
    Optional<AwsChange> change = AwsPlanner.roleChange(roleName, policy, existing);
    if (change.isEmpty()) {
      out.note("role " + roleName + " already trusts this service account");
      return;
    }
    out.call(change.get().call());
    if (!out.dryRun()) {
      iam.apply(change.get());
    }
  }

  /** arn:PARTITION:iam::ACCOUNT:role/NAME, from the provider's ARN. */
  static String roleArn(String providerArn, String roleName) {
    String[] parts = providerArn.split(":", 6);
    return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + roleName;
  }
}
