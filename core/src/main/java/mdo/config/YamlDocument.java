package mdo.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed YAML file plus the line of every node, keyed by JSON pointer ({@code /services/cassandra/ports}). Jackson's
 * tree drops locations, so a second streaming pass records them: semantic checks then name the line of the field.
 */
final class YamlDocument {
  private static final YAMLMapper YAML = YAMLMapper.builder(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .build();

  final Path file;
  final JsonNode root;
  private final Map<String, Integer> lines;

  private YamlDocument(Path file, JsonNode root, Map<String, Integer> lines) {
    this.file = file;
    this.root = root;
    this.lines = lines;
  }

  /**
   * Parses {@code text}; syntax errors, duplicate keys and aliases become a {@link ConfigException} with their line.
   * Aliases ({@code image: *img}) are refused because Jackson reads one as the plain string {@code "img"}: the file
   * would silently say something else than its author meant.
   */
  static YamlDocument parse(Path file, String text) {
    try {
      JsonNode root = YAML.readTree(text);
      return new YamlDocument(file, root, locate(file, text));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String message = e.getOriginalMessage().replaceAll("\\s+", " ").trim();
      throw new ConfigException(file, at == null ? 0 : at.getLineNr(), "", "invalid YAML: " + message);
    } catch (IOException e) {
      throw new ConfigException(file, 0, "", "cannot read: " + e.getMessage());
    }
  }

  /** The line of the node at {@code pointer}, or of its nearest ancestor that has one; 0 if none. */
  int line(String pointer) {
    for (String p = pointer; ; p = p.substring(0, Math.max(0, p.lastIndexOf('/')))) {
      Integer line = lines.get(p);
      if (line != null) return line;
      if (p.isEmpty()) return 0;
    }
  }

  private static Map<String, Integer> locate(Path file, String text) throws IOException {
    Map<String, Integer> lines = new HashMap<>();
    try (YAMLParser parser = (YAMLParser) YAML.createParser(text)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        // At a FIELD_NAME the pointer already ends with that name: the key's line is the field's line.
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        int line = parser.currentTokenLocation().getLineNr();
        lines.putIfAbsent(pointer, line);
        if (parser.isCurrentAlias()) {
          throw new ConfigException(file, line, pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.'), "YAML aliases (*"
              + parser.getText() + ") are not supported: write the value out (an alias would be read as the"
              + " string '" + parser.getText() + "')");
        }
      }
    }
    return lines;
  }
}
