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
    return run(Map.of(), args);
  }

  private static String[] run(Map<String, String> env, String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
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

  /** The same convention as serve: a --keys path that does not exist is a wrong flag (2), worded as serve words it. */
  @Test
  void aMissingKeyFileIsAWrongFlagAsInServe() {
    String[] r = run("jwks", "--keys", "/nonexistent/sa.pub");
    assertEquals("2", r[0], r[2]);
    assertEquals("kubeassume jwks: --keys: /nonexistent/sa.pub does not exist; give a key file or a directory of key files",
        r[2].strip());
    ServeFlagsTest.Run serve = ServeFlagsTest.run(Map.of(), "serve", "--issuer-url", "https://h", "--source", "files",
        "--keys", "/nonexistent/sa.pub");
    assertEquals(2, serve.exit());
    assertEquals("kubeassume serve: --keys: /nonexistent/sa.pub does not exist; give a key file or a directory of key files",
        serve.err().strip());

    String[] fromEnv = run(Map.of("KUBEASSUME_KEYS", "/nonexistent/sa.pub"), "jwks");
    assertEquals("2", fromEnv[0]);
    assertTrue(fromEnv[2].startsWith("kubeassume jwks: --keys (from KUBEASSUME_KEYS): /nonexistent/sa.pub does not exist"),
        fromEnv[2]);
  }

  @Test
  void noKeysIsWordedAsEveryOtherMissingFlag() {
    String[] r = run("jwks");
    assertEquals("2", r[0]);
    assertEquals(1, r[2].strip().lines().count(), r[2]);
    assertTrue(r[2].startsWith("kubeassume jwks: --keys: is required: name the service-account public key or a directory "
        + "of keys, e.g. --keys /etc/kubernetes/pki/sa.pub (or KUBEASSUME_KEYS)"), r[2]);
  }
}
