package io.kubeassume.cli;

import io.kubeassume.config.ConfigException;
import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySourceException;
import io.kubeassume.source.files.KeyFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "jwks", mixinStandardHelpOptions = true,
    description = {
        "Prints the JWKS for the given keys to stdout, exactly as 'serve' would publish it "
            + "(for clouds that take an uploaded JWKS, e.g. GCP's --jwk-json-path or 'setup gcp --jwks-file').",
        "Exit code 0: printed; 1: a key refused (private, weaker than 2048-bit RSA, not a public key, a reused kid); "
            + "2: a wrong flag (e.g. a --keys path that does not exist).",
        "Every flag has an environment twin: --keys is also KUBEASSUME_KEYS."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume jwks --keys /etc/kubernetes/pki/sa.pub > jwks.json",
        "  kubeassume jwks --keys /etc/kubernetes/pki/sa.pub,/etc/kubernetes/pki/sa-next.pub > jwks.json"})
final class JwksCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--keys", paramLabel = "PATH", split = ",",
      description = "Key file or directory of key files (PEM public keys, certificates, JWKS); repeatable. Required. "
          + "Env: KUBEASSUME_KEYS (comma-separated)")
  List<String> keys = new ArrayList<>();

  @Override
  public Integer call() {
    List<Path> paths;
    try {
      paths = KeysFlag.paths(new SetupFlags(spec).flag("--keys"), keys, "");
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("kubeassume jwks: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return ExitCodes.USAGE;
    }
    try {
      // The merger applies the same duplicate-kid rules as serve; overlap does not matter for one run.
      MergeState state = new KeyMerger(Duration.ofSeconds(1), Integer.MAX_VALUE)
          .merge(MergeState.EMPTY, KeyFiles.readAll(paths), Instant.now())
          .state();
      spec.commandLine().getOut().println(DocumentRenderer.jwks(state.servedKeys()).asString());
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    } catch (InvalidKeyException | KeySourceException e) {
      spec.commandLine().getErr().println("kubeassume jwks: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return ExitCodes.FAILURE;
    }
  }
}
