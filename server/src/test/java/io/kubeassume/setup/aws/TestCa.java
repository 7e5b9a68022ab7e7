package io.kubeassume.setup.aws;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A generated root → intermediate → leaf chain, as a public CA would issue it; no network. */
public final class TestCa {
  public final KeyPair rootKey = keys();
  public final KeyPair intermediateKey = keys();
  public final KeyPair leafKey = keys();
  public final X509Certificate root;
  public final X509Certificate intermediate;
  public final X509Certificate leaf;

  public TestCa(String leafHost) throws Exception {
    root = cert("CN=Test Root CA", rootKey, "CN=Test Root CA", rootKey, true, null);
    intermediate = cert("CN=Test Intermediate CA", intermediateKey, "CN=Test Root CA", rootKey, true, null);
    leaf = cert("CN=" + leafHost, leafKey, "CN=Test Intermediate CA", intermediateKey, false, leafHost);
  }

  private static KeyPair keys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate cert(String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey, boolean ca,
      String dnsName) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(subject.hashCode() & 0xffff)),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
        new X500Name(subject), subjectKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (dnsName != null) {
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey.getPrivate())));
  }
}
