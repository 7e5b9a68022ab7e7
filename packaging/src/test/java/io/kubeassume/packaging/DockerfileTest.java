package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.packaging.DockerfileInstructions.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Structure checks of the image definition that need no Docker engine. */
class DockerfileTest {
  private static final Pattern SECRET_LIKE = Pattern.compile(
      "(?i)(certs/|\\.pem\\b|\\.key\\b|\\.p12\\b|\\.jks\\b|id_rsa|\\.env\\b|\\.kube/|kubeconfig|credentials)");

  private final DockerfileInstructions docker;

  DockerfileTest() throws IOException {
    docker = DockerfileInstructions.parse(Files.readString(Repo.file("Dockerfile")));
  }

  @Test
  void buildsInOneStageAndRunsOnASlimJre() {
    assertTrue(docker.stages >= 2, "multi-stage: build, then runtime");
    List<Instruction> froms = docker.all("FROM");
    String runtime = froms.get(froms.size() - 1).arguments();
    assertTrue(runtime.startsWith("eclipse-temurin:17-jre"), "runtime base should be a Java 17 JRE: " + runtime);
    String buildStage = froms.get(0).arguments().replaceFirst("(?i).* AS ", "");
    assertTrue(docker.inFinalStage("COPY").stream().anyMatch(c -> c.arguments().contains("--from=" + buildStage)),
        "the runtime copies the jar from the build stage");
    assertTrue(docker.all("RUN").stream().anyMatch(r -> r.arguments().contains("package")), "the build stage builds");
  }

  @Test
  void runsAsANumericNonRootUser() {
    List<Instruction> users = docker.inFinalStage("USER");
    assertFalse(users.isEmpty(), "the runtime stage must set USER");
    for (Instruction u : users) {
      String user = u.arguments().split(":")[0];
      assertTrue(user.matches("[0-9]+"), "USER must be numeric so runAsNonRoot can check it: " + u.arguments());
      assertFalse(user.equals("0"), "USER 0 is root");
    }
    assertEquals("65532:65532", users.get(users.size() - 1).arguments());
    // Nothing runs as root after USER in the runtime stage.
    int userAt = docker.instructions.indexOf(users.get(0));
    assertTrue(docker.instructions.subList(userAt, docker.instructions.size()).stream()
        .noneMatch(i -> i.keyword().equals("RUN")), "no RUN after USER in the runtime stage");
  }

  @Test
  void exposesThePublicAndManagementPorts() {
    Set<String> exposed = docker.inFinalStage("EXPOSE").stream()
        .flatMap(e -> Arrays.stream(e.arguments().split("\\s+")))
        .map(p -> p.replace("/tcp", ""))
        .collect(Collectors.toSet());
    assertEquals(Set.of("8080", "9090"), exposed);
  }

  @Test
  void entrypointIsTheJarWithItsClassArchiveAndServeIsTheDefaultCommand() {
    assertEquals("[\"java\", \"-XX:SharedArchiveFile=/app/kubeassume.jsa\", \"-jar\", \"/app/kubeassume.jar\"]",
        docker.inFinalStage("ENTRYPOINT").get(0).arguments());
    assertEquals("[\"serve\"]", docker.inFinalStage("CMD").get(0).arguments());
  }

  @Test
  void theClassArchiveIsTrainedInTheRuntimeStageWithTheTestedScript() {
    // Same JRE and jar path as at run time, else the JVM ignores the archive; CdsTrainingTest runs the script.
    assertTrue(docker.inFinalStage("COPY").stream().anyMatch(c -> c.arguments().contains("packaging/cds-train.sh /app/cds-train.sh")));
    assertTrue(docker.inFinalStage("RUN").stream()
        .anyMatch(r -> r.arguments().startsWith("/app/cds-train.sh /app/kubeassume.jar /app/kubeassume.jsa")));
  }

  @Test
  void healthIsCheckedOrTheProbesAreDocumented() throws IOException {
    if (!docker.all("HEALTHCHECK").isEmpty()) {
      return;
    }
    String containerDoc = Files.readString(Repo.file("docs/container.md"));
    assertTrue(containerDoc.contains("/healthz") && containerDoc.contains("/readyz") && containerDoc.contains("9090"),
        "without a HEALTHCHECK, docs/container.md must document the /healthz and /readyz probes on 9090");
  }

  @Test
  void jvmFlagsAreTheReadmeRecommendationAndWriteOnlyToTmp() throws IOException {
    String options = javaOptions();
    assertEquals(JvmFlags.fromReadme(), JvmFlags.sizing(options));
    assertTrue(options.contains("-Djava.io.tmpdir=/tmp"), options);
    assertTrue(options.contains("-Dvertx.disableFileCaching=true"), options);
    assertTrue(options.contains("-Dvertx.cacheDirBase=/tmp/"), options);
  }

  @Test
  void chartAndImageUseTheSameJvmOptions() {
    assertEquals(javaOptions(), Charts.render("").env().get("JDK_JAVA_OPTIONS"));
  }

  @Test
  void copiesNoSecretsAndDownloadsNothingUnchecked() {
    for (Instruction i : docker.instructions) {
      if (i.keyword().equals("COPY") || i.keyword().equals("ADD")) {
        assertFalse(SECRET_LIKE.matcher(i.arguments()).find(), "copies secret-like material: " + i.arguments());
        assertFalse(i.arguments().matches("(?s).*\\s\\.\\s.*|^\\.\\s.*"), "copies the whole context: " + i.arguments());
      }
      assertFalse(i.keyword().equals("ADD") && i.arguments().contains("://"), "ADD from a URL: " + i.arguments());
      if (i.keyword().equals("ENV") || i.keyword().equals("ARG")) {
        assertFalse(i.arguments().matches("(?i).*(password|secret|token|private)[A-Z_]*=.*"),
            "a secret in the image: " + i.arguments());
      }
    }
  }

  @Test
  void copiesEveryModulePomTheReactorNeeds() throws IOException {
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(Repo.file("pom.xml")));
    Set<String> copied = docker.all("COPY").stream().map(Instruction::arguments).collect(Collectors.toSet());
    while (m.find()) {
      String pom = m.group(1) + "/pom.xml";
      assertTrue(copied.stream().anyMatch(c -> c.startsWith(pom + " ")),
          "Dockerfile must COPY " + pom + " (Maven reads every module listed in pom.xml)");
    }
  }

  @Test
  void dockerignoreKeepsBuildOutputHistoryAndKeysOut() throws IOException {
    List<String> ignored = Files.readAllLines(Repo.file(".dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    for (String required : List.of("**/target/", ".git/", "certs/", "**/*.pem", "**/*.key")) {
      assertTrue(ignored.contains(required), ".dockerignore should list " + required);
    }
  }

  private String javaOptions() {
    Instruction env = docker.inFinalStage("ENV").stream()
        .filter(e -> e.arguments().startsWith("JDK_JAVA_OPTIONS=")).findFirst()
        .orElseThrow(() -> new AssertionError("the runtime stage should set JDK_JAVA_OPTIONS"));
    return env.arguments().substring("JDK_JAVA_OPTIONS=".length()).replaceAll("^\"|\"$", "");
  }
}
