package io.kubeassume.setup;

/**
 * One request a setup makes, as printed by {@code --dry-run} and before a real run sends it:
 * the method (an HTTP verb, or an SDK operation such as {@code iam:CreateOpenIDConnectProvider}),
 * the target (URL or resource) and the body (JSON, or empty).
 */
public record Call(String method, String target, String body) {
  public Call {
    target = target == null ? "" : target;
    body = body == null ? "" : body;
  }

  /** True for calls that change something; reads are printed but never counted as changes. */
  public boolean isRead() {
    return method.equals("GET") || method.startsWith("iam:Get") || method.startsWith("iam:List");
  }

  public String render() {
    StringBuilder b = new StringBuilder(method);
    if (!target.isEmpty()) {
      b.append(' ').append(target);
    }
    if (!body.isEmpty()) {
      b.append(' ').append(body);
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
