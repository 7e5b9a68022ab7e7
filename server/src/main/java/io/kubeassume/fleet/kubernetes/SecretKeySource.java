package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.KeySourceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * An OIDCIssuer's {@code source.secret}: the named items of a Secret beside it, read as a key file
 * is read (PEM public keys, certificates, a JWKS; a private key refused). Fed by the {@link SecretWatch}
 * from the moment the issuer is declared (on every replica, so a new leader reads with no request):
 * each version of the Secret is parsed as it arrives, and only the keys parsed from the named items
 * are kept (or why they could not be parsed), never the items' bytes. A key that is already served
 * is kept as the served instance, so an issuer holds one copy of each key (docs/fleet.md#sizing).
 * A change to the keys is a change notice. {@link #reader} gives each leadership term a source to
 * hand to its sync loop (which closes it); {@link #close} ends the subscription.
 */
public final class SecretKeySource implements AutoCloseable {
  /** What is known of the Secret: not yet read, absent, or its items' keys (or the error they gave), as of a resourceVersion. */
  private record Known(boolean read, boolean exists, List<SigningKey> keys, Exception error, String resourceVersion) {
    static final Known UNREAD = new Known(false, false, List.of(), null, null);

    boolean sameKeys(Known other) {
      if (exists != other.exists || keys.size() != other.keys.size()
          || !java.util.Objects.equals(error == null ? null : error.getMessage(),
              other.error == null ? null : other.error.getMessage())) {
        return false;
      }
      for (int i = 0; i < keys.size(); i++) {
        if (!keys.get(i).sameAs(other.keys.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  private final Vertx vertx;
  private final IssuerSpec.SecretItems spec;
  private final SecretWatch watch;
  /** The keys the issuer serves now: a parsed key identical to one of them is kept as that instance. */
  private final Supplier<List<KeyRecord>> served;
  private volatile Known known = Known.UNREAD;
  private final SecretWatch.Subscription subscription;
  private volatile Runnable changed;
  private volatile Context context;

  public SecretKeySource(Vertx vertx, IssuerSpec.SecretItems spec, SecretWatch watch, Supplier<List<KeyRecord>> served) {
    this.vertx = vertx;
    this.spec = spec;
    this.watch = watch;
    this.served = served;
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
      public boolean announcesEveryChange() {
        return true; // the watch delivers every version of the Secret, and a read only reads what it delivered
      }

      @Override
      public void close() {
        changed = null;
      }
    };
  }

  /** The parsed key identical to {@code key} (same kid, alg and material), or {@code key}: for a state decoded elsewhere. */
  public SigningKey known(SigningKey key) {
    return identical(known.keys(), key);
  }

  /** The instance in {@code keys} identical to {@code key}, or {@code key}. */
  private static SigningKey identical(List<SigningKey> keys, SigningKey key) {
    for (SigningKey k : keys) {
      if (k.sameAs(key)) {
        return k;
      }
    }
    return key;
  }

  private Future<List<SigningKey>> fetch() {
    if (!known.read()) {
      // The first read: what the watch's first list delivered, or (a Secret it did not hold, a list that
      // failed) one request to the API server; later reads use what the watch delivered.
      return watch.firstList().compose(listed -> known.read() ? current() : vertx.executeBlocking(() -> {
        take(watch.get(spec.namespace(), spec.name()));
        return keys(known);
      }, false));
    }
    return current();
  }

  private Future<List<SigningKey>> current() {
    try {
      return Future.succeededFuture(keys(known));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** A Secret as listed or changed (null: deleted): parse the named items, keep their keys only. */
  private synchronized void take(Secret secret) {
    Known before = known;
    Known next;
    if (secret == null) {
      next = new Known(true, false, List.of(), null, null);
    } else {
      String rv = secret.getMetadata() == null ? null : secret.getMetadata().getResourceVersion();
      if (before.exists() && older(rv, before.resourceVersion())) {
        return; // the first read's answer arrived after a newer watch event: keep the newer
      }
      next = parse(secret, rv);
      if (before.exists() && before.sameKeys(next)) {
        next = new Known(true, true, before.keys(), before.error(), rv); // keep the instances already held
      }
    }
    known = next;
    Runnable notify = changed;
    Context on = context;
    if (before.read() && notify != null && on != null && !before.sameKeys(next)) {
      on.runOnContext(v -> notify.run());
    }
  }

  private Known parse(Secret secret, String rv) {
    String where = where();
    List<SigningKey> keys = new ArrayList<>();
    try {
      for (String item : spec.items()) {
        byte[] value = item(secret, item);
        if (value == null) {
          throw new KeySourceException(where + " has no item " + item + "; its items named in source.secret.items "
              + "must hold public keys");
        }
        keys.addAll(KeyParser.parse(where + " item " + item, value));
      }
    } catch (KeySourceException | InvalidKeyException e) {
      return new Known(true, true, List.of(), e, rv);
    }
    List<SigningKey> serving = served.get().stream().map(KeyRecord::key).toList();
    keys.replaceAll(k -> identical(serving, k));
    return new Known(true, true, List.copyOf(keys), null, rv);
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

  private String where() {
    return "secret " + spec.namespace() + "/" + spec.name();
  }

  private List<SigningKey> keys(Known k) throws KeySourceException, InvalidKeyException {
    if (!k.exists()) {
      throw new KeySourceException(where() + " does not exist; create it with the public key items " + spec.items()
          + " (e.g. kubectl create secret generic " + spec.name() + " -n " + spec.namespace() + " --from-file=sa.pub)");
    }
    if (k.error() instanceof InvalidKeyException e) {
      throw e;
    }
    if (k.error() instanceof KeySourceException e) {
      throw e;
    }
    return k.keys();
  }

  private static boolean older(String candidate, String seen) {
    try {
      return Long.parseLong(candidate) < Long.parseLong(seen);
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }

  @Override
  public void close() {
    subscription.cancel();
  }
}
