package io.kubeassume.status;

import io.kubeassume.setup.aws.AwsProvider;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pure: the AWS IAM OIDC provider as IAM reported it, judged against the issuer. */
public final class AwsTrust {
  static final String STS_AUDIENCE = "sts.amazonaws.com";

  private AwsTrust() {}

  public static List<CheckResult> evaluate(Optional<AwsProvider> found, IssuerFacts f) {
    String setup = "kubeassume setup aws --issuer-url " + f.issuer();
    List<CheckResult> out = new ArrayList<>();
    if (found.isEmpty()) {
      out.add(CheckResult.fail("aws.provider", "this account has no IAM OIDC provider for " + f.issuer()
          + ", so STS refuses every token from it", setup));
      return tag(out);
    }
    AwsProvider p = found.get();
    out.add(CheckResult.pass("aws.provider", p.arn()));
    if (p.clientIds().isEmpty()) {
      out.add(CheckResult.fail("aws.audiences", "the provider accepts no audience, so every token is refused",
          setup + " --audience " + STS_AUDIENCE));
    } else if (p.clientIds().contains(STS_AUDIENCE)) {
      out.add(CheckResult.pass("aws.audiences", "accepts " + String.join(", ", p.clientIds())));
    } else {
      out.add(CheckResult.warn("aws.audiences", "accepts " + String.join(", ", p.clientIds()) + " but not "
          + STS_AUDIENCE + ", the audience the AWS SDKs' web-identity setups usually request",
          "if pods request audience " + STS_AUDIENCE + ": " + setup + " (adds it)"));
    }
    out.add(thumbprint(p, f, setup));
    return tag(out);
  }

  private static CheckResult thumbprint(AwsProvider p, IssuerFacts f, String setup) {
    String registered = p.thumbprints().isEmpty() ? "none" : String.join(", ", p.thumbprints());
    String note = "; AWS ignores thumbprints when the issuer's certificate chains to a CA it trusts (public CAs, "
        + "since July 2023) and uses them otherwise";
    if (f.awsThumbprint() == null) {
      return CheckResult.warn("aws.thumbprint", "the issuer's TLS chain could not be read, so its thumbprint is unknown "
          + "(registered: " + registered + ")" + note, "make the issuer reachable over https (see the verify failures)");
    }
    if (p.thumbprints().contains(f.awsThumbprint())) {
      return CheckResult.pass("aws.thumbprint", "registered thumbprints include the current chain's "
          + f.awsThumbprint());
    }
    return CheckResult.warn("aws.thumbprint", "registered thumbprints (" + registered + ") lack the current chain's "
        + f.awsThumbprint() + note, setup + " (adds the current thumbprint, keeps the others)");
  }

  private static List<CheckResult> tag(List<CheckResult> results) {
    return results.stream().map(r -> r.forCloud(Cloud.AWS)).toList();
  }
}
