package mdo.framework.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mesos agent attribute text ({@code rack:r1;level:0.8;jdk:[6-7];gpu:{0,1}}) typed as the Mesos attribute grammar
 * types it (docs/attributes-resources.md): a set in braces, ranges in brackets, a number is a scalar, else text.
 */
final class MesosAttributes {
  private static final Pattern SET = Pattern.compile("\\{(.+)\\}");
  private static final Pattern RANGES = Pattern.compile("\\[(.+)\\]");
  private static final Pattern SCALAR = Pattern.compile("[0-9]+(?:\\.[0-9]+)?");

  private MesosAttributes() {}

  static Map<String, AttributeValue> parse(String text) {
    Map<String, AttributeValue> out = new LinkedHashMap<>();
    for (String pair : text.split(";")) {
      if (pair.isEmpty()) continue;
      int colon = pair.indexOf(':');
      out.put(pair.substring(0, colon), value(pair.substring(colon + 1)));
    }
    return out;
  }

  static AttributeValue value(String v) {
    Matcher set = SET.matcher(v);
    if (set.matches()) return new AttributeValue.SetValue(List.of(set.group(1).split(",")));
    Matcher ranges = RANGES.matcher(v);
    if (ranges.matches()) {
      List<AttributeValue.Range> out = new ArrayList<>();
      for (String r : ranges.group(1).split(",")) {
        String[] ends = r.split("-");
        out.add(new AttributeValue.Range(Long.parseLong(ends[0]), Long.parseLong(ends[1])));
      }
      return new AttributeValue.Ranges(out);
    }
    if (SCALAR.matcher(v).matches()) return AttributeValue.scalar(Double.parseDouble(v));
    return AttributeValue.text(v);
  }
}
