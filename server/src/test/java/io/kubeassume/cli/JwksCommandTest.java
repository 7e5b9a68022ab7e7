package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JwksCommandTest {
  @TempDir
  Path dir;

  private static String[] run(String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void printsThePublishedJwksForTheKeys() throws Exception {
    String key = ServeFlagsTest.KEY;
    String[] r = run("jwks", "--keys", key);
    assertEquals("0", r[0], r[2]);
    JWKSet set = JWKSet.parse(r[1]);
    assertEquals(1, set.size());
    String kid = Files.readString(Path.of(key).resolveSibling("sa.kid")).strip();
    assertEquals(kid, set.getKeys().get(0).getKeyID());
    assertTrue(set.getKeys().stream().noneMatch(k -> k.isPrivate()));
  }

  @Test
  void refusesAPrivateKeyWithOneLine() throws Exception {
    Path leaked = dir.resolve("sa.key");
    Files.copy(Path.of(ServeFlagsTest.KEY).resolveSibling("sa.key"), leaked);
    String[] r = run("jwks", "--keys", leaked.toString());
    assertEquals("1", r[0]);
    assertEquals("", r[1], "nothing printed to stdout");
    assertTrue(r[2].contains(leaked + ": contains a private key"), r[2]);
  }
}
