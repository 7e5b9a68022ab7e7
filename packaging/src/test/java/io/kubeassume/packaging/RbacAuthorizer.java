package io.kubeassume.packaging;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' RBAC rule matching for one service account's Role (in one namespace) and
 * ClusterRole, enough to decide the chart's grants: apiGroups, resources, resourceNames and verbs
 * for resource requests; nonResourceURLs (exact, or a trailing *) for the rest. Pure logic.
 */
final class RbacAuthorizer {
  /** One thing a rule grants: "verb group/resource/name" (name * when the rule names none) or "verb URL". */
  record Grant(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private final String roleNamespace;
  private final List<PolicyRule> roleRules;
  private final List<PolicyRule> clusterRules;

  RbacAuthorizer(String roleNamespace, List<PolicyRule> roleRules, List<PolicyRule> clusterRules) {
    this.roleNamespace = roleNamespace;
    this.roleRules = roleRules;
    this.clusterRules = clusterRules;
  }

  /** The grant that allows this access, if any. */
  Optional<Grant> allows(ApiAccess a) {
    List<PolicyRule> rules = new ArrayList<>(clusterRules);
    if (a.isResource() && roleNamespace.equals(a.namespace())) {
      rules.addAll(roleRules);
    }
    for (PolicyRule r : rules) {
      Optional<Grant> g = a.isResource() ? resourceGrant(r, a) : nonResourceGrant(r, a);
      if (g.isPresent()) {
        return g;
      }
    }
    return Optional.empty();
  }

  /** Everything the rules grant, one entry per verb and name. */
  Set<Grant> grants() {
    Set<Grant> out = new LinkedHashSet<>();
    List<PolicyRule> all = new ArrayList<>(roleRules);
    all.addAll(clusterRules);
    for (PolicyRule r : all) {
      for (String verb : r.getVerbs()) {
        if (!empty(r.getNonResourceURLs())) {
          r.getNonResourceURLs().forEach(url -> out.add(new Grant(verb + " " + url)));
          continue;
        }
        for (String group : r.getApiGroups()) {
          for (String resource : r.getResources()) {
            if (empty(r.getResourceNames())) {
              out.add(grant(verb, group, resource, "*"));
            } else {
              r.getResourceNames().forEach(n -> out.add(grant(verb, group, resource, n)));
            }
          }
        }
      }
    }
    return out;
  }

  private static Optional<Grant> resourceGrant(PolicyRule r, ApiAccess a) {
    if (empty(r.getResources()) || !matches(r.getVerbs(), a.verb()) || !matches(r.getApiGroups(), a.apiGroup())
        || !matches(r.getResources(), a.resource())) {
      return Optional.empty();
    }
    if (empty(r.getResourceNames())) {
      return Optional.of(grant(a.verb(), a.apiGroup(), a.resource(), "*"));
    }
    // A rule with names never matches a request without one (create, an unfiltered list or watch).
    if (a.name() != null && r.getResourceNames().contains(a.name())) {
      return Optional.of(grant(a.verb(), a.apiGroup(), a.resource(), a.name()));
    }
    return Optional.empty();
  }

  private static Optional<Grant> nonResourceGrant(PolicyRule r, ApiAccess a) {
    if (empty(r.getNonResourceURLs()) || !matches(r.getVerbs(), a.verb())) {
      return Optional.empty();
    }
    for (String url : r.getNonResourceURLs()) {
      boolean match = url.equals("*") || url.equals(a.nonResourcePath())
          || (url.endsWith("*") && a.nonResourcePath().startsWith(url.substring(0, url.length() - 1)));
      if (match) {
        return Optional.of(new Grant(a.verb() + " " + url));
      }
    }
    return Optional.empty();
  }

  private static Grant grant(String verb, String group, String resource, String name) {
    return new Grant(verb + " " + (group.isEmpty() ? "" : group + "/") + resource + "/" + name);
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  private static boolean empty(List<String> list) {
    return list == null || list.isEmpty();
  }
}
