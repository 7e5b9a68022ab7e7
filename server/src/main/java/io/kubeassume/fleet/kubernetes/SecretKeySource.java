package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.KeySourceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * An OIDCIssuer's {@code source.secret}: the named items of a Secret beside it, read as a key file
 * is read (PEM public keys, certificates, a JWKS; a private key refused). Fed by the {@link SecretWatch}
 * from the moment the issuer is declared (on every replica, so a new leader reads with no request):
 * it keeps the named items' bytes only (a public key is a few hundred bytes) and a read parses them.
 * A change to the Secret is a change notice. {@link #reader} gives each leadership term a source to
 * hand to its sync loop (which closes it); {@link #close} ends the subscription.
 */
public final class SecretKeySource implements AutoCloseable {
  /** What is known of the Secret: not yet read, absent, or the bytes of the spec's items in their order (null when missing), as of a resourceVersion. */
  private record Items(boolean read, boolean exists, List<byte[]> values, String resourceVersion) {
    static final Items UNREAD = new Items(false, false, List.of(), null);
  }

  private final Vertx vertx;
  private final IssuerSpec.SecretItems spec;
  private final SecretWatch watch;
  private volatile Items items = Items.UNREAD;
  private final SecretWatch.Subscription subscription;
  private volatile Runnable changed;
  private volatile Context context;

  public SecretKeySource(Vertx vertx, IssuerSpec.SecretItems spec, SecretWatch watch) {
    this.vertx = vertx;
    this.spec = spec;
    this.watch = watch;
    this.subscription = watch.subscribe(spec.namespace(), spec.name(), this::take);
  }

  /** A key source over this Secret for one sync loop; closing it stops its change notices only. */
  public KeySource reader() {
    return new KeySource() {
      @Override
      public String name() {
        return "secret";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        return SecretKeySource.this.fetch();
      }

      @Override
      public void onChange(Runnable notice) {
        context = vertx.getOrCreateContext();
        changed = notice;
      }

      @Override
      public void close() {
        changed = null;
      }
    };
  }

  private Future<List<SigningKey>> fetch() {
    Items known = items;
    if (!known.read()) {
      // The first read: ask the API server once; later reads use what the watch delivered.
      return vertx.executeBlocking(() -> {
        take(watch.get(spec.namespace(), spec.name()));
        return parse(items);
      }, false);
    }
    try {
      return Future.succeededFuture(parse(known));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** A Secret as listed or changed (null: deleted): keep the named items only. */
  private synchronized void take(Secret secret) {
    Items before = items;
    Items next;
    if (secret == null) {
      next = new Items(true, false, List.of(), null);
    } else {
      String rv = secret.getMetadata() == null ? null : secret.getMetadata().getResourceVersion();
      if (before.exists() && older(rv, before.resourceVersion())) {
        return; // the first read's answer arrived after a newer watch event: keep the newer
      }
      List<byte[]> values = new ArrayList<>(spec.items().size());
      for (String item : spec.items()) {
        values.add(item(secret, item));
      }
      next = new Items(true, true, Collections.unmodifiableList(values), rv);
    }
    items = next;
    Runnable notify = changed;
    Context on = context;
    if (before.read() && notify != null && on != null && !same(before, next)) {
      on.runOnContext(v -> notify.run());
    }
  }

  /** An item's bytes: from {@code data} (base64), or {@code stringData} (as a client wrote it), or null. */
  static byte[] item(Secret secret, String item) {
    if (secret.getData() != null && secret.getData().get(item) != null) {
      return Base64.getMimeDecoder().decode(secret.getData().get(item));
    }
    if (secret.getStringData() != null && secret.getStringData().get(item) != null) {
      return secret.getStringData().get(item).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return null;
  }

  private List<SigningKey> parse(Items known) throws KeySourceException, InvalidKeyException {
    String where = "secret " + spec.namespace() + "/" + spec.name();
    if (!known.exists()) {
      throw new KeySourceException(where + " does not exist; create it with the public key items " + spec.items()
          + " (e.g. kubectl create secret generic " + spec.name() + " -n " + spec.namespace() + " --from-file=sa.pub)");
    }
    List<SigningKey> keys = new ArrayList<>();
    for (int i = 0; i < spec.items().size(); i++) {
      String item = spec.items().get(i);
      byte[] value = known.values().get(i);
      if (value == null) {
        throw new KeySourceException(where + " has no item " + item + "; its items named in source.secret.items "
            + "must hold public keys");
      }
      keys.addAll(KeyParser.parse(where + " item " + item, value));
    }
    return keys;
  }

  private static boolean older(String candidate, String seen) {
    try {
      return Long.parseLong(candidate) < Long.parseLong(seen);
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }

  private static boolean same(Items a, Items b) {
    if (a.exists() != b.exists() || a.values().size() != b.values().size()) {
      return false;
    }
    for (int i = 0; i < a.values().size(); i++) {
      if (!java.util.Arrays.equals(a.values().get(i), b.values().get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    subscription.cancel();
  }
}
