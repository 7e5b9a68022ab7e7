package io.kubeassume.fleet.kubernetes;

import io.kubeassume.merge.MergeState;
import io.kubeassume.fleet.Fleet;
import io.kubeassume.server.SyncHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OIDCIssuer's status conditions, pure: Ready, SourceReachable, IssuerMatches and Published, each
 * with a reason and a message that names the fix. A condition keeps its lastTransitionTime while its
 * status stays; {@link #sameAs} ignores times, so the leader writes only when something changed.
 */
public final class IssuerConditions {
  /** What the leader knows of one issuer. */
  public record Facts(Fleet.Problem problem, MergeState served, SyncHealth.Report health, boolean issuerMismatch,
      boolean checksIssuer, MirrorFacts mirrors, long generation) {}

  /** @param failing the first failing mirror's error, or null; pending: mirrors that have not published yet */
  public record MirrorFacts(int targets, String failing, int pending) {
    public static final MirrorFacts NONE = new MirrorFacts(0, null, 0);

    /** What a pipeline's mirrors say: why they did not start, or each target's last publish. */
    public static MirrorFacts of(io.kubeassume.fleet.IssuerPipeline p) {
      if (p.mirrorTargets() == 0) {
        return NONE;
      }
      if (p.mirrorError() != null) {
        return new MirrorFacts(p.mirrorTargets(), p.mirrorError(), 0);
      }
      String failing = null;
      int pending = 0;
      for (io.kubeassume.mirror.TargetStatus t : p.mirrorStatus()) {
        if (t.lastResult() == null) {
          pending++;
        } else if (t.consecutiveFailures() > 0 && failing == null) {
          failing = t.target() + ": " + t.lastError();
        }
      }
      int known = p.mirrorStatus().size();
      return new MirrorFacts(p.mirrorTargets(), failing, pending + Math.max(0, p.mirrorTargets() - known));
    }
  }

  private IssuerConditions() {}

  /** The conditions for {@code facts}, carrying each one's transition time over from {@code previous} if its status holds. */
  public static List<Map<String, Object>> of(Facts facts, List<?> previous, Instant now) {
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(ready(facts));
    out.add(source(facts));
    out.add(issuer(facts));
    out.add(published(facts));
    for (Map<String, Object> c : out) {
      c.put("observedGeneration", facts.generation());
      Map<?, ?> before = find(previous, (String) c.get("type"));
      c.put("lastTransitionTime", before != null && Objects.equals(before.get("status"), c.get("status"))
          && before.get("lastTransitionTime") != null ? before.get("lastTransitionTime") : now.toString());
    }
    return out;
  }

  /** Same conditions, times aside. */
  public static boolean sameAs(List<Map<String, Object>> next, List<?> previous) {
    if (previous == null || previous.size() != next.size()) {
      return false;
    }
    for (Map<String, Object> c : next) {
      Map<?, ?> before = find(previous, (String) c.get("type"));
      if (before == null) {
        return false;
      }
      for (String field : List.of("status", "reason", "message", "observedGeneration")) {
        if (!Objects.equals(String.valueOf(c.get(field)), String.valueOf(before.get(field)))) {
          return false;
        }
      }
    }
    return true;
  }

  private static Map<String, Object> ready(Facts f) {
    if (f.problem() != null) {
      return condition("Ready", "False", f.problem().reason(), f.problem().message());
    }
    if (f.served() != null && !f.served().keys().isEmpty()) {
      return condition("Ready", "True", "Serving", "serving revision " + f.served().revision() + " with "
          + f.served().keys().size() + " key(s)");
    }
    String error = f.health() == null ? null : f.health().failing();
    return condition("Ready", "False", "NoValidKeys", error != null ? "nothing served yet: " + error
        : "nothing served yet: the first key sync is pending");
  }

  private static Map<String, Object> source(Facts f) {
    if (f.problem() != null) {
      return condition("SourceReachable", "Unknown", "NotRead", "the source is not read while the issuer cannot be served");
    }
    SyncHealth.Report h = f.health();
    if (h == null || (h.failing() == null && h.lastSuccess() == null)) {
      return condition("SourceReachable", "Unknown", "Pending", "the first key sync is pending");
    }
    if (h.failing() != null && !f.issuerMismatch()) {
      return condition("SourceReachable", "False", "SourceError", h.failing());
    }
    return condition("SourceReachable", "True", "Read", "the source's keys were read");
  }

  private static Map<String, Object> issuer(Facts f) {
    if (!f.checksIssuer()) {
      return condition("IssuerMatches", "True", "NotApplicable", "a secret source has no issuer of its own to check");
    }
    if (f.issuerMismatch() && f.health() != null && f.health().failing() != null) {
      return condition("IssuerMatches", "False", "IssuerMismatch", f.health().failing());
    }
    if (f.health() == null || f.health().lastSuccess() == null) {
      return condition("IssuerMatches", "Unknown", "Pending", "the API server's issuer has not been read yet");
    }
    return condition("IssuerMatches", "True", "Matches", "the API server's issuer is spec.issuerURL");
  }

  private static Map<String, Object> published(Facts f) {
    MirrorFacts m = f.mirrors();
    if (m.targets() == 0) {
      return condition("Published", "True", "NoMirrors", "no mirrors are configured; the documents are served directly");
    }
    if (m.failing() != null) {
      return condition("Published", "False", "MirrorError", m.failing());
    }
    if (m.pending() > 0) {
      return condition("Published", "Unknown", "Pending", m.pending() + " of " + m.targets() + " mirror(s) not yet published");
    }
    return condition("Published", "True", "Published", "every mirror holds the served revision");
  }

  private static Map<String, Object> condition(String type, String status, String reason, String message) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", status);
    c.put("reason", reason);
    c.put("message", message);
    return c;
  }

  private static Map<?, ?> find(List<?> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    for (Object o : conditions) {
      if (o instanceof Map<?, ?> m && type.equals(m.get("type"))) {
        return m;
      }
    }
    return null;
  }
}
