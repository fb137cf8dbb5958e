package mdo.config;

import java.nio.file.Path;
import java.util.List;
import mdo.command.Failure;

/**
 * config.yaml is wrong. Each {@link Problem} names the file, the line and the field, so a user can fix all of them in
 * one go; the CLIs print the message and exit 2 without sending anything.
 */
public final class ConfigException extends Failure {
  private final List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(describe(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(Path file, int line, String field, String message) {
    this(List.of(new Problem(file, line, field, message)));
  }

  public List<Problem> problems() {
    return problems;
  }

  @Override
  public Kind kind() {
    return Kind.BAD_INPUT;
  }

  /**
   * One mistake in the file.
   *
   * @param line 1-based; 0 when the problem is about the file as a whole
   * @param field dotted path such as {@code services.cassandra.ports-hard.storage}; empty for the whole file
   */
  public record Problem(Path file, int line, String field, String message) {
    @Override
    public String toString() {
      return file + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
  }

  private static String describe(List<Problem> problems) {
    if (problems.size() == 1) return problems.get(0).toString();
    StringBuilder sb = new StringBuilder(problems.size() + " problems in " + problems.get(0).file() + ":");
    for (Problem p : problems) sb.append("\n  ").append(p);
    return sb.toString();
  }
}
