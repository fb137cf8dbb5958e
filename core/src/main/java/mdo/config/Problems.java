package mdo.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems and warnings of one config file while it is read. */
final class Problems {
  final Path file;
  final List<ConfigException.Problem> errors = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  Problems(Path file) {
    this.file = file;
  }

  void add(int line, String field, String message) {
    errors.add(new ConfigException.Problem(file, line, field, message));
  }

  void warn(int line, String field, String message) {
    warnings.add(new ConfigException.Problem(file, line, field, message).toString());
  }

  void throwIfAny() {
    // In file order, so the list reads top to bottom like the file.
    errors.sort(java.util.Comparator.comparingInt(ConfigException.Problem::line));
    if (!errors.isEmpty()) throw new ConfigException(errors);
  }
}
