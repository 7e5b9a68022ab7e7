package io.kubeassume.packaging;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One API request as Kubernetes' authorizer sees it (its RequestInfo): either a resource request
 * (namespace, API group, resource, name, verb) or a non-resource URL with a verb. The rules are the
 * API server's: GET of a named object is get, of a collection list, or watch with watch=true; POST
 * create, PUT update, PATCH patch, DELETE delete; a subresource (.../NAME/status) is the resource
 * "RESOURCE/status"; a list or watch whose fieldSelector is metadata.name=NAME is authorized as a
 * request for NAME (so resourceNames rules apply).
 */
record ApiAccess(String namespace, String apiGroup, String resource, String name, String verb, String nonResourcePath) {

  static ApiAccess of(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    String path = uri.getRawPath();
    Map<String, String> query = query(uri.getRawQuery());
    String[] p = path.replaceFirst("^/", "").split("/");
    int rest;
    String group;
    if (p.length >= 2 && p[0].equals("api")) {
      group = "";
      rest = 2; // api/v1/...
    } else if (p.length >= 3 && p[0].equals("apis")) {
      group = p[1];
      rest = 3; // apis/group/version/...
    } else {
      return new ApiAccess(null, null, null, null, method.toLowerCase(Locale.ROOT), path);
    }
    String namespace = null;
    if (p.length > rest + 1 && p[rest].equals("namespaces")) {
      namespace = p[rest + 1];
      rest += 2;
    }
    if (p.length <= rest) {
      throw new IllegalArgumentException("not a resource request: " + pathAndQuery);
    }
    String name = p.length > rest + 1 ? p[rest + 1] : null;
    // A subresource is authorized as resource/subresource (oidcissuers/status), with the object's name.
    String resource = p.length > rest + 2 ? p[rest] + "/" + p[rest + 2] : p[rest];
    String verb = switch (method.toUpperCase(Locale.ROOT)) {
      case "GET", "HEAD" -> name != null ? "get" : "true".equals(query.get("watch")) || "1".equals(query.get("watch")) ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> throw new IllegalArgumentException("unexpected method " + method + " " + pathAndQuery);
    };
    if (name == null && (verb.equals("list") || verb.equals("watch"))) {
      String selector = query.getOrDefault("fieldSelector", "");
      if (selector.startsWith("metadata.name=") && !selector.contains(",")) {
        name = selector.substring("metadata.name=".length());
      }
    }
    return new ApiAccess(namespace, group, resource, name, verb, null);
  }

  boolean isResource() {
    return nonResourcePath == null;
  }

  @Override
  public String toString() {
    if (!isResource()) {
      return verb + " " + nonResourcePath;
    }
    return verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource
        + (name == null ? "" : "/" + name) + (namespace == null ? "" : " in " + namespace);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(key, value);
    }
    return out;
  }
}
