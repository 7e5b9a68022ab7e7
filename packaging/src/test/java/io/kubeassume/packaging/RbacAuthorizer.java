package io.kubeassume.packaging;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' RBAC rule matching for one service account's Roles (each in its namespace) and
 * ClusterRoles, enough to decide the chart's grants: apiGroups, resources, resourceNames and verbs
 * for resource requests; nonResourceURLs (exact, or a trailing *) for the rest. Pure logic.
 */
final class RbacAuthorizer {
  /**
   * One thing a rule grants: "verb group/resource/name" (name * when the rule names none), plus
   * " in NAMESPACE" for a Role's rule, or "verb URL".
   */
  record Grant(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private final Map<String, List<PolicyRule>> roleRules;
  private final List<PolicyRule> clusterRules;

  RbacAuthorizer(String roleNamespace, List<PolicyRule> roleRules, List<PolicyRule> clusterRules) {
    this(Map.of(roleNamespace, roleRules), clusterRules);
  }

  /** @param roleRules the rules of the Roles bound in each namespace */
  RbacAuthorizer(Map<String, List<PolicyRule>> roleRules, List<PolicyRule> clusterRules) {
    this.roleRules = roleRules;
    this.clusterRules = clusterRules;
  }

  /**
   * What the rendered chart grants service account {@code namespace/name}: the Role of every
   * RoleBinding and the ClusterRole of every ClusterRoleBinding naming it (a binding whose role the
   * chart does not render grants nothing, as a dangling binding does in a cluster).
   */
  static RbacAuthorizer forServiceAccount(Rendered chart, String namespace, String name) {
    Map<String, List<PolicyRule>> roles = new LinkedHashMap<>();
    for (RoleBinding b : chart.all(RoleBinding.class)) {
      if (!names(b.getSubjects(), namespace, name)) {
        continue;
      }
      String ns = b.getMetadata().getNamespace();
      RoleRef ref = b.getRoleRef();
      List<PolicyRule> rules = roles.computeIfAbsent(ns, k -> new ArrayList<>());
      if ("Role".equals(ref.getKind())) {
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals(ref.getName()) && ns.equals(r.getMetadata().getNamespace()))
            .forEach(r -> rules.addAll(r.getRules()));
      } else {
        chart.find(ClusterRole.class, ref.getName()).ifPresent(r -> rules.addAll(r.getRules()));
      }
    }
    List<PolicyRule> cluster = new ArrayList<>();
    for (ClusterRoleBinding b : chart.all(ClusterRoleBinding.class)) {
      if (names(b.getSubjects(), namespace, name)) {
        chart.find(ClusterRole.class, b.getRoleRef().getName()).ifPresent(r -> cluster.addAll(r.getRules()));
      }
    }
    return new RbacAuthorizer(roles, cluster);
  }

  private static boolean names(List<Subject> subjects, String namespace, String name) {
    return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
        && name.equals(s.getName()) && namespace.equals(s.getNamespace()));
  }

  /** The grant that allows this access, if any. */
  Optional<Grant> allows(ApiAccess a) {
    for (PolicyRule r : clusterRules) {
      Optional<Grant> g = a.isResource() ? resourceGrant(r, a, null) : nonResourceGrant(r, a);
      if (g.isPresent()) {
        return g;
      }
    }
    if (a.isResource() && a.namespace() != null) {
      for (PolicyRule r : roleRules.getOrDefault(a.namespace(), List.of())) {
        Optional<Grant> g = resourceGrant(r, a, a.namespace());
        if (g.isPresent()) {
          return g;
        }
      }
    }
    return Optional.empty();
  }

  /** Everything the rules grant, one entry per verb and name (and namespace, for a Role). */
  Set<Grant> grants() {
    Set<Grant> out = new LinkedHashSet<>();
    roleRules.forEach((ns, rules) -> rules.forEach(r -> grants(r, ns, out)));
    clusterRules.forEach(r -> grants(r, null, out));
    return out;
  }

  private static void grants(PolicyRule r, String namespace, Set<Grant> out) {
    for (String verb : r.getVerbs()) {
      if (!empty(r.getNonResourceURLs())) {
        r.getNonResourceURLs().forEach(url -> out.add(new Grant(verb + " " + url)));
        continue;
      }
      for (String group : r.getApiGroups()) {
        for (String resource : r.getResources()) {
          if (empty(r.getResourceNames())) {
            out.add(grant(verb, group, resource, "*", namespace));
          } else {
            r.getResourceNames().forEach(n -> out.add(grant(verb, group, resource, n, namespace)));
          }
        }
      }
    }
  }

  private static Optional<Grant> resourceGrant(PolicyRule r, ApiAccess a, String namespace) {
    if (empty(r.getResources()) || !matches(r.getVerbs(), a.verb()) || !matches(r.getApiGroups(), a.apiGroup())
        || !matches(r.getResources(), a.resource())) {
      return Optional.empty();
    }
    if (empty(r.getResourceNames())) {
      return Optional.of(grant(a.verb(), a.apiGroup(), a.resource(), "*", namespace));
    }
    // A rule with names never matches a request without one (create, an unfiltered list or watch).
    if (a.name() != null && r.getResourceNames().contains(a.name())) {
      return Optional.of(grant(a.verb(), a.apiGroup(), a.resource(), a.name(), namespace));
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

  private static Grant grant(String verb, String group, String resource, String name, String namespace) {
    return new Grant(verb + " " + (group.isEmpty() ? "" : group + "/") + resource + "/" + name
        + (namespace == null ? "" : " in " + namespace));
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  private static boolean empty(List<String> list) {
    return list == null || list.isEmpty();
  }
}
