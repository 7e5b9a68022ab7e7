package io.kubeassume.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.Test;

class StreamingJsonFactoryTest {
  @Test
  void vertxUsesTheStreamingCodecEvenWithDatabindOnTheClassPath() throws Exception {
    Class.forName("com.fasterxml.jackson.databind.ObjectMapper"); // the SDKs put it there
    assertSame(JacksonCodec.class, Json.CODEC.getClass(), "not DatabindCodec");
    assertEquals("{\"ready\":true,\"keys\":[\"a\"]}",
        new JsonObject().put("ready", true).put("keys", new io.vertx.core.json.JsonArray().add("a")).encode());
  }
}
