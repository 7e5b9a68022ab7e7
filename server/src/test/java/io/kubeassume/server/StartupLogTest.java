package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.kubeassume.logging.LogSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A healthy start says what it does and nothing alarming: no warning an operator learns to ignore. */
class StartupLogTest {
  @TempDir
  Path dir;

  @Test
  void aHealthyStartInAClusterLogsNoWarning() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    String issuer = "http://127.0.0.1/clusters/a";
    try (LogSettings.Capture ignored = LogSettings.capture(log::add); MockCluster cluster = new MockCluster(dir)) {
      RSAKey a = Keys.rsa();
      cluster.serves(issuer, a);
      try (TestServer t = TestServer.start(cluster.replica(issuer, "replica-1").build())) {
        await(Duration.ofSeconds(15), "serving", io(() -> MockCluster.servedKids(t, "/clusters/a/openid/v1/jwks")
            .equals(List.of(Keys.kidOf(a)))));
        assertEquals(200, t.get(t.managementUri("/metrics")).statusCode());
      }
    }
    assertTrue(log.stream().anyMatch(l -> l.contains(" INFO KubeassumeServer - serving ")), String.join("\n", log));
    assertTrue(log.stream().anyMatch(l -> l.matches(".* kubeassume starting: .*, source kubernetes http://localhost:\\d+/ "
        + "\\(kubeconfig \\S+kubeconfig-replica-1\\), .*")), "the start-up line names the API server and where it came from:\n"
        + String.join("\n", log));
    assertTrue(log.stream().noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR ")),
        "no warning on a healthy start:\n" + String.join("\n", log));
  }

  @Test
  void aHealthyStartFromKeyFilesLogsNoWarning() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    try (LogSettings.Capture ignored = LogSettings.capture(log::add);
        TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY)).build())) {
      await(Duration.ofSeconds(15), "serving", io(() -> t.get(t.publicUri("/openid/v1/jwks")).statusCode() == 200));
    }
    assertTrue(log.stream().noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR ")),
        "no warning on a healthy start:\n" + String.join("\n", log));
  }
}
