package io.kubeassume.config;

/** Where the merge state lives (--store). */
public enum StoreType {
  /** One ConfigMap in the cluster, written by the elected leader and watched by every replica. */
  CONFIGMAP("configmap"),
  /** A local state file (--state-file), or memory when none is named; single replica. */
  FILE("file");

  private final String flagValue;

  StoreType(String flagValue) {
    this.flagValue = flagValue;
  }

  public String flagValue() {
    return flagValue;
  }

  /** The default for a source: in a cluster the ConfigMap, with key files the state file. */
  public static StoreType defaultFor(SourceType source) {
    return source == SourceType.KUBERNETES ? CONFIGMAP : FILE;
  }

  public static StoreType fromFlag(String value) {
    for (StoreType type : values()) {
      if (type.flagValue.equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown store '" + value + "'; use configmap or file");
  }
}
