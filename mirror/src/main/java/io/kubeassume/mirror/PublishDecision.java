package io.kubeassume.mirror;

import java.util.Objects;

/**
 * What to do with one object, decided from what the store holds and what we want to publish. Pure.
 *
 * <ul>
 *   <li>{@link Unchanged}: the store already holds exactly our bytes; write nothing.
 *   <li>{@link Superseded}: the store holds a newer revision (another replica is ahead); write
 *       nothing, so a lagging writer can never roll the documents back.
 *   <li>{@link Create}: nothing is stored; write with "create only".
 *   <li>{@link Replace}: different, not newer content is stored; replace exactly that version.
 * </ul>
 *
 * An object without kubeassume revision metadata (written by hand or by another tool) counts as
 * older than any revision, so it is replaced.
 */
public sealed interface PublishDecision {
  record Unchanged() implements PublishDecision {}

  record Superseded(long storedRevision) implements PublishDecision {}

  record Create() implements PublishDecision {}

  record Replace(String token) implements PublishDecision {
    public Replace {
      Objects.requireNonNull(token, "token");
    }
  }

  /**
   * @param stored what the store holds under the key, or {@code null} for nothing
   * @param body the bytes we want stored
   * @param revision the revision of the documents {@code body} belongs to
   */
  static PublishDecision decide(StoredObject stored, byte[] body, long revision) {
    Objects.requireNonNull(body, "body");
    if (stored == null) {
      return new Create();
    }
    if (stored.hasSameBytesAs(body)) {
      return new Unchanged();
    }
    if (stored.revision() > revision) {
      return new Superseded(stored.revision());
    }
    return new Replace(stored.token());
  }

  /** The precondition for the write this decision calls for, or {@code null} if it calls for none. */
  default Precondition precondition() {
    if (this instanceof Create) {
      return Precondition.createOnly();
    }
    if (this instanceof Replace r) {
      return Precondition.replacing(r.token());
    }
    return null;
  }
}
