package io.kubeassume.setup.aws;

import io.kubeassume.setup.SetupException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetOpenIdConnectProviderResponse;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.OpenIDConnectProviderListEntry;

/** The IAM calls of {@code setup aws}, through the AWS SDK; every failure becomes one line naming the cause. */
public final class IamGateway {
  private final IamClient iam;

  public IamGateway(IamClient iam) {
    this.iam = iam;
  }

  public Optional<String> findProviderArn(String issuerUrl) throws SetupException {
    return call("iam:ListOpenIDConnectProviders", () -> iam.listOpenIDConnectProviders().openIDConnectProviderList()
        .stream().map(OpenIDConnectProviderListEntry::arn).filter(arn -> AwsPlanner.namesIssuer(arn, issuerUrl))
        .findFirst());
  }

  public AwsProvider getProvider(String arn) throws SetupException {
    GetOpenIdConnectProviderResponse r = call("iam:GetOpenIDConnectProvider",
        () -> iam.getOpenIDConnectProvider(b -> b.openIDConnectProviderArn(arn)));
    return new AwsProvider(arn, r.clientIDList(), r.thumbprintList());
  }

  /** The role's trust policy, or empty if the role does not exist. */
  public Optional<JsonObject> rolePolicy(String roleName) throws SetupException {
    String encoded = call("iam:GetRole", () -> {
      try {
        return iam.getRole(b -> b.roleName(roleName)).role().assumeRolePolicyDocument();
      } catch (NoSuchEntityException e) {
        return null;
      }
    });
    if (encoded == null) {
      return Optional.empty();
    }
    // IAM returns the document URL-encoded.
    String json = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    try {
      return Optional.of(new JsonObject(json));
    } catch (DecodeException e) {
      throw new SetupException("role " + roleName + " has a trust policy that is not JSON: " + e.getMessage());
    }
  }

  /** Makes one change; returns the provider ARN for a created provider, else null. */
  public String apply(AwsChange change) throws SetupException {
    String op = change.call().method();
    return call(op, () -> {
      if (change instanceof AwsChange.CreateProvider c) {
        return iam.createOpenIDConnectProvider(b -> b.url(c.url()).clientIDList(c.clientIds())
            .thumbprintList(c.thumbprints())).openIDConnectProviderArn();
      } else if (change instanceof AwsChange.AddClientId c) {
        iam.addClientIDToOpenIDConnectProvider(b -> b.openIDConnectProviderArn(c.providerArn()).clientID(c.clientId()));
      } else if (change instanceof AwsChange.UpdateThumbprints c) {
        iam.updateOpenIDConnectProviderThumbprint(b -> b.openIDConnectProviderArn(c.providerArn())
            .thumbprintList(c.thumbprints()));
      } else if (change instanceof AwsChange.CreateRole c) {
        iam.createRole(b -> b.roleName(c.roleName()).assumeRolePolicyDocument(c.policy().encode())
            .description("Assumed by Kubernetes service-account tokens through kubeassume"));
      } else if (change instanceof AwsChange.UpdateRolePolicy c) {
        iam.updateAssumeRolePolicy(b -> b.roleName(c.roleName()).policyDocument(c.policy().encode()));
      }
      return null;
    });
  }

  private interface IamCall<T> {
    T run();
  }

  private static <T> T call(String operation, IamCall<T> c) throws SetupException {
    try {
      return c.run();
    } catch (IamException e) {
      throw new SetupException(describe(operation, e.statusCode(), errorCode(e), message(e)), e);
    } catch (SdkClientException e) {
      throw new SetupException(clientProblem(operation, e.getMessage()), e);
    }
  }

  static String describe(String operation, int status, String code, String message) {
    if (status == 403 || "AccessDenied".equals(code) || "AccessDeniedException".equals(code)) {
      return "AWS denied " + operation + ": the caller lacks the permission " + operation
          + " (grant it to the identity in use, see docs/setup-aws.md): " + message;
    }
    if ("InvalidClientTokenId".equals(code) || "SignatureDoesNotMatch".equals(code) || "ExpiredToken".equals(code)) {
      return "AWS rejected the credentials for " + operation + " (" + code + "): refresh them (aws sso login, "
          + "or new AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN)";
    }
    if ("LimitExceeded".equals(code)) {
      return operation + " hit an IAM limit (" + message + "): 100 OIDC providers per account by default, "
          + "5 thumbprints and 100 audiences per provider";
    }
    return operation + " failed: " + (code == null ? "HTTP " + status : code) + ": " + message;
  }

  static String clientProblem(String operation, String message) {
    String m = message == null ? "" : message;
    if (m.contains("Unable to load credentials")) {
      return "no AWS credentials found for " + operation + ": set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
          + "AWS_SECRET_ACCESS_KEY, or run where an instance or pod role is available";
    }
    return operation + " could not reach IAM: " + m;
  }

  private static String errorCode(IamException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String message(IamException e) {
    return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
        ? e.awsErrorDetails().errorMessage() : e.getMessage();
  }
}
