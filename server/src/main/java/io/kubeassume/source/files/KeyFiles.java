package io.kubeassume.source.files;

import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySourceException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every key named by {@code --keys}: a file, or each regular file directly inside a directory.
 * Names starting with a dot are skipped, which skips the {@code ..data} links of Kubernetes
 * Secret and ConfigMap volumes while following the per-key links that point into them. Blocking.
 */
public final class KeyFiles {
  /** Key files are small; anything larger is a mistake, not a key. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private KeyFiles() {}

  public static List<SigningKey> readAll(List<Path> paths) throws KeySourceException, InvalidKeyException {
    List<SigningKey> keys = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        for (Path file : filesIn(path)) {
          keys.addAll(read(file));
        }
      } else if (Files.exists(path)) {
        keys.addAll(read(path));
      } else {
        throw new KeySourceException(path + " (named by --keys) does not exist");
      }
    }
    if (keys.isEmpty()) {
      throw new KeySourceException("no key files found in --keys " + paths
          + "; add the service-account public key (e.g. /etc/kubernetes/pki/sa.pub)");
    }
    return keys;
  }

  static List<Path> filesIn(Path dir) throws KeySourceException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (!entry.getFileName().toString().startsWith(".") && Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    } catch (IOException e) {
      throw new KeySourceException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    files.sort(null);
    return files;
  }

  private static List<SigningKey> read(Path file) throws KeySourceException, InvalidKeyException {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InvalidKeyException(file.toString(), "is " + size + " bytes; a key file is at most " + MAX_FILE_BYTES);
      }
      return KeyParser.parse(file.toString(), Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new KeySourceException(file + " disappeared while being read", e);
    } catch (IOException e) {
      throw new KeySourceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
