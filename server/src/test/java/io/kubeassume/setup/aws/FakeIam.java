package io.kubeassume.setup.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A local fake of the IAM Query API (form-encoded POST, XML answers) for the calls setup makes. It keeps
 * providers and roles in memory, records every request in order, and can deny chosen actions with 403.
 */
public final class FakeIam implements AutoCloseable {
  public static final String ACCOUNT = "123456789012";
  private static final String NS = "https://iam.amazonaws.com/doc/2010-05-08/";

  public record Request(String action, Map<String, String> params, String authorization) {}

  public record Provider(String url, List<String> clientIds, List<String> thumbprints) {}

  private final HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  public final Map<String, Provider> providers = new ConcurrentHashMap<>();
  public final Map<String, String> roles = new ConcurrentHashMap<>();
  public final Set<String> denied = ConcurrentHashMap.newKeySet();

  public FakeIam() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public List<String> actions() {
    return requests().stream().map(Request::action).collect(Collectors.toList());
  }

  public void clearRequests() {
    requests.clear();
  }

  public void putProvider(String url, List<String> clientIds, List<String> thumbprints) {
    providers.put(arn(url), new Provider(url, new ArrayList<>(clientIds), new ArrayList<>(thumbprints)));
  }

  public static String arn(String url) {
    return "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + url.replaceFirst("^https://", "");
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> p = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (!pair.isEmpty()) {
        String[] kv = pair.split("=", 2);
        p.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    String action = p.getOrDefault("Action", "");
    requests.add(new Request(action, p, ex.getRequestHeaders().getFirst("Authorization")));
    if (denied.contains(action)) {
      error(ex, 403, "AccessDenied", "User: arn:aws:iam::" + ACCOUNT + ":user/ci is not authorized to perform: iam:"
          + action);
      return;
    }
    switch (action) {
      case "ListOpenIDConnectProviders" -> ok(ex, action, "<OpenIDConnectProviderList>" + providers.keySet().stream()
          .map(a -> "<member><Arn>" + a + "</Arn></member>").collect(Collectors.joining()) + "</OpenIDConnectProviderList>");
      case "GetOpenIDConnectProvider" -> {
        Provider pr = providers.get(p.get("OpenIDConnectProviderArn"));
        if (pr == null) {
          error(ex, 404, "NoSuchEntity", "OpenIDConnect Provider not found");
          return;
        }
        ok(ex, action, "<Url>" + pr.url().replaceFirst("^https://", "") + "</Url>"
            + "<ClientIDList>" + members(pr.clientIds()) + "</ClientIDList>"
            + "<ThumbprintList>" + members(pr.thumbprints()) + "</ThumbprintList>"
            + "<CreateDate>2024-01-01T00:00:00Z</CreateDate>");
      }
      case "CreateOpenIDConnectProvider" -> {
        String url = p.get("Url");
        if (providers.containsKey(arn(url))) {
          error(ex, 409, "EntityAlreadyExists", "Provider with url " + url + " already exists.");
          return;
        }
        putProvider(url, list(p, "ClientIDList"), list(p, "ThumbprintList"));
        ok(ex, action, "<OpenIDConnectProviderArn>" + arn(url) + "</OpenIDConnectProviderArn>");
      }
      case "AddClientIDToOpenIDConnectProvider" -> {
        Provider pr = providers.get(p.get("OpenIDConnectProviderArn"));
        if (!pr.clientIds().contains(p.get("ClientID"))) {
          pr.clientIds().add(p.get("ClientID"));
        }
        ok(ex, action, null);
      }
      case "UpdateOpenIDConnectProviderThumbprint" -> {
        Provider pr = providers.get(p.get("OpenIDConnectProviderArn"));
        pr.thumbprints().clear();
        pr.thumbprints().addAll(list(p, "ThumbprintList"));
        ok(ex, action, null);
      }
      case "GetRole" -> {
        String doc = roles.get(p.get("RoleName"));
        if (doc == null) {
          error(ex, 404, "NoSuchEntity", "The role with name " + p.get("RoleName") + " cannot be found.");
          return;
        }
        ok(ex, action, role(p.get("RoleName"), doc));
      }
      case "CreateRole" -> {
        roles.put(p.get("RoleName"), p.get("AssumeRolePolicyDocument"));
        ok(ex, action, role(p.get("RoleName"), p.get("AssumeRolePolicyDocument")));
      }
      case "UpdateAssumeRolePolicy" -> {
        roles.put(p.get("RoleName"), p.get("PolicyDocument"));
        ok(ex, action, null);
      }
      default -> error(ex, 400, "InvalidAction", "Could not find operation " + action);
    }
  }

  private static String role(String name, String doc) {
    // IAM returns the trust policy URL-encoded.
    return "<Role><Path>/</Path><RoleName>" + name + "</RoleName><RoleId>AROAEXAMPLE</RoleId>"
        + "<Arn>arn:aws:iam::" + ACCOUNT + ":role/" + name + "</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>"
        + "<AssumeRolePolicyDocument>" + URLEncoder.encode(doc, StandardCharsets.UTF_8)
        + "</AssumeRolePolicyDocument></Role>";
  }

  private static List<String> list(Map<String, String> p, String name) {
    List<String> out = new ArrayList<>();
    for (int i = 1; p.containsKey(name + ".member." + i); i++) {
      out.add(p.get(name + ".member." + i));
    }
    return out;
  }

  private static String members(List<String> values) {
    return values.stream().map(v -> "<member>" + v + "</member>").collect(Collectors.joining());
  }

  private static void ok(HttpExchange ex, String action, String result) throws IOException {
    String xml = "<" + action + "Response xmlns=\"" + NS + "\">"
        + (result == null ? "" : "<" + action + "Result>" + result + "</" + action + "Result>")
        + "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>"
        + "</" + action + "Response>";
    send(ex, 200, xml);
  }

  private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    send(ex, status, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>"
        + message + "</Message></Error><RequestId>7a62c49f-EXAMPLE</RequestId></ErrorResponse>");
  }

  private static void send(HttpExchange ex, int status, String xml) throws IOException {
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
