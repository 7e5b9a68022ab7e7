package io.kubeassume.document;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.MergeState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders the two documents exactly as the Kubernetes API server writes them: the discovery
 * document's five members in its order, and a JWKS of public members only.
 */
public final class DocumentRenderer {
  private DocumentRenderer() {}

  public static Snapshot render(IssuerUrl issuer, MergeState state) {
    List<SigningKey> keys = state.servedKeys();
    return new Snapshot(state.revision(), issuer, discovery(issuer, keys), jwks(keys), state.keys());
  }

  public static Document discovery(IssuerUrl issuer, List<SigningKey> keys) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer.value());
    doc.put("jwks_uri", issuer.jwksUri());
    doc.put("response_types_supported", List.of("id_token"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", new ArrayList<>(new TreeSet<>(keys.stream().map(SigningKey::alg).toList())));
    return new Document(json(doc), Document.DISCOVERY_CONTENT_TYPE);
  }

  public static Document jwks(List<SigningKey> keys) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("keys", keys.stream().map(SigningKey::toJsonMap).toList());
    return new Document(json(doc), Document.JWKS_CONTENT_TYPE);
  }

  private static byte[] json(Map<String, Object> doc) {
    return JSONObjectUtils.toJSONString(doc).getBytes(StandardCharsets.UTF_8);
  }
}
