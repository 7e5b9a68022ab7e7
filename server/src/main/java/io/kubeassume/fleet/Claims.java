package io.kubeassume.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may serve which issuer URL, pure. An issuer outside every {@code --issuer-url-prefix} (when
 * any is given) is refused; of several issuers claiming the same host and path, the oldest keeps
 * it (then the smaller id) and the others are in conflict. One issuer's claim never disturbs an
 * issuer that claims something else.
 */
public final class Claims {
  /** The outcome for one issuer. */
  public sealed interface Verdict permits Granted, NotAllowed, Conflict {}

  public record Granted() implements Verdict {}

  /** The issuer URL is under none of the allowed prefixes. */
  public record NotAllowed(List<String> prefixes) implements Verdict {}

  /** Another, older issuer serves this URL. */
  public record Conflict(String heldBy) implements Verdict {}

  private static final Comparator<IssuerSpec> OLDEST_FIRST =
      Comparator.comparing(IssuerSpec::created).thenComparing(IssuerSpec::id);

  private Claims() {}

  /** A verdict for every spec, in the order given. */
  public static Map<String, Verdict> decide(List<IssuerSpec> specs, List<String> allowedPrefixes) {
    Map<String, Verdict> out = new LinkedHashMap<>();
    Map<String, List<IssuerSpec>> byUrl = new HashMap<>();
    for (IssuerSpec s : specs) {
      if (!allowedPrefixes.isEmpty() && allowedPrefixes.stream().noneMatch(p -> s.issuer().isUnder(p))) {
        out.put(s.id(), new NotAllowed(List.copyOf(allowedPrefixes)));
        continue;
      }
      byUrl.computeIfAbsent(routeKey(s), k -> new ArrayList<>()).add(s);
    }
    for (List<IssuerSpec> claimants : byUrl.values()) {
      claimants.sort(OLDEST_FIRST);
      IssuerSpec holder = claimants.get(0);
      out.put(holder.id(), new Granted());
      for (IssuerSpec other : claimants.subList(1, claimants.size())) {
        out.put(other.id(), new Conflict(holder.id()));
      }
    }
    Map<String, Verdict> ordered = new LinkedHashMap<>();
    for (IssuerSpec s : specs) {
      ordered.put(s.id(), out.get(s.id()));
    }
    return ordered;
  }

  /** What the public port routes by: the host and the path (two issuers there could not both be served). */
  static String routeKey(IssuerSpec s) {
    return s.issuer().host() + s.issuer().pathPrefix();
  }
}
