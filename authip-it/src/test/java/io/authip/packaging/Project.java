package io.authip.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository the tests check (surefire passes the project directory). */
final class Project {

  static final Path DIR = Path.of(System.getProperty("authip.projectDir", ".")).toAbsolutePath().normalize();
  static final Path CHART = DIR.resolve("charts/authip");
  static final Path CRDS = DIR.resolve("crds");

  private Project() {}

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
