package io.kubeassume.verify;

/** Outcome of one check. Warnings do not fail verification. */
public enum Status {
  PASS, WARN, FAIL
}
