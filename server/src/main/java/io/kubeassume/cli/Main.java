package io.kubeassume.cli;

/** Entry point of the kubeassume executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    System.exit(KubeassumeCommand.commandLine(System.getenv()).execute(args));
  }

  /** One line per event on stderr, ISO timestamps; KUBEASSUME_LOG_LEVEL or --log-level sets the level. */
  static void configureLogging() {
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
    setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
    setDefault("org.slf4j.simpleLogger.log.io.vertx", "warn");
    // The Azure SDK's JDK transport warns about a restricted content-length header on every request.
    setDefault("org.slf4j.simpleLogger.log.com.azure.core.http.jdk.httpclient.JdkHttpClient", "error");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
