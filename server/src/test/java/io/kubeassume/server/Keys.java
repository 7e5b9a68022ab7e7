package io.kubeassume.server;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.kubeassume.keys.KeyIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;

/** Generates test keys and writes them the way operators do: PEM public keys. */
final class Keys {
  private Keys() {}

  static RSAKey rsa() throws Exception {
    return new RSAKeyGenerator(2048).generate();
  }

  static ECKey ec() throws Exception {
    return new ECKeyGenerator(Curve.P_256).generate();
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Writes the public half as PEM and returns the kid the API server would give it. */
  static String writePem(Path file, RSAKey key) throws Exception {
    Files.writeString(file, pem(key.toPublicKey()));
    return KeyIds.apiServerKid(key.toPublicKey());
  }

  static String writePem(Path file, ECKey key) throws Exception {
    Files.writeString(file, pem(key.toPublicKey()));
    return KeyIds.apiServerKid(key.toPublicKey());
  }

  static String kidOf(RSAKey key) throws Exception {
    return KeyIds.apiServerKid(key.toPublicKey());
  }

  static void write(Path file, String content) throws IOException {
    Files.writeString(file, content);
  }

  /** Makes a FIFO (named pipe) at {@code file}: opening it for reading waits for a writer. */
  static Path mkfifo(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("mkfifo " + file + " failed: " + out);
    }
    return file;
  }
}
