package io.kubeassume.server.json;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x JSON through Jackson's streaming API only. Without this, Vert.x switches to its databind
 * codec as soon as jackson-databind is on the class path (the cloud SDKs bring it), which loads
 * and initialises an ObjectMapper with some 400 classes: about 15 MiB more resident memory for
 * nothing, since kubeassume only encodes JsonObjects for /readyz.
 */
public final class StreamingJsonFactory implements JsonFactory {
  private static final JsonCodec CODEC = new JacksonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
