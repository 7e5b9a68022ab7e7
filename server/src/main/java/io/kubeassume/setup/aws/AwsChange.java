package io.kubeassume.setup.aws;

import io.kubeassume.setup.Call;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One IAM write a setup makes; {@link #call()} is how it is printed, with the request's own parameter names. */
public sealed interface AwsChange {
  Call call();

  record CreateProvider(String url, List<String> clientIds, List<String> thumbprints) implements AwsChange {
    @Override
    public Call call() {
      JsonObject p = new JsonObject().put("Url", url).put("ClientIDList", new JsonArray(List.copyOf(clientIds)));
      if (!thumbprints.isEmpty()) {
        p.put("ThumbprintList", new JsonArray(List.copyOf(thumbprints)));
      }
      return new Call("iam:CreateOpenIDConnectProvider", "", p.encode());
    }
  }

  record AddClientId(String providerArn, String clientId) implements AwsChange {
    @Override
    public Call call() {
      return new Call("iam:AddClientIDToOpenIDConnectProvider", "",
          new JsonObject().put("OpenIDConnectProviderArn", providerArn).put("ClientID", clientId).encode());
    }
  }

  record UpdateThumbprints(String providerArn, List<String> thumbprints) implements AwsChange {
    @Override
    public Call call() {
      return new Call("iam:UpdateOpenIDConnectProviderThumbprint", "", new JsonObject()
          .put("OpenIDConnectProviderArn", providerArn)
          .put("ThumbprintList", new JsonArray(List.copyOf(thumbprints))).encode());
    }
  }

  record CreateRole(String roleName, JsonObject policy) implements AwsChange {
    @Override
    public Call call() {
      return new Call("iam:CreateRole", "", new JsonObject().put("RoleName", roleName)
          .put("AssumeRolePolicyDocument", policy.encode()).encode());
    }
  }

  record UpdateRolePolicy(String roleName, JsonObject policy) implements AwsChange {
    @Override
    public Call call() {
      return new Call("iam:UpdateAssumeRolePolicy", "", new JsonObject().put("RoleName", roleName)
          .put("PolicyDocument", policy.encode()).encode());
    }
  }
}
