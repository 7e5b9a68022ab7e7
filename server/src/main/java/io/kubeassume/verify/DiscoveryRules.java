package io.kubeassume.verify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Rules about the discovery document: reachable, JSON, the exact issuer, the five fields, an https jwks_uri. */
final class DiscoveryRules {
  static final List<String> REQUIRED = List.of("issuer", "jwks_uri", "response_types_supported",
      "subject_types_supported", "id_token_signing_alg_values_supported");
  private static final String SERVE_ALL_FIELDS = "serve a JSON document with all five fields: issuer, jwks_uri, response_types_supported "
      + "([\"id_token\"]), subject_types_supported ([\"public\"]) and id_token_signing_alg_values_supported, as the "
      + "API server and kubeassume serve do";

  private DiscoveryRules() {}

  static List<CheckResult> check(Evidence e) {
    List<CheckResult> out = new ArrayList<>();
    out.add(FetchRules.check("discovery.fetch", "discovery document", e.discovery()));
    if (!e.discovery().ok()) {
      return out;
    }
    Map<String, Object> doc = e.discoveryJson();
    if (doc == null) {
      out.add(CheckResult.fail("discovery.json", "the discovery document is not a JSON object: "
          + Evidence.objectError(e.discovery().text()), SERVE_ALL_FIELDS));
      return out;
    }
    out.add(CheckResult.pass("discovery.json", "the discovery document is a JSON object"));
    out.add(fields(doc));
    out.add(issuer(e.issuer(), doc));
    out.add(jwksUri(doc));
    return out;
  }

  static CheckResult fields(Map<String, Object> doc) {
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (String field : REQUIRED) {
      Object v = doc.get(field);
      if (v == null) {
        missing.add(field);
      } else if (field.endsWith("_supported") ? !isStringList(v) : !(v instanceof String s && !s.isEmpty())) {
        wrong.add(field + (field.endsWith("_supported") ? " (must be a non-empty array of strings)" : " (must be a string)"));
      }
    }
    if (missing.isEmpty() && wrong.isEmpty()) {
      return CheckResult.pass("discovery.fields", "all five required fields are present");
    }
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) {
      problems.add("missing " + String.join(", ", missing));
    }
    if (!wrong.isEmpty()) {
      problems.add("wrong type: " + String.join(", ", wrong));
    }
    return CheckResult.fail("discovery.fields", String.join("; ", problems), SERVE_ALL_FIELDS);
  }

  private static boolean isStringList(Object v) {
    return v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof String);
  }

  static CheckResult issuer(String configured, Map<String, Object> doc) {
    if (!(doc.get("issuer") instanceof String found)) {
      return CheckResult.fail("discovery.issuer", "the document has no issuer string to compare with " + configured,
          IssuerRules.SAME_EVERYWHERE);
    }
    if (found.equals(configured)) {
      return CheckResult.pass("discovery.issuer", "issuer is exactly " + configured);
    }
    return CheckResult.fail("discovery.issuer", "the document says issuer \"" + found + "\" but the URL is \""
        + configured + "\"" + difference(found, configured), IssuerRules.SAME_EVERYWHERE);
  }

  /** Names the usual culprit, so the user need not diff two URLs by eye. */
  static String difference(String found, String configured) {
    if (strip(found).equals(strip(configured))) {
      return ": they differ only by a trailing slash, and clouds compare byte for byte";
    }
    if (found.equalsIgnoreCase(configured)) {
      return ": they differ only in letter case, and clouds compare byte for byte";
    }
    try {
      URI a = new URI(found);
      URI b = new URI(configured);
      if (a.getPort() != b.getPort()) {
        return ": the ports differ";
      }
      if (a.getHost() != null && !a.getHost().equals(b.getHost())) {
        return ": the hosts differ";
      }
      if (!String.valueOf(a.getScheme()).equals(b.getScheme())) {
        return ": the schemes differ";
      }
      return ": the paths differ";
    } catch (URISyntaxException e) {
      return "";
    }
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  static CheckResult jwksUri(Map<String, Object> doc) {
    if (!(doc.get("jwks_uri") instanceof String raw)) {
      return CheckResult.fail("discovery.jwks-uri", "the document has no jwks_uri string", SERVE_ALL_FIELDS);
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      return CheckResult.fail("discovery.jwks-uri", "jwks_uri '" + raw + "' is not a URL (" + e.getReason() + ")",
          "set jwks_uri to the public https URL of the JWKS, e.g. <issuer>/openid/v1/jwks");
    }
    if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
      return CheckResult.pass("discovery.jwks-uri", "jwks_uri " + raw + " uses https");
    }
    return CheckResult.fail("discovery.jwks-uri", "jwks_uri " + raw + " is not an https URL; cloud IAM fetches keys over https only",
        "publish jwks_uri as https: leave the API server's --service-account-jwks-uri unset (it then is "
            + "<issuer>/openid/v1/jwks) or set it to an https URL");
  }
}
