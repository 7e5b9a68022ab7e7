package io.kubeassume.cli;

import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySourceException;
import io.kubeassume.source.files.KeyFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        "Exit code 0: printed; 1: a key is missing, unreadable or refused; 2: a wrong flag.",
        "Every flag has an environment twin: --keys is also KUBEASSUME_KEYS."})
final class JwksCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--keys", paramLabel = "PATH", split = ",", required = true,
      description = "Key file or directory of key files (PEM public keys, certificates, JWKS); repeatable. "
          + "Env: KUBEASSUME_KEYS (comma-separated)")
  List<Path> keys;

  @Override
  public Integer call() {
    try {
      // The merger applies the same duplicate-kid rules as serve; overlap does not matter for one run.
      MergeState state = new KeyMerger(Duration.ofSeconds(1), Integer.MAX_VALUE)
          .merge(MergeState.EMPTY, KeyFiles.readAll(keys), Instant.now())
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
