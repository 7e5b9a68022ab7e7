package io.kubeassume.fleet.kubernetes;

import io.kubeassume.merge.MergeState;

/**
 * What every replica knows of one OIDCIssuer: the object as last observed, and the merge state its
 * status holds if that is valid (the last valid one otherwise). Mutated only on the fleet's event
 * loop; read by the leader's store on worker threads, hence volatile.
 */
final class IssuerRecord {
  volatile OidcIssuers.Observed observed;
  /** The status.state text last decoded (valid or not), so an unchanged status is not decoded again. */
  volatile String stateText;
  /** The newest valid state seen: what is served and what the leader merges onto. */
  volatile MergeState valid;
  /** Why the status.state last seen was refused, or null. */
  volatile String rejected;
}
