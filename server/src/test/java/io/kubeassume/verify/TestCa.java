package io.kubeassume.verify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private PKI made in the test: root CA, intermediate CA, and server certificates for 127.0.0.1
 * and localhost, like a public CA's chain but trusted only by those given the root.
 */
public final class TestCa {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  public final String name;
  public final KeyPair rootKey;
  public final X509Certificate root;
  public final KeyPair intermediateKey;
  public final X509Certificate intermediate;

  private TestCa(String name) throws Exception {
    this.name = name;
    rootKey = ecKey();
    root = sign(new X500Name("CN=" + name + " Root"), rootKey, new X500Name("CN=" + name + " Root"), rootKey, true, null);
    intermediateKey = ecKey();
    intermediate = sign(new X500Name("CN=" + name + " Intermediate"), intermediateKey, new X500Name("CN=" + name + " Root"),
        rootKey, true, null);
  }

  public static TestCa create(String name) throws Exception {
    return new TestCa(name);
  }

  /** A leaf for 127.0.0.1 and localhost, issued by the intermediate. */
  public Server server(String commonName) throws Exception {
    Instant now = Instant.now();
    return server(commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)), "127.0.0.1", "localhost");
  }

  /** A leaf valid from {@code notBefore} to {@code notAfter} for these names (IP addresses or DNS names). */
  public Server server(String commonName, Instant notBefore, Instant notAfter, String... names) throws Exception {
    KeyPair key = ecKey();
    GeneralName[] sans = new GeneralName[names.length];
    for (int i = 0; i < names.length; i++) {
      sans[i] = new GeneralName(names[i].matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
    }
    X509Certificate leaf = sign(new X500Name("CN=" + commonName), key, new X500Name("CN=" + name + " Intermediate"),
        intermediateKey, false, new GeneralNames(sans), notBefore, notAfter);
    return new Server(key, List.of(leaf, intermediate));
  }

  /** Writes the root in PEM, as a user's --ca-file. */
  public Path writeRoot(Path file) throws Exception {
    Files.writeString(file, pem(root), StandardCharsets.US_ASCII);
    return file;
  }

  public static String pem(X509Certificate cert) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  /** A server key and the chain it presents, leaf first. */
  public record Server(KeyPair key, List<X509Certificate> chain) {
    public SSLContext sslContext() throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key.getPrivate(), "changeit".toCharArray(), chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "changeit".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    }
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey,
      boolean ca, GeneralNames sans) throws Exception {
    Instant now = Instant.now();
    return sign(subject, subjectKey, issuer, issuerKey, ca, sans, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)));
  }

  private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey,
      boolean ca, GeneralNames sans, Instant notBefore, Instant notAfter) throws Exception {
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(notBefore), Date.from(notAfter), subject, subjectKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(Extension.keyUsage, true, ca ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        : new KeyUsage(KeyUsage.digitalSignature));
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }
}
