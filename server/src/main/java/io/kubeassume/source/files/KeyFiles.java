package io.kubeassume.source.files;

import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySourceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every key named by {@code --keys}: a file, or each regular file directly inside a directory.
 * Names starting with a dot are skipped, which skips the {@code ..data} links of Kubernetes
 * Secret and ConfigMap volumes while following the per-key links that point into them. Blocking,
 * but bounded: anything that is not a regular file (a FIFO, a device, a socket) is refused before
 * it is opened, and at most {@link #MAX_FILE_BYTES} + 1 bytes are read from a file, so a file that
 * grows or never ends costs bounded time and memory.
 */
public final class KeyFiles {
  /** Key files are small (a few KiB); anything larger is a mistake, not a key. */
  static final int MAX_FILE_BYTES = 1024 * 1024;

  private KeyFiles() {}

  public static List<SigningKey> readAll(List<Path> paths) throws KeySourceException, InvalidKeyException {
    List<SigningKey> keys = new ArrayList<>();
    for (Path path : paths) {
      BasicFileAttributes attributes = attributes(path);
      if (attributes == null) {
        throw new KeySourceException(path + " (named by --keys) does not exist");
      }
      if (attributes.isDirectory()) {
        for (Path file : filesIn(path)) {
          keys.addAll(read(file));
        }
      } else if (attributes.isRegularFile()) {
        keys.addAll(read(path));
      } else {
        throw new KeySourceException(path + " (named by --keys) is " + FileKind.describe(path) + ", not a key file; "
            + "replace it with the public key file (e.g. sa.pub), or name a directory of key files");
      }
    }
    if (keys.isEmpty()) {
      throw new KeySourceException("no key files found in --keys " + paths
          + "; add the service-account public key (e.g. /etc/kubernetes/pki/sa.pub)");
    }
    return keys;
  }

  /**
   * The regular files directly in {@code dir}, sorted. Subdirectories and dangling links (a key
   * just removed from a Secret volume) are skipped; anything else that is not a regular file is
   * refused, since a key file replaced by a FIFO or a device would otherwise retire its key silently.
   */
  static List<Path> filesIn(Path dir) throws KeySourceException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (entry.getFileName().toString().startsWith(".")) {
          continue;
        }
        BasicFileAttributes attributes = attributes(entry);
        if (attributes == null || attributes.isDirectory()) {
          continue;
        }
        if (!attributes.isRegularFile()) {
          throw new KeySourceException(entry + " (in the --keys directory " + dir + ") is " + FileKind.describe(entry)
              + ", not a key file; remove it or replace it with a public key file");
        }
        files.add(entry);
      }
    } catch (IOException e) {
      throw new KeySourceException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    files.sort(null);
    return files;
  }

  /** The attributes of what {@code path} names, links followed; null if nothing is there. */
  private static BasicFileAttributes attributes(Path path) throws KeySourceException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new KeySourceException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Reads a file checked to be regular; a file swapped for a FIFO in between would still block (see docs/security.md). */
  private static List<SigningKey> read(Path file) throws KeySourceException, InvalidKeyException {
    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new KeySourceException(file + " disappeared while being read", e);
    } catch (IOException e) {
      throw new KeySourceException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (content.length > MAX_FILE_BYTES) {
      throw new InvalidKeyException(file.toString(), "is larger than 1 MiB (" + MAX_FILE_BYTES + " bytes), the limit of a "
          + "key file; a public key is a few KiB: name the service-account public key (e.g. sa.pub), not a bundle or a log");
    }
    return KeyParser.parse(file.toString(), content);
  }
}
