package io.kubeassume.fleet.kubernetes;

import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.merge.MergeState;

/**
 * What every replica knows of one OIDCIssuer: the object as last observed, its spec as parsed, and
 * the merge state its status holds if that is valid (the last valid one otherwise). Mutated only on
 * the fleet's event loop; read by the leader's store on worker threads, hence volatile.
 */
final class IssuerRecord {
  volatile OidcIssuers.Observed observed;
  /** The spec parsed, or null if it is invalid ({@link #specError} says why). */
  volatile IssuerSpec spec;
  volatile String specError;
  /** The newest valid state seen: what is served and what the leader merges onto. */
  volatile MergeState valid;
  /** Why the status.state last seen was refused, or null. */
  volatile String rejected;
}
